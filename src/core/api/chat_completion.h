// Reading what a runtime answers on /v1/chat/completions, for every translator that turns it into
// another API (Anthropic Messages, OpenAI Responses): usage, reasoning text and in-band errors.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/api/api_error.h"
#include "core/json/anthropic_json.h"

namespace llmgw {

// ---- usage -------------------------------------------------------------------------------------
// Token counts in OpenAI terms. Anthropic counts cached prompt tokens apart from input_tokens
// (total prompt = input_tokens + cache_read_input_tokens), so cached tokens are subtracted there,
// not double counted.
struct TokenUsage {
    int64_t prompt_tokens = 0;      // OpenAI prompt_tokens (all of the prompt)
    int64_t completion_tokens = 0;
    int64_t cached_tokens = 0;      // prompt_tokens_details.cached_tokens
    int64_t reasoning_tokens = 0;   // completion_tokens_details.reasoning_tokens
    bool present = false;           // a usage object was seen at all

    int64_t anthropic_input_tokens() const { return prompt_tokens > cached_tokens ? prompt_tokens - cached_tokens : 0; }
};
// Reads an OpenAI usage object; absent or non-object -> present=false. Negative counts read as 0.
TokenUsage usage_from_openai(const ajson::Value* usage);
// Folds a later usage report into `into`. Usage is cumulative: taking the maximum ignores
// LocalAI's all-zero usage on early chunks and works whether it arrives on the finish chunk, in a
// separate final chunk, or on every chunk.
void merge_stream_usage(TokenUsage& into, const TokenUsage& later);
// {"prompt_tokens","completion_tokens","total_tokens","prompt_tokens_details":{"cached_tokens"}}
ajson::Value openai_usage_json(const TokenUsage& u, ajson::Alloc& a);

// The reasoning text of an OpenAI message or delta: `reasoning_content` (llama.cpp, older vLLM,
// SGLang) or `reasoning` (newer vLLM, Ollama). Empty when neither is a string.
std::string_view reasoning_text(const ajson::Value& message_or_delta);

// An OpenAI-shaped error from the runtime's answer inside a 200 body ({"error": ...}), if any.
std::optional<ApiError> inband_upstream_error(const ajson::Value& body, int fallback_status);

}  // namespace llmgw
