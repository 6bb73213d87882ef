// What every translator of a runtime's chat completion stream into another API's stream shares:
// reading each upstream event once, the counts of the stream (ChatStreamTally), the lifecycle
// (nothing sent yet, open, done) and how a stream that ends or fails is closed. A stream the
// runtime said it finished (a finish_reason or [DONE]) completes even when it then breaks: only
// trailing usage can be missing. Anything else that ends is a failure, rendered the target API's way.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "core/api/chat_completion.h"
#include "core/api/stream_chunk.h"

namespace llmgw {

class ChatStreamTranslation {
public:
    virtual ~ChatStreamTranslation() = default;

    // One upstream SSE event's data payload, already read (core/api/stream_chunk.h). "[DONE]"
    // completes the stream; `{"error":...}` or a payload that is not a JSON object fails it (502).
    void feed(const StreamChunk& chunk, std::string& out);
    // The same for a payload not yet read (the text after "data: ", lines joined).
    void feed(std::string_view data, std::string& out);
    // Upstream ended (EOF): completes when the runtime said it was done, else fails (502).
    void finish(std::string& out);
    // Upstream reset, timeout or any failure serve detects: the target API's error ending
    // (completes instead when the runtime had already sent its finish_reason).
    void fail(const ApiError& e, std::string& out);

    // The terminal event has been emitted; feed/finish/fail are no-ops from then on.
    bool done() const { return state_ == State::Done; }
    // The stream's first event has been emitted (some bytes went to the client).
    bool started() const { return state_ != State::Idle; }
    // Set when the stream failed. If !started_before_error(), nothing but the failure was
    // produced, and serve may send a plain HTTP error instead of the SSE bytes.
    const std::optional<ApiError>& error() const { return error_; }
    bool started_before_error() const { return started_before_error_; }
    // For metrics and logs: the usage the runtime reported; output tokens from it, else llama.cpp
    // timings, else the content-bearing chunks (about one token each).
    const TokenUsage& usage() const { return tally_.usage; }
    int64_t output_tokens() const { return tally_.output_tokens(); }

protected:
    enum class State { Idle, Open, Done };

    // One chunk object of the runtime's stream (never after done()).
    virtual void chunk(const json::Value& v, std::string& out) = 0;
    // The normal ending: the target API's closing events; sets Done.
    virtual void complete(std::string& out) = 0;
    // The failure ending (error() is already set): the target API's error events; sets Done.
    virtual void emit_failure(const ApiError& e, std::string& out) = 0;

    State state_ = State::Idle;
    ChatStreamTally tally_;  // usage, timings, content deltas, [DONE] and finish_reason seen

private:
    std::optional<ApiError> error_;
    bool started_before_error_ = false;
};

}  // namespace llmgw
