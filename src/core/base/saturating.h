// Sums of counts that come from outside (the token usage a runtime reports): a hostile or broken
// runtime can send INT64_MAX, and signed overflow is undefined, so these saturate instead.
#pragma once
#include <cstdint>
#include <limits>

namespace llmgw {

inline int64_t saturating_add(int64_t a, int64_t b) {
    int64_t sum;
    if (!__builtin_add_overflow(a, b, &sum)) return sum;
    return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

}  // namespace llmgw
