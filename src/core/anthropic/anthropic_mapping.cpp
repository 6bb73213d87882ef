#include "core/anthropic/anthropic_mapping.h"

#include <array>

#include "core/base/request_id.h"
#include "core/base/saturating.h"

namespace llmgw {

using json::Value;

namespace {
struct StopRow {
    std::string_view openai;
    std::string_view anthropic;
};
// OpenAI finish_reason -> Anthropic stop_reason. Unknown or absent finish reasons end the turn.
constexpr std::array<StopRow, 5> kStopTable{{
    {"stop", "end_turn"},
    {"length", "max_tokens"},
    {"tool_calls", "tool_use"},
    {"function_call", "tool_use"},
    {"content_filter", "refusal"},
}};
// Anthropic stop_reason -> OpenAI finish_reason (reverse direction only).
constexpr std::array<StopRow, 7> kReverseStopTable{{
    {"stop", "end_turn"},
    {"stop", "stop_sequence"},
    {"stop", "pause_turn"},
    {"length", "max_tokens"},
    {"length", "model_context_window_exceeded"},
    {"tool_calls", "tool_use"},
    {"content_filter", "refusal"},
}};

}  // namespace

std::string_view anthropic_stop_reason(const FinishFacts& f) {
    std::string_view mapped = "end_turn";
    for (const auto& r : kStopTable)
        if (r.openai == f.finish_reason) mapped = r.anthropic;
    // What was seen beats what was said, except a cut-off or a refusal, which the client must know.
    if (mapped == "max_tokens" || mapped == "refusal") return mapped;
    if (f.tool_calls_seen) return "tool_use";
    if (mapped == "tool_use") return "end_turn";
    if (f.stop_sequence_matched) return "stop_sequence";
    return mapped;
}

std::string_view openai_finish_reason(std::string_view anthropic) {
    for (const auto& r : kReverseStopTable)
        if (r.anthropic == anthropic) return r.openai;
    return "stop";
}

std::optional<std::string> matched_stop_string(const Value& choice) {
    auto s = json::get_str(choice, "stop_reason");
    if (!s || s->empty()) return std::nullopt;
    return std::string(*s);
}

Value openai_tool_choice(const ToolChoice& c, json::Alloc& a) {
    if (c.type == "any") return Value("required");
    if (c.type == "none") return Value("none");
    if (c.type == "tool") {
        Value fn(rapidjson::kObjectType);
        json::add_str(fn, "name", c.name, a);
        Value v(rapidjson::kObjectType);
        v.AddMember("type", "function", a);
        v.AddMember("function", fn, a);
        return v;
    }
    return Value("auto");
}

std::optional<ToolChoice> tool_choice_from_openai(const Value& v) {
    if (v.IsString()) {
        auto s = json::sv(v);
        if (s == "auto") return ToolChoice{"auto", {}, false};
        if (s == "required") return ToolChoice{"any", {}, false};
        if (s == "none") return ToolChoice{"none", {}, false};
        return std::nullopt;
    }
    if (v.IsObject()) {
        const Value* fn = json::get(v, "function");
        auto name = fn ? json::get_str(*fn, "name") : std::nullopt;
        if (name) return ToolChoice{"tool", std::string(*name), false};
    }
    return std::nullopt;
}

TokenUsage usage_from_anthropic(const Value* usage) {
    TokenUsage u;
    if (!usage || !usage->IsObject()) return u;
    u.present = true;
    int64_t input = std::max<int64_t>(0, json::get_int(*usage, "input_tokens").value_or(0));
    int64_t read = std::max<int64_t>(0, json::get_int(*usage, "cache_read_input_tokens").value_or(0));
    int64_t created = std::max<int64_t>(0, json::get_int(*usage, "cache_creation_input_tokens").value_or(0));
    u.prompt_tokens = saturating_add(saturating_add(input, read), created);
    u.cached_tokens = read;
    u.completion_tokens = std::max<int64_t>(0, json::get_int(*usage, "output_tokens").value_or(0));
    return u;
}

Value anthropic_usage_json(const TokenUsage& u, json::Alloc& a) {
    Value v(rapidjson::kObjectType);
    v.AddMember("input_tokens", Value(static_cast<int64_t>(u.anthropic_input_tokens())), a);
    v.AddMember("cache_creation_input_tokens", Value(static_cast<int64_t>(0)), a);
    v.AddMember("cache_read_input_tokens", Value(static_cast<int64_t>(u.cached_tokens)), a);
    v.AddMember("output_tokens", Value(static_cast<int64_t>(u.completion_tokens)), a);
    return v;
}

std::string make_message_id(std::string_view seed) {
    std::string s = id_safe_chars(seed);
    if (s.rfind("chatcmpl-", 0) == 0) s.erase(0, 9);
    if (s.rfind("msg_", 0) == 0) s.erase(0, 4);
    // Built by append: GCC 12 misreports `s = "0"` and `"msg_" + s` here as overlapping copies.
    return std::string("msg_").append(s.empty() ? std::string_view("0") : std::string_view(s));
}

std::string make_tool_use_id(std::string_view message_id, size_t n) {
    std::string s = id_safe_chars(message_id);
    if (s.rfind("msg_", 0) == 0) s.erase(0, 4);
    return "toolu_" + s + "_" + std::to_string(n);
}

std::string make_completion_id(std::string_view seed) {
    std::string s = id_safe_chars(seed);
    if (s.rfind("msg_", 0) == 0) s.erase(0, 4);
    if (s.rfind("chatcmpl-", 0) == 0) s.erase(0, 9);
    return std::string("chatcmpl-").append(s.empty() ? std::string_view("0") : std::string_view(s));
}

Value tool_input_from_arguments(const Value* arguments, json::Alloc& a) {
    if (!arguments) return Value(rapidjson::kObjectType);
    if (arguments->IsObject()) return Value(*arguments, a);
    std::string text = arguments->IsString() ? std::string(json::sv(*arguments)) : json::to_string(*arguments);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Value(rapidjson::kObjectType);
    json::Document d;
    if (!json::parse(text, d) && d.IsObject()) return Value(d, a);
    Value v(rapidjson::kObjectType);
    json::add_str(v, kRawArgumentsKey, text, a);
    return v;
}

}  // namespace llmgw
