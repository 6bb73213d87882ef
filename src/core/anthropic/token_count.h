// /v1/messages/count_tokens, the pure parts: which tokenizer request(s) to send to the runtime for
// an Anthropic count_tokens body, how to read the answers, and the estimate used when the runtime
// has no tokenizer. Serve does the HTTP calls:
//
//   auto plan = plan_token_count(body, profile);
//   if (!plan.ok()) -> 400 plan.error
//   ChatTokenize / TextTokenize:  POST plan.path plan.body  -> parse_tokenize_count(answer)
//   ApplyTemplateTokenize:        POST plan.path plan.body  -> tokenize_request_from_template(answer)
//                                 POST /tokenize that body   -> parse_tokenize_count(answer)
//   None, or any step failing:    plan.estimate   (header says which source was used)
//   reply render_count_tokens(n)
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "core/api/token_facts.h"  // estimate_tokens_for_openai_request: the estimate
#include "core/backend/backend_profile.h"

namespace llmgw {

struct TokenCountPlan {
    std::optional<ApiError> error;   // the body is not a valid count_tokens request (400)
    TokenizeStyle style = TokenizeStyle::None;
    std::string path;                // first call: "/tokenize" or "/apply-template" ("" for None)
    std::string body;                // its JSON body
    int64_t estimate = 0;            // fallback count, computed up front from the same prompt
    bool ok() const { return !error; }
};

// `model_override`: the runtime's model name when serve rewrites the client's (MODEL_NAME).
// Thinking, tools, tool_use and tool_result content are all part of the counted prompt, because
// the translated chat request is what is tokenised.
TokenCountPlan plan_token_count(std::string_view anthropic_body, const BackendProfile& profile,
                                std::string_view model_override = {});

// llama.cpp: /apply-template answered {"prompt": "..."} -> the /tokenize body
// {"content": prompt, "add_special": true, "parse_special": true}. nullopt if the answer is unusable.
std::optional<std::string> tokenize_request_from_template(std::string_view apply_template_answer);

// A tokenizer answer -> token count. Accepts {"count": N} (vLLM, SGLang), {"tokens": [ids]} or
// {"tokens": [{"id","piece"}]} (llama.cpp), a bare array of ids (TGI: one object per token), and
// {"input_tokens": N} (a runtime's own /v1/messages/count_tokens).
std::optional<int64_t> parse_tokenize_count(std::string_view answer);

// {"input_tokens": N}
std::string render_count_tokens(int64_t input_tokens);

}  // namespace llmgw
