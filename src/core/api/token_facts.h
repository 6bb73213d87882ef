// What a token budget reserves for a request, read from a parsed body: the prompt as
// /v1/messages/count_tokens estimates it (for a chat completion request) and the output limit the
// client asked for. A route that has parsed the body reads them in the same parse
// (inspect_request_body), so the budget does not parse it again.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/json/json_value.h"

namespace llmgw {

// The most tokens one count is taken for: a client's max_tokens, a runtime's reported usage. No
// request comes near a trillion tokens, and under this bound the reservation, settle and ledger
// sums cannot overflow (a max_tokens of INT64_MAX once wrapped the reservation negative, which
// admitted the request whatever the budget had left).
inline constexpr int64_t kMaxCountedTokens = 1'000'000'000'000;

struct TokenFacts {
    int64_t prompt_estimate = 0;               // estimate_tokens_for_openai_request of the body
    std::optional<int64_t> requested_output;   // requested_output_tokens of the body
};

// The estimate: ceil(bytes / 3) over the text of a chat completion request (message text, tool
// call names and arguments, ids), tool definitions as JSON at 2 bytes per token, 1600 tokens per
// image, plus template overhead: 8 per message, 8 for the generation prompt, 150 for the
// tool-calling preamble when there are tools and 16 per tool. Real BPE tokenizers average about 4
// bytes per token on English and code, so this overcounts on purpose: a client deciding when to
// compact its context is harmed by an undercount, not by a margin. Text that is not JSON counts
// at 3 bytes a token over all of it.
int64_t estimate_tokens_for_openai_request(const json::Value& request);
int64_t estimate_tokens_for_openai_request(std::string_view openai_request_json);

// The output tokens a request asks for: max_tokens, max_completion_tokens or max_output_tokens of
// the body's top level (the first present), within [0, kMaxCountedTokens]; nullopt when none (or
// the body is not a JSON object, read under the JSON policy).
std::optional<int64_t> requested_output_tokens(const json::Value& request);
std::optional<int64_t> requested_output_tokens(std::string_view body);

// What a route reads for a token budget. The prompt estimate applies to a chat completion
// request only (any other body is counted at 3 bytes a token over the whole body), and walks every
// message and serializes every tool schema, so it is read only for those.
enum class TokenRead { None, OutputLimit, ChatPrompt };  // ChatPrompt: the output limit too

inline TokenFacts read_token_facts(const json::Value& request, TokenRead what = TokenRead::ChatPrompt) {
    return {what == TokenRead::ChatPrompt ? estimate_tokens_for_openai_request(request) : 0,
            requested_output_tokens(request)};
}

}  // namespace llmgw
