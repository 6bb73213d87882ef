// OpenAI Responses request (POST /v1/responses) -> OpenAI chat completion request for the runtime.
// Pure: a body in; the chat body, the facts the route needs and the tool name map out; or one 400
// naming the offending field path ("input.2.content.0.type: ..."). What happens to each field,
// item, part and tool type is decided by responses_table.h.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/token_facts.h"
#include "core/backend/backend_profile.h"
#include "core/responses/responses_tools.h"

namespace llmgw {

// Turns a sealed `encrypted_content` blob back into the reasoning text it was made from; nullopt
// when the blob is not one this gateway sealed (or was tampered with): that reasoning is dropped.
using ReasoningUnsealer = std::function<std::optional<std::string>(std::string_view sealed)>;
// Seals reasoning text into an opaque `encrypted_content` blob (the inverse of the unsealer).
using ReasoningSealer = std::function<std::string(std::string_view reasoning_text)>;

inline constexpr std::string_view kIncludeEncryptedReasoning = "reasoning.encrypted_content";

struct ResponsesRequestOptions {
    const BackendProfile& profile;   // stream usage and the thinking switch
    int64_t max_tokens_cap = 0;      // when > 0: clamp max_output_tokens to this, the limit when absent
    bool stream_usage = true;        // ask for stream_options.include_usage (if the profile allows)
    // previous_response_id resolved by the caller: the stored conversation before this request (its
    // input items, then its output items) as a JSON array, prepended to `input`. Empty: none.
    std::string_view previous_items = {};
    // Restores reasoning from `encrypted_content`; empty: such blobs are ignored.
    ReasoningUnsealer unseal = {};
    // Seeds ids for input items that came without one ("msg_<seed>_in<n>", in input_items).
    std::string_view id_seed = {};
    bool read_tokens = false;  // fill the translation's token facts (a token budget applies)
};

// What the route needs besides the chat body.
struct ResponsesRequestFacts {
    std::string model;                   // as the client asked for it
    bool stream = false;
    bool store = true;                   // the Responses API stores by default
    std::string previous_response_id;    // empty when absent
    bool include_encrypted_reasoning = false;  // include has reasoning.encrypted_content
    bool reasoning_summary = false;      // reasoning.summary set: reasoning streams as summary text
    int64_t max_output_tokens = 0;       // after clamping (the cap when absent); 0 when absent, no cap
    bool max_output_tokens_clamped = false;
    std::vector<std::string> dropped_tools;   // hosted tool types left out ("web_search"), in order, unique
    std::vector<std::string> ignored_fields;  // top-level fields and include values without effect
    ResponsesToolNames tools;            // runtime function name <-> client tool
    // The request parameters the response object echoes (instructions, max_output_tokens, metadata,
    // parallel_tool_calls, previous_response_id, reasoning, store, temperature, text, tool_choice,
    // tools, top_p, truncation, user), as a JSON object.
    std::string response_echo;
    // This request's `input` as a JSON array of items (a string input becomes one user message;
    // items without an id get one): what GET /v1/responses/{id}/input_items lists.
    std::string input_items;
};

struct ResponsesRequestTranslation {
    std::optional<ApiError> error;  // set: a 400 invalid_request_error naming the field; nothing else is meaningful
    std::string body;               // OpenAI /v1/chat/completions JSON
    ResponsesRequestFacts facts;
    std::optional<TokenFacts> tokens;  // with opts.read_tokens: the body's, read from its DOM
    bool ok() const { return !error; }
};

ResponsesRequestTranslation translate_responses_request(std::string_view body, const ResponsesRequestOptions& opts);

}  // namespace llmgw
