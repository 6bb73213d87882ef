// OpenAI chat completion response -> Anthropic message (non-streaming /v1/messages).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/anthropic/anthropic_mapping.h"
#include "core/api/api_error.h"

namespace llmgw {

struct AnthropicResponseContext {
    std::string_view model;        // as the client requested it (echoed back, as Anthropic does)
    bool thinking_enabled = false; // reasoning becomes a leading thinking block only then
    std::string_view id_seed;      // serve's request id -> "msg_<seed>"; empty: from the upstream id
};

struct AnthropicResponseTranslation {
    std::optional<ApiError> error;  // upstream body unusable (502) or an in-band upstream error
    std::string body;               // the Anthropic message JSON
    std::string stop_reason;
    TokenUsage usage;               // as reported upstream, for metrics
    bool ok() const { return !error; }
};

// `openai_body` is the runtime's 200 answer to /v1/chat/completions.
AnthropicResponseTranslation translate_openai_response(std::string_view openai_body,
                                                       const AnthropicResponseContext& ctx);

}  // namespace llmgw
