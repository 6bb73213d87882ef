#include "core/routing/replica_picker.h"

#include <algorithm>

namespace llmgw {

namespace {

bool tried_already(ReplicaSet tried, size_t i) { return i < 64 && (tried >> i) & 1u; }

// Index of the candidate holding the `ticket`-th unit of weight.
size_t draw_by_weight(std::span<const ReplicaState> replicas, std::span<const size_t> candidates, uint64_t total,
                      uint64_t ticket) {
    uint64_t t = ticket % total;
    for (size_t c : candidates) {
        if (t < replicas[c].weight) return c;
        t -= replicas[c].weight;
    }
    return candidates.back();
}

}  // namespace

bool in_rotation(const ReplicaState& r, uint64_t now_ns) { return r.ejected_until_ns <= now_ns; }

std::optional<size_t> pick_replica(std::span<const ReplicaState> replicas, ReplicaSet tried, uint64_t now_ns,
                                   uint64_t random) {
    size_t candidates[64];
    size_t n = 0;
    uint64_t total = 0;
    std::optional<size_t> soonest;  // among untried ejected replicas
    for (size_t i = 0; i < replicas.size() && i < 64; ++i) {
        if (tried_already(tried, i)) continue;
        if (!in_rotation(replicas[i], now_ns)) {
            if (!soonest || replicas[i].ejected_until_ns < replicas[*soonest].ejected_until_ns) soonest = i;
            continue;
        }
        candidates[n++] = i;
        total += std::max<uint32_t>(replicas[i].weight, 1);
    }
    if (n == 0) return soonest;
    if (n == 1) return candidates[0];
    std::span<const size_t> cs(candidates, n);
    size_t a = draw_by_weight(replicas, cs, total, random & 0xffffffffu);
    size_t b = draw_by_weight(replicas, cs, total, random >> 32);
    // Load per unit of weight, compared without division: a.out/a.w < b.out/b.w.
    auto load_less = [&](size_t x, size_t y) {
        return load(replicas[x]) * std::max<uint32_t>(replicas[y].weight, 1) <
               load(replicas[y]) * std::max<uint32_t>(replicas[x].weight, 1);
    };
    return load_less(b, a) ? b : a;
}

void record_success(ReplicaState& r) {
    r.consecutive_failures = 0;
    r.ejections = 0;
    r.ejected_until_ns = 0;
}

bool record_failure(ReplicaState& r, uint64_t now_ns, const EjectionPolicy& policy) {
    ++r.consecutive_failures;
    // A trial request after the cool-down failed: straight back out, for longer.
    bool trial = r.ejected_until_ns != 0;
    if (!trial && r.consecutive_failures < policy.failures_to_eject) return false;
    uint64_t cooldown = policy.base_cooldown_ns;
    for (uint32_t i = 0; i < r.ejections && cooldown < policy.max_cooldown_ns; ++i) cooldown *= 2;
    cooldown = std::min(cooldown, policy.max_cooldown_ns);
    r.ejected_until_ns = now_ns + cooldown;
    ++r.ejections;
    ++r.total_ejections;
    return true;
}

}  // namespace llmgw
