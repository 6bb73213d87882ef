// What serve must know about a Responses request before translating it: the previous response
// to look up (its items go to the translator), and whether the request could be handed to a
// runtime's own /v1/responses (RESPONSES_MODE=auto) without losing anything only the gateway
// has: its store (store is not false, previous_response_id) and its sealed reasoning (include
// reasoning.encrypted_content, or an input item carrying encrypted_content).
#pragma once
#include <string>
#include <string_view>

#include "core/api/conversation_facts.h"
#include "core/responses/response_store.h"

namespace llmgw {

struct ResponsesPreflight {
    bool ok = false;  // a JSON object within the nesting limit; else the translator reports why
    std::string model;
    bool stream = false;
    std::string previous_response_id;  // empty when absent or not a string (the translator refuses the latter)
    bool stateless = false;            // nothing above needs the gateway's own state
    ConversationFacts conversation;    // prompt_cache_key and input, for session affinity (the
                                       // translation leaves prompt_cache_key out)
};

ResponsesPreflight preflight_responses_request(std::string_view body);

// A stored response's conversation as previous_items for the next request: its input items,
// then its output items, as one JSON array.
std::string conversation_items(const StoredResponse& r);

}  // namespace llmgw
