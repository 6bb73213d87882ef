// The Responses stream grammar, as the SDKs and Codex read it: every event a JSON object whose
// `type` is its SSE event name; sequence_number from 0 by one; response.created then
// response.in_progress first; output_item.added at output_index 0, 1, 2...; content events only
// for an added item not yet done; exactly one terminal event (completed, incomplete or failed),
// last, whose response has that status and, unless failed, one output item per done item. With
// `utf8_in` (the upstream bytes were valid UTF-8) every event is valid UTF-8: the translator
// passes the runtime's text through, it never cuts it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/base/sse.h"
#include "fuzz_check.h"
#include "utf8.h"

namespace llmgw::fuzz {

struct ResponsesStreamSummary {
    std::string terminal;  // response.completed | response.incomplete | response.failed; empty if none
    std::string text;      // output_text deltas joined
    size_t items = 0;
};

inline bool is_terminal(std::string_view type) {
    return type == "response.completed" || type == "response.incomplete" || type == "response.failed";
}

inline ResponsesStreamSummary check_responses_stream(const std::vector<SseEvent>& events, bool utf8_in) {
    ResponsesStreamSummary s;
    std::vector<bool> open;
    int64_t seq = 0;
    for (const SseEvent& e : events) {
        FUZZ_CHECK(s.terminal.empty());  // nothing after the terminal event
        if (utf8_in) FUZZ_CHECK(valid_utf8(e.data));
        llmgw::StackDocument d;
        FUZZ_CHECK(parses(e.data, d) && d.IsObject());
        FUZZ_CHECK(str_member(d, "type") == e.event);
        FUZZ_CHECK(member(d, "sequence_number").IsInt64() && member(d, "sequence_number").GetInt64() == seq);
        if (seq == 0) FUZZ_CHECK(e.event == "response.created");
        if (seq == 1) FUZZ_CHECK(e.event == "response.in_progress");
        ++seq;
        if (e.event == "response.created" || e.event == "response.in_progress") {
            FUZZ_CHECK(seq <= 2);
            FUZZ_CHECK(str_member(member(d, "response"), "status") == "in_progress");
            continue;
        }
        if (is_terminal(e.event)) {
            s.terminal = e.event;
            const auto& resp = member(d, "response");
            FUZZ_CHECK("response." + std::string(str_member(resp, "status")) == e.event);
            FUZZ_CHECK(member(resp, "output").IsArray());
            if (e.event != "response.failed") {
                FUZZ_CHECK(member(resp, "output").Size() == s.items);
                for (bool o : open) FUZZ_CHECK(!o);
            } else {
                FUZZ_CHECK(member(resp, "error").IsObject());
            }
            continue;
        }
        FUZZ_CHECK(member(d, "output_index").IsUint64());
        size_t i = member(d, "output_index").GetUint64();
        if (e.event == "response.output_item.added") {
            FUZZ_CHECK(i == open.size());
            open.push_back(true);
            ++s.items;
            continue;
        }
        FUZZ_CHECK(i < open.size() && open[i]);
        if (e.event == "response.output_item.done") open[i] = false;
        if (e.event == "response.output_text.delta") s.text += str_member(d, "delta");
    }
    return s;
}

}  // namespace llmgw::fuzz
