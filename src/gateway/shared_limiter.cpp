#include "gateway/shared_limiter.h"

#include "core/limits/shared_rate_limit.h"
#include "gateway/log.h"
#include "net/http_server.h"

namespace llmgw::gw {

namespace {

constexpr uint64_t kFallbackLogIntervalNs = 1'000'000'000;

RateLimitConfig shared_limit_of(const ServeConfig& cfg) {
    return RateLimitConfig{.rpm = cfg.rate_limit_rpm, .burst = cfg.rate_limit_burst};
}

}  // namespace

std::string render_shared_limit_metrics(const SharedLimitStats& s, int workers, LimitFailureMode mode) {
    std::string o;
    o += "# HELP llmgw_redis_up Workers whose Redis connection is up (the shared rate limit is in force on them).\n";
    o += "# TYPE llmgw_redis_up gauge\n";
    o += "llmgw_redis_up " + std::to_string(s.workers_up.load()) + "\n";
    o += "# HELP llmgw_redis_workers Workers, each with its own Redis connection.\n";
    o += "# TYPE llmgw_redis_workers gauge\n";
    o += "llmgw_redis_workers " + std::to_string(workers) + "\n";
    o += "# HELP llmgw_redis_disconnects_total Redis connections lost or dropped (a missed deadline drops one).\n";
    o += "# TYPE llmgw_redis_disconnects_total counter\n";
    o += "llmgw_redis_disconnects_total " + std::to_string(s.disconnects.load()) + "\n";
    o += "# HELP llmgw_ratelimit_shared_total Requests the shared (Redis) rate limit decided.\n";
    o += "# TYPE llmgw_ratelimit_shared_total counter\n";
    o += "llmgw_ratelimit_shared_total " + std::to_string(s.decided_by_redis.load()) + "\n";
    o += "# HELP llmgw_ratelimit_fallback_total Requests decided by RATE_LIMIT_FAILURE_MODE because Redis did not answer in time, was down, or answered an error.\n";
    o += "# TYPE llmgw_ratelimit_fallback_total counter\n";
    const std::string m = failure_mode_name(mode);
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"timeout\"} " + std::to_string(s.fallback_timeout.load()) + "\n";
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"down\"} " + std::to_string(s.fallback_down.load()) + "\n";
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"error\"} " + std::to_string(s.fallback_error.load()) + "\n";
    return o;
}

SharedLimiter::SharedLimiter(uv_loop_t* loop, const ServeConfig& cfg, RateLimiter& local, SharedLimitStats& stats)
    : shared_cfg_(shared_limit_of(cfg)),
      mode_(cfg.rate_limit_failure_mode),
      local_(local),
      stats_(stats),
      client_(loop,
              RedisClientOptions{.endpoint = *cfg.redis,
                                 .deadline_ms = static_cast<uint64_t>(cfg.redis_timeout_ms),
                                 .scripts = {std::string(kGcraScript)}},
              [this](RedisState s) {
                  // Only counters here: this may run inside a hiredis callback.
                  const bool up = s == RedisState::Up;
                  if (up == up_) return;
                  if (!up) stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
                  stats_.workers_up.fetch_add(up ? 1 : -1, std::memory_order_relaxed);
                  up_ = up;
              }) {}

void SharedLimiter::start() { client_.start(); }

void SharedLimiter::close() { client_.close(); }

void SharedLimiter::acquire(const std::string& identity, std::function<void(const LimitVerdict&)> done) {
    client_.call(
        gcra_command(identity, shared_cfg_),
        [this, identity, done = std::move(done)](const RedisOutcome& out) {
            if (out.status == RedisOutcome::Status::Timeout) {
                done(fall_back(identity, stats_.fallback_timeout, "timeout"));
                return;
            }
            if (out.status == RedisOutcome::Status::Unavailable) {
                done(fall_back(identity, stats_.fallback_down, "down"));
                return;
            }
            auto d = parse_gcra_reply(out.reply, shared_cfg_);
            if (!d) {
                done(fall_back(identity, stats_.fallback_error, "error"));
                return;
            }
            stats_.decided_by_redis.fetch_add(1, std::memory_order_relaxed);
            done(LimitVerdict{LimitVerdict::Source::Redis, *d});
        },
        [identity, cfg = shared_cfg_](const RedisValue& err) {
            return is_noscript_error(err) ? gcra_eval_command(identity, cfg) : std::vector<std::string>{};
        });
}

LimitVerdict SharedLimiter::fall_back(const std::string& identity, std::atomic<uint64_t>& reason, const char* why) {
    reason.fetch_add(1, std::memory_order_relaxed);
    ++unlogged_fallbacks_;
    const uint64_t now = net::now_ns();
    if (now - last_fallback_log_ns_ >= kFallbackLogIntervalNs) {
        log_event(spdlog::level::warn, "ratelimit", "shared rate limit unavailable: requests decided by the failure mode",
                  {{"reason", why}, {"mode", failure_mode_name(mode_)}, {"fallbacks", unlogged_fallbacks_},
                   {"redis_state", redis_state_name(client_.state())}, {"error", client_.last_error()}});
        unlogged_fallbacks_ = 0;
        last_fallback_log_ns_ = now;
    }
    LimitVerdict v;
    switch (mode_) {
        case LimitFailureMode::Local:
            v.source = LimitVerdict::Source::Local;
            v.decision = local_.acquire(identity, static_cast<double>(now) / 1e9);
            break;
        case LimitFailureMode::Open:
            v.source = LimitVerdict::Source::Open;
            v.decision.allowed = true;
            break;
        case LimitFailureMode::Closed:
            v.source = LimitVerdict::Source::Closed;
            v.decision.allowed = false;
            v.decision.retry_after_s = 1;
            break;
    }
    return v;
}

}  // namespace llmgw::gw
