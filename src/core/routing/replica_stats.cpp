#include "core/routing/replica_stats.h"

namespace llmgw {

namespace {

double blend(double recent, double sample) { return recent + kRecentWeight * (sample - recent); }

}  // namespace

void observe_outcome(ReplicaStats& s, bool failed) { s.error_rate = blend(s.error_rate, failed ? 1.0 : 0.0); }

void observe_head(ReplicaStats& s, double ms) {
    // The first answer sets the figure rather than a fifth of it.
    s.head_ms = s.head_ms == 0 ? ms : blend(s.head_ms, ms);
}

void observe_ttft(ReplicaStats& s, double seconds) {
    ++s.ttft_count;
    s.ttft_sum_s += seconds < 0 ? 0 : seconds;
}

}  // namespace llmgw
