// What tells one conversation from another across its turns, read from a request body the route
// has parsed anyway (session affinity hashes it: core/routing/session_affinity.h). Any API's
// body: OpenAI chat and completions, Anthropic messages, Responses.
#pragma once
#include <cstddef>
#include <string>

#include "core/json/json_value.h"

namespace llmgw {

// The start of a conversation identifies it when nothing else does; 2 KiB of its first messages
// tell conversations apart and stay the same as turns are appended.
inline constexpr size_t kConversationOpeningBytes = 2048;

struct ConversationFacts {
    std::string prompt_cache_key;  // Codex puts its conversation id here
    std::string user;              // "user", else metadata.user_id (Claude Code's carries its session id)
    std::string opening;           // the roles and texts of the first messages (or input), cut at kConversationOpeningBytes
};

// From a parsed request body (an object; anything else gives empty facts).
ConversationFacts read_conversation(const json::Value& body);

}  // namespace llmgw
