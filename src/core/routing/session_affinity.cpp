#include "core/routing/session_affinity.h"

#include <cmath>
#include <functional>

namespace llmgw {

namespace {

// libstdc++'s string hash (MurmurHash2, 8 bytes a step: a 2 KiB opening in 0.5 us of CPU where
// FNV-1a's byte a step took 3.6 us, on the same busy machine); unseeded, so every gateway process
// of a build sends a conversation to the same replica.
uint64_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s); }

// A finaliser (splitmix64): the rendezvous scores of one session over nearby ids stay independent.
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t nonzero(uint64_t h) { return h ? h : 1; }

}  // namespace

uint64_t session_hash(const ConversationFacts& c, std::string_view header_session) {
    if (!c.prompt_cache_key.empty()) return nonzero(hash_of(c.prompt_cache_key));
    if (!header_session.empty()) return nonzero(hash_of(header_session));
    if (!c.user.empty()) return nonzero(hash_of(c.user));
    if (!c.opening.empty()) return nonzero(hash_of(c.opening));
    return 0;
}

uint64_t replica_id(std::string_view url) { return hash_of(url); }

std::optional<size_t> pick_replica_for(std::span<const ReplicaState> replicas, std::span<const uint64_t> ids,
                                       uint64_t session, ReplicaSet tried, uint64_t now_ns, uint64_t random) {
    if (session == 0 || ids.size() != replicas.size()) return pick_replica(replicas, tried, now_ns, random);
    std::optional<size_t> best;
    double best_score = 0;
    uint64_t total_out = 0, total_weight = 0;
    for (size_t i = 0; i < replicas.size() && i < 64; ++i) {
        if ((tried >> i) & 1u || !in_rotation(replicas[i], now_ns)) continue;
        const uint32_t w = replicas[i].weight ? replicas[i].weight : 1;
        total_out += load(replicas[i]);
        total_weight += w;
        // Weighted rendezvous: w / -ln(u), u uniform in (0, 1) from the pair's hash.
        const double u = (static_cast<double>(mix(session ^ ids[i]) >> 11) + 0.5) * 0x1.0p-53;
        const double score = w / -std::log(u);
        if (!best || score > best_score) {
            best = i;
            best_score = score;
        }
    }
    if (!best) return pick_replica(replicas, tried, now_ns, random);
    // Bounded load: with this request, at most ceil(factor x its weighted share of all requests).
    const double share = static_cast<double>(total_out + 1) * (replicas[*best].weight ? replicas[*best].weight : 1) /
                         static_cast<double>(total_weight);
    if (static_cast<double>(load(replicas[*best]) + 1) <= std::ceil(kAffinityLoadFactor * share)) return best;
    // Over its bound: the least loaded of two others takes this turn.
    auto other = pick_replica(replicas, tried | (ReplicaSet{1} << *best), now_ns, random);
    return other ? other : best;
}

}  // namespace llmgw
