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

#include "core/ops/config.h"
#include "core/ops/rate_limiter.h"
#include "gateway/redis_client.h"

namespace llmgw::gw {

// Process-wide counters, written by every worker's limiter, read by /metrics and /health.
struct SharedLimitStats {
    std::atomic<int64_t> workers_up{0};        // workers whose connection is up
    std::atomic<uint64_t> decided_by_redis{0};  // requests the shared limit decided
    std::atomic<uint64_t> fallback_timeout{0};  // no reply within REDIS_TIMEOUT_MS
    std::atomic<uint64_t> fallback_down{0};     // no connection (down, connecting, overloaded)
    std::atomic<uint64_t> fallback_error{0};    // an error or unreadable reply
    std::atomic<uint64_t> disconnects{0};       // connections lost or dropped
    uint64_t fallbacks() const { return fallback_timeout + fallback_down + fallback_error; }
};

// Prometheus text of the counters (appended to /metrics when REDIS_URL is set).
std::string render_shared_limit_metrics(const SharedLimitStats& s, int workers, LimitFailureMode mode);

struct LimitVerdict {
    enum class Source { Redis, Local, Open, Closed };
    Source source = Source::Redis;
    RateLimitDecision decision;  // Redis and Local: the decision; Open: allowed; Closed: refused
};

class SharedLimiter {
public:
    // `local` is the process's in-process limiter, configured with the fallback limit.
    SharedLimiter(uv_loop_t* loop, const ServeConfig& cfg, RateLimiter& local, SharedLimitStats& stats);
    void start();
    // Decides one request of `identity`. `done` runs once, from the loop (never inside acquire),
    // at the latest REDIS_TIMEOUT_MS later.
    void acquire(const std::string& identity, std::function<void(const LimitVerdict&)> done);
    void close();
    RedisState state() const { return client_.state(); }
    const std::string& last_error() const { return client_.last_error(); }

private:
    LimitVerdict fall_back(const std::string& identity, std::atomic<uint64_t>& reason, const char* why);

    const RateLimitConfig shared_cfg_;
    const LimitFailureMode mode_;
    RateLimiter& local_;
    SharedLimitStats& stats_;
    RedisClient client_;
    bool up_ = false;
    // Fallback log lines: the first of an outage at once, then one a second with the count, so a
    // busy gateway with Redis down logs every fallback without a line per request.
    uint64_t unlogged_fallbacks_ = 0;
    uint64_t last_fallback_log_ns_ = 0;
};

}  // namespace llmgw::gw
