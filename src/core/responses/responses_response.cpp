#include "core/responses/responses_response.h"

#include "core/json/stack_document.h"

namespace llmgw {

using json::Value;

namespace {

ResponsesOutputItem item(ResponsesItemKind kind, std::string_view prefix, const ResponsesOutputContext& ctx, size_t n) {
    ResponsesOutputItem it;
    it.kind = kind;
    it.id = make_item_id(prefix, ctx.id_seed, n);
    return it;
}
}  // namespace

ResponsesResponseTranslation translate_chat_to_response(std::string_view chat_body, const ResponsesOutputContext& ctx) {
    ResponsesResponseTranslation t;
    StackDocument in;
    FirstChoice first = read_first_choice(chat_body, in);
    if (first.error) {
        t.error = std::move(first.error);
        return t;
    }
    const Value& choice = *first.choice;
    const Value& message = *first.message;

    std::vector<ResponsesOutputItem> items;
    if (auto reasoning = reasoning_text(message); !reasoning.empty()) {
        items.push_back(item(ResponsesItemKind::Reasoning, "rs", ctx, items.size()));
        items.back().text = reasoning;
        if (ctx.include_encrypted_reasoning && ctx.seal) items.back().encrypted_content = ctx.seal(reasoning);
    }
    if (std::string text = message_text(message); !text.empty()) {
        items.push_back(item(ResponsesItemKind::Message, "msg", ctx, items.size()));
        items.back().text = std::move(text);
    }
    if (auto refusal = json::get_str(message, "refusal"); refusal && !refusal->empty()) {
        items.push_back(item(ResponsesItemKind::Refusal, "msg", ctx, items.size()));
        items.back().text = *refusal;
    }
    auto tool_call = [&](const Value& call) {
        const Value* fn = json::get(call, "function");
        static const Value kNoFn(rapidjson::kObjectType);
        const Value& f = fn && fn->IsObject() ? *fn : kNoFn;
        std::string_view name = json::get_str(f, "name").value_or("");
        size_t n = items.size();
        items.push_back(item(ResponsesItemKind::ToolCall, is_custom_call(ctx, name) ? "ctc" : "fc", ctx, n));
        items.back().runtime_name = name;
        auto id = json::get_str(call, "id").value_or("");
        items.back().call_id = id.empty() ? make_item_id("call", ctx.id_seed, n) : std::string(id);
        const Value* args = json::get(f, "arguments");
        if (args && args->IsString()) items.back().text = json::sv(*args);
        else if (args && args->IsObject()) items.back().text = json::to_string(*args);  // TGI
    };
    for_each_tool_call(message, tool_call);

    std::string_view finish = json::get_str(choice, "finish_reason").value_or("");
    std::string_view reason = finish == "length" ? "max_output_tokens" : finish == "content_filter" ? "content_filter" : "";
    t.status = reason.empty() ? "completed" : "incomplete";
    t.usage = usage_from_openai(json::get(in, "usage"));

    StackDocument out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    Value output(rapidjson::kArrayType);
    for (const auto& it : items) output.PushBack(output_item_json(it, t.status, ctx, a), a);
    t.output_items = json::to_string(output);
    Value r = response_object_json(ctx, t.status, reason, nullptr, std::move(output),
                                   responses_usage_json(t.usage, t.usage.completion_tokens, a), a);
    t.body = json::to_string(r);
    return t;
}

std::string failed_response_json(const ResponsesOutputContext& ctx, const ApiError& e) {
    StackDocument d;
    auto& a = d.GetAllocator();
    return json::to_string(response_object_json(ctx, "failed", {}, &e, Value(rapidjson::kArrayType),
                                                 Value(rapidjson::kNullType), a));
}

}  // namespace llmgw
