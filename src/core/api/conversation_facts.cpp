#include "core/api/conversation_facts.h"

#include <string_view>

namespace llmgw {

namespace {

std::string_view string_of(const json::Value& obj, const char* key) {
    if (!obj.IsObject()) return {};
    auto m = obj.FindMember(key);
    if (m == obj.MemberEnd() || !m->value.IsString()) return {};
    return {m->value.GetString(), m->value.GetStringLength()};
}

void append_capped(std::string& out, std::string_view s) {
    if (out.size() < kConversationOpeningBytes) out.append(s.substr(0, kConversationOpeningBytes - out.size()));
}

// A message's (or Responses item's) role and text: a string content, or the "text" of its parts.
void append_message(std::string& out, const json::Value& m) {
    append_capped(out, string_of(m, "role"));
    append_capped(out, "\n");
    if (!m.IsObject()) return;
    auto c = m.FindMember("content");
    if (c == m.MemberEnd()) return;
    if (c->value.IsString()) {
        append_capped(out, {c->value.GetString(), c->value.GetStringLength()});
    } else if (c->value.IsArray()) {
        for (const auto& part : c->value.GetArray()) {
            if (out.size() >= kConversationOpeningBytes) return;
            append_capped(out, string_of(part, "text"));
        }
    }
    append_capped(out, "\n");
}

}  // namespace

ConversationFacts read_conversation(const json::Value& body) {
    ConversationFacts f;
    if (!body.IsObject()) return f;
    f.prompt_cache_key = string_of(body, "prompt_cache_key");
    f.user = string_of(body, "user");
    if (f.user.empty())
        if (auto m = body.FindMember("metadata"); m != body.MemberEnd()) f.user = string_of(m->value, "user_id");
    for (const char* key : {"messages", "input"}) {
        auto m = body.FindMember(key);
        if (m == body.MemberEnd()) continue;
        if (m->value.IsString()) append_capped(f.opening, {m->value.GetString(), m->value.GetStringLength()});
        else if (m->value.IsArray())
            for (const auto& msg : m->value.GetArray()) {
                if (f.opening.size() >= kConversationOpeningBytes) break;
                append_message(f.opening, msg);
            }
        break;
    }
    return f;
}

}  // namespace llmgw
