#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "core/ops/rate_limiter.h"

using namespace llmgw;

TEST_CASE("a fresh identity gets exactly burst requests at once", "[ratelimit]") {
    RateLimiter rl({.rpm = 60, .burst = 5});
    for (int i = 0; i < 5; ++i) {
        auto d = rl.acquire("key:a", 100.0);
        CHECK(d.allowed);
        CHECK(d.limit == 5);
        CHECK(d.remaining == 4 - i);
        CHECK(d.retry_after_s == 0);
    }
    auto d = rl.acquire("key:a", 100.0);
    CHECK_FALSE(d.allowed);
    CHECK(d.remaining == 0);
    CHECK(d.retry_after_s == Approx(1.0));  // 60 rpm: one token a second
    CHECK(d.reset_s == Approx(5.0));        // five tokens to refill
    // Another identity is unaffected.
    CHECK(rl.acquire("key:b", 100.0).allowed);
}

TEST_CASE("tokens refill at rpm/60 per second, capped at burst", "[ratelimit]") {
    RateLimiter rl({.rpm = 120, .burst = 2});  // 2 tokens a second
    CHECK(rl.acquire("x", 0).allowed);
    CHECK(rl.acquire("x", 0).allowed);
    CHECK_FALSE(rl.acquire("x", 0).allowed);
    auto early = rl.acquire("x", 0.25);  // half a token back
    CHECK_FALSE(early.allowed);
    CHECK(early.retry_after_s == Approx(0.25));
    auto d = rl.acquire("x", 0.5);  // one token back
    CHECK(d.allowed);
    CHECK(d.remaining == 0);
    CHECK(d.reset_s == Approx(1.0));
    // A long idle fills the bucket to burst, never beyond.
    for (int i = 0; i < 2; ++i) CHECK(rl.acquire("x", 1000).allowed);
    CHECK_FALSE(rl.acquire("x", 1000).allowed);
}

TEST_CASE("a clock that steps backwards refills nothing", "[ratelimit]") {
    RateLimiter rl({.rpm = 60, .burst = 1});
    CHECK(rl.acquire("x", 10).allowed);
    CHECK_FALSE(rl.acquire("x", 5).allowed);
    CHECK_FALSE(rl.acquire("x", 10.5).allowed);
    CHECK(rl.acquire("x", 11).allowed);
}

TEST_CASE("idle buckets are evicted so memory stays bounded", "[ratelimit]") {
    RateLimiter rl({.rpm = 60, .burst = 2, .max_identities = 64, .stripes = 4});
    for (int i = 0; i < 10000; ++i) rl.acquire("ip:" + std::to_string(i), i * 0.001);
    CHECK(rl.size() <= 64);
    // Every bucket is full again long after: all evictable, and housekeeping drops them.
    const size_t held = rl.size();
    CHECK(held > 0);
    CHECK(rl.evict_idle(1e6) == held);
    CHECK(rl.size() == 0);
}

TEST_CASE("eviction keeps active identities' state when idle ones can go", "[ratelimit]") {
    RateLimiter rl({.rpm = 60, .burst = 3, .max_identities = 2, .stripes = 1});
    for (int i = 0; i < 3; ++i) CHECK(rl.acquire("busy", 0).allowed);
    CHECK(rl.acquire("idle", 0).allowed);
    // At t=2 "idle" has refilled (1 token missing, 1/s), "busy" has not (3 missing).
    CHECK(rl.acquire("newcomer", 2).allowed);
    CHECK(rl.size() == 2);
    auto d = rl.acquire("busy", 2);  // 2 tokens back: allowed, 1 left -> busy kept its state
    CHECK(d.allowed);
    CHECK(d.remaining == 1);
}

