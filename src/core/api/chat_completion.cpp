#include "core/api/chat_completion.h"

#include <algorithm>

#include "core/base/saturating.h"
#include "core/base/text_util.h"

namespace llmgw {

using json::Value;

namespace {
int64_t count(const Value& obj, std::string_view key) {
    return std::max<int64_t>(0, json::get_int(obj, key).value_or(0));
}
}  // namespace

TokenUsage usage_from_openai(const Value* usage) {
    TokenUsage u;
    if (!usage || !usage->IsObject()) return u;
    u.present = true;
    u.prompt_tokens = count(*usage, "prompt_tokens");
    u.completion_tokens = count(*usage, "completion_tokens");
    if (const Value* d = json::get(*usage, "prompt_tokens_details")) u.cached_tokens = count(*d, "cached_tokens");
    if (const Value* d = json::get(*usage, "completion_tokens_details")) u.reasoning_tokens = count(*d, "reasoning_tokens");
    return u;
}

void merge_stream_usage(TokenUsage& into, const TokenUsage& later) {
    if (!later.present) return;
    into.present = true;
    into.prompt_tokens = std::max(into.prompt_tokens, later.prompt_tokens);
    into.completion_tokens = std::max(into.completion_tokens, later.completion_tokens);
    into.cached_tokens = std::max(into.cached_tokens, later.cached_tokens);
    into.reasoning_tokens = std::max(into.reasoning_tokens, later.reasoning_tokens);
}

Value openai_usage_json(const TokenUsage& u, json::Alloc& a) {
    Value v(rapidjson::kObjectType);
    v.AddMember("prompt_tokens", Value(static_cast<int64_t>(u.prompt_tokens)), a);
    v.AddMember("completion_tokens", Value(static_cast<int64_t>(u.completion_tokens)), a);
    v.AddMember("total_tokens", Value(saturating_add(u.prompt_tokens, u.completion_tokens)), a);
    Value d(rapidjson::kObjectType);
    d.AddMember("cached_tokens", Value(static_cast<int64_t>(u.cached_tokens)), a);
    v.AddMember("prompt_tokens_details", d, a);
    return v;
}

std::string_view reasoning_text(const Value& m) {
    if (auto s = json::get_str(m, "reasoning_content"); s && !s->empty()) return *s;
    if (auto s = json::get_str(m, "reasoning"); s && !s->empty()) return *s;
    return {};
}

std::optional<ApiError> inband_upstream_error(const Value& body, int fallback_status) {
    const Value* err = json::get(body, "error");
    if (!err) return std::nullopt;
    int status = fallback_status;
    std::string message;
    if (err->IsString()) {
        message = json::sv(*err);
    } else if (err->IsObject()) {
        message = json::get_str(*err, "message").value_or("");
        // llama.cpp and vLLM put the HTTP status they meant in error.code.
        if (auto code = json::get_int(*err, "code"); code && *code >= 400 && *code <= 599)
            status = static_cast<int>(*code);
    } else {
        return std::nullopt;
    }
    if (message.empty()) message = "upstream error: " + json::to_string(*err);
    return ApiError{status, message, {}, {}};
}

std::string message_text(const Value& message) {
    const Value* c = json::get(message, "content");
    if (!c) return {};
    if (c->IsString()) return std::string(json::sv(*c));
    std::string out;
    if (c->IsArray())
        for (auto& p : c->GetArray())
            if (auto t = json::get_str(p, "text")) out += *t;
    return out;
}

FirstChoice read_first_choice(std::string_view body, rapidjson::Document& doc) {
    FirstChoice r;
    if (auto f = json::parse(body, doc)) {
        r.error = ApiError::bad_gateway("upstream returned an unreadable completion: " + json::describe(*f));
        return r;
    }
    if ((r.error = inband_upstream_error(doc, 502))) return r;
    const Value* choices = json::get(doc, "choices");
    if (!choices || !choices->IsArray() || choices->Empty() || !(*choices)[0].IsObject()) {
        r.error = ApiError::bad_gateway("upstream completion has no choices");
        return r;
    }
    static const Value kEmpty(rapidjson::kObjectType);
    r.choice = &(*choices)[0];
    const Value* message = json::get(*r.choice, "message");
    r.message = message && message->IsObject() ? message : &kEmpty;
    return r;
}

ChatStreamEvent read_chat_stream_event(const StreamChunk& chunk) {
    if (chunk.done) return {ChatStreamStep::Done, std::nullopt};
    if (chunk.error)
        return {ChatStreamStep::Fail, ApiError::bad_gateway("upstream sent a malformed stream event: " + json::describe(*chunk.error))};
    if (!chunk.json) return {};
    if (auto e = inband_upstream_error(*chunk.json, 502)) return {ChatStreamStep::Fail, std::move(e)};
    if (!chunk.json->IsObject())
        return {ChatStreamStep::Fail, ApiError::bad_gateway("upstream sent a stream event that is not a JSON object")};
    return {ChatStreamStep::Chunk, std::nullopt};
}

ChatStreamEvent ChatStreamTally::read(const StreamChunk& chunk) {
    ChatStreamEvent event = read_chat_stream_event(chunk);
    if (event.step == ChatStreamStep::Done) saw_done = true;
    if (event.step != ChatStreamStep::Chunk) return event;
    const Value& v = *chunk.json;
    merge_stream_usage(usage, usage_from_openai(json::get(v, "usage")));
    if (const Value* t = json::get(v, "timings"))
        timings_predicted = std::max(timings_predicted, json::get_int(*t, "predicted_n").value_or(0));
    return event;
}

bool ChatStreamTally::read_finish(const Value& choice) {
    auto fr = json::get_str(choice, "finish_reason");
    if (!fr || fr->empty()) return false;
    finish_reason = *fr;
    saw_finish = true;
    return true;
}

int64_t ChatStreamTally::output_tokens() const {
    if (usage.completion_tokens > 0) return usage.completion_tokens;
    if (timings_predicted > 0) return timings_predicted;
    return content_chunks;
}

ToolCallFragment read_tool_call_fragment(const Value& call) {
    ToolCallFragment f;
    f.index = json::get_int(call, "index");
    f.id = json::get_str(call, "id").value_or("");
    const Value* fn = json::get(call, "function");
    if (!fn) return f;
    f.name = json::get_str(*fn, "name").value_or("");
    const Value* args = json::get(*fn, "arguments");
    if (args && args->IsString()) f.arguments = json::sv(*args);
    else if (args && args->IsObject() && args->MemberCount() > 0) f.arguments = json::to_string(*args);  // TGI
    return f;
}

}  // namespace llmgw
