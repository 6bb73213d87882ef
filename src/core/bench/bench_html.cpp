#include "core/bench/bench_html.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/base/text_util.h"
#include "core/bench/bench_format.h"

namespace llmgw {

namespace {

using bench_format::fmt;
using bench_format::load_text;

std::string num(double v) {
    if (v == 0) return "0";
    double a = std::fabs(v);
    if (a >= 1e6) return fmt("%.3g", v);
    if (a >= 100) return fmt("%.0f", v);
    if (a >= 1) return fmt("%.3g", v);
    return fmt("%.3g", v);
}

// Layout of every chart.
constexpr double W = 640, H = 280, L = 64, R = 16, T = 32, B = 44;

struct Series {
    std::string name, color;
    std::vector<std::pair<double, double>> pts;
};

// Round numbers for axis ticks: 1, 2, 5 x 10^k.
double nice_step(double span, int ticks) {
    if (span <= 0) return 1;
    double raw = span / ticks;
    double p = std::pow(10, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * p) return m * p;
    return 10 * p;
}

std::string svg_open(const std::string& title, const std::string& xlabel, const std::string& ylabel) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + num(W) + "\" height=\"" + num(H) +
                    "\" viewBox=\"0 0 " + num(W) + " " + num(H) + "\" role=\"img\">\n";
    s += "<title>" + html_escape(title) + "</title>\n";
    s += "<text x=\"" + num(W / 2) + "\" y=\"18\" text-anchor=\"middle\" class=\"t\">" + html_escape(title) + "</text>\n";
    s += "<text x=\"" + num(L + (W - L - R) / 2) + "\" y=\"" + num(H - 6) + "\" text-anchor=\"middle\">" + html_escape(xlabel) + "</text>\n";
    s += "<text x=\"14\" y=\"" + num(T + (H - T - B) / 2) + "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
         num(T + (H - T - B) / 2) + ")\">" + html_escape(ylabel) + "</text>\n";
    return s;
}

// Axes with ticks; x either linear or log10.
struct Axes {
    double x0, x1, y1;
    bool log_x;
    std::vector<double> x_ticks = {};  // when set, the x ticks (a sweep's levels); else round numbers
    double px(double x) const {
        double a = log_x ? std::log10(std::max(x, 1e-9)) : x;
        double lo = log_x ? std::log10(std::max(x0, 1e-9)) : x0;
        double hi = log_x ? std::log10(std::max(x1, 1e-9)) : x1;
        return L + (hi > lo ? (a - lo) / (hi - lo) : 0.5) * (W - L - R);
    }
    double py(double y) const { return H - B - (y1 > 0 ? y / y1 : 0) * (H - T - B); }
};

std::string axes_svg(Axes& ax, double ymax) {
    double step = nice_step(ymax > 0 ? ymax : 1, 4);
    ax.y1 = std::ceil((ymax > 0 ? ymax : 1) / step) * step;
    std::string s;
    s += "<line x1=\"" + num(L) + "\" y1=\"" + num(H - B) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(H - B) + "\" class=\"ax\"/>\n";
    s += "<line x1=\"" + num(L) + "\" y1=\"" + num(T) + "\" x2=\"" + num(L) + "\" y2=\"" + num(H - B) + "\" class=\"ax\"/>\n";
    for (double y = 0; y <= ax.y1 + step / 2; y += step) {
        s += "<line x1=\"" + num(L) + "\" y1=\"" + num(ax.py(y)) + "\" x2=\"" + num(W - R) + "\" y2=\"" + num(ax.py(y)) + "\" class=\"grid\"/>\n";
        s += "<text x=\"" + num(L - 4) + "\" y=\"" + num(ax.py(y) + 4) + "\" text-anchor=\"end\">" + num(y) + "</text>\n";
    }
    std::vector<double> xt = ax.x_ticks;
    if (xt.empty() && ax.log_x) {
        for (double d = std::pow(10, std::floor(std::log10(std::max(ax.x0, 1e-9)))); d <= ax.x1 * 1.0001; d *= 10)
            for (double m : {1.0, 2.0, 5.0})
                if (d * m >= ax.x0 * 0.9999 && d * m <= ax.x1 * 1.0001) xt.push_back(d * m);
        if (xt.empty()) xt = {ax.x0, ax.x1};
    } else if (xt.empty()) {
        double xs = nice_step(ax.x1 - ax.x0, 6);
        for (double x = std::ceil(ax.x0 / xs) * xs; x <= ax.x1 + xs / 1000; x += xs) xt.push_back(x);
    }
    for (double x : xt)
        s += "<text x=\"" + num(ax.px(x)) + "\" y=\"" + num(H - B + 16) + "\" text-anchor=\"middle\">" + num(x) + "</text>\n";
    return s;
}

std::string line_chart(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                       const std::vector<Series>& series, bool log_x, std::vector<double> x_ticks = {}) {
    double x0 = INFINITY, x1 = -INFINITY, ymax = 0;
    for (const auto& se : series)
        for (auto [x, y] : se.pts) {
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            ymax = std::max(ymax, y);
        }
    if (!std::isfinite(x0)) { x0 = 0; x1 = 1; }
    if (x1 <= x0) x1 = x0 + 1;
    Axes ax{x0, x1, 1, log_x && x0 > 0, std::move(x_ticks)};
    std::string s = svg_open(title, xlabel, ylabel) + axes_svg(ax, ymax * 1.05);
    double lx = L + 8;
    for (const auto& se : series) {
        std::string pts;
        for (auto [x, y] : se.pts) pts += num(ax.px(x)) + "," + num(ax.py(y)) + " ";
        s += "<polyline fill=\"none\" stroke=\"" + se.color + "\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
        for (auto [x, y] : se.pts)
            if (se.pts.size() <= 40)
                s += "<circle cx=\"" + num(ax.px(x)) + "\" cy=\"" + num(ax.py(y)) + "\" r=\"3\" fill=\"" + se.color + "\"/>\n";
        s += "<rect x=\"" + num(lx) + "\" y=\"" + num(T - 2) + "\" width=\"10\" height=\"10\" fill=\"" + se.color + "\"/>\n";
        s += "<text x=\"" + num(lx + 14) + "\" y=\"" + num(T + 7) + "\">" + html_escape(se.name) + "</text>\n";
        lx += 24 + 7 * double(se.name.size());
    }
    return s + "</svg>\n";
}

// A latency histogram re-binned into at most 40 log-spaced bars between its min and max.
std::string distribution_chart(const std::string& title, const LatencyHistogram& h) {
    struct Bin { double lo, hi; uint64_t n = 0; };
    std::vector<Bin> bins;
    double lo = std::max(1.0, double(h.min_us())), hi = std::max(lo * 1.0001, double(h.max_us()) + 1);
    const int nb = 40;
    double ratio = std::pow(hi / lo, 1.0 / nb);
    for (int i = 0; i < nb; ++i) bins.push_back({lo * std::pow(ratio, i), lo * std::pow(ratio, i + 1)});
    h.for_each_bucket([&](uint64_t blo, uint64_t bhi, uint64_t n) {
        double mid = std::clamp((double(blo) + double(bhi)) / 2, lo, hi * 0.99999);
        int i = std::clamp(int(std::log(mid / lo) / std::log(ratio)), 0, nb - 1);
        bins[size_t(i)].n += n;
    });
    uint64_t top = 0;
    for (const auto& b : bins) top = std::max(top, b.n);
    Axes ax{lo / 1000, hi / 1000, 1, true};
    std::string s = svg_open(title, "latency (ms, log scale)", "requests") + axes_svg(ax, double(top));
    for (const auto& b : bins) {
        if (!b.n) continue;
        double x = ax.px(b.lo / 1000), x2 = ax.px(b.hi / 1000), y = ax.py(double(b.n));
        s += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(1.0, x2 - x - 1)) + "\" height=\"" +
             num(H - B - y) + "\" fill=\"#4e79a7\"><title>" + num(b.lo / 1000) + "-" + num(b.hi / 1000) + " ms: " +
             std::to_string(b.n) + "</title></rect>\n";
    }
    return s + "</svg>\n";
}

