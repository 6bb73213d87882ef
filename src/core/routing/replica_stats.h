// What an operator reads about a replica's recent behaviour (GET /admin/backends, /metrics): how
// fast it answers and how often it fails lately, beside the lifetime counters. Pure arithmetic.
#pragma once
#include <cstdint>

namespace llmgw {

// Each new attempt weighs this much in the recent figures: about the last ten attempts decide
// them, so a replica that recovered reads healthy again within a few requests.
inline constexpr double kRecentWeight = 0.2;

struct ReplicaStats {
    double head_ms = 0;     // recent time to the answer's head (ms), 0 before the first answer
    double error_rate = 0;  // recent share of attempts that failed (0 to 1)
    uint64_t ttft_count = 0;  // streams whose first token came from this replica
    double ttft_sum_s = 0;    // and the sum of their times to that token (from the client's request)
};

// An attempt ended: failed (refused, reset, timed out, 5xx) or answered.
void observe_outcome(ReplicaStats& s, bool failed);
// The answer's head arrived `ms` after the attempt started.
void observe_head(ReplicaStats& s, double ms);
// A stream's first token arrived `seconds` after the client's request.
void observe_ttft(ReplicaStats& s, double seconds);

}  // namespace llmgw
