// Choosing a replica inside a pool, and the passive health that keeps a failing one out of
// rotation. Pure state and arithmetic: the caller owns the states, the clock and the randomness.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace llmgw {

struct ReplicaState {
    uint32_t weight = 1;
    uint32_t outstanding = 0;           // requests sent and not finished
    uint32_t queued = 0;                // the runtime's own queue (balance: queue; runtime_queue.h), else 0
    uint32_t consecutive_failures = 0;  // connect failures, resets, timeouts and 5xx in a row
    uint32_t ejections = 0;             // consecutive ejections: the back-off's exponent
    uint64_t ejected_until_ns = 0;      // 0: in rotation
    uint64_t total_ejections = 0;       // for metrics
};

struct EjectionPolicy {
    // Failures in a row before a replica leaves rotation: one refused connection can be a
    // restart's blip; two mean the requests after it would fail too.
    uint32_t failures_to_eject = 2;
    // The first cool-down; each ejection in a row doubles it, up to max_cooldown_ns, so a dead
    // replica costs a trial request every few minutes rather than every few seconds.
    uint64_t base_cooldown_ns = 5'000'000'000ull;
    uint64_t max_cooldown_ns = 300'000'000'000ull;
};

// A bitmask of replica indexes a request has tried already (kMaxReplicasPerPool is 64).
using ReplicaSet = uint64_t;

// What a replica carries: our requests in flight plus what its runtime says is waiting.
inline uint64_t load(const ReplicaState& r) { return uint64_t{r.outstanding} + r.queued; }

// Whether the replica takes traffic now (never ejected, or its cool-down is over: it gets a
// trial request, and its next result decides).
bool in_rotation(const ReplicaState& r, uint64_t now_ns);

// Power of two choices: two replicas drawn by weight among those in rotation and not tried, and
// the one with less load per unit of weight wins. When every untried replica is
// ejected, the one whose cool-down ends first (better a likely failure than a certain one).
// nullopt when every replica has been tried. `random` is 64 fresh random bits.
std::optional<size_t> pick_replica(std::span<const ReplicaState> replicas, ReplicaSet tried, uint64_t now_ns,
                                   uint64_t random);

// A successful answer (any status below 500, 4xx included: the client's fault, not the replica's):
// the replica is back in rotation with its back-off reset.
void record_success(ReplicaState& r);
// A connect failure, reset, timeout or 5xx. True when this failure ejected the replica.
bool record_failure(ReplicaState& r, uint64_t now_ns, const EjectionPolicy& policy);

}  // namespace llmgw