std::string latency_table(const BenchSummary& s) {
    std::string t = "<table><tr><th>latency (ms)</th><th>n</th><th>mean</th><th>p50</th><th>p90</th><th>p95</th>"
                    "<th>p99</th><th>max</th></tr>\n";
    auto row = [&](const char* name, const LatencySummary& l) {
        t += "<tr><td>" + std::string(name) + "</td><td>" + std::to_string(l.count) + "</td>";
        // Nothing measured is not a latency of zero.
        for (double v : {l.mean_ms, l.p50_ms, l.p90_ms, l.p95_ms, l.p99_ms, l.max_ms})
            t += "<td>" + (l.count ? fmt("%.3f", v) : std::string("-")) + "</td>";
        t += "</tr>\n";
    };
    row("TTFT", s.ttft);
    row("ITL", s.itl);
    row("TPOT", s.tpot);
    row("E2E", s.e2e);
    return t + "</table>\n";
}

std::string run_section(const BenchRun& run) {
    const auto& s = run.summary;
    std::string h = "<section><h2>Load: " + html_escape(load_text(run)) + "</h2>\n<table>\n";
    auto kv = [&](const std::string& k, const std::string& v) { h += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n"; };
    kv("duration", fmt("%.2f s", s.duration_s));
    kv("requests", std::to_string(s.succeeded) + " ok, " + std::to_string(s.failed) + " failed");
    for (const auto& [cls, n] : s.failures) {
        auto ex = s.failure_examples.find(cls);
        kv("failed: " + cls, std::to_string(n) + (ex == s.failure_examples.end() ? "" : "; first error: " + ex->second));
    }
    kv("requests/s", fmt("%.2f", s.requests_per_s));
    kv("input tokens/s", fmt("%.1f", s.input_tokens_per_s));
    kv("output tokens/s", fmt("%.1f", s.output_tokens_per_s));
    kv("token counts from", s.token_source);
    if (s.slo_set) kv("goodput", fmt("%.2f req/s", s.goodput_per_s) + " (" + std::to_string(s.slo_met) + " within SLO)");
    h += "</table>\n";
    if (s.succeeded == 0)
        h += "<p class=\"warn\">No request succeeded, so no latency was measured; the failures above say why.</p>\n";
    h += latency_table(s);
    h += "<div class=\"charts\">\n";
    if (!s.ttft_hist.empty()) h += distribution_chart("TTFT distribution", s.ttft_hist);
    if (!s.e2e_hist.empty()) h += distribution_chart("End-to-end latency distribution", s.e2e_hist);
    Series reqs{"completed req/s", "#4e79a7", {}}, fails{"failed req/s", "#e15759", {}}, toks{"output tok/s", "#59a14f", {}};
    // Steps: each slice's rate held across its width, so the time axis spans the run (a run
    // shorter than a slice is one flat step at the table's rate, not a lone point).
    for (const auto& p : s.timeline) {
        for (double x : {p.start_s, p.start_s + p.width_s}) {
            reqs.pts.push_back({x, double(p.completed) / p.width_s});
            fails.pts.push_back({x, double(p.failed) / p.width_s});
            toks.pts.push_back({x, double(p.output_tokens) / p.width_s});
        }
    }
    h += line_chart("Requests over time", "time (s)", "requests/s", {reqs, fails}, false);
    h += line_chart("Output tokens over time", "time (s)", "tokens/s", {toks}, false);
    h += "</div>\n</section>\n";
    return h;
}

std::string sweep_section(const BenchReport& r) {
    std::string kind = r.runs.front().load_kind == "rate" ? "request rate (req/s)" : "concurrency";
    Series p50{"TTFT p50", "#4e79a7", {}}, p99{"TTFT p99", "#e15759", {}}, e50{"E2E p50", "#59a14f", {}},
        e99{"E2E p99", "#f28e2b", {}}, rps{"requests/s", "#4e79a7", {}}, tps{"output tokens/s", "#59a14f", {}};
    for (const auto& run : r.runs) {
        const auto& s = run.summary;
        p50.pts.push_back({run.load, s.ttft.p50_ms});
        p99.pts.push_back({run.load, s.ttft.p99_ms});
        e50.pts.push_back({run.load, s.e2e.p50_ms});
        e99.pts.push_back({run.load, s.e2e.p99_ms});
        rps.pts.push_back({run.load, s.requests_per_s});
        tps.pts.push_back({run.load, s.output_tokens_per_s});
    }
    // Ticks at the levels that ran: a concurrency of 1.5 never did.
    std::vector<double> levels;
    for (const auto& run : r.runs) levels.push_back(run.load);
    std::string h = "<section><h2>Sweep</h2>\n<div class=\"charts\">\n";
    h += line_chart("TTFT against load", kind, "ms", {p50, p99}, false, levels);
    h += line_chart("End-to-end latency against load", kind, "ms", {e50, e99}, false, levels);
    h += line_chart("Request throughput against load", kind, "requests/s", {rps}, false, levels);
    h += line_chart("Token throughput against load", kind, "tokens/s", {tps}, false, levels);
    return h + "</div>\n</section>\n";
}

// What load the run was asked for: one level, or the sweep's levels.
std::string load_config_text(const BenchConfig& c) {
    std::string levels;
    for (double v : c.sweep) levels += (levels.empty() ? "" : ", ") + fmt("%g", v);
    if (c.open_loop()) {
        std::string arrivals = " (" + std::string(arrival_name(c.arrival)) + " arrivals)";
        return c.sweep.empty() ? fmt("open loop, %g req/s", c.rate) + arrivals
                               : "open loop, sweep over rates " + levels + " req/s" + arrivals;
    }
    return c.sweep.empty() ? fmt("closed loop, %g concurrent", c.concurrency)
                           : "closed loop, sweep over concurrency " + levels;
}

std::string slo_text(const Slo& slo) {
    if (!slo.any()) return "none (goodput not measured)";
    std::string t;
    auto add = [&t](const char* name, const std::optional<double>& v) {
        if (v) t += (t.empty() ? "" : ", ") + std::string(name) + " <= " + fmt("%g ms", *v * 1000);
    };
    add("TTFT", slo.ttft_s);
    add("TPOT", slo.tpot_s);
    add("E2E", slo.e2e_s);
    return t;
}

}  // namespace

