#include "core/responses/responses_table.h"

#include <array>

namespace llmgw {

namespace {

using S = ResponsesScope;
using R = ResponsesRule;

constexpr std::array kTable{
    // ---- top-level request fields ----
    ResponsesTableRow{S::Field, "model", R::Mapped, "model (required)"},
    ResponsesTableRow{S::Field, "input", R::Mapped, "messages: a string is one user message; items per the item rows"},
    ResponsesTableRow{S::Field, "instructions", R::Mapped, "the first system message, before any system/developer input"},
    ResponsesTableRow{S::Field, "tools", R::Mapped, "tools: per the tool rows"},
    ResponsesTableRow{S::Field, "tool_choice", R::Mapped,
                      "tool_choice: auto/none/required; {type:function or custom, name} forces that tool; "
                      "{type:allowed_tools} keeps only the listed tools; a hosted tool is refused"},
    ResponsesTableRow{S::Field, "parallel_tool_calls", R::Mapped, "parallel_tool_calls (with tools)"},
    ResponsesTableRow{S::Field, "max_output_tokens", R::Mapped, "max_tokens, clamped to MAX_TOKENS_CAP (which is also the limit of a request without one)"},
    ResponsesTableRow{S::Field, "temperature", R::Mapped, "temperature"},
    ResponsesTableRow{S::Field, "top_p", R::Mapped, "top_p"},
    ResponsesTableRow{S::Field, "text", R::Mapped,
                      "text.format json_schema/json_object -> response_format (text: none); text.verbosity ignored"},
    ResponsesTableRow{S::Field, "reasoning", R::Mapped,
                      "reasoning.effort -> reasoning_effort (and the thinking switch of chat-template runtimes); "
                      "reasoning.summary: reasoning streams as summary text"},
    ResponsesTableRow{S::Field, "stream", R::Mapped, "stream, with stream_options.include_usage"},
    ResponsesTableRow{S::Field, "store", R::Mapped, "kept by the route's response store (default true); echoed"},
    ResponsesTableRow{S::Field, "previous_response_id", R::Mapped,
                      "the stored conversation is prepended to input by the route; echoed"},
    ResponsesTableRow{S::Field, "include", R::Mapped, "per the include rows"},
    ResponsesTableRow{S::Field, "metadata", R::Mapped, "echoed in the response object; not sent to the runtime"},
    ResponsesTableRow{S::Field, "user", R::Mapped, "user"},
    ResponsesTableRow{S::Field, "truncation", R::Ignored, "echoed; the runtime never truncates input on its own"},
    ResponsesTableRow{S::Field, "prompt_cache_key", R::Ignored, "runtimes reuse a common prompt prefix without a key"},
    ResponsesTableRow{S::Field, "prompt_cache_retention", R::Ignored, "the runtime's cache policy applies"},
    ResponsesTableRow{S::Field, "service_tier", R::Ignored, "one tier"},
    ResponsesTableRow{S::Field, "safety_identifier", R::Ignored, "no abuse monitoring upstream"},
    ResponsesTableRow{S::Field, "top_logprobs", R::Ignored, "no logprobs in the translated output"},
    ResponsesTableRow{S::Field, "max_tool_calls", R::Ignored, "not enforced: each response is one runtime turn"},
    ResponsesTableRow{S::Field, "stream_options", R::Ignored, "include_obfuscation: no obfuscation padding"},
    ResponsesTableRow{S::Field, "client_metadata", R::Ignored, "Codex's client facts"},
    ResponsesTableRow{S::Field, "background", R::Refused,
                      "background responses are not supported: the gateway answers within the request"},
    ResponsesTableRow{S::Field, "conversation", R::Refused,
                      "the Conversations API is not supported; use previous_response_id with store"},
    ResponsesTableRow{S::Field, "prompt", R::Refused, "stored prompt templates are not supported; send input"},
    // ---- input item types ----
    ResponsesTableRow{S::Item, "message", R::Mapped,
                      "user/assistant messages; system/developer: the first system message while no user or "
                      "assistant message came yet, later a user message (chat templates accept system only first)"},
    ResponsesTableRow{S::Item, "function_call", R::Mapped, "assistant tool_calls (consecutive calls: one message)"},
    ResponsesTableRow{S::Item, "function_call_output", R::Mapped, "tool message for the call_id"},
    ResponsesTableRow{S::Item, "custom_tool_call", R::Mapped, "assistant tool_call with arguments {\"input\": ...}"},
    ResponsesTableRow{S::Item, "custom_tool_call_output", R::Mapped, "tool message for the call_id"},
    ResponsesTableRow{S::Item, "reasoning", R::Mapped,
                      "reasoning_content of the next assistant message: encrypted_content unsealed, else its "
                      "reasoning_text content, else its summary"},
    ResponsesTableRow{S::Item, "item_reference", R::Refused, "item references are not supported; send the item itself"},
    ResponsesTableRow{S::Item, "web_search_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "file_search_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "computer_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "computer_call_output", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "code_interpreter_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "image_generation_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "local_shell_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "local_shell_call_output", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "mcp_call", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "mcp_list_tools", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "mcp_approval_request", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "mcp_approval_response", R::Refused, "hosted tool calls cannot be replayed to the runtime"},
    ResponsesTableRow{S::Item, "compaction", R::Refused, "compacted history is OpenAI's encrypted state; compact locally"},
    // ---- message content part types ----
    ResponsesTableRow{S::Part, "input_text", R::Mapped, "text"},
    ResponsesTableRow{S::Part, "output_text", R::Mapped, "text (assistant messages)"},
    ResponsesTableRow{S::Part, "refusal", R::Mapped, "text (assistant messages)"},
    ResponsesTableRow{S::Part, "input_image", R::Mapped, "image_url part (image_url: a data: or https URL), user messages"},
    ResponsesTableRow{S::Part, "input_file", R::Refused, "files cannot be sent to this runtime; send their text as input_text"},
    ResponsesTableRow{S::Part, "input_audio", R::Refused, "audio cannot be sent to this runtime"},
    // ---- tool types ----
    ResponsesTableRow{S::Tool, "function", R::Mapped, "function tool; names the runtime refuses are renamed and mapped back"},
    ResponsesTableRow{S::Tool, "namespace", R::Mapped,
                      "each tool of the group becomes a function <namespace>__<name>; calls come back with "
                      "`namespace` and the tool's own name"},
    ResponsesTableRow{S::Tool, "custom", R::Mapped,
                      "a function with one string argument `input` (its grammar in the description); calls come "
                      "back as custom_tool_call"},
    ResponsesTableRow{S::Tool, "web_search", R::Dropped, "hosted: the runtime cannot search"},
    ResponsesTableRow{S::Tool, "web_search_preview", R::Dropped, "hosted: the runtime cannot search"},
    ResponsesTableRow{S::Tool, "file_search", R::Dropped, "hosted: no vector stores"},
    ResponsesTableRow{S::Tool, "code_interpreter", R::Dropped, "hosted: no sandbox"},
    ResponsesTableRow{S::Tool, "image_generation", R::Dropped, "hosted: no image model"},
    ResponsesTableRow{S::Tool, "computer_use_preview", R::Dropped, "hosted: no computer"},
    ResponsesTableRow{S::Tool, "mcp", R::Dropped, "hosted: the runtime cannot call remote MCP servers"},
    ResponsesTableRow{S::Tool, "local_shell", R::Dropped, "hosted: declare a function tool instead"},
    ResponsesTableRow{S::Tool, "shell", R::Dropped, "hosted: declare a function tool instead"},
    ResponsesTableRow{S::Tool, "apply_patch", R::Dropped, "hosted: declare a custom tool instead"},
    // ---- include values ----
    ResponsesTableRow{S::Include, "reasoning.encrypted_content", R::Mapped,
                      "reasoning items carry the reasoning sealed by the gateway; sent back, it is restored"},
    ResponsesTableRow{S::Include, "message.output_text.logprobs", R::Ignored, "no logprobs in the translated output"},
    ResponsesTableRow{S::Include, "message.input_image.image_url", R::Ignored, "input items are stored as sent"},
    ResponsesTableRow{S::Include, "web_search_call.action.sources", R::Ignored, "no hosted tools"},
    ResponsesTableRow{S::Include, "web_search_call.results", R::Ignored, "no hosted tools"},
    ResponsesTableRow{S::Include, "file_search_call.results", R::Ignored, "no hosted tools"},
    ResponsesTableRow{S::Include, "code_interpreter_call.outputs", R::Ignored, "no hosted tools"},
    ResponsesTableRow{S::Include, "computer_call_output.output.image_url", R::Ignored, "no hosted tools"},
};

}  // namespace

std::span<const ResponsesTableRow> responses_table() { return kTable; }

const ResponsesTableRow* responses_rule(ResponsesScope scope, std::string_view name) {
    for (const auto& row : kTable)
        if (row.scope == scope && row.name == name) return &row;
    return nullptr;
}

std::string_view responses_rule_name(ResponsesRule r) {
    switch (r) {
        case R::Mapped: return "mapped";
        case R::Ignored: return "ignored";
        case R::Dropped: return "dropped";
        case R::Refused: return "refused";
    }
    return "?";
}

std::string_view responses_scope_name(ResponsesScope s) {
    switch (s) {
        case S::Field: return "field";
        case S::Item: return "item";
        case S::Part: return "part";
        case S::Tool: return "tool";
        case S::Include: return "include";
    }
    return "?";
}

}  // namespace llmgw
