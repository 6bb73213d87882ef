// The grammar of an OpenAI chat completion stream as the gateway writes one: data-only events,
// each a JSON object (a chat.completion.chunk or an error envelope), ending with "[DONE]" or with
// the error; nothing after either. Returns the concatenated delta.content, for round trips.
#pragma once
#include <string>
#include <vector>

#include "core/base/sse.h"
#include "fuzz_check.h"

namespace llmgw::fuzz {

struct OpenAIStreamSummary {
    bool ended_with_done = false;
    bool ended_with_error = false;
    std::string text;
};

inline OpenAIStreamSummary check_openai_stream(const std::vector<SseEvent>& events) {
    OpenAIStreamSummary s;
    for (const SseEvent& e : events) {
        FUZZ_CHECK(!s.ended_with_done && !s.ended_with_error);
        FUZZ_CHECK(e.event.empty());
        if (e.data == "[DONE]") {
            s.ended_with_done = true;
            continue;
        }
        llmgw::StackDocument d;
        FUZZ_CHECK(parses(e.data, d) && d.IsObject());
        if (d.HasMember("error")) {
            const auto& err = member(d, "error");
            FUZZ_CHECK(err.IsObject() && member(err, "message").IsString() && member(err, "type").IsString());
            s.ended_with_error = true;
            continue;
        }
        FUZZ_CHECK(str_member(d, "object") == "chat.completion.chunk");
        const auto& choices = member(d, "choices");
        FUZZ_CHECK(choices.IsArray());
        for (const auto& c : choices.GetArray()) s.text += str_member(member(c, "delta"), "content");
    }
    return s;
}

}  // namespace llmgw::fuzz
