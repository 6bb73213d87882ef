// The grammar of an Anthropic Messages stream, as the gateway promises it to SDKs
// (anthropic_stream.h): message_start, ping, content blocks with increasing indices each closed
// before the next opens, with deltas of their own kind, then message_delta and message_stop; or an
// error event, after which nothing follows. Returns the text of all text deltas, for round trips.
#pragma once
#include <string>
#include <vector>

#include "core/base/sse.h"
#include "fuzz_check.h"

namespace llmgw::fuzz {

struct AnthropicStreamSummary {
    bool ended_with_stop = false;
    bool ended_with_error = false;
    bool started = false;  // message_start seen
    std::string text;      // text_delta texts, concatenated
};

inline AnthropicStreamSummary check_anthropic_stream(const std::vector<SseEvent>& events) {
    enum class State { Idle, Open, Delta, Done } state = State::Idle;
    std::string open_block;  // type of the open content block, empty when none
    int64_t next_index = 0;
    AnthropicStreamSummary s;
    for (const SseEvent& e : events) {
        FUZZ_CHECK(state != State::Done);  // nothing after message_stop or error
        llmgw::StackDocument d;
        FUZZ_CHECK(parses(e.data, d) && d.IsObject());
        FUZZ_CHECK(str_member(d, "type") == e.event);
        if (e.event == "error") {
            FUZZ_CHECK(member(d, "error").IsObject() && !str_member(member(d, "error"), "type").empty());
            s.ended_with_error = true;
            state = State::Done;
        } else if (e.event == "message_start") {
            FUZZ_CHECK(state == State::Idle);
            FUZZ_CHECK(str_member(member(d, "message"), "id").substr(0, 4) == "msg_");
            s.started = true;
            state = State::Open;
        } else if (e.event == "ping") {
            FUZZ_CHECK(state == State::Open);
        } else if (e.event == "content_block_start") {
            FUZZ_CHECK(state == State::Open && open_block.empty());
            FUZZ_CHECK(member(d, "index").IsInt64() && member(d, "index").GetInt64() == next_index);
            open_block = str_member(member(d, "content_block"), "type");
            FUZZ_CHECK(open_block == "text" || open_block == "thinking" || open_block == "tool_use");
        } else if (e.event == "content_block_delta") {
            FUZZ_CHECK(state == State::Open && !open_block.empty());
            FUZZ_CHECK(member(d, "index").IsInt64() && member(d, "index").GetInt64() == next_index);
            std::string_view kind = str_member(member(d, "delta"), "type");
            if (open_block == "text") {
                FUZZ_CHECK(kind == "text_delta");
                s.text += str_member(member(d, "delta"), "text");
            } else if (open_block == "thinking") {
                FUZZ_CHECK(kind == "thinking_delta");
            } else {
                FUZZ_CHECK(kind == "input_json_delta");
            }
        } else if (e.event == "content_block_stop") {
            FUZZ_CHECK(state == State::Open && !open_block.empty());
            FUZZ_CHECK(member(d, "index").IsInt64() && member(d, "index").GetInt64() == next_index);
            open_block.clear();
            ++next_index;
        } else if (e.event == "message_delta") {
            FUZZ_CHECK(state == State::Open && open_block.empty());
            FUZZ_CHECK(!str_member(member(d, "delta"), "stop_reason").empty());
            FUZZ_CHECK(member(d, "usage").IsObject() && member(member(d, "usage"), "output_tokens").IsInt64());
            state = State::Delta;
        } else if (e.event == "message_stop") {
            FUZZ_CHECK(state == State::Delta);
            s.ended_with_stop = true;
            state = State::Done;
        } else {
            FUZZ_CHECK(!"unknown Anthropic stream event");
        }
    }
    return s;
}

}  // namespace llmgw::fuzz