TEST_CASE("when every bucket is active the least recently used one goes", "[ratelimit]") {
    RateLimiter rl({.rpm = 1, .burst = 1, .max_identities = 2, .stripes = 1});
    CHECK(rl.acquire("a", 0).allowed);
    CHECK(rl.acquire("b", 1).allowed);
    CHECK(rl.acquire("c", 2).allowed);  // evicts "a"
    CHECK(rl.size() == 2);
    CHECK_FALSE(rl.acquire("b", 2).allowed);  // b kept its (empty) bucket
}

TEST_CASE("N threads x M requests on one identity never exceed burst + refill", "[ratelimit]") {
    constexpr int kThreads = 4, kPerThread = 5000;
    SECTION("frozen clock: exactly burst") {
        RateLimiter rl({.rpm = 600, .burst = 37});
        std::atomic<int> allowed{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < kThreads; ++t)
            ts.emplace_back([&] {
                for (int i = 0; i < kPerThread; ++i) allowed += rl.acquire("key:shared", 50.0).allowed;
            });
        for (auto& t : ts) t.join();
        CHECK(allowed == 37);
    }
    SECTION("moving clock: at most burst + rate * elapsed") {
        RateLimiter rl({.rpm = 600, .burst = 10});  // 10 tokens a second
        std::atomic<int> allowed{0};
        std::atomic<int64_t> tick{0};
        std::vector<std::thread> ts;
        for (int t = 0; t < kThreads; ++t)
            ts.emplace_back([&] {
                for (int i = 0; i < kPerThread; ++i) {
                    const double now = double(tick.fetch_add(1)) * 0.0001;  // 20000 ticks = 2 s
                    allowed += rl.acquire("key:shared", now).allowed;
                }
            });
        for (auto& t : ts) t.join();
        const double elapsed = double(kThreads * kPerThread) * 0.0001;
        CHECK(allowed <= 10 + int(10 * elapsed));
        CHECK(allowed >= 10 + int(10 * elapsed) - 2);  // and the refill is not lost either
    }
}

TEST_CASE("durations are written the way OpenAI writes them", "[ratelimit]") {
    CHECK(format_openai_duration(0) == "0s");
    CHECK(format_openai_duration(-3) == "0s");
    CHECK(format_openai_duration(0.02) == "20ms");
    CHECK(format_openai_duration(0.0201) == "21ms");  // rounded up: never early
    CHECK(format_openai_duration(1) == "1s");
    CHECK(format_openai_duration(1.5) == "1.5s");
    CHECK(format_openai_duration(12.25) == "12.25s");
    CHECK(format_openai_duration(360) == "6m0s");
    CHECK(format_openai_duration(90.5) == "1m30.5s");
    CHECK(format_openai_duration(3723) == "1h2m3s");
    CHECK(format_openai_duration(7200) == "2h0m0s");
}

TEST_CASE("Retry-After is whole seconds, rounded up, at least 1", "[ratelimit]") {
    CHECK(retry_after_seconds(0) == 1);
    CHECK(retry_after_seconds(0.2) == 1);
    CHECK(retry_after_seconds(1) == 1);
    CHECK(retry_after_seconds(1.01) == 2);
    CHECK(retry_after_seconds(59.5) == 60);
}

TEST_CASE("decisions become OpenAI's rate-limit headers", "[ratelimit]") {
    using H = std::vector<std::pair<std::string, std::string>>;
    RateLimiter rl({.rpm = 60, .burst = 2});
    CHECK(rate_limit_headers(rl.acquire("k", 0)) == H{{"x-ratelimit-limit-requests", "2"},
                                                      {"x-ratelimit-remaining-requests", "1"},
                                                      {"x-ratelimit-reset-requests", "1s"}});
    rl.acquire("k", 0);
    CHECK(rate_limit_headers(rl.acquire("k", 0.5)) == H{{"x-ratelimit-limit-requests", "2"},
                                                        {"x-ratelimit-remaining-requests", "0"},
                                                        {"x-ratelimit-reset-requests", "1.5s"},
                                                        {"retry-after", "1"}});
}
