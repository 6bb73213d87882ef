#include "core/mock_faults.h"

#include <cmath>

#include "core/mock_text.h"

namespace llmgw::mock {

bool injected_failure(double rate, uint64_t seed, uint64_t k) {
    if (rate <= 0 || k == 0) return false;
    if (rate >= 1) return true;
    if (seed == 0) {
        // Nudge up so that rate*k lands on the integer when it should (0.1 * 10 == 0.9999...).
        auto fails_by = [rate](uint64_t n) { return std::floor(static_cast<double>(n) * rate + 1e-9); };
        return fails_by(k) > fails_by(k - 1);
    }
    double u = static_cast<double>(mix64(seed ^ mix64(k)) >> 11) / static_cast<double>(1ULL << 53);
    return u < rate;
}

}  // namespace llmgw::mock
