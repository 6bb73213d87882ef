// The pools of replicas serve forwards to, shared by every worker: the routing of the backends
// file in effect (swapped whole on SIGHUP) and each replica's load and passive health. One mutex
// guards the replica states; it is held for a pick or a result, never across I/O.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/routing/backends_file.h"
#include "core/routing/model_router.h"
#include "core/routing/replica_picker.h"
#include "core/routing/replica_stats.h"
#include "core/routing/session_affinity.h"

namespace llmgw::gw {

// One pool's replicas at run time, for one version of the file.
struct PoolRuntime {
    std::string name;
    std::vector<std::string> urls;
    std::vector<uint64_t> ids;  // replica_id(url), for session affinity
    std::vector<ReplicaState> states;
    std::vector<uint64_t> requests, failures;  // attempts sent, attempts failed (connect, reset, timeout, 5xx)
    std::vector<std::string> last_error;
    std::vector<ReplicaStats> stats;  // recent head latency and error rate, time to first token
    uint64_t retries = 0;  // attempts that moved to another replica or the fallback pool
    // Streams' time to first token in the pool, as cumulative counts over
    // GatewayMetrics::ttft_buckets() (the route histogram's bounds: one set of bounds to read).
    std::vector<uint64_t> ttft_buckets;
    uint64_t ttft_count = 0;
    double ttft_sum_s = 0;
};

// A version of the backends file with its replica states.
struct RoutingTable {
    ModelRouter router;
    std::vector<std::shared_ptr<PoolRuntime>> pools;
    explicit RoutingTable(const BackendsConfig& c) : router(c) {}
};

// One attempt's hold on a replica: counted as outstanding until released.
struct ReplicaLease {
    std::shared_ptr<PoolRuntime> pool;
    size_t replica = 0;
    std::string url;  // the replica's base URL (no "/v1")
    explicit operator bool() const { return pool != nullptr; }
};

enum class AttemptOutcome {
    Answered,  // any answer below 500 (4xx is the client's business): the replica is healthy
    Failed,    // refused, reset, timed out, or 5xx: counts toward ejection
    Warming,   // 503 while the runtime loads its model: retried elsewhere, not held against it
    Abandoned, // the client went away first: says nothing about the replica
};

class BackendPools {
public:
    // `from_file`: the pools came from BACKENDS_FILE (merged /v1/models, 404 for unknown models).
    BackendPools(const BackendsConfig& config, bool from_file, EjectionPolicy policy = {});

    bool from_file() const { return from_file_; }
    std::shared_ptr<const RoutingTable> table() const;
    // The ids the replicas of `t`'s pools without a model list listed last (for
    // ModelRouter::resolve); empty until a health check asked, after a reload, and for a table no
    // longer in effect (its pool indexes are not the listing's).
    std::shared_ptr<const ListedModels> listed(const RoutingTable& t) const;
    // What a replica of `pool` in table `t` listed; ignored when `t` is no longer in effect.
    void set_listed(const RoutingTable& t, size_t pool, std::vector<std::string> ids);
    // Swaps in a new version of the file; a replica listed under the same pool and URL keeps its
    // health and counters (its outstanding requests are released against the old version).
    void replace(const BackendsConfig& config);

    // A replica of `pool` not in `tried` (its bit is set on return); an empty lease when all were.
    // `session` (session_hash, 0: none) keeps a conversation on one replica within its load bound.
    ReplicaLease acquire(const RoutingTable& t, size_t pool, ReplicaSet* tried, uint64_t random, uint64_t session = 0);
    // Ends the attempt: outstanding down, health updated. True when this result ejected it.
    bool release(ReplicaLease& lease, AttemptOutcome outcome, std::string_view error = {});
    // An active health check's result: a success re-admits an ejected replica, a failure counts
    // like a failed request. True when it ejected the replica.
    bool record_probe(PoolRuntime& pool, size_t replica, AttemptOutcome outcome, std::string_view error = {});
    void count_retry(const RoutingTable& t, size_t pool);
    // balance: queue: the queue the replica's runtime reported (nullopt: it reported none, which
    // then weighs nothing).
    void record_queue(PoolRuntime& pool, size_t replica, std::optional<uint32_t> depth);
    // The attempt's answer head came `ms` after it started.
    void record_head(const ReplicaLease& lease, double ms);
    // A stream's first token, `seconds` after the client's request.
    void record_ttft(const ReplicaLease& lease, double seconds);

    // Each pool and replica as JSON (for /health) and as Prometheus text (for /metrics).
    std::string health_json(uint64_t now_ns) const;
    // /health's pools with what an operator debugging the routing needs besides (GET
    // /admin/backends): each pool's models and balance, each replica's state, recent latency and
    // error rate, time to first token and the moment its ejection ends.
    std::string admin_json(uint64_t now_ns) const;
    std::string metrics_text(uint64_t now_ns) const;
    // Whether every pool (`any`: at least one pool) has a replica in rotation.
    bool pools_up(uint64_t now_ns, bool any) const;

private:
    bool record(PoolRuntime& rt, size_t replica, AttemptOutcome outcome, std::string_view error);  // mu_ held
    std::string pools_json(uint64_t now_ns, bool admin) const;
    const bool from_file_;
    const EjectionPolicy policy_;
    mutable std::mutex mu_;
    std::shared_ptr<const RoutingTable> table_;
    std::vector<std::vector<std::string>> listed_by_pool_;  // per pool of table_ (kMaxListedIdsPerReplica each)
    std::shared_ptr<const ListedModels> listed_;
};

}  // namespace llmgw::gw
