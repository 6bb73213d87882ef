// Chat completion request -> Responses request, and Responses response -> chat completion, for
// `llmgw translate`.
#include "core/responses/responses_reverse.h"

#include "core/api/chat_completion.h"
#include "core/api/request_fields.h"
#include "core/base/request_id.h"
#include "core/json/stack_document.h"
#include "core/responses/responses_tools.h"

namespace llmgw {

using json::Alloc;
using json::Value;
using namespace reqfield;

namespace {

// Chat request fields a Responses request cannot carry: refused, not dropped silently.
constexpr std::string_view kInexpressible[] = {"stop", "logprobs", "logit_bias", "presence_penalty",
                                               "frequency_penalty", "seed", "functions", "function_call"};

Value text_part(std::string_view type, std::string_view text, Alloc& a) {
    Value p(rapidjson::kObjectType);
    json::add_str(p, "type", type, a);
    json::add_str(p, "text", text, a);
    return p;
}

// A chat message's content (string or parts) as Responses content parts.
Value content_parts(const Value& content, std::string_view text_type, const std::string& p, Alloc& a) {
    Value out(rapidjson::kArrayType);
    if (content.IsString()) {
        out.PushBack(text_part(text_type, json::sv(content), a), a);
        return out;
    }
    need_array(content, p);
    for (rapidjson::SizeType i = 0; i < content.Size(); ++i) {
        std::string pp = at(p, i);
        auto type = need_str(content[i], pp, "type");
        if (type == "text") {
            out.PushBack(text_part(text_type, need_str(content[i], pp, "text"), a), a);
        } else if (type == "image_url") {
            const Value& iu = need(content[i], pp, "image_url");
            Value img(rapidjson::kObjectType);
            img.AddMember("type", "input_image", a);
            json::add_str(img, "image_url", iu.IsString() ? json::sv(iu) : need_str(iu, at(pp, "image_url"), "url"), a);
            out.PushBack(img, a);
        } else {
            fail(at(pp, "type"), "part type '" + std::string(type) + "' has no Responses equivalent");
        }
    }
    return out;
}

std::string flat_text(const Value* content) {
    if (!content) return {};
    if (content->IsString()) return std::string(json::sv(*content));
    std::string out;
    if (content->IsArray())
        for (auto& part : content->GetArray())
            if (auto t = json::get_str(part, "text")) out += *t;
    return out;
}

Value message_item(std::string_view role, Value content, Alloc& a) {
    Value m(rapidjson::kObjectType);
    m.AddMember("type", "message", a);
    json::add_str(m, "role", role, a);
    m.AddMember("content", content, a);
    return m;
}

void chat_messages_to_items(const Value& msgs, Value& input, Alloc& a) {
    need_array(msgs, "messages");
    for (rapidjson::SizeType i = 0; i < msgs.Size(); ++i) {
        std::string p = at("messages", i);
        const Value& m = need_obj(msgs[i], p);
        auto role = need_str(m, p, "role");
        const Value* content = json::get(m, "content");
        if (role == "system" || role == "developer" || role == "user") {
            if (!content) fail(at(p, "content"), "field required");
            input.PushBack(message_item(role, content_parts(*content, "input_text", at(p, "content"), a), a), a);
        } else if (role == "assistant") {
            if (auto r = reasoning_text(m); !r.empty()) {
                Value rs(rapidjson::kObjectType);
                rs.AddMember("type", "reasoning", a);
                rs.AddMember("summary", Value(rapidjson::kArrayType), a);
                Value parts(rapidjson::kArrayType);
                parts.PushBack(text_part("reasoning_text", r, a), a);
                rs.AddMember("content", parts, a);
                input.PushBack(rs, a);
            }
            if (std::string text = flat_text(content); !text.empty()) {
                Value parts(rapidjson::kArrayType);
                parts.PushBack(text_part("output_text", text, a), a);
                input.PushBack(message_item("assistant", std::move(parts), a), a);
            }
            if (const Value* calls = json::get(m, "tool_calls")) {
                need_array(*calls, at(p, "tool_calls"));
                for (rapidjson::SizeType k = 0; k < calls->Size(); ++k) {
                    std::string cp = at(at(p, "tool_calls"), k);
                    const Value& fn = need_obj(need((*calls)[k], cp, "function"), at(cp, "function"));
                    Value fc(rapidjson::kObjectType);
                    fc.AddMember("type", "function_call", a);
                    json::add_str(fc, "call_id", need_str((*calls)[k], cp, "id"), a);
                    json::add_str(fc, "name", need_str(fn, at(cp, "function"), "name"), a);
                    json::add_str(fc, "arguments", opt_str(fn, at(cp, "function"), "arguments").value_or("{}"), a);
                    input.PushBack(fc, a);
                }
            }
        } else if (role == "tool") {
            Value out(rapidjson::kObjectType);
            out.AddMember("type", "function_call_output", a);
            json::add_str(out, "call_id", need_str(m, p, "tool_call_id"), a);
            json::add_str(out, "output", flat_text(content), a);
            input.PushBack(out, a);
        } else {
            fail(at(p, "role"), "unknown role '" + std::string(role) + "'");
        }
    }
}

void chat_request_to_responses(const Value& in, json::Document& out) {
    if (!in.IsObject()) fail("", "request body must be a JSON object");
    out.SetObject();
    auto& a = out.GetAllocator();
    for (auto key : kInexpressible)
        if (json::get(in, key)) fail(std::string(key), "has no Responses API equivalent");
    if (auto n = json::get_int(in, "n"); n && *n != 1) fail("n", "a Responses request makes one answer");
    json::add_str(out, "model", need_str(in, "", "model"), a);
    Value input(rapidjson::kArrayType);
    chat_messages_to_items(need(in, "", "messages"), input, a);
    out.AddMember("input", input, a);
    if (const Value* mt = json::get(in, "max_completion_tokens") ? json::get(in, "max_completion_tokens") : json::get(in, "max_tokens"))
        out.AddMember("max_output_tokens", Value(*mt, a), a);
    for (std::string_view key : {"temperature", "top_p", "stream", "user", "parallel_tool_calls", "metadata", "store"})
        if (const Value* v = json::get(in, key)) json::add(out, key, Value(*v, a), a);
    if (const Value* tools = json::get(in, "tools")) {
        need_array(*tools, "tools");
        Value flat(rapidjson::kArrayType);
        for (rapidjson::SizeType i = 0; i < tools->Size(); ++i) {
            std::string p = at("tools", i);
            const Value& fn = need_obj(need((*tools)[i], p, "function"), at(p, "function"));
            Value t(rapidjson::kObjectType);
            t.AddMember("type", "function", a);
            for (auto& m : fn.GetObject()) t.AddMember(Value(m.name, a), Value(m.value, a), a);
            flat.PushBack(t, a);
        }
        out.AddMember("tools", flat, a);
    }
    if (const Value* tc = json::get(in, "tool_choice")) {
        if (tc->IsString()) {
            out.AddMember("tool_choice", Value(*tc, a), a);
        } else {
            const Value& fn = need_obj(need(need_obj(*tc, "tool_choice"), "tool_choice", "function"), "tool_choice.function");
            Value c(rapidjson::kObjectType);
            c.AddMember("type", "function", a);
            json::add_str(c, "name", need_str(fn, "tool_choice.function", "name"), a);
            out.AddMember("tool_choice", c, a);
        }
    }
    if (const Value* rf = json::get(in, "response_format")) {
        auto type = need_str(*rf, "response_format", "type");
        Value format(rapidjson::kObjectType);
        json::add_str(format, "type", type, a);
        if (type == "json_schema") {
            const Value& js = need_obj(need(*rf, "response_format", "json_schema"), "response_format.json_schema");
            for (auto& m : js.GetObject()) format.AddMember(Value(m.name, a), Value(m.value, a), a);
        }
        Value text(rapidjson::kObjectType);
        text.AddMember("format", format, a);
        out.AddMember("text", text, a);
    }
    if (auto effort = opt_str(in, "", "reasoning_effort")) {
        Value r(rapidjson::kObjectType);
        json::add_str(r, "effort", *effort, a);
        out.AddMember("reasoning", r, a);
    }
}

void response_to_chat(const Value& in, json::Document& out) {
    if (!in.IsObject()) fail("", "response body must be a JSON object");
    auto& a = out.GetAllocator();
    out.SetObject();
    std::string id = id_safe_chars(json::get_str(in, "id").value_or(""));
    if (id.rfind("resp_", 0) == 0) id.erase(0, 5);
    json::add_str(out, "id", "chatcmpl-" + (id.empty() ? std::string("0") : id), a);
    out.AddMember("object", "chat.completion", a);
    out.AddMember("created", Value(json::get_int(in, "created_at").value_or(0)), a);
    json::add_str(out, "model", json::get_str(in, "model").value_or(""), a);

    std::string text, refusal, reasoning;
    Value calls(rapidjson::kArrayType);
    const Value& output = need_array(need(in, "", "output"), "output");
    for (rapidjson::SizeType i = 0; i < output.Size(); ++i) {
        std::string p = at("output", i);
        const Value& item = need_obj(output[i], p);
        auto type = need_str(item, p, "type");
        if (type == "message") {
            if (const Value* c = json::get(item, "content"); c && c->IsArray())
                for (auto& part : c->GetArray()) {
                    if (auto t = json::get_str(part, "text")) text += *t;
                    if (auto r = json::get_str(part, "refusal")) refusal += *r;
                }
        } else if (type == "reasoning") {
            for (std::string_view key : {"content", "summary"})
                if (const Value* parts = json::get(item, key); parts && parts->IsArray() && reasoning.empty())
                    for (auto& part : parts->GetArray())
                        if (auto t = json::get_str(part, "text")) reasoning += *t;
        } else if (type == "function_call" || type == "custom_tool_call") {
            bool custom = type == "custom_tool_call";
            std::string arguments;
            if (custom) {
                StackDocument d(rapidjson::kObjectType);
                json::add_str(d, "input", need_str(item, p, "input"), d.GetAllocator());
                arguments = json::to_string(d);
            } else {
                arguments = need_str(item, p, "arguments");
            }
            Value fn(rapidjson::kObjectType);
            json::add_str(fn, "name", runtime_tool_name(json::get_str(item, "namespace").value_or(""), need_str(item, p, "name")), a);
            json::add_str(fn, "arguments", arguments, a);
            Value call(rapidjson::kObjectType);
            json::add_str(call, "id", need_str(item, p, "call_id"), a);
            call.AddMember("type", "function", a);
            call.AddMember("function", fn, a);
            calls.PushBack(call, a);
        } else {
            fail(at(p, "type"), "output item type '" + std::string(type) + "' has no chat completion equivalent");
        }
    }
    Value message(rapidjson::kObjectType);
    message.AddMember("role", "assistant", a);
    if (text.empty() && !calls.Empty()) message.AddMember("content", Value(rapidjson::kNullType), a);
    else json::add_str(message, "content", text, a);
    if (!refusal.empty()) json::add_str(message, "refusal", refusal, a);
    if (!reasoning.empty()) json::add_str(message, "reasoning_content", reasoning, a);
    bool has_calls = !calls.Empty();
    if (has_calls) message.AddMember("tool_calls", calls, a);

    std::string_view finish = has_calls ? "tool_calls" : "stop";
    if (const Value* d = json::get(in, "incomplete_details")) {
        auto reason = json::get_str(*d, "reason").value_or("");
        if (reason == "max_output_tokens") finish = "length";
        else if (reason == "content_filter") finish = "content_filter";
    }
    Value choice(rapidjson::kObjectType);
    choice.AddMember("index", 0, a);
    choice.AddMember("message", message, a);
    json::add_str(choice, "finish_reason", finish, a);
    Value choices(rapidjson::kArrayType);
    choices.PushBack(choice, a);
    out.AddMember("choices", choices, a);
    if (const Value* u = json::get(in, "usage")) {
        TokenUsage usage;
        usage.present = true;
        usage.prompt_tokens = std::max<int64_t>(0, json::get_int(*u, "input_tokens").value_or(0));
        usage.completion_tokens = std::max<int64_t>(0, json::get_int(*u, "output_tokens").value_or(0));
        if (const Value* d = json::get(*u, "input_tokens_details"))
            usage.cached_tokens = std::max<int64_t>(0, json::get_int(*d, "cached_tokens").value_or(0));
        out.AddMember("usage", openai_usage_json(usage, a), a);
    }
}

template <class F>
TranslatedBody reverse(std::string_view body, std::string_view what, F&& translate) {
    TranslatedBody t;
    StackDocument in;
    if (auto f = json::parse(body, in)) {
        t.error = ApiError::bad_request(std::string(what) + ": " + json::describe(*f));
        return t;
    }
    json::Document out;
    try {
        translate(in, out);
    } catch (const Invalid& e) {
        t.error = to_api_error(e);
        return t;
    }
    t.body = json::to_string(out);
    return t;
}

}  // namespace

TranslatedBody translate_chat_request_to_responses(std::string_view chat_body) {
    return reverse(chat_body, "request body", chat_request_to_responses);
}

TranslatedBody translate_response_to_chat(std::string_view response_body) {
    TranslatedBody t;
    // An error envelope is already what an OpenAI client gets.
    StackDocument probe;
    if (!json::parse(response_body, probe) && probe.IsObject() && json::get(probe, "error") &&
        !json::get(probe, "output")) {
        t.body = json::to_string(probe);
        return t;
    }
    // A failed response is an error for a chat client.
    if (probe.IsObject() && json::get_str(probe, "status") == std::optional<std::string_view>("failed")) {
        const Value* e = json::get(probe, "error");
        std::string message(e ? json::get_str(*e, "message").value_or("the response failed") : "the response failed");
        t.body = render_openai_error(ApiError::bad_gateway(message));
        return t;
    }
    return reverse(response_body, "response body", response_to_chat);
}

}  // namespace llmgw
