#include "core/ops/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace llmgw {

namespace {

struct Bucket {
    double tokens;
    double last;  // time of the last refill
};

// Transparent hashing so a lookup by string_view allocates nothing.
struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

struct alignas(64) RateLimiter::Stripe {
    std::mutex mu;
    std::unordered_map<std::string, Bucket, ViewHash, std::equal_to<>> buckets;
};

RateLimiter::RateLimiter(RateLimitConfig cfg) : cfg_(cfg) {
    cfg_.burst = std::max(1.0, cfg_.burst);
    cfg_.stripes = std::max<size_t>(1, cfg_.stripes);
    cfg_.max_identities = std::max(cfg_.max_identities, cfg_.stripes);
    rate_per_s_ = std::max(1e-9, cfg_.rpm / 60.0);
    per_stripe_cap_ = cfg_.max_identities / cfg_.stripes;
    stripes_ = std::make_unique<Stripe[]>(cfg_.stripes);
}

RateLimiter::~RateLimiter() = default;

namespace {

double refilled(const Bucket& b, double now, double rate, double burst) {
    return std::min(burst, b.tokens + std::max(0.0, now - b.last) * rate);
}

size_t drop_full(std::unordered_map<std::string, Bucket, ViewHash, std::equal_to<>>& m, double now,
                 double rate, double burst) {
    return std::erase_if(m, [&](const auto& kv) { return refilled(kv.second, now, rate, burst) >= burst; });
}

}  // namespace

RateLimitDecision RateLimiter::acquire(std::string_view identity, double now_s) {
    Stripe& st = stripes_[ViewHash{}(identity) % cfg_.stripes];
    const double burst = cfg_.burst, rate = rate_per_s_;
    std::lock_guard lock(st.mu);

    auto it = st.buckets.find(identity);
    if (it == st.buckets.end()) {
        if (st.buckets.size() >= per_stripe_cap_) {
            drop_full(st.buckets, now_s, rate, burst);
            if (st.buckets.size() >= per_stripe_cap_) {
                // Every bucket is in use: drop the one refilled least recently.
                auto victim = std::min_element(st.buckets.begin(), st.buckets.end(), [](auto& a, auto& b) {
                    return a.second.last < b.second.last;
                });
                st.buckets.erase(victim);
            }
        }
        it = st.buckets.emplace(std::string(identity), Bucket{burst, now_s}).first;
    }

    Bucket& b = it->second;
    // Workers may pass slightly out-of-order timestamps; time never runs backwards for a bucket.
    b.tokens = refilled(b, now_s, rate, burst);
    b.last = std::max(b.last, now_s);

    RateLimitDecision d;
    d.limit = int64_t(burst);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        d.allowed = true;
    } else {
        d.allowed = false;
        d.retry_after_s = (1 - b.tokens) / rate;
    }
    d.remaining = int64_t(std::floor(b.tokens));
    d.reset_s = (burst - b.tokens) / rate;
    return d;
}

size_t RateLimiter::evict_idle(double now_s) {
    size_t dropped = 0;
    for (size_t i = 0; i < cfg_.stripes; ++i) {
        std::lock_guard lock(stripes_[i].mu);
        dropped += drop_full(stripes_[i].buckets, now_s, rate_per_s_, cfg_.burst);
    }
    return dropped;
}

size_t RateLimiter::size() const {
    size_t n = 0;
    for (size_t i = 0; i < cfg_.stripes; ++i) {
        std::lock_guard lock(stripes_[i].mu);
        n += stripes_[i].buckets.size();
    }
    return n;
}

std::string format_openai_duration(double seconds) {
    if (!(seconds > 0)) return "0s";
    // Round up to the millisecond: a client waiting this long is never early.
    const int64_t ms = int64_t(std::ceil(std::min(seconds, 1e12) * 1000 - 1e-6));
    if (ms <= 0) return "0s";
    if (ms < 1000) return std::to_string(ms) + "ms";
    const int64_t h = ms / 3600000, m = ms / 60000 % 60, s_ms = ms % 60000;
    std::string out;
    if (h) out += std::to_string(h) + "h";
    if (h || m) out += std::to_string(m) + "m";
    out += std::to_string(s_ms / 1000);
    if (int64_t frac = s_ms % 1000) {
        std::string f = std::to_string(frac);
        f.insert(0, 3 - f.size(), '0');
        while (f.back() == '0') f.pop_back();
        out += "." + f;
    }
    out += "s";
    return out;
}

int64_t retry_after_seconds(double seconds) {
    if (!(seconds > 0)) return 1;
    return std::max<int64_t>(1, int64_t(std::ceil(std::min(seconds, 1e12) - 1e-9)));
}

std::vector<std::pair<std::string, std::string>> rate_limit_headers(const RateLimitDecision& d) {
    std::vector<std::pair<std::string, std::string>> h;
    h.emplace_back("x-ratelimit-limit-requests", std::to_string(d.limit));
    h.emplace_back("x-ratelimit-remaining-requests", std::to_string(d.remaining));
    h.emplace_back("x-ratelimit-reset-requests", format_openai_duration(d.reset_s));
    if (!d.allowed) h.emplace_back("retry-after", std::to_string(retry_after_seconds(d.retry_after_s)));
    return h;
}

}  // namespace llmgw
