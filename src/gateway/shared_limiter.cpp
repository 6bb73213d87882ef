#include "gateway/shared_limiter.h"

#include "core/limits/redis_command.h"
#include "core/limits/shared_rate_limit.h"
#include "gateway/local_usage.h"
#include "gateway/log.h"
#include "net/http_server.h"

namespace llmgw::gw {

namespace {

constexpr uint64_t kFallbackLogIntervalNs = 1'000'000'000;
// How long a worker gathers finished requests before it adds them to the shared ledger in one
// command: at a few hundred requests a second and more, the ledger costs one call per interval
// instead of one per request; /admin/usage lags by at most this.
constexpr uint64_t kUsageSendIntervalMs = 100;
// How long a finished request's settle waits for its key's next reservation, which carries it in
// the same call (applied first); a settle nothing carries by then is sent alone. So a key in use
// costs one call a request, and a refund reaches the other replicas at most this late.
constexpr uint64_t kSettleHoldMs = 100;
// Distinct identities whose settles are held at most; past it they are sent at once.
constexpr size_t kMaxPendingSettles = 64;

RateLimitConfig shared_limit_of(const ServeConfig& cfg) {
    return RateLimitConfig{.rpm = cfg.rate_limit_rpm, .burst = cfg.rate_limit_burst};
}

// The `reason` label of a fallback.
const char* redis_outcome_reason(const RedisOutcome& out) {
    switch (out.status) {
        case RedisOutcome::Status::Timeout: return "timeout";
        case RedisOutcome::Status::Unavailable: return "down";
        case RedisOutcome::Status::Reply: break;
    }
    return "error";
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
    o += "# HELP llmgw_tokenlimit_shared_total Token reservations the shared (Redis) budget decided.\n";
    o += "# TYPE llmgw_tokenlimit_shared_total counter\n";
    o += "llmgw_tokenlimit_shared_total " + std::to_string(s.tokens_by_redis.load()) + "\n";
    o += "# HELP llmgw_redis_lost_writes_total Token settles and usage records Redis did not take (down, late or an error); usage records go to the local ledger instead.\n";
    o += "# TYPE llmgw_redis_lost_writes_total counter\n";
    o += "llmgw_redis_lost_writes_total " + std::to_string(s.lost_writes.load()) + "\n";
    o += "# HELP llmgw_ratelimit_fallback_total Limit decisions (requests and token reservations) made by RATE_LIMIT_FAILURE_MODE because Redis did not answer in time, was down, or answered an error.\n";
    o += "# TYPE llmgw_ratelimit_fallback_total counter\n";
    const std::string m = failure_mode_name(mode);
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"timeout\"} " + std::to_string(s.fallback_timeout.load()) + "\n";
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"down\"} " + std::to_string(s.fallback_down.load()) + "\n";
    o += "llmgw_ratelimit_fallback_total{mode=\"" + m + "\",reason=\"error\"} " + std::to_string(s.fallback_error.load()) + "\n";
    return o;
}

SharedLimiter::SharedLimiter(uv_loop_t* loop, const ServeConfig& cfg, RateLimiter& local,
                             LocalTokenStore& local_tokens, LocalLedgerStore& local_ledger, SharedLimitStats& stats)
    : shared_cfg_(shared_limit_of(cfg)),
      mode_(cfg.rate_limit_failure_mode),
      local_(local),
      local_tokens_(local_tokens),
      local_ledger_(local_ledger),
      stats_(stats),
      client_(loop,
              RedisClientOptions{.endpoint = *cfg.redis,
                                 .deadline_ms = static_cast<uint64_t>(cfg.redis_timeout_ms),
                                 .scripts = {std::string(kGcraScript), std::string(kTokenBudgetScript),
                                             std::string(kAdmitScript), std::string(kUsageLedgerScript)}},
              [this](RedisState s) {
                  // Only counters here: this may run inside a hiredis callback.
                  const bool up = s == RedisState::Up;
                  if (up == up_) return;
                  if (!up) stats_.disconnects.fetch_add(1, std::memory_order_relaxed);
                  stats_.workers_up.fetch_add(up ? 1 : -1, std::memory_order_relaxed);
                  up_ = up;
              }),
      usage_send_timer_(loop),
      settle_timer_(loop) {}

void SharedLimiter::start() { client_.start(); }

void SharedLimiter::close() {
    send_settles();  // queued in the client, which writes what it holds as it closes
    send_usage();
    client_.close();
}

void SharedLimiter::acquire(const std::string& identity, std::function<void(const LimitVerdict&)> done) {
    client_.call(
        gcra_command(identity, shared_cfg_),
        [this, identity, done = std::move(done)](const RedisOutcome& out) {
            auto d = out.status == RedisOutcome::Status::Reply ? parse_gcra_reply(out.reply, shared_cfg_) : std::nullopt;
            if (!d) {
                done(fall_back(identity, reason_of(out), redis_outcome_reason(out)));
                return;
            }
            stats_.decided_by_redis.fetch_add(1, std::memory_order_relaxed);
            done(LimitVerdict{LimitVerdict::Source::Redis, *d});
        });
}

std::atomic<uint64_t>& SharedLimiter::reason_of(const RedisOutcome& out) {
    switch (out.status) {
        case RedisOutcome::Status::Timeout: return stats_.fallback_timeout;
        case RedisOutcome::Status::Unavailable: return stats_.fallback_down;
        case RedisOutcome::Status::Reply: break;
    }
    return stats_.fallback_error;
}

void SharedLimiter::reserve_tokens(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
                                   std::function<void(const TokenVerdict&)> done) {
    const int64_t carried = take_settle(identity, budget);
    client_.call(
        token_reserve_command(identity, n, budget, carried),
        [this, identity, n, budget, carried, done = std::move(done)](const RedisOutcome& out) {
            auto d = out.status == RedisOutcome::Status::Reply ? parse_token_reply(out.reply, n, budget) : std::nullopt;
            if (!d) {
                count_lost_settle(carried, out);
                done(fall_back_tokens(identity, n, budget, reason_of(out), redis_outcome_reason(out)));
                return;
            }
            stats_.tokens_by_redis.fetch_add(1, std::memory_order_relaxed);
            done(TokenVerdict{LimitVerdict::Source::Redis, *d});
        });
}

void SharedLimiter::admit(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
                          std::function<void(const LimitVerdict&, const TokenVerdict&)> done) {
    const int64_t carried = take_settle(identity, budget);
    client_.call(
        admit_command(identity, shared_cfg_, n, budget, carried),
        [this, identity, n, budget, carried, done = std::move(done)](const RedisOutcome& out) {
            auto d = out.status == RedisOutcome::Status::Reply ? parse_admit_reply(out.reply, shared_cfg_, n, budget)
                                                               : std::nullopt;
            if (!d) {
                count_lost_settle(carried, out);
                const LimitVerdict r = fall_back(identity, reason_of(out), redis_outcome_reason(out));
                if (!r.decision.allowed) {
                    done(r, TokenVerdict{r.source, {}});
                    return;
                }
                done(r, fall_back_tokens(identity, n, budget, reason_of(out), redis_outcome_reason(out)));
                return;
            }
            stats_.decided_by_redis.fetch_add(1, std::memory_order_relaxed);
            if (d->requests.allowed) stats_.tokens_by_redis.fetch_add(1, std::memory_order_relaxed);
            done(LimitVerdict{LimitVerdict::Source::Redis, d->requests}, TokenVerdict{LimitVerdict::Source::Redis, d->tokens});
        });
}

void SharedLimiter::settle_tokens(const std::string& identity, int64_t delta, const TokenBudgetConfig& budget) {
    if (delta == 0) return;
    for (PendingSettle& s : settles_)
        if (s.identity == identity && s.budget.tpm == budget.tpm) {
            s.delta += delta;
            return;
        }
    if (settles_.size() >= kMaxPendingSettles) send_settles();
    settles_.push_back({identity, budget, delta});
    if (settles_.size() == 1) settle_timer_.once(kSettleHoldMs, [this] { send_settles(); });
}

int64_t SharedLimiter::take_settle(const std::string& identity, const TokenBudgetConfig& budget) {
    for (auto it = settles_.begin(); it != settles_.end(); ++it) {
        if (it->identity != identity || it->budget.tpm != budget.tpm) continue;
        const int64_t delta = it->delta;
        settles_.erase(it);
        if (settles_.empty()) settle_timer_.stop();
        return delta;
    }
    return 0;
}

void SharedLimiter::count_lost_settle(int64_t carried, const RedisOutcome& out) {
    // A reply that is not the script's answer, or none: the settle it carried may not have been
    // applied (a late reply may still have been), counted like a settle sent alone.
    if (carried != 0 && (out.status != RedisOutcome::Status::Reply || out.reply.is_error()))
        stats_.lost_writes.fetch_add(1, std::memory_order_relaxed);
}

void SharedLimiter::send_settles() {
    settle_timer_.stop();
    for (const PendingSettle& s : settles_) {
        if (s.delta == 0) continue;  // a turn's charges and refunds that cancel out
        client_.call(token_settle_command(s.identity, s.delta, s.budget), [this](const RedisOutcome& out) {
            if (out.status != RedisOutcome::Status::Reply || out.reply.is_error())
                stats_.lost_writes.fetch_add(1, std::memory_order_relaxed);
        });
    }
    settles_.clear();
}

void SharedLimiter::record_usage(const UsageRecord& r, int64_t now_unix_s) {
    if (!usage_batch_.add(r, now_unix_s)) {  // another minute, or full: send what is held first
        send_usage();
        usage_batch_.add(r, now_unix_s);
    }
    if (!usage_send_armed_) {
        usage_send_armed_ = true;
        usage_send_timer_.once(kUsageSendIntervalMs, [this] { send_usage(); });
    }
}

void SharedLimiter::send_usage() {
    usage_send_armed_ = false;
    usage_send_timer_.stop();
    if (usage_batch_.empty()) return;
    const int64_t minute = usage_batch_.minute();
    std::vector<UsageRecord> records = usage_batch_.take();
    std::string command = usage_record_command(records, minute);
    client_.call(std::move(command), [this, records = std::move(records), minute](const RedisOutcome& out) {
        if (out.status == RedisOutcome::Status::Reply && !out.reply.is_error()) return;
        for (const UsageRecord& r : records) {
            stats_.lost_writes.fetch_add(static_cast<uint64_t>(r.requests), std::memory_order_relaxed);
            local_ledger_.record(r, minute);
        }
    });
}

void SharedLimiter::read_usage(const UsageQuery& q, std::function<void(std::string json)> done) {
    // One HGETALL a bucket, pipelined; the answer is assembled when the last one is in.
    struct Gather {
        UsageReport report;
        size_t left;
        bool failed = false;
        std::function<void(std::string)> done;
    };
    const auto buckets = q.buckets();
    auto g = std::make_shared<Gather>(Gather{UsageReport(q), buckets.size(), false, std::move(done)});
    for (int64_t start : buckets) {
        client_.call(redis_command({"HGETALL", usage_bucket_key(q.window, start)}), [this, g, q](const RedisOutcome& out) {
            if (out.status != RedisOutcome::Status::Reply || !g->report.add_hgetall(out.reply)) g->failed = true;
            if (--g->left) return;
            g->done(g->failed ? local_ledger_.read(q, "local (Redis did not answer: this replica's own records)")
                              : g->report.json("redis"));
        });
    }
}

namespace {

// While Redis cannot answer, the failure mode decides: the in-process limit (local), admit (open)
// or refuse (closed). One switch for the request limit and the token budget alike.
template <class Verdict, class LocalDecision>
Verdict by_failure_mode(LimitFailureMode mode, LocalDecision local) {
    Verdict v;
    switch (mode) {
        case LimitFailureMode::Local:
            v.source = LimitVerdict::Source::Local;
            v.decision = local();
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

}  // namespace

TokenVerdict SharedLimiter::fall_back_tokens(const std::string& identity, int64_t n, const TokenBudgetConfig& budget,
                                             std::atomic<uint64_t>& reason, const char* why) {
    note_fallback(reason, why);
    return by_failure_mode<TokenVerdict>(mode_, [&] {
        return local_tokens_.reserve(identity, n, static_cast<double>(net::now_ns()) / 1e9, budget);
    });
}

void SharedLimiter::note_fallback(std::atomic<uint64_t>& reason, const char* why) {
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
}

LimitVerdict SharedLimiter::fall_back(const std::string& identity, std::atomic<uint64_t>& reason, const char* why) {
    note_fallback(reason, why);
    return by_failure_mode<LimitVerdict>(mode_, [&] { return local_.acquire(identity, static_cast<double>(net::now_ns()) / 1e9); });
}

}  // namespace llmgw::gw
