// The request limit shared by the replicas through Redis (REDIS_URL), on one worker: one GCRA
// script call per request over the worker's own pipelined connection, and the failure policy
// (RATE_LIMIT_FAILURE_MODE) when Redis is slow or down. Every fallback is counted (metrics,
// /health) and logged; nothing falls back silently. See docs/LIMITS.md.
#pragma once
#include <uv.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/limits/token_budget.h"
#include "core/limits/usage_ledger.h"
#include "core/ops/config.h"
#include "core/ops/rate_limiter.h"
#include "gateway/redis_client.h"
#include "net/timer.h"

namespace llmgw::gw {

// Process-wide counters, written by every worker's limiter, read by /metrics and /health.
struct SharedLimitStats {
    std::atomic<int64_t> workers_up{0};        // workers whose connection is up
    std::atomic<uint64_t> decided_by_redis{0};  // requests the shared limit decided
    std::atomic<uint64_t> fallback_timeout{0};  // no reply within REDIS_TIMEOUT_MS
    std::atomic<uint64_t> fallback_down{0};     // no connection (down, connecting, overloaded)
    std::atomic<uint64_t> fallback_error{0};    // an error or unreadable reply
    std::atomic<uint64_t> disconnects{0};       // connections lost or dropped
    std::atomic<uint64_t> tokens_by_redis{0};   // token reservations the shared budget decided
    std::atomic<uint64_t> lost_writes{0};       // settles and ledger records Redis did not take
    uint64_t fallbacks() const { return fallback_timeout + fallback_down + fallback_error; }
};

// Prometheus text of the counters (appended to /metrics when REDIS_URL is set).
std::string render_shared_limit_metrics(const SharedLimitStats& s, int workers, LimitFailureMode mode);

struct LimitVerdict {
    enum class Source { Redis, Local, Open, Closed };
    Source source = Source::Redis;
    RateLimitDecision decision;  // Redis and Local: the decision; Open: allowed; Closed: refused
};

struct TokenVerdict {
    LimitVerdict::Source source = LimitVerdict::Source::Redis;  // where it was reserved (and is settled)
    TokenDecision decision;
};

class LocalTokenStore;
class LocalLedgerStore;

class SharedLimiter {
public:
    // `local` is the process's in-process limiter, configured with the fallback limit.
    // `local_tokens` and `local_ledger`: the process's own budgets (the fallback share) and ledger.
    SharedLimiter(uv_loop_t* loop, const ServeConfig& cfg, RateLimiter& local, LocalTokenStore& local_tokens,
                  LocalLedgerStore& local_ledger, SharedLimitStats& stats);
    void start();
    // Decides one request of `identity`. `done` runs once, from the loop (never inside acquire),
    // at the latest REDIS_TIMEOUT_MS later.
    void acquire(const std::string& identity, std::function<void(const LimitVerdict&)> done);
    // Reserves `n` tokens of `identity`'s `budget` (TOKEN_LIMIT_TPM or its key's own), under the
    // same failure mode and deadline as acquire().
    void reserve_tokens(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
                        std::function<void(const TokenVerdict&)> done);
    // Both at once (RATE_LIMIT_ENABLED and a token budget): one round trip. On a fallback each is
    // decided by the failure mode as acquire() and reserve_tokens() would.
    void admit(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
               std::function<void(const LimitVerdict&, const TokenVerdict&)> done);
    // Settles a reservation made in Redis with `budget` by `delta` tokens (negative: a refund).
    // Not waited for: settles are summed per identity and budget and held for the identity's next
    // reservation, which carries them in its own call (applied before it is decided); what
    // nothing carries within kSettleHoldMs (shared_limiter.cpp) is sent alone, one call per
    // identity. A settle Redis does not take is counted (lost_writes).
    void settle_tokens(const std::string& identity, int64_t delta, const TokenBudgetConfig& budget);
    // Adds a finished request to the shared ledger, gathered with the worker's others for up to
    // kUsageSendIntervalMs (shared_limiter.cpp) and sent as one command; what Redis does not take
    // goes to the local ledger. close() sends what is gathered.
    void record_usage(const UsageRecord& r, int64_t now_unix_s);
    // The ledger's buckets of `q` (one HGETALL each, pipelined) as GET /admin/usage's JSON; the
    // local ledger's when Redis does not answer (its "source" says which).
    void read_usage(const UsageQuery& q, std::function<void(std::string json)> done);
    void close();
    RedisState state() const { return client_.state(); }
    const std::string& last_error() const { return client_.last_error(); }

private:
    LimitVerdict fall_back(const std::string& identity, std::atomic<uint64_t>& reason, const char* why);
    // The failure mode's answer for a token reservation.
    TokenVerdict fall_back_tokens(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
                                  std::atomic<uint64_t>& reason, const char* why);
    // Counts and logs one fallback (at most one line a second).
    void note_fallback(std::atomic<uint64_t>& reason, const char* why);
    std::atomic<uint64_t>& reason_of(const RedisOutcome& out);
    void send_usage();    // the gathered records, as one command
    void send_settles();  // every held settle, one call each
    // The held settle of `identity` with `budget`, taken for a reservation to carry (0: none).
    int64_t take_settle(const std::string& identity, const TokenBudgetConfig& budget);
    void count_lost_settle(int64_t carried, const RedisOutcome& out);

    const RateLimitConfig shared_cfg_;
    const LimitFailureMode mode_;
    RateLimiter& local_;
    LocalTokenStore& local_tokens_;
    LocalLedgerStore& local_ledger_;
    SharedLimitStats& stats_;
    RedisClient client_;
    bool up_ = false;
    UsageBatch usage_batch_;
    net::Timer usage_send_timer_;
    bool usage_send_armed_ = false;
    struct PendingSettle {
        std::string identity;
        TokenBudgetConfig budget;
        int64_t delta = 0;
    };
    std::vector<PendingSettle> settles_;  // held; at most kMaxPendingSettles (shared_limiter.cpp)
    net::Timer settle_timer_;
    // Fallback log lines: the first of an outage at once, then one a second with the count, so a
    // busy gateway with Redis down logs every fallback without a line per request.
    uint64_t unlogged_fallbacks_ = 0;
    uint64_t last_fallback_log_ns_ = 0;
};

}  // namespace llmgw::gw
