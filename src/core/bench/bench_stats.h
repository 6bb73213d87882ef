// Folds per-request benchmark records into fixed-memory statistics: outcome counts by failure
// class, latency histograms (TTFT, inter-token latency, time per output token, end-to-end), token
// totals, goodput under an SLO and a coarsening throughput timeline. Memory does not grow with
// the number of requests.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/bench/bench_config.h"
#include "core/base/latency_histogram.h"

namespace llmgw {

enum class Outcome {
    Ok,
    HttpError,    // a non-2xx status
    Timeout,      // the request's deadline passed
    Reset,        // the connection dropped, or the stream ended before its end marker
    Connect,      // could not connect at all
    InBandError,  // 2xx, but the body or a stream event carried an error
    Other,        // malformed HTTP and the like
};

// Where a request's token counts came from.
enum class TokenSource { Server, Counted, Estimated };

// One finished request. Times are seconds from the start of the run; latencies are measured
// from scheduled_s, which in the open loop is when the request should have been sent, so time
// spent waiting behind a slow client is not hidden (coordinated omission).
struct RequestRecord {
    double scheduled_s = 0;
    double sent_s = 0;
    double first_token_s = -1;  // < 0: no token seen
    double done_s = 0;
    Outcome outcome = Outcome::Ok;
    int http_status = 0;
    std::string error;  // short description for failures
    uint64_t input_tokens = 0;
    uint64_t output_tokens = 0;
    TokenSource tokens_from = TokenSource::Counted;
    bool streamed = false;
    std::vector<double> itl_s;  // gaps between successive token events (streams only)

    double e2e_s() const { return done_s - scheduled_s; }
    double ttft_s() const { return first_token_s - scheduled_s; }
    bool has_ttft() const { return first_token_s >= 0; }
    // (last token - first token) / (tokens - 1): streams with at least two output tokens.
    bool has_tpot() const { return streamed && has_ttft() && output_tokens > 1; }
    double tpot_s() const;
};

// "http_503", "timeout", "reset", "connect", "in_band_error", "other" ("ok" for successes).
std::string outcome_class(Outcome o, int http_status);

struct LatencySummary {
    uint64_t count = 0;
    double mean_ms = 0, min_ms = 0, p50_ms = 0, p90_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};
LatencySummary summarize_latency(const LatencyHistogram& h);

// Activity in one slice of the run, for "throughput over time".
struct TimelinePoint {
    double start_s = 0, width_s = 0;
    uint64_t completed = 0, failed = 0, output_tokens = 0;
};

// Fixed number of slices: when the run outlasts them, adjacent slices merge and the width doubles.
class Timeline {
public:
    static constexpr size_t kMaxSlices = 512;
    explicit Timeline(double initial_width_s = 1.0) : width_s_(initial_width_s) {}
    void add(double t_s, bool ok, uint64_t output_tokens);
    // Slices up to the last one with activity, or up to `until_s` when given (the slice that
    // holds `until_s` then ends there).
    std::vector<TimelinePoint> points(double until_s = -1) const;
    double width_s() const { return width_s_; }

private:
    struct Slice { uint64_t completed = 0, failed = 0, tokens = 0; };
    double width_s_;
    std::vector<Slice> slices_;
};

struct BenchSummary {
    double duration_s = 0;
    uint64_t total = 0, succeeded = 0, failed = 0;
    std::map<std::string, uint64_t> failures;        // class -> count
    std::map<std::string, std::string> failure_examples;  // class -> first error text
    double requests_per_s = 0;  // successful requests per second
    uint64_t input_tokens = 0, output_tokens = 0;    // successful requests only
    double input_tokens_per_s = 0, output_tokens_per_s = 0;
    std::string token_source;  // "server", "counted", "estimated", "mixed" or "none"
    bool slo_set = false;
    uint64_t slo_met = 0;
    double goodput_per_s = 0;  // successful requests meeting every SLO, per second
    LatencySummary ttft, itl, tpot, e2e;
    std::vector<TimelinePoint> timeline;
    LatencyHistogram ttft_hist, e2e_hist;  // for distribution charts
};

class BenchStats {
public:
    explicit BenchStats(Slo slo = {}) : slo_(slo) {}
    void add(const RequestRecord& r);
    BenchSummary summarize(double duration_s) const;
    uint64_t total() const { return total_; }
    uint64_t failed() const { return total_ - succeeded_; }
    uint64_t succeeded() const { return succeeded_; }
    // Whether a successful request meets every objective it has a measurement for.
    bool meets_slo(const RequestRecord& r) const;

private:
    Slo slo_;
    uint64_t total_ = 0, succeeded_ = 0, slo_met_ = 0;
    uint64_t input_tokens_ = 0, output_tokens_ = 0;
    uint64_t from_server_ = 0, from_counted_ = 0, from_estimated_ = 0;
    std::map<std::string, uint64_t> failures_;
    std::map<std::string, std::string> failure_examples_;
    LatencyHistogram ttft_, itl_, tpot_, e2e_;
    Timeline timeline_;
};

}  // namespace llmgw
