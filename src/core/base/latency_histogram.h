// Fixed-memory latency histogram, log-bucketed like HdrHistogram: values in microseconds from
// 1 µs to about 1 hour (larger values land in the top bucket) with under 0.8% relative error, in
// 26 KB whatever the number of samples, so a long benchmark does not grow. Exact count, sum, min
// and max are kept beside the buckets.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

namespace llmgw {

class LatencyHistogram {
public:
    // Values below kExactBelow get one bucket each; above, each power of two is split into
    // kSubBuckets / 2 buckets, so a bucket spans at most 1/128 of its lower bound.
    static constexpr uint64_t kExactBelow = 256;
    static constexpr uint64_t kSubBuckets = 256;
    static constexpr int kMaxBits = 32;  // 2^32 µs ≈ 71 minutes
    static constexpr size_t kBuckets = kExactBelow + (kMaxBits - 8) * (kSubBuckets / 2);

    void record_us(uint64_t us);
    void record_s(double seconds);  // negative values count as 0
    void merge(const LatencyHistogram& other);
    void reset() { *this = LatencyHistogram{}; }

    uint64_t count() const { return count_; }
    bool empty() const { return count_ == 0; }
    double mean_us() const { return count_ ? double(sum_us_) / double(count_) : 0; }
    uint64_t min_us() const { return count_ ? min_us_ : 0; }
    uint64_t max_us() const { return max_us_; }
    // The value at or below which `pct` percent of samples lie (0 < pct <= 100): the midpoint of
    // the bucket holding that rank, clamped to [min, max]; 0 when empty.
    uint64_t percentile_us(double pct) const;

    // Non-empty buckets in increasing order: [lo, hi) in µs and their counts.
    void for_each_bucket(const std::function<void(uint64_t lo, uint64_t hi, uint64_t n)>& fn) const;

    static size_t bucket_of(uint64_t us);
    static uint64_t bucket_low(size_t index);
    static uint64_t bucket_high(size_t index);  // exclusive

private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t sum_us_ = 0;
    uint64_t min_us_ = UINT64_MAX;
    uint64_t max_us_ = 0;
};

}  // namespace llmgw
