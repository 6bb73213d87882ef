#include "core/anthropic/anthropic_response.h"

#include "core/json/stack_document.h"

namespace llmgw {

using json::Value;

AnthropicResponseTranslation translate_openai_response(std::string_view openai_body,
                                                       const AnthropicResponseContext& ctx) {
    AnthropicResponseTranslation t;
    StackDocument in;
    FirstChoice first = read_first_choice(openai_body, in);
    if (first.error) {
        t.error = std::move(first.error);
        return t;
    }
    const Value& choice = *first.choice;
    const Value& message = *first.message;

    StackDocument out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    std::string id = make_message_id(!ctx.id_seed.empty() ? ctx.id_seed : json::get_str(in, "id").value_or(""));
    json::add_str(out, "id", id, a);
    out.AddMember("type", "message", a);
    out.AddMember("role", "assistant", a);

    Value content(rapidjson::kArrayType);
    std::string_view reasoning = reasoning_text(message);
    if (ctx.thinking_enabled && !reasoning.empty()) {
        Value b(rapidjson::kObjectType);
        b.AddMember("type", "thinking", a);
        json::add_str(b, "thinking", reasoning, a);
        b.AddMember("signature", "", a);  // runtimes sign nothing; the field must exist
        content.PushBack(b, a);
    }
    std::string text = message_text(message);
    bool refused = false;
    if (text.empty()) {
        if (auto r = json::get_str(message, "refusal"); r && !r->empty()) {
            text = *r;
            refused = true;
        }
    }
    if (!text.empty()) {
        Value b(rapidjson::kObjectType);
        b.AddMember("type", "text", a);
        json::add_str(b, "text", text, a);
        content.PushBack(b, a);
    }
    size_t n_calls = 0;
    for_each_tool_call(message, [&](const Value& call) {
        const Value* fn = json::get(call, "function");
        static const Value kNoFn(rapidjson::kObjectType);
        const Value& f = fn && fn->IsObject() ? *fn : kNoFn;
        Value b(rapidjson::kObjectType);
        b.AddMember("type", "tool_use", a);
        auto cid = json::get_str(call, "id").value_or("");
        json::add_str(b, "id", cid.empty() ? make_tool_use_id(id, n_calls) : std::string(cid), a);
        json::add_str(b, "name", json::get_str(f, "name").value_or(""), a);
        b.AddMember("input", tool_input_from_arguments(json::get(f, "arguments"), a), a);
        content.PushBack(b, a);
        ++n_calls;
    });
    out.AddMember("content", content, a);
    json::add_str(out, "model", ctx.model, a);

    FinishFacts facts;
    facts.finish_reason = json::get_str(choice, "finish_reason").value_or("");
    if (refused) facts.finish_reason = "content_filter";
    facts.tool_calls_seen = n_calls > 0;
    auto stop_string = matched_stop_string(choice);
    facts.stop_sequence_matched = stop_string.has_value();
    t.stop_reason = anthropic_stop_reason(facts);
    json::add_str(out, "stop_reason", t.stop_reason, a);
    if (t.stop_reason == "stop_sequence") json::add_str(out, "stop_sequence", *stop_string, a);
    else out.AddMember("stop_sequence", Value(rapidjson::kNullType), a);

    t.usage = usage_from_openai(json::get(in, "usage"));
    out.AddMember("usage", anthropic_usage_json(t.usage, a), a);
    t.body = json::to_string(out);
    return t;
}

}  // namespace llmgw
