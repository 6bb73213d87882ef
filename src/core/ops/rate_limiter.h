// Token-bucket rate limiting per identity (key fingerprint or client address).
//
// Each identity has a bucket holding up to `burst` tokens, refilled continuously at rpm/60 tokens
// a second; a request takes one token or is refused. Buckets live in striped hash maps (a mutex
// per stripe), so workers contend only when their identities hash to the same stripe. A bucket
// that has refilled to full is indistinguishable from no bucket, so such buckets are dropped
// whenever a stripe reaches its share of `max_identities`; if every bucket is still active the
// one idle longest is dropped, which keeps memory bounded under any number of identities.
// Time is passed in (seconds on a monotonic clock), so the math is testable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw {

struct RateLimitConfig {
    double rpm = 120;    // refill: requests per minute
    double burst = 30;   // bucket capacity: requests allowed at once
    size_t max_identities = 100000;
    size_t stripes = 64;
};

struct RateLimitDecision {
    bool allowed = true;
    int64_t limit = 0;         // bucket capacity (burst)
    int64_t remaining = 0;     // whole requests left right now, after this one
    double reset_s = 0;        // seconds until the bucket is full again
    double retry_after_s = 0;  // when refused: seconds until one request is allowed; else 0
};

class RateLimiter {
public:
    explicit RateLimiter(RateLimitConfig cfg);
    ~RateLimiter();
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    // Take one token from `identity`'s bucket at time `now_s` (monotonic seconds).
    RateLimitDecision acquire(std::string_view identity, double now_s);
    // Drop every bucket that has refilled to full by `now_s` (optional housekeeping; acquire
    // already does this when a stripe is at its cap). Returns how many were dropped.
    size_t evict_idle(double now_s);
    size_t size() const;  // buckets held
    const RateLimitConfig& config() const { return cfg_; }

private:
    struct Stripe;
    RateLimitConfig cfg_;
    double rate_per_s_;
    size_t per_stripe_cap_;
    std::unique_ptr<Stripe[]> stripes_;
};

// Durations as OpenAI writes them in x-ratelimit-reset-*: "20ms", "1s", "1.5s", "6m0s", "1h2m3s".
std::string format_openai_duration(double seconds);
// Retry-After value: whole seconds, rounded up, at least 1.
int64_t retry_after_seconds(double seconds);

// The response headers for a decision, as OpenAI sends them: x-ratelimit-limit-requests,
// x-ratelimit-remaining-requests, x-ratelimit-reset-requests, plus Retry-After when refused.
std::vector<std::pair<std::string, std::string>> rate_limit_headers(const RateLimitDecision& d);

}  // namespace llmgw
