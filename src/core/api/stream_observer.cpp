#include "core/api/stream_observer.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <limits>

#include "core/json/json_scan.h"

namespace llmgw {

namespace {

using rapidjson::SizeType;

// Where an event's SAX reader is, as far as the observer cares: the members it reads sit at
// most five levels down (root, choices, a choice, its delta, delta.tool_calls).
enum class Place : uint8_t { Other, Root, Choices, Choice, Delta, ToolCalls, Usage, UsageDetails };
enum class Member : uint8_t {
    Other, Error, Choices, Usage, Delta, Text, FinishReason, Content, ReasoningContent, Reasoning,
    ToolCalls, PromptTokens, CompletionTokens, PromptTokensDetails, CachedTokens,
};

Member member_of(std::string_view k) {
    switch (k.size()) {
        case 4: return k == "text" ? Member::Text : Member::Other;
        case 5: return k == "error" ? Member::Error : k == "delta" ? Member::Delta : k == "usage" ? Member::Usage : Member::Other;
        case 7: return k == "choices" ? Member::Choices : k == "content" ? Member::Content : Member::Other;
        case 9: return k == "reasoning" ? Member::Reasoning : Member::Other;
        case 10: return k == "tool_calls" ? Member::ToolCalls : Member::Other;
        case 13: return k == "prompt_tokens" ? Member::PromptTokens
                      : k == "finish_reason" ? Member::FinishReason
                      : k == "cached_tokens" ? Member::CachedTokens : Member::Other;
        case 17: return k == "completion_tokens" ? Member::CompletionTokens
                      : k == "reasoning_content" ? Member::ReasoningContent : Member::Other;
        case 21: return k == "prompt_tokens_details" ? Member::PromptTokensDetails : Member::Other;
        default: return Member::Other;
    }
}

// A SAX handler (fed by json::Scanner, or by a parsed event's Accept) that fills StreamEventInfo
// without a document: the members it needs are read as they pass. A member given twice counts
// each time (a usage figure: the last one).
class EventScan {
public:
    explicit EventScan(StreamEventInfo& info) : info_(info) {}

    // After the last event: what a whole event says.
    void finish() {
        if (error_) {
            info_ = StreamEventInfo{};
            info_.error = true;
            return;
        }
        if (usage_) {
            info_.has_usage = true;
            info_.usage_only = choices_empty_;
        }
    }

    bool object() const { return object_; }  // the text is a JSON object

    bool Null() { return true; }
    bool Bool(bool) { return true; }
    bool Int(int i) { return number(i); }
    bool Uint(unsigned u) { return number(u); }
    bool Int64(int64_t i) { return number(i); }
    bool Uint64(uint64_t u) {
        if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return number(static_cast<int64_t>(u));
        return true;
    }
    bool Double(double) { return true; }
    bool RawNumber(const char*, SizeType, bool) { return true; }
    bool String(const char*, SizeType n, bool) {
        const Place at = here();
        if (at == Place::Choice) {
            if (member_ == Member::FinishReason) info_.finished = true;
            if (member_ == Member::Text && n > 0) info_.content = true;  // /v1/completions
        } else if (at == Place::Delta && n > 0 &&
                   (member_ == Member::Content || member_ == Member::ReasoningContent || member_ == Member::Reasoning)) {
            info_.content = true;
        }
        return true;
    }
    bool Key(const char* s, SizeType n, bool) {
        const Place at = here();
        member_ = at == Place::Other || at == Place::Choices || at == Place::ToolCalls ? Member::Other
                                                                                       : member_of({s, n});
        if (at == Place::Root && member_ == Member::Error) error_ = true;
        return true;
    }
    bool StartObject() {
        const Place at = here();
        Place inner = Place::Other;
        if (depth_ == 0) inner = Place::Root, object_ = true;
        else if (at == Place::Root && member_ == Member::Usage) inner = Place::Usage, usage_ = true;
        else if (at == Place::Choices) inner = Place::Choice;
        else if (at == Place::Choice && member_ == Member::Delta) inner = Place::Delta;
        else if (at == Place::Delta && member_ == Member::ToolCalls) info_.content = true;  // TGI sends an object
        else if (at == Place::Usage && member_ == Member::PromptTokensDetails) inner = Place::UsageDetails;
        return open(inner);
    }
    bool EndObject(SizeType) { return close(); }
    bool StartArray() {
        const Place at = here();
        Place inner = Place::Other;
        if (at == Place::Root && member_ == Member::Choices) inner = Place::Choices;
        else if (at == Place::Delta && member_ == Member::ToolCalls) inner = Place::ToolCalls;
        return open(inner);
    }
    bool EndArray(SizeType elements) {
        const Place at = here();
        if (at == Place::ToolCalls && elements > 0) info_.content = true;
        if (at == Place::Choices) choices_empty_ = elements == 0;
        return close();
    }

private:
    static constexpr int kTrackedDepth = 6;  // the five levels above, and the top level (0)

    Place here() const { return depth_ < kTrackedDepth ? places_[depth_] : Place::Other; }
    bool open(Place p) {
        if (++depth_ < kTrackedDepth) places_[depth_] = p;
        return true;
    }
    bool close() {
        --depth_;
        return true;
    }
    bool number(int64_t v) {
        const Place at = here();
        if (at == Place::Usage && member_ == Member::PromptTokens) info_.prompt_tokens = v;
        else if (at == Place::Usage && member_ == Member::CompletionTokens) info_.completion_tokens = v;
        else if (at == Place::UsageDetails && member_ == Member::CachedTokens) info_.cached_tokens = v;
        return true;
    }

    StreamEventInfo& info_;
    Place places_[kTrackedDepth] = {};
    int depth_ = 0;
    Member member_ = Member::Other;
    bool object_ = false;
    bool error_ = false;
    bool usage_ = false;
    bool choices_empty_ = false;
};

}  // namespace

StreamEventInfo inspect_stream_event(std::string_view data) {
    json::Scanner scanner;
    return inspect_stream_event(data, scanner);
}

StreamEventInfo inspect_stream_event(std::string_view data, json::Scanner& scanner) {
    StreamEventInfo info;
    const StreamPayload p = classify_stream_payload(data);
    if (p.done) info.done = true;
    if (p.json.empty()) return info;
    EventScan scan(info);
    if (const json::ParseError* e = scanner.scan(p.json, scan)) {
        info = StreamEventInfo{};
        info.too_deep = e->too_deep;
        return info;
    }
    scan.finish();
    return info;
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
    EventScan scan(info);
    chunk.json->Accept(scan);
    scan.finish();
    return info;
}

UsageRead read_usage(std::string_view body, int64_t* prompt, int64_t* completion, int64_t* cached) {
    json::Scanner scanner;
    StreamEventInfo info;
    EventScan scan(info);
    if (const json::ParseError* e = scanner.scan(body, scan)) return e->too_deep ? UsageRead::TooDeep : UsageRead::NotJson;
    if (!scan.object()) return UsageRead::NotJson;
    scan.finish();
    if (!info.has_usage) return UsageRead::Absent;
    *prompt = info.prompt_tokens;
    *completion = info.completion_tokens;
    *cached = info.cached_tokens;
    return UsageRead::Found;
}

}  // namespace llmgw
