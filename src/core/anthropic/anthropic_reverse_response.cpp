// Anthropic message -> OpenAI chat.completion (for `llmgw translate`).
#include <array>

#include "core/anthropic/anthropic_reverse.h"

namespace llmgw {

using json::Value;

int status_for_anthropic_error_type(std::string_view type) {
    struct Row {
        std::string_view type;
        int status;
    };
    static constexpr std::array<Row, 8> kRows{{
        {"invalid_request_error", 400},
        {"authentication_error", 401},
        {"permission_error", 403},
        {"not_found_error", 404},
        {"request_too_large", 413},
        {"rate_limit_error", 429},
        {"api_error", 500},
        {"overloaded_error", 529},
    }};
    for (const auto& r : kRows)
        if (r.type == type) return r.status;
    return 500;
}

TranslatedBody translate_anthropic_response(std::string_view body) {
    TranslatedBody t;
    json::Document in;
    if (auto f = json::parse(body, in)) {
        t.error = ApiError::bad_request("response body: " + json::describe(*f));
        return t;
    }
    if (json::get_str(in, "type") == "error") {
        const Value* e = json::get(in, "error");
        std::string_view type = e ? json::get_str(*e, "type").value_or("api_error") : "api_error";
        std::string msg(e ? json::get_str(*e, "message").value_or("") : "");
        t.body = render_openai_error(ApiError{status_for_anthropic_error_type(type), msg, {}, {}});
        return t;
    }
    if (json::get_str(in, "type") != "message") {
        t.error = ApiError::bad_request("response body: expected an Anthropic message (\"type\": \"message\")");
        return t;
    }
    json::Document out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    json::add_str(out, "id", make_completion_id(json::get_str(in, "id").value_or("")), a);
    out.AddMember("object", "chat.completion", a);
    out.AddMember("created", 0, a);
    json::add_str(out, "model", json::get_str(in, "model").value_or(""), a);

    std::string text, thinking;
    Value calls(rapidjson::kArrayType);
    if (const Value* content = json::get(in, "content"); content && content->IsArray()) {
        for (auto& b : content->GetArray()) {
            auto type = json::get_str(b, "type").value_or("");
            if (type == "text") {
                text += json::get_str(b, "text").value_or("");
            } else if (type == "thinking") {
                thinking += json::get_str(b, "thinking").value_or("");
            } else if (type == "tool_use") {
                Value fn(rapidjson::kObjectType);
                json::add_str(fn, "name", json::get_str(b, "name").value_or(""), a);
                const Value* input = json::get(b, "input");
                json::add_str(fn, "arguments", input ? json::to_string(*input) : "{}", a);
                Value c(rapidjson::kObjectType);
                json::add_str(c, "id", json::get_str(b, "id").value_or(""), a);
                c.AddMember("type", "function", a);
                c.AddMember("function", fn, a);
                calls.PushBack(c, a);
            }
        }
    }
    Value msg(rapidjson::kObjectType);
    msg.AddMember("role", "assistant", a);
    if (text.empty() && !calls.Empty()) msg.AddMember("content", Value(rapidjson::kNullType), a);
    else json::add_str(msg, "content", text, a);
    if (!thinking.empty()) json::add_str(msg, "reasoning_content", thinking, a);
    if (!calls.Empty()) msg.AddMember("tool_calls", calls, a);

    Value choice(rapidjson::kObjectType);
    choice.AddMember("index", 0, a);
    choice.AddMember("message", msg, a);
    auto stop = json::get_str(in, "stop_reason").value_or("end_turn");
    json::add_str(choice, "finish_reason", openai_finish_reason(stop), a);
    Value choices(rapidjson::kArrayType);
    choices.PushBack(choice, a);
    out.AddMember("choices", choices, a);
    out.AddMember("usage", openai_usage_json(usage_from_anthropic(json::get(in, "usage")), a), a);
    t.body = json::to_string(out);
    return t;
}

}  // namespace llmgw
