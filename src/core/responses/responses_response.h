// OpenAI chat completion (non-streamed) -> OpenAI Responses `response` object: the same object
// the streamed translation's terminal event carries, status "completed" or "incomplete".
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "core/api/chat_completion.h"
#include "core/responses/responses_output.h"

namespace llmgw {

struct ResponsesResponseTranslation {
    std::optional<ApiError> error;  // upstream body unusable (502) or an in-band upstream error
    std::string body;               // the `response` object JSON
    std::string output_items;       // its `output` array, for the store
    std::string status;             // completed | incomplete
    TokenUsage usage;               // as reported upstream, for metrics
    bool ok() const { return !error; }
};

// `chat_body` is the runtime's 200 answer to /v1/chat/completions.
ResponsesResponseTranslation translate_chat_to_response(std::string_view chat_body, const ResponsesOutputContext& ctx);

// The `response` object of a request that failed before or while the runtime answered (status
// "failed", `error` {code, message}), for a store entry or a non-streamed failure body.
std::string failed_response_json(const ResponsesOutputContext& ctx, const ApiError& e);

}  // namespace llmgw
