#include "core/bench/bench_stats.h"

#include <algorithm>
#include <cmath>

namespace llmgw {

double RequestRecord::tpot_s() const {
    if (!has_tpot()) return 0;
    // The last token arrives at most at done_s; ITL gaps sum to last - first when present.
    double span = 0;
    if (!itl_s.empty()) {
        for (double g : itl_s) span += g;
    } else {
        span = done_s - first_token_s;
    }
    return span / double(output_tokens - 1);
}

std::string outcome_class(Outcome o, int http_status) {
    switch (o) {
        case Outcome::Ok: return "ok";
        case Outcome::HttpError: return "http_" + std::to_string(http_status);
        case Outcome::Timeout: return "timeout";
        case Outcome::Reset: return "reset";
        case Outcome::Connect: return "connect";
        case Outcome::InBandError: return "in_band_error";
        case Outcome::Other: return "other";
    }
    return "other";
}

LatencySummary summarize_latency(const LatencyHistogram& h) {
    LatencySummary s;
    s.count = h.count();
    if (!s.count) return s;
    auto ms = [](double us) { return us / 1000.0; };
    s.mean_ms = ms(h.mean_us());
    s.min_ms = ms(double(h.min_us()));
    s.p50_ms = ms(double(h.percentile_us(50)));
    s.p90_ms = ms(double(h.percentile_us(90)));
    s.p95_ms = ms(double(h.percentile_us(95)));
    s.p99_ms = ms(double(h.percentile_us(99)));
    s.max_ms = ms(double(h.max_us()));
    return s;
}

void Timeline::add(double t_s, bool ok, uint64_t output_tokens) {
    if (!(t_s >= 0)) t_s = 0;
    size_t idx = size_t(t_s / width_s_);
    while (idx >= kMaxSlices) {
        // Coarsen: merge pairs, double the width.
        std::vector<Slice> merged((slices_.size() + 1) / 2);
        for (size_t i = 0; i < slices_.size(); ++i) {
            auto& m = merged[i / 2];
            m.completed += slices_[i].completed;
            m.failed += slices_[i].failed;
            m.tokens += slices_[i].tokens;
        }
        slices_ = std::move(merged);
        width_s_ *= 2;
        idx = size_t(t_s / width_s_);
    }
    if (slices_.size() <= idx) slices_.resize(idx + 1);
    auto& s = slices_[idx];
    (ok ? s.completed : s.failed) += 1;
    s.tokens += output_tokens;
}

std::vector<TimelinePoint> Timeline::points(double until_s) const {
    size_t n = slices_.size();
    if (until_s > 0) n = std::max(n, size_t(std::ceil(until_s / width_s_)));
    n = std::min(n, kMaxSlices);
    std::vector<TimelinePoint> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        TimelinePoint p;
        p.start_s = double(i) * width_s_;
        p.width_s = width_s_;
        // The slice the run ended in counts only its part of the run: a 0.3 s run's one slice
        // is 0.3 s wide, so its rate is the run's, not a third of it.
        if (until_s > p.start_s && until_s < p.start_s + p.width_s) p.width_s = until_s - p.start_s;
        if (i < slices_.size()) {
            p.completed = slices_[i].completed;
            p.failed = slices_[i].failed;
            p.output_tokens = slices_[i].tokens;
        }
        out.push_back(p);
    }
    return out;
}

bool BenchStats::meets_slo(const RequestRecord& r) const {
    if (r.outcome != Outcome::Ok) return false;
    if (slo_.ttft_s && r.has_ttft() && r.ttft_s() > *slo_.ttft_s) return false;
    if (slo_.tpot_s && r.has_tpot() && r.tpot_s() > *slo_.tpot_s) return false;
    if (slo_.e2e_s && r.e2e_s() > *slo_.e2e_s) return false;
    return true;
}

void BenchStats::add(const RequestRecord& r) {
    ++total_;
    bool ok = r.outcome == Outcome::Ok;
    timeline_.add(r.done_s, ok, ok ? r.output_tokens : 0);
    if (!ok) {
        auto cls = outcome_class(r.outcome, r.http_status);
        ++failures_[cls];
        if (!failure_examples_.count(cls)) failure_examples_[cls] = r.error.substr(0, 200);
        return;
    }
    ++succeeded_;
    if (meets_slo(r)) ++slo_met_;
    input_tokens_ += r.input_tokens;
    output_tokens_ += r.output_tokens;
    switch (r.tokens_from) {
        case TokenSource::Server: ++from_server_; break;
        case TokenSource::Counted: ++from_counted_; break;
        case TokenSource::Estimated: ++from_estimated_; break;
    }
    e2e_.record_s(r.e2e_s());
    if (r.has_ttft()) ttft_.record_s(r.ttft_s());
    if (r.has_tpot()) tpot_.record_s(r.tpot_s());
    for (double g : r.itl_s) itl_.record_s(g);
}

BenchSummary BenchStats::summarize(double duration_s) const {
    BenchSummary s;
    s.duration_s = duration_s;
    s.total = total_;
    s.succeeded = succeeded_;
    s.failed = total_ - succeeded_;
    s.failures = failures_;
    s.failure_examples = failure_examples_;
    double d = duration_s > 0 ? duration_s : 0;
    auto per_s = [d](double n) { return d > 0 ? n / d : 0.0; };
    s.requests_per_s = per_s(double(succeeded_));
    s.input_tokens = input_tokens_;
    s.output_tokens = output_tokens_;
    s.input_tokens_per_s = per_s(double(input_tokens_));
    s.output_tokens_per_s = per_s(double(output_tokens_));
    int sources = (from_server_ > 0) + (from_counted_ > 0) + (from_estimated_ > 0);
    s.token_source = sources == 0            ? "none"
                     : sources > 1          ? "mixed"
                     : from_server_ > 0     ? "server"
                     : from_counted_ > 0    ? "counted"
                                            : "estimated";
    s.slo_set = slo_.any();
    s.slo_met = slo_met_;
    s.goodput_per_s = per_s(double(slo_met_));
    s.ttft = summarize_latency(ttft_);
    s.itl = summarize_latency(itl_);
    s.tpot = summarize_latency(tpot_);
    s.e2e = summarize_latency(e2e_);
    s.timeline = timeline_.points(duration_s);
    s.ttft_hist = ttft_;
    s.e2e_hist = e2e_;
    return s;
}

}  // namespace llmgw
