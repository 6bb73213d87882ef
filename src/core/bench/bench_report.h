// Renders a benchmark's results: the final text table, JSON, CSV. (HTML is in bench_html.h.)
//
// JSON schema "llmgw.bench/1" (stable: fields are only ever added, never renamed or removed):
// {
//   "schema": "llmgw.bench/1", "llmgw_version": "0.1.0", "started_at": "2026-01-01T00:00:00Z",
//   "config": { "url", "api", "model", "key_set" (bool; the key itself is never written),
//               "stream", "mode" ("closed"|"open"), "concurrency", "rate", "arrival", "requests",
//               "duration_s", "warmup_requests", "warmup_s", "sweep" [numbers], "input_tokens"
//               {"min","max"}, "output_tokens", "dataset", "seed", "ignore_eos", "timeout_s",
//               "max_concurrency", "slo" {"ttft_ms","tpot_ms","e2e_ms"} (null when unset) },
//   "runs": [ {                       // one per load level (one without --sweep)
//     "load": {"kind": "concurrency"|"rate", "value": number},
//     "duration_s",
//     "requests": {"total", "succeeded", "failed",
//                  "failures": {"http_503": n, "timeout": n, "reset": n, "connect": n,
//                               "in_band_error": n, "other": n}   (only classes seen),
//                  "failure_examples": {class: "first error text"}},
//     "throughput": {"requests_per_s", "input_tokens_per_s", "output_tokens_per_s",
//                    "goodput_requests_per_s" (null without --slo)},
//     "tokens": {"input", "output", "source": "server"|"counted"|"estimated"|"mixed"|"none"},
//     "slo": {"met", "ratio"} or null,
//     "latency_ms": {"ttft"|"itl"|"tpot"|"e2e":
//                    {"count","mean","min","p50","p90","p95","p99","max"}},
//     "timeline": [{"t_s", "width_s", "completed", "failed", "output_tokens"}]
//   } ]
// }
// Latencies count successful requests only and start at the scheduled send time. TTFT of a
// non-stream request is the time to its whole body; TPOT and ITL exist only for streams.
#pragma once
#include <string>
#include <vector>

#include "core/bench/bench_config.h"
#include "core/bench/bench_stats.h"

namespace llmgw {

struct BenchRun {
    std::string load_kind;  // "concurrency" or "rate"
    double load = 0;
    BenchSummary summary;
};

struct BenchReport {
    BenchConfig config;
    std::string started_at;  // ISO 8601 UTC
    std::vector<BenchRun> runs;
};

inline constexpr const char* kBenchSchema = "llmgw.bench/1";

std::string render_bench_text(const BenchReport& r);
std::string render_bench_json(const BenchReport& r);
std::string render_bench_csv(const BenchReport& r);

}  // namespace llmgw