std::string render_bench_html(const BenchReport& r) {
    const auto& c = r.config;
    std::string h =
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        "<title>llmgw bench report</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
        "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:12px}"
        "svg.chart{border:1px solid #ddd;font-size:11px}svg .t{font-size:13px;font-weight:bold}"
        "svg .ax{stroke:#333}svg .grid{stroke:#eee}.warn{color:#b00;font-weight:bold}\n</style>\n</head>\n<body>\n";
    h += "<h1>llmgw bench report</h1>\n<table>\n";
    auto kv = [&](const std::string& k, const std::string& v) { h += "<tr><th>" + html_escape(k) + "</th><td>" + html_escape(v) + "</td></tr>\n"; };
    kv("started", r.started_at);
    kv("llmgw", LLMGW_VERSION);
    kv("url", c.url);
    kv("api", std::string(bench_api_name(c.api)));
    kv("model", c.model.empty() ? "(none)" : c.model);
    kv("stream", c.stream ? "yes" : "no");
    kv("load", load_config_text(c));
    kv("SLO (goodput objectives)", slo_text(c.slo));
    kv("length", c.duration_s > 0 ? fmt("%g s", c.duration_s) : std::to_string(c.requests) + " requests");
    kv("input tokens", c.dataset.empty() ? (c.input_tokens.fixed() ? std::to_string(c.input_tokens.min)
                                                                   : std::to_string(c.input_tokens.min) + "-" +
                                                                         std::to_string(c.input_tokens.max))
                                         : "dataset " + c.dataset);
    kv("output tokens", std::to_string(c.output_tokens));
    kv("seed", std::to_string(c.seed));
    h += "</table>\n";
    if (r.runs.size() > 1) h += sweep_section(r);
    for (const auto& run : r.runs) h += run_section(run);
    h += "</body>\n</html>\n";
    return h;
}

}  // namespace llmgw
