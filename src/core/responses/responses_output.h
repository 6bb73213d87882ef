// What both the streamed and the non-streamed translation of a runtime's chat completion into a
// Responses `response` object need to know about the request, and the ids they make up.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/responses/responses_request.h"
#include "core/responses/responses_tools.h"

namespace llmgw {

struct ResponsesOutputContext {
    std::string model;            // as the client requested it (echoed back)
    std::string id_seed;          // serve's request id -> "resp_<seed>", items "msg_<seed>_<n>", ...
    int64_t created_at = 0;       // unix seconds, from the caller's clock
    std::string response_echo;    // ResponsesRequestFacts::response_echo (a JSON object; empty: none)
    ResponsesToolNames tools;     // ResponsesRequestFacts::tools, to map calls back
    bool reasoning_summary = false;  // reasoning as summary_text (else reasoning_text content)
    // Set (with include_encrypted_reasoning) to give reasoning items an `encrypted_content`.
    ReasoningSealer seal;
    bool include_encrypted_reasoning = false;
};

// "resp_<seed chars>" ("resp_0" for an empty seed).
std::string make_response_id(std::string_view seed);
// "<prefix>_<seed chars>_<n>": msg_, fc_, ctc_, rs_ item ids and call_ call ids.
std::string make_item_id(std::string_view prefix, std::string_view seed, size_t n);

}  // namespace llmgw
