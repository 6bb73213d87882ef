// OpenAI chat completion stream -> OpenAI Responses stream, one upstream SSE event at a time.
//
// Output is rendered SSE bytes ("event: X\ndata: {...}\n\n") appended to the caller's string. Every
// event carries `sequence_number`, from 0. Order: response.created, response.in_progress, then per
// output item response.output_item.added, its content events (content_part.added,
// output_text.delta/.done, content_part.done; function_call_arguments.delta/.done;
// custom_tool_call_input.delta/.done; reasoning_summary_part/reasoning_summary_text or
// reasoning_text events from the runtime's reasoning), response.output_item.done with the complete
// item; and exactly one terminal event: response.completed, response.incomplete (the runtime hit
// max tokens) or response.failed (an upstream error, a broken stream, a payload that is not JSON).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/chat_stream_translation.h"
#include "core/json/append_writer.h"
#include "core/responses/responses_output.h"

namespace llmgw {

// A runtime turn makes a handful of output items; one that makes more is broken or hostile, and
// each item costs a lookup per tool call fragment. Past this the response fails (502).
inline constexpr size_t kMaxResponsesOutputItems = 1024;
// The text the translator keeps to complete items and the final response (and the route stores):
// as much as a request body may carry back as input (MAX_BODY_BYTES' default). Past this the
// response fails (502) instead of growing without bound.
inline constexpr size_t kMaxResponsesOutputBytes = 32u << 20;

class ResponsesStreamTranslator final : public ChatStreamTranslation {
public:
    explicit ResponsesStreamTranslator(ResponsesOutputContext ctx);

    // feed, finish, fail, done, started, error, usage, output_tokens: ChatStreamTranslation's.
    // The failure ending is response.failed (after the lifecycle events if none went out yet).

    // "in_progress" until done; then "completed", "incomplete" or "failed".
    std::string_view status() const { return status_; }
    // The `response` object as the terminal event carries it (valid once done()).
    const std::string& response_json() const { return response_json_; }
    // The output items of the terminal response as a JSON array (valid once done()).
    const std::string& output_items_json() const { return output_json_; }
    const std::string& response_id() const { return response_id_; }
    size_t tool_calls() const;

private:
    struct Item {
        ResponsesOutputItem data;
        size_t output_index = 0;
        bool open = true;
        std::string status;                     // as closed: completed | incomplete
        std::optional<int64_t> upstream_index;  // a tool call's index in the chat stream
    };

    void chunk(const json::Value& v, std::string& out) override;
    void complete(std::string& out) override;
    void emit_failure(const ApiError& e, std::string& out) override;
    void start(std::string& out);
    void content_delta(ResponsesItemKind kind, std::string_view text, std::string& out);
    void tool_delta(const json::Value& call, std::string& out);
    // Counts `bytes` more kept text or one more item; false (and the response failed) past a bound.
    bool within_bounds(size_t bytes, bool new_item, std::string& out);
    Item& open_item(ResponsesItemKind kind, std::string_view runtime_name, std::string_view call_id, std::string& out);
    void close_item(Item& item, std::string_view status, std::string& out);
    void close_content(std::string_view status, std::string& out);
    void terminate(std::string_view status, std::string_view incomplete_reason, const ApiError* error, std::string& out);
    // Renders `fields` (an object) as one event: {"type", "sequence_number", ...fields}.
    void emit(std::string_view type, json::Value& fields, json::Alloc& a, std::string& out);
    // The {item_id, output_index} every item event starts with.
    json::Value item_ref(const Item& item, json::Alloc& a) const;

    json::AppendWriter writer_;  // renders every event's JSON straight into `out`
    ResponsesOutputContext ctx_;
    std::vector<Item> items_;
    int open_content_ = -1;    // index in items_ of the open reasoning/message/refusal item
    std::string response_id_;
    std::string status_ = "in_progress";
    int64_t sequence_ = 0;
    size_t output_bytes_ = 0;  // text kept in items_, against kMaxResponsesOutputBytes
    std::string response_json_;
    std::string output_json_;
};

}  // namespace llmgw
