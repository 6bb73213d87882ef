#include "core/anthropic/anthropic_fields.h"

#include <array>

#include "core/base/text_util.h"

namespace llmgw {

namespace {
using K = FieldKind;
using A = FieldAction;

// Sources: the Messages API reference and its beta headers (2026), and what Claude Code 2.1.197
// sends (tests/fixtures/agents/). Betas are never refused: a beta only unlocks fields and blocks,
// and those have rows of their own.
constexpr std::array kRules{
    // ---- top-level fields ----
    FieldRule{K::TopLevel, "model", A::Mapped, "model", "passed as the client named it"},
    FieldRule{K::TopLevel, "messages", A::Mapped, "messages", "user/assistant turns; mid-conversation system messages stay in place as system messages"},
    FieldRule{K::TopLevel, "max_tokens", A::Mapped, "max_tokens", "clamped to MAX_TOKENS_CAP or what the context leaves"},
    FieldRule{K::TopLevel, "system", A::Mapped, "messages", "the leading system message; Claude Code's billing block dropped (ANTHROPIC_KEEP_BILLING_HEADER)"},
    FieldRule{K::TopLevel, "stop_sequences", A::Mapped, "stop", "stop strings"},
    FieldRule{K::TopLevel, "stream", A::Mapped, "stream", "streamed, with stream_options.include_usage where the runtime honours it"},
    FieldRule{K::TopLevel, "temperature", A::Mapped, "temperature", "as sent"},
    FieldRule{K::TopLevel, "top_p", A::Mapped, "top_p", "as sent"},
    FieldRule{K::TopLevel, "top_k", A::Mapped, "top_k", "as sent where the runtime accepts it, else dropped"},
    FieldRule{K::TopLevel, "tools", A::Mapped, "tools", "custom tools become functions; server and Anthropic-defined tools are refused by type"},
    FieldRule{K::TopLevel, "tool_choice", A::Mapped, "tool_choice", "auto/any/tool/none; disable_parallel_tool_use to parallel_tool_calls:false"},
    FieldRule{K::TopLevel, "thinking", A::Mapped, "chat_template_kwargs", "enabled/adaptive turn reasoning on, disabled off (enable_thinking where the runtime has the switch); reasoning comes back as thinking blocks"},
    FieldRule{K::TopLevel, "output_config", A::Mapped, "reasoning_effort", "effort to reasoning_effort where the runtime has it (max/xhigh as high); format to response_format"},
    FieldRule{K::TopLevel, "output_format", A::Mapped, "response_format", "json_schema structured output (the beta spelling of output_config.format)"},
    FieldRule{K::TopLevel, "metadata", A::Mapped, "user", "metadata.user_id as the OpenAI user"},
    FieldRule{K::TopLevel, "context_management", A::Mapped, "messages", "clear_tool_uses applied as the API does once the prompt passes its trigger; clear_thinking changes nothing (earlier thinking never reaches the runtime)"},
    FieldRule{K::TopLevel, "service_tier", A::Ignored, "", "one runtime, one tier"},
    FieldRule{K::TopLevel, "cache_control", A::Ignored, "", "the runtime's prefix cache is automatic"},
    FieldRule{K::TopLevel, "container", A::Ignored, "", "containers serve server tools, which are refused"},
    FieldRule{K::TopLevel, "inference_geo", A::Ignored, "", "the runtime runs where it runs"},
    FieldRule{K::TopLevel, "speed", A::Ignored, "", "the runtime has one speed"},
    FieldRule{K::TopLevel, "mcp_servers", A::Refused, "", "remote MCP servers are not supported: the runtime cannot call them"},

    // ---- content block types (in messages, and in system for text) ----
    FieldRule{K::Block, "text", A::Mapped, "content", "text; citations and cache_control ignored"},
    FieldRule{K::Block, "image", A::Mapped, "image_url", "base64 or url source to an image_url part (a tool_result's image follows in the user turn)"},
    FieldRule{K::Block, "document", A::Mapped, "content", "text and content sources as text (with the title); PDF, url and file sources are refused"},
    FieldRule{K::Block, "search_result", A::Mapped, "content", "title, source and its text blocks as text"},
    FieldRule{K::Block, "tool_use", A::Mapped, "tool_calls", "an assistant tool call"},
    FieldRule{K::Block, "tool_result", A::Mapped, "tool", "a tool message for its call; is_error prefixes [tool error]; cache_control ignored"},
    FieldRule{K::Block, "thinking", A::Ignored, "", "earlier reasoning is not part of the prompt: runtimes re-derive it"},
    FieldRule{K::Block, "redacted_thinking", A::Ignored, "", "earlier reasoning is not part of the prompt: runtimes re-derive it"},
    FieldRule{K::Block, "server_tool_use", A::Refused, "", "a server tool call: the runtime has no server tools"},
    FieldRule{K::Block, "web_search_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "web_fetch_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "code_execution_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "bash_code_execution_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "text_editor_code_execution_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "tool_search_tool_result", A::Refused, "", "a server tool result: the runtime has no server tools"},
    FieldRule{K::Block, "mcp_tool_use", A::Refused, "", "a remote MCP call: the runtime cannot call MCP servers"},
    FieldRule{K::Block, "mcp_tool_result", A::Refused, "", "a remote MCP result: the runtime cannot call MCP servers"},
    FieldRule{K::Block, "container_upload", A::Refused, "", "a file for the code execution container, which the runtime does not have"},

    // ---- anthropic-beta values ----
    FieldRule{K::Beta, "mid-conversation-system-2026-04-07", A::Mapped, "", "system messages inside messages"},
    FieldRule{K::Beta, "effort-2025-11-24", A::Mapped, "", "output_config.effort"},
    FieldRule{K::Beta, "context-management-2025-06-27", A::Mapped, "", "context_management edits"},
    FieldRule{K::Beta, "structured-outputs-2025-11-13", A::Mapped, "", "output_format / output_config.format"},
    FieldRule{K::Beta, "interleaved-thinking-2025-05-14", A::Ignored, "", "the model interleaves reasoning and tool calls as it was trained to"},
    FieldRule{K::Beta, "claude-code-20250219", A::Ignored, "", "names the client"},
    FieldRule{K::Beta, "thinking-token-count-2026-05-13", A::Ignored, "", "reasoning tokens are counted in output_tokens"},
    FieldRule{K::Beta, "prompt-caching-scope-2026-01-05", A::Ignored, "", "the runtime's prefix cache is automatic"},
    FieldRule{K::Beta, "prompt-caching-2024-07-31", A::Ignored, "", "the runtime's prefix cache is automatic"},
    FieldRule{K::Beta, "token-efficient-tools-2025-02-19", A::Ignored, "", "tool calls use the runtime's own format"},
    FieldRule{K::Beta, "fine-grained-tool-streaming-2025-05-14", A::Ignored, "", "tool arguments are streamed as the runtime sends them"},
    FieldRule{K::Beta, "output-128k-2025-02-19", A::Ignored, "", "max_tokens is bounded by the runtime's context"},
    FieldRule{K::Beta, "context-1m-2025-08-07", A::Ignored, "", "the context length is the runtime's"},
    FieldRule{K::Beta, "files-api-2025-04-14", A::Ignored, "", "file sources are refused where they appear"},
    FieldRule{K::Beta, "mcp-client-2025-04-04", A::Ignored, "", "mcp_servers is refused where it appears"},
    FieldRule{K::Beta, "mcp-client-2025-11-20", A::Ignored, "", "mcp_servers is refused where it appears"},
    FieldRule{K::Beta, "code-execution-2025-08-25", A::Ignored, "", "server tools are refused where they appear"},
    FieldRule{K::Beta, "web-fetch-2025-09-10", A::Ignored, "", "server tools are refused where they appear"},
    FieldRule{K::Beta, "computer-use-2025-01-24", A::Ignored, "", "Anthropic-defined tools are refused where they appear"},
    FieldRule{K::Beta, "computer-use-2025-11-24", A::Ignored, "", "Anthropic-defined tools are refused where they appear"},
    FieldRule{K::Beta, "advanced-tool-use-2025-11-20", A::Ignored, "", "server tools are refused where they appear"},
    FieldRule{K::Beta, "skills-2025-10-02", A::Ignored, "", "skills run in containers, which the runtime does not have"},
    FieldRule{K::Beta, "model-context-window-exceeded-2025-08-26", A::Ignored, "", "a context overflow is the runtime's 400"},
};
}  // namespace

std::span<const FieldRule> anthropic_field_rules() { return kRules; }

const FieldRule* find_field_rule(FieldKind kind, std::string_view name) {
    for (const auto& r : kRules)
        if (r.kind == kind && r.name == name) return &r;
    return nullptr;
}

std::vector<BetaUse> classify_betas(std::string_view header_value) {
    std::vector<BetaUse> out;
    for (auto& name : split_list(header_value)) {
        const FieldRule* rule = find_field_rule(FieldKind::Beta, name);
        out.push_back(BetaUse{std::move(name), rule});
    }
    return out;
}

std::string_view field_action_name(FieldAction a) {
    switch (a) {
        case FieldAction::Mapped: return "mapped";
        case FieldAction::Ignored: return "ignored";
        case FieldAction::Refused: return "refused";
    }
    return "ignored";
}

}  // namespace llmgw
