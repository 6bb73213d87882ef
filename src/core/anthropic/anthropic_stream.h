// OpenAI chat completion stream -> Anthropic Messages stream, one upstream SSE event at a time.
//
// Output is rendered SSE bytes ("event: X\ndata: {...}\n\n") appended to the caller's string, so
// serve can write them straight to the client. Event order follows Anthropic's: message_start,
// ping, then content blocks with increasing index (thinking, text, one tool_use per tool call),
// each closed before the next opens, then message_delta and message_stop; or an `error` event
// when the upstream stream breaks. Never two message_starts, never a fake message_stop.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/anthropic/anthropic_mapping.h"
#include "core/api/api_error.h"
#include "core/api/chat_completion.h"
#include "core/api/stream_chunk.h"
#include "core/json/append_writer.h"

namespace llmgw {

struct AnthropicStreamOptions {
    std::string model;              // as the client requested it
    bool thinking_enabled = false;  // otherwise reasoning deltas are dropped
    std::string id_seed;            // serve's request id -> "msg_<seed>"; empty: the upstream id
};

class AnthropicStreamTranslator {
public:
    explicit AnthropicStreamTranslator(AnthropicStreamOptions opts);

    // One upstream SSE event's data payload, already read (core/api/stream_chunk.h). "[DONE]"
    // finishes the stream; `{"error":...}` fails it; a payload that is not JSON fails it (502).
    void feed(const StreamChunk& chunk, std::string& out);
    // The same for a payload not yet read (the text after "data: ", lines joined).
    void feed(std::string_view data, std::string& out);
    // Upstream ended (EOF). Completes the message if the runtime sent a finish_reason or [DONE];
    // otherwise the stream was cut short and ends with an error event.
    void finish(std::string& out);
    // Upstream reset, timeout or any failure serve detects: `event: error`, nothing else.
    void fail(const ApiError& e, std::string& out);

    // message_stop or error has been emitted; feed/finish/fail are no-ops from then on.
    bool done() const { return state_ == State::Done; }
    // message_start has been emitted (some bytes went to the client).
    bool started() const { return state_ != State::Idle; }
    // Set when the stream ended with an error event. If !started_before_error(), nothing but that
    // error was produced, and serve may send a plain HTTP error response instead of the SSE bytes.
    const std::optional<ApiError>& error() const { return error_; }
    bool started_before_error() const { return started_before_error_; }

    // For metrics and logs. output_tokens: upstream usage when reported, else llama.cpp timings,
    // else the number of content-bearing chunks (about one token each).
    int64_t output_tokens() const { return tally_.output_tokens(); }
    int64_t input_tokens() const { return tally_.usage.anthropic_input_tokens(); }
    const TokenUsage& usage() const { return tally_.usage; }
    std::string_view stop_reason() const { return stop_reason_; }
    const std::string& message_id() const { return message_id_; }
    size_t tool_calls() const { return tools_.size(); }

private:
    enum class State { Idle, Open, Done };
    enum class Block { None, Thinking, Text, Tool };
    struct ToolSlot {
        std::optional<int64_t> upstream_index;
        std::string id;
        int block_index = -1;
    };

    void chunk(const json::Value& v, std::string& out);
    void start(std::string& out);
    void close_block(std::string& out);
    void open_block(Block kind, std::string& out, const ToolSlot* tool = nullptr, std::string_view name = {});
    void text_delta(Block kind, std::string_view text, std::string& out);
    void tool_delta(const json::Value& call, std::string& out);
    void complete(std::string& out);
    void emit(std::string_view event, const json::Value& data, std::string& out);

    json::AppendWriter writer_;  // renders every event's JSON straight into `out`
    AnthropicStreamOptions opts_;
    State state_ = State::Idle;
    Block open_ = Block::None;
    int open_tool_ = -1;       // slot index of the open tool block
    int next_index_ = 0;       // next Anthropic content block index
    std::vector<ToolSlot> tools_;
    std::string message_id_;
    std::string finish_reason_;
    ChatStreamTally tally_;  // usage, timings, content deltas, [DONE] and finish_reason seen
    std::optional<std::string> stop_string_;
    std::string stop_reason_;
    std::optional<ApiError> error_;
    bool started_before_error_ = false;
};

}  // namespace llmgw
