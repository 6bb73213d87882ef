#include <catch2/catch.hpp>

#include "core/base/latency_histogram.h"

using llmgw::LatencyHistogram;

TEST_CASE("histogram buckets are contiguous and within 0.8% relative width", "[bench]") {
    for (size_t i = 0; i + 1 < LatencyHistogram::kBuckets; ++i) {
        REQUIRE(LatencyHistogram::bucket_high(i) == LatencyHistogram::bucket_low(i + 1));
        uint64_t lo = LatencyHistogram::bucket_low(i), hi = LatencyHistogram::bucket_high(i);
        if (lo >= 256) REQUIRE(double(hi - lo) / double(lo) <= 1.0 / 128 + 1e-12);
    }
    for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 123456ull, 3'600'000'000ull}) {
        size_t b = LatencyHistogram::bucket_of(v);
        REQUIRE(LatencyHistogram::bucket_low(b) <= v);
        REQUIRE(v < LatencyHistogram::bucket_high(b));
    }
    // Beyond ~71 minutes everything lands in the top bucket; memory stays fixed.
    REQUIRE(LatencyHistogram::bucket_of(uint64_t(1) << 40) == LatencyHistogram::kBuckets - 1);
    REQUIRE(sizeof(LatencyHistogram) < 32 * 1024);
}

TEST_CASE("histogram percentiles, mean, min and max", "[bench]") {
    LatencyHistogram h;
    REQUIRE(h.percentile_us(50) == 0);
    for (uint64_t v = 1; v <= 10000; ++v) h.record_us(v * 100);  // 100 µs .. 1 s, uniform
    REQUIRE(h.count() == 10000);
    REQUIRE(h.min_us() == 100);
    REQUIRE(h.max_us() == 1'000'000);
    REQUIRE(h.mean_us() == Approx(500050).epsilon(1e-9));
    for (double p : {50.0, 90.0, 95.0, 99.0}) {
        double exact = p / 100 * 1'000'000;
        REQUIRE(double(h.percentile_us(p)) == Approx(exact).epsilon(0.01));
    }
    REQUIRE(h.percentile_us(100) == 1'000'000);
    REQUIRE(h.percentile_us(0.0001) == 100);
}

TEST_CASE("histogram small values are exact and record_s converts", "[bench]") {
    LatencyHistogram h;
    h.record_us(3);
    h.record_us(3);
    h.record_us(7);
    REQUIRE(h.percentile_us(50) == 3);
    REQUIRE(h.percentile_us(100) == 7);
    LatencyHistogram s;
    s.record_s(0.25);
    s.record_s(-1);  // clock skew: counts as 0
    REQUIRE(s.max_us() == 250000);
    REQUIRE(s.min_us() == 0);
}

TEST_CASE("histogram merge equals recording everything in one", "[bench]") {
    LatencyHistogram a, b, all;
    for (uint64_t v = 1; v < 5000; v += 7) { a.record_us(v * 13); all.record_us(v * 13); }
    for (uint64_t v = 1; v < 5000; v += 3) { b.record_us(v * 101); all.record_us(v * 101); }
    a.merge(b);
    REQUIRE(a.count() == all.count());
    REQUIRE(a.min_us() == all.min_us());
    REQUIRE(a.max_us() == all.max_us());
    REQUIRE(a.mean_us() == Approx(all.mean_us()));
    for (double p : {1.0, 50.0, 99.9}) REQUIRE(a.percentile_us(p) == all.percentile_us(p));
    uint64_t n = 0;
    a.for_each_bucket([&](uint64_t, uint64_t, uint64_t c) { n += c; });
    REQUIRE(n == a.count());
    LatencyHistogram empty;
    a.merge(empty);
    REQUIRE(a.count() == all.count());
}
