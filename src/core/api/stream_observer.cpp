#include "core/api/stream_observer.h"

#include <rapidjson/document.h>

#include "core/json/json_parse.h"
#include "core/json/stack_document.h"

namespace llmgw {

namespace {

using Value = rapidjson::Value;

bool nonempty_string(const Value& obj, const char* key) {
    auto it = obj.FindMember(key);
    return it != obj.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
}

bool delta_has_output(const Value& delta) {
    if (!delta.IsObject()) return false;
    if (nonempty_string(delta, "content") || nonempty_string(delta, "reasoning_content") ||
        nonempty_string(delta, "reasoning"))
        return true;
    auto tc = delta.FindMember("tool_calls");
    if (tc != delta.MemberEnd()) {
        if (tc->value.IsArray() && !tc->value.Empty()) return true;
        if (tc->value.IsObject()) return true;  // TGI sends an object
    }
    return false;
}

void read_usage_obj(const Value& u, StreamEventInfo& info) {
    if (!u.IsObject()) return;
    auto p = u.FindMember("prompt_tokens");
    auto c = u.FindMember("completion_tokens");
    if (p != u.MemberEnd() && p->value.IsInt64()) info.prompt_tokens = p->value.GetInt64();
    if (c != u.MemberEnd() && c->value.IsInt64()) info.completion_tokens = c->value.GetInt64();
    auto d = u.FindMember("prompt_tokens_details");
    if (d != u.MemberEnd() && d->value.IsObject()) {
        auto ct = d->value.FindMember("cached_tokens");
        if (ct != d->value.MemberEnd() && ct->value.IsInt64()) info.cached_tokens = ct->value.GetInt64();
    }
    info.has_usage = true;
}

}  // namespace

StreamEventInfo inspect_stream_event(std::string_view data) {
    json::ReusedDocument doc;
    return inspect_stream_event(read_stream_chunk(data, doc));
}

StreamEventInfo inspect_stream_event(const StreamChunk& chunk) {
    StreamEventInfo info;
    if (chunk.done) {
        info.done = true;
        return info;
    }
    if (chunk.error) {
        info.too_deep = chunk.error->too_deep;
        return info;
    }
    if (!chunk.json) return info;
    const Value& d = *chunk.json;
    if (!d.IsObject()) return info;
    if (d.HasMember("error")) {
        info.error = true;
        return info;
    }
    auto ch = d.FindMember("choices");
    bool empty_choices = ch != d.MemberEnd() && ch->value.IsArray() && ch->value.Empty();
    if (ch != d.MemberEnd() && ch->value.IsArray()) {
        for (const auto& c : ch->value.GetArray()) {
            if (!c.IsObject()) continue;
            auto delta = c.FindMember("delta");
            if (delta != c.MemberEnd() && delta_has_output(delta->value)) info.content = true;
            if (nonempty_string(c, "text")) info.content = true;  // /v1/completions
            auto fr = c.FindMember("finish_reason");
            if (fr != c.MemberEnd() && fr->value.IsString()) info.finished = true;
        }
    }
    auto u = d.FindMember("usage");
    if (u != d.MemberEnd() && u->value.IsObject()) {
        read_usage_obj(u->value, info);
        info.usage_only = empty_choices;
    }
    return info;
}

UsageRead read_usage(std::string_view body, int64_t* prompt, int64_t* completion, int64_t* cached) {
    StackDocument d;
    if (auto e = json::parse(body, d)) return e->too_deep ? UsageRead::TooDeep : UsageRead::NotJson;
    if (!d.IsObject()) return UsageRead::NotJson;
    auto u = d.FindMember("usage");
    if (u == d.MemberEnd() || !u->value.IsObject()) return UsageRead::Absent;
    StreamEventInfo info;
    read_usage_obj(u->value, info);
    *prompt = info.prompt_tokens;
    *completion = info.completion_tokens;
    *cached = info.cached_tokens;
    return UsageRead::Found;
}

}  // namespace llmgw
