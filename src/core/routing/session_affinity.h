// Session affinity: the turns of one conversation go to the replica that holds its prompt prefix
// in cache (one user measured 360 ms against 3,550 ms a turn with and without), unless that
// replica already carries more than its share of the pool's load.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/api/conversation_facts.h"
#include "core/routing/replica_picker.h"

namespace llmgw {

// A replica may take a sticky request while its outstanding requests stay within this factor of
// its weighted share of the pool's ("consistent hashing with bounded loads", where 1.25 keeps
// most sessions in place and no replica more than a quarter above its share).
inline constexpr double kAffinityLoadFactor = 1.25;
// The conversation key of a request, first present of: the body's prompt_cache_key (Codex puts
// its conversation id there), the x-session-id / session-id header (`header_session`), the body's
// user (or Anthropic metadata.user_id: Claude Code's carries its session id), the opening of its
// messages (or Responses input). The facts come from the route's own parse of the body, so
// affinity costs no second reading of a large request. 0 when there is nothing to stick to.
uint64_t session_hash(const ConversationFacts& conversation, std::string_view header_session);

// A stable 64-bit id for a replica (its URL), the other half of the rendezvous hash.
uint64_t replica_id(std::string_view url);

// The session's replica by rendezvous hashing (weighted) among those in rotation and not tried,
// when its load allows; else pick_replica's power of two choices among the others. `session` 0:
// no affinity.
std::optional<size_t> pick_replica_for(std::span<const ReplicaState> replicas, std::span<const uint64_t> ids,
                                       uint64_t session, ReplicaSet tried, uint64_t now_ns, uint64_t random);

}  // namespace llmgw
