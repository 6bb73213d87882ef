#include "core/base/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace llmgw {

namespace {
constexpr uint64_t kHalf = LatencyHistogram::kSubBuckets / 2;  // 128 buckets per power of two
int msb(uint64_t v) { return 63 - __builtin_clzll(v); }
}  // namespace

size_t LatencyHistogram::bucket_of(uint64_t us) {
    if (us < kExactBelow) return size_t(us);
    int top = msb(us);
    if (top >= kMaxBits) return kBuckets - 1;
    int shift = top - 7;                      // keeps 8 significant bits: mantissa in [128, 256)
    uint64_t mantissa = us >> shift;
    return size_t(kExactBelow + uint64_t(top - 8) * kHalf + (mantissa - kHalf));
}

uint64_t LatencyHistogram::bucket_low(size_t index) {
    if (index < kExactBelow) return index;
    size_t rel = index - kExactBelow;
    int top = int(rel / kHalf) + 8;
    uint64_t mantissa = kHalf + rel % kHalf;
    return mantissa << (top - 7);
}

uint64_t LatencyHistogram::bucket_high(size_t index) {
    if (index < kExactBelow) return index + 1;
    size_t rel = index - kExactBelow;
    int top = int(rel / kHalf) + 8;
    return bucket_low(index) + (uint64_t(1) << (top - 7));
}

void LatencyHistogram::record_us(uint64_t us) {
    ++counts_[bucket_of(us)];
    ++count_;
    sum_us_ += us;
    min_us_ = std::min(min_us_, us);
    max_us_ = std::max(max_us_, us);
}

void LatencyHistogram::record_s(double seconds) {
    if (!(seconds > 0)) seconds = 0;
    record_us(uint64_t(std::llround(seconds * 1e6)));
}

void LatencyHistogram::merge(const LatencyHistogram& o) {
    if (o.count_ == 0) return;
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_us_ += o.sum_us_;
    min_us_ = std::min(min_us_, o.min_us_);
    max_us_ = std::max(max_us_, o.max_us_);
}

uint64_t LatencyHistogram::percentile_us(double pct) const {
    if (count_ == 0) return 0;
    pct = std::clamp(pct, 0.0, 100.0);
    // Rank of the sample (1-based) at this percentile, as in "nearest rank".
    uint64_t rank = uint64_t(std::ceil(pct / 100.0 * double(count_)));
    rank = std::clamp<uint64_t>(rank, 1, count_);
    if (rank == count_) return max_us_;  // the largest sample is known exactly
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            uint64_t lo = bucket_low(i), hi = bucket_high(i);
            uint64_t mid = i < kExactBelow ? lo : lo + (hi - lo) / 2;
            return std::clamp(mid, min_us_, max_us_);
        }
    }
    return max_us_;
}

void LatencyHistogram::for_each_bucket(
    const std::function<void(uint64_t, uint64_t, uint64_t)>& fn) const {
    for (size_t i = 0; i < kBuckets; ++i)
        if (counts_[i]) fn(bucket_low(i), bucket_high(i), counts_[i]);
}

}  // namespace llmgw
