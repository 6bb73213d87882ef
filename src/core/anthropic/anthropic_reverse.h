// The reverse directions, OpenAI -> Anthropic requests and Anthropic -> OpenAI responses and
// streams. `llmgw translate` uses them to compare captures from runtimes that serve
// /v1/messages natively with the gateway's own translation; serve does not need them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/anthropic/anthropic_mapping.h"
#include "core/api/translated_body.h"

namespace llmgw {

// Anthropic requires max_tokens; OpenAI requests often omit it.
constexpr int64_t kReverseDefaultMaxTokens = 4096;

// OpenAI /v1/chat/completions request -> Anthropic /v1/messages request.
TranslatedBody translate_openai_request(std::string_view openai_body);

// Anthropic message (or Anthropic error envelope) -> OpenAI chat.completion (or OpenAI error
// envelope).
TranslatedBody translate_anthropic_response(std::string_view anthropic_body);

// Anthropic status for an Anthropic error type ("overloaded_error" -> 529, ...): the inverse of
// anthropic_error_type(), used when an Anthropic error must be re-rendered for OpenAI clients.
int status_for_anthropic_error_type(std::string_view type);

// Anthropic Messages stream -> OpenAI chat.completion.chunk stream ("data: {...}\n\n", ending with
// "data: [DONE]\n\n"). Fed the data payload of each Anthropic SSE event (its JSON carries `type`).
class OpenAIStreamFromAnthropic {
public:
    explicit OpenAIStreamFromAnthropic(bool include_usage = true) : include_usage_(include_usage) {}
    // A payload that is not a JSON object sets error() and emits an OpenAI error event.
    void feed(std::string_view data, std::string& out);
    void finish(std::string& out);  // EOF: completes after message_delta, else an error event
    void fail(const ApiError& e, std::string& out);
    bool done() const { return done_; }
    const std::optional<ApiError>& error() const { return error_; }

private:
    void chunk(json::Value delta, std::string_view finish_reason, std::string& out, json::Document& d);
    void end(std::string& out);

    bool include_usage_;
    bool done_ = false;
    bool started_ = false;
    bool finished_ = false;  // message_delta seen
    std::string id_ = "chatcmpl-0", model_;
    std::vector<int> tool_index_of_block_;  // Anthropic block index -> OpenAI tool call index (-1)
    int tools_ = 0;
    TokenUsage usage_;
    std::optional<ApiError> error_;
};

}  // namespace llmgw
