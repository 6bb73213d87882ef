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
#include "core/api/chat_stream_translation.h"
#include "core/json/append_writer.h"

namespace llmgw {

struct AnthropicStreamOptions {
    std::string model;              // as the client requested it
    bool thinking_enabled = false;  // otherwise reasoning deltas are dropped
    std::string id_seed;            // serve's request id -> "msg_<seed>"; empty: the upstream id
};

class AnthropicStreamTranslator final : public ChatStreamTranslation {
public:
    explicit AnthropicStreamTranslator(AnthropicStreamOptions opts);

    // feed, finish, fail, done, started, error, usage, output_tokens: ChatStreamTranslation's.
    // The failure ending is an `event: error`, nothing else: never a fake message_stop.

    int64_t input_tokens() const { return tally_.usage.anthropic_input_tokens(); }
    std::string_view stop_reason() const { return stop_reason_; }
    const std::string& message_id() const { return message_id_; }
    size_t tool_calls() const { return tools_.size(); }

private:
    enum class Block { None, Thinking, Text, Tool };
    struct ToolSlot {
        std::optional<int64_t> upstream_index;
        std::string id;
        int block_index = -1;
    };

    void chunk(const json::Value& v, std::string& out) override;
    void complete(std::string& out) override;
    void emit_failure(const ApiError& e, std::string& out) override;
    void start(std::string& out);
    void close_block(std::string& out);
    void open_block(Block kind, std::string& out, const ToolSlot* tool = nullptr, std::string_view name = {});
    void text_delta(Block kind, std::string_view text, std::string& out);
    void tool_delta(const json::Value& call, std::string& out);
    void emit(std::string_view event, const json::Value& data, std::string& out);

    json::AppendWriter writer_;  // renders every event's JSON straight into `out`
    AnthropicStreamOptions opts_;
    Block open_ = Block::None;
    int open_tool_ = -1;       // slot index of the open tool block
    int next_index_ = 0;       // next Anthropic content block index
    std::vector<ToolSlot> tools_;
    std::string message_id_;
    std::optional<std::string> stop_string_;
    std::string stop_reason_;
};

}  // namespace llmgw
