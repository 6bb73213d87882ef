#include "core/responses/responses_output.h"

#include "core/base/request_id.h"
#include "core/base/saturating.h"
#include "core/json/stack_document.h"

namespace llmgw {

namespace {
// The seed's id characters without the prefix a seed made by us may already carry.
std::string seed_chars(std::string_view seed) {
    std::string s = id_safe_chars(seed);
    for (std::string_view p : {"resp_", "chatcmpl-"})
        if (s.rfind(p, 0) == 0) s.erase(0, p.size());
    return s.empty() ? "0" : s;
}
}  // namespace

std::string make_response_id(std::string_view seed) { return "resp_" + seed_chars(seed); }

std::string make_item_id(std::string_view prefix, std::string_view seed, size_t n) {
    return std::string(prefix) + "_" + seed_chars(seed) + "_" + std::to_string(n);
}

std::string_view responses_error_code(const ApiError& e) {
    if (e.status == 429) return "rate_limit_exceeded";
    if (e.status == 400 || e.status == 413 || e.status == 422) return "invalid_prompt";
    return "server_error";
}

bool is_custom_call(const ResponsesOutputContext& ctx, std::string_view runtime_name) {
    const ResponsesToolName* t = ctx.tools.by_runtime_name(runtime_name);
    return t && t->kind == ResponsesToolKind::Custom;
}

std::string custom_tool_input(std::string_view arguments) {
    StackDocument d;
    if (!json::parse(arguments, d))
        if (auto input = json::get_str(d, "input")) return std::string(*input);
    return std::string(arguments);
}

namespace {
json::Value text_part(std::string_view type, std::string_view text, json::Alloc& a) {
    json::Value p(rapidjson::kObjectType);
    json::add_str(p, "type", type, a);
    json::add_str(p, "text", text, a);
    return p;
}
}  // namespace

json::Value output_item_json(const ResponsesOutputItem& item, std::string_view status,
                              const ResponsesOutputContext& ctx, json::Alloc& a) {
    using json::Value;
    Value v(rapidjson::kObjectType);
    json::add_str(v, "id", item.id, a);
    switch (item.kind) {
        case ResponsesItemKind::Reasoning: {
            v.AddMember("type", "reasoning", a);
            Value summary(rapidjson::kArrayType);
            if (ctx.reasoning_summary) summary.PushBack(text_part("summary_text", item.text, a), a);
            v.AddMember("summary", summary, a);
            if (!ctx.reasoning_summary) {
                Value content(rapidjson::kArrayType);
                content.PushBack(text_part("reasoning_text", item.text, a), a);
                v.AddMember("content", content, a);
            }
            if (!item.encrypted_content.empty()) json::add_str(v, "encrypted_content", item.encrypted_content, a);
            return v;
        }
        case ResponsesItemKind::Message:
        case ResponsesItemKind::Refusal: {
            v.AddMember("type", "message", a);
            json::add_str(v, "status", status, a);
            v.AddMember("role", "assistant", a);
            Value part(rapidjson::kObjectType);
            if (item.kind == ResponsesItemKind::Refusal) {
                part.AddMember("type", "refusal", a);
                json::add_str(part, "refusal", item.text, a);
            } else {
                part = text_part("output_text", item.text, a);
                part.AddMember("annotations", Value(rapidjson::kArrayType), a);
                part.AddMember("logprobs", Value(rapidjson::kArrayType), a);
            }
            Value content(rapidjson::kArrayType);
            content.PushBack(part, a);
            v.AddMember("content", content, a);
            return v;
        }
        case ResponsesItemKind::ToolCall: {
            const ResponsesToolName* tool = ctx.tools.by_runtime_name(item.runtime_name);
            bool custom = tool && tool->kind == ResponsesToolKind::Custom;
            json::add_str(v, "type", custom ? "custom_tool_call" : "function_call", a);
            json::add_str(v, "status", status, a);
            if (custom) json::add_str(v, "input", custom_tool_input(item.text), a);
            else json::add_str(v, "arguments", item.text, a);
            json::add_str(v, "call_id", item.call_id, a);
            json::add_str(v, "name", tool ? std::string_view(tool->name) : std::string_view(item.runtime_name), a);
            if (tool && !tool->ns.empty()) json::add_str(v, "namespace", tool->ns, a);
            return v;
        }
    }
    return v;
}

json::Value responses_usage_json(const TokenUsage& u, int64_t output_tokens, json::Alloc& a) {
    using json::Value;
    Value v(rapidjson::kObjectType);
    v.AddMember("input_tokens", Value(static_cast<int64_t>(u.prompt_tokens)), a);
    Value in(rapidjson::kObjectType);
    in.AddMember("cached_tokens", Value(static_cast<int64_t>(u.cached_tokens)), a);
    v.AddMember("input_tokens_details", in, a);
    v.AddMember("output_tokens", Value(static_cast<int64_t>(output_tokens)), a);
    Value out(rapidjson::kObjectType);
    out.AddMember("reasoning_tokens", Value(static_cast<int64_t>(u.reasoning_tokens)), a);
    v.AddMember("output_tokens_details", out, a);
    v.AddMember("total_tokens", Value(saturating_add(u.prompt_tokens, output_tokens)), a);
    return v;
}

json::Value response_object_json(const ResponsesOutputContext& ctx, std::string_view status,
                                  std::string_view incomplete_reason, const ApiError* error,
                                  json::Value output, json::Value usage, json::Alloc& a) {
    using json::Value;
    Value r(rapidjson::kObjectType);
    json::add_str(r, "id", make_response_id(ctx.id_seed), a);
    r.AddMember("object", "response", a);
    r.AddMember("created_at", Value(static_cast<int64_t>(ctx.created_at)), a);
    json::add_str(r, "status", status, a);
    r.AddMember("background", false, a);
    if (error) {
        Value e(rapidjson::kObjectType);
        json::add_str(e, "code", responses_error_code(*error), a);
        json::add_str(e, "message", error->message, a);
        r.AddMember("error", e, a);
    } else {
        r.AddMember("error", Value(rapidjson::kNullType), a);
    }
    if (!incomplete_reason.empty()) {
        Value d(rapidjson::kObjectType);
        json::add_str(d, "reason", incomplete_reason, a);
        r.AddMember("incomplete_details", d, a);
    } else {
        r.AddMember("incomplete_details", Value(rapidjson::kNullType), a);
    }
    // The echo is the request translator's own output; anything unreadable is left out.
    StackDocument echo;
    if (!ctx.response_echo.empty() && !json::parse(ctx.response_echo, echo) && echo.IsObject())
        for (auto& m : echo.GetObject())
            if (m.name != "model" && m.name != "output" && m.name != "usage") r.AddMember(Value(m.name, a), Value(m.value, a), a);
    json::add_str(r, "model", ctx.model, a);
    r.AddMember("output", output, a);
    r.AddMember("usage", usage, a);
    return r;
}

}  // namespace llmgw
