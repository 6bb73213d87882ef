// What serve learns about its backend by asking it (the same identification `llmgw probe` uses):
// which runtime answers, and the model's context length, so max_tokens can be clamped to what
// the model can give instead of failing.
#pragma once
#include <cstdint>
#include <string_view>

namespace llmgw {

// Context length of `model` (or of the first model, when `model` is empty or not listed) from a
// GET /v1/models answer: vLLM/SGLang `max_model_len`, llama.cpp `meta.n_ctx`, LM Studio
// `max_context_length`. 0 when the answer says nothing.
int64_t context_length_from_models(std::string_view models_body, std::string_view model);
// llama.cpp GET /props: default_generation_settings.n_ctx (or top-level n_ctx). 0 when absent.
int64_t context_length_from_props(std::string_view props_body);

// The max_tokens cap for one request: the configured cap wins; otherwise the context length less
// an over-estimate of the prompt, never below 1. 0 = no cap known.
int64_t max_tokens_cap(int64_t configured_cap, int64_t context_length, int64_t prompt_estimate);

}  // namespace llmgw
