// Reads the few fields the gateway needs from a client's JSON body, and edits bodies surgically
// (inserting a member after the opening brace) so unknown fields pass through byte for byte.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/api/conversation_facts.h"
#include "core/api/token_facts.h"

namespace llmgw {

struct RequestFacts {
    bool ok = false;            // valid JSON object, nesting within json::kMaxDepth, model a string
    std::string error;          // why not, with the byte offset
    std::string error_param;    // the offending field ("model"), empty for a body that is not JSON
    std::string model;          // empty when absent
    bool has_model = false;
    bool stream = false;
    bool has_stream_options = false;  // present as an object
    bool include_usage = false;  // client asked for usage in the stream
    ConversationFacts conversation;  // for session affinity, read in the same parse
    std::optional<TokenFacts> tokens;  // unless TokenRead::None: for a token budget, in the same parse
};

RequestFacts inspect_request_body(std::string_view body, TokenRead read_tokens = TokenRead::None);

// Inserts `"key":raw_value` as the first member of the top-level object. `body` must be a JSON
// object (inspect_request_body(...).ok).
std::string insert_member(std::string_view body, std::string_view key, std::string_view raw_value);

// Returns the body with stream_options.include_usage set to true, edited in place: a
// stream_options that is not an object (null) is replaced, never shadowed by a second member; a
// key the client repeated is set in every occurrence.
std::string with_include_usage(std::string_view body, const RequestFacts& facts);

// A JSON string literal for `s`, quotes included.
std::string json_quote(std::string_view s);

}  // namespace llmgw
