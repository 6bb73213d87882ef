#include "core/api/token_facts.h"

#include <algorithm>

#include "core/json/stack_document.h"

namespace llmgw {

using json::Value;

namespace {

constexpr int64_t kPerMessageOverhead = 8;
constexpr int64_t kPerToolOverhead = 16;
constexpr int64_t kPromptOverhead = 8;           // the generation prompt (assistant header)
constexpr int64_t kToolsPreambleTokens = 150;    // templates explain tool calling in 100-300 tokens
constexpr int64_t kImageTokens = 1600;  // a typical image's cost; its URL's bytes mean nothing

int64_t ceil_div3(size_t bytes) { return static_cast<int64_t>((bytes + 2) / 3); }

// Bytes of all string content in a message's content (string or parts), tool calls included.
size_t message_bytes(const Value& m, int64_t& images) {
    size_t n = 0;
    if (const Value* c = json::get(m, "content")) {
        if (c->IsString()) n += c->GetStringLength();
        else if (c->IsArray())
            for (auto& p : c->GetArray()) {
                if (auto t = json::get_str(p, "text")) n += t->size();
                else if (json::get(p, "image_url")) ++images;
            }
    }
    if (const Value* tc = json::get(m, "tool_calls"); tc && tc->IsArray())
        for (auto& c : tc->GetArray()) {
            if (auto id = json::get_str(c, "id")) n += id->size();
            if (const Value* fn = json::get(c, "function")) {
                if (auto nm = json::get_str(*fn, "name")) n += nm->size();
                if (auto args = json::get_str(*fn, "arguments")) n += args->size();
            }
        }
    if (auto id = json::get_str(m, "tool_call_id")) n += id->size();
    return n;
}

}  // namespace

int64_t estimate_tokens_for_openai_request(const Value& request) {
    size_t bytes = 0, schema_bytes = 0;
    int64_t overhead = kPromptOverhead, images = 0;
    if (const Value* msgs = json::get(request, "messages"); msgs && msgs->IsArray())
        for (auto& m : msgs->GetArray()) {
            bytes += message_bytes(m, images);
            overhead += kPerMessageOverhead;
        }
    if (const Value* tools = json::get(request, "tools"); tools && tools->IsArray() && !tools->Empty()) {
        overhead += kToolsPreambleTokens;
        for (auto& t : tools->GetArray()) {
            schema_bytes += json::to_string(t).size();  // schemas are rendered into the prompt as JSON
            overhead += kPerToolOverhead;
        }
    }
    // JSON punctuation tokenises densely: schemas are counted at 2 bytes per token.
    return ceil_div3(bytes) + static_cast<int64_t>((schema_bytes + 1) / 2) + overhead + images * kImageTokens;
}

int64_t estimate_tokens_for_openai_request(std::string_view openai_request_json) {
    StackDocument d;
    if (json::parse(openai_request_json, d)) return ceil_div3(openai_request_json.size());
    return estimate_tokens_for_openai_request(d);
}

std::optional<int64_t> requested_output_tokens(const Value& request) {
    if (!request.IsObject()) return std::nullopt;
    for (const char* name : {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
        auto it = request.FindMember(name);
        if (it == request.MemberEnd()) continue;
        if (it->value.IsInt64()) return std::clamp<int64_t>(it->value.GetInt64(), 0, kMaxCountedTokens);
        if (it->value.IsNumber())
            return static_cast<int64_t>(std::clamp(it->value.GetDouble(), 0.0, static_cast<double>(kMaxCountedTokens)));
    }
    return std::nullopt;
}

std::optional<int64_t> requested_output_tokens(std::string_view body) {
    StackDocument d;
    if (json::parse(body, d)) return std::nullopt;
    return requested_output_tokens(d);
}

}  // namespace llmgw
