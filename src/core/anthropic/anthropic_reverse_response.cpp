// Anthropic message -> OpenAI chat.completion (for `llmgw translate`).
#include <array>

#include "core/anthropic/anthropic_reverse.h"

namespace llmgw {

using ajson::Value;

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

ReverseTranslation translate_anthropic_response(std::string_view body) {
    ReverseTranslation t;
    ajson::Document in;
    if (auto f = ajson::parse(body, in)) {
        t.error = ApiError::bad_request("response body: " + ajson::describe(*f));
        return t;
    }
    if (ajson::get_str(in, "type") == "error") {
        const Value* e = ajson::get(in, "error");
        std::string_view type = e ? ajson::get_str(*e, "type").value_or("api_error") : "api_error";
        std::string msg(e ? ajson::get_str(*e, "message").value_or("") : "");
        t.body = render_openai_error(ApiError{status_for_anthropic_error_type(type), msg, {}, {}});
        return t;
    }
    if (ajson::get_str(in, "type") != "message") {
        t.error = ApiError::bad_request("response body: expected an Anthropic message (\"type\": \"message\")");
        return t;
    }
    ajson::Document out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    ajson::add_str(out, "id", make_completion_id(ajson::get_str(in, "id").value_or("")), a);
    out.AddMember("object", "chat.completion", a);
    out.AddMember("created", 0, a);
    ajson::add_str(out, "model", ajson::get_str(in, "model").value_or(""), a);

    std::string text, thinking;
    Value calls(rapidjson::kArrayType);
    if (const Value* content = ajson::get(in, "content"); content && content->IsArray()) {
        for (auto& b : content->GetArray()) {
            auto type = ajson::get_str(b, "type").value_or("");
            if (type == "text") {
                text += ajson::get_str(b, "text").value_or("");
            } else if (type == "thinking") {
                thinking += ajson::get_str(b, "thinking").value_or("");
            } else if (type == "tool_use") {
                Value fn(rapidjson::kObjectType);
                ajson::add_str(fn, "name", ajson::get_str(b, "name").value_or(""), a);
                const Value* input = ajson::get(b, "input");
                ajson::add_str(fn, "arguments", input ? ajson::to_string(*input) : "{}", a);
                Value c(rapidjson::kObjectType);
                ajson::add_str(c, "id", ajson::get_str(b, "id").value_or(""), a);
                c.AddMember("type", "function", a);
                c.AddMember("function", fn, a);
                calls.PushBack(c, a);
            }
        }
    }
    Value msg(rapidjson::kObjectType);
    msg.AddMember("role", "assistant", a);
    if (text.empty() && !calls.Empty()) msg.AddMember("content", Value(rapidjson::kNullType), a);
    else ajson::add_str(msg, "content", text, a);
    if (!thinking.empty()) ajson::add_str(msg, "reasoning_content", thinking, a);
    if (!calls.Empty()) msg.AddMember("tool_calls", calls, a);

    Value choice(rapidjson::kObjectType);
    choice.AddMember("index", 0, a);
    choice.AddMember("message", msg, a);
    auto stop = ajson::get_str(in, "stop_reason").value_or("end_turn");
    ajson::add_str(choice, "finish_reason", openai_finish_reason(stop), a);
    Value choices(rapidjson::kArrayType);
    choices.PushBack(choice, a);
    out.AddMember("choices", choices, a);
    out.AddMember("usage", openai_usage_json(usage_from_anthropic(ajson::get(in, "usage")), a), a);
    t.body = ajson::to_string(out);
    return t;
}

}  // namespace llmgw
