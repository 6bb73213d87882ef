#include "core/bench/bench_report.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>

#include "core/bench/bench_format.h"

namespace llmgw {

namespace {

using bench_format::fmt;
using bench_format::load_text;

// Picks a precision that keeps 3-4 significant digits for latencies from µs to minutes.
std::string ms_text(double ms) {
    if (ms == 0) return "0";
    if (ms < 1) return fmt("%.3f", ms);
    if (ms < 100) return fmt("%.2f", ms);
    return fmt("%.0f", ms);
}

std::string pad_left(const std::string& s, size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }
std::string pad_right(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string failures_text(const BenchSummary& s) {
    std::string out;
    for (const auto& [cls, n] : s.failures) {
        if (!out.empty()) out += ", ";
        out += cls + "=" + std::to_string(n);
    }
    return out;
}

void latency_rows(std::string& out, const BenchSummary& s) {
    out += pad_right("latency (ms)", 14);
    for (const char* h : {"n", "mean", "p50", "p90", "p95", "p99", "max"}) out += pad_left(h, 10);
    out += "\n";
    auto row = [&](const char* name, const LatencySummary& l) {
        out += pad_right(std::string("  ") + name, 14);
        if (l.count == 0) {
            out += pad_left("0", 10) + pad_left("-", 10) + "\n";
            return;
        }
        out += pad_left(std::to_string(l.count), 10);
        for (double v : {l.mean_ms, l.p50_ms, l.p90_ms, l.p95_ms, l.p99_ms, l.max_ms}) out += pad_left(ms_text(v), 10);
        out += "\n";
    };
    row("TTFT", s.ttft);
    row("ITL", s.itl);
    row("TPOT", s.tpot);
    row("E2E", s.e2e);
}

void run_text(std::string& out, const BenchRun& run, const BenchConfig& c) {
    const auto& s = run.summary;
    out += "load          " + load_text(run) + fmt(", %.2f s", s.duration_s) + "\n";
    out += "requests      " + std::to_string(s.succeeded) + " ok, " + std::to_string(s.failed) + " failed";
    if (!s.failures.empty()) out += " (" + failures_text(s) + ")";
    out += "\n";
    out += "throughput    " + fmt("%.2f req/s", s.requests_per_s) + fmt(", input %.1f tok/s", s.input_tokens_per_s) +
           fmt(", output %.1f tok/s", s.output_tokens_per_s) + " (tokens: " + s.token_source + ")\n";
    if (s.slo_set) {
        double ratio = s.total ? double(s.slo_met) / double(s.total) : 0;
        out += "goodput       " + fmt("%.2f req/s", s.goodput_per_s) + " (" + std::to_string(s.slo_met) + "/" +
               std::to_string(s.total) + fmt(" = %.1f%% within SLO)", ratio * 100) + "\n";
    }
    latency_rows(out, s);
    for (const auto& [cls, example] : s.failure_examples)
        if (!example.empty()) out += "  " + cls + ": " + example + "\n";
}

void sweep_table(std::string& out, const BenchReport& r) {
    bool goodput = r.config.slo.any();
    std::vector<std::string> heads{r.runs.front().load_kind == "rate" ? "rate" : "concurrency", "req/s", "out tok/s",
                                   "TTFT p50", "TTFT p99", "E2E p50", "E2E p99", "failed"};
    if (goodput) heads.push_back("goodput");
    for (const auto& h : heads) out += pad_left(h, 12);
    out += "\n";
    for (const auto& run : r.runs) {
        const auto& s = run.summary;
        std::vector<std::string> cells{fmt("%g", run.load), fmt("%.2f", s.requests_per_s), fmt("%.1f", s.output_tokens_per_s),
                                       ms_text(s.ttft.p50_ms), ms_text(s.ttft.p99_ms), ms_text(s.e2e.p50_ms),
                                       ms_text(s.e2e.p99_ms), std::to_string(s.failed)};
        if (goodput) cells.push_back(fmt("%.2f", s.goodput_per_s));
        for (const auto& c : cells) out += pad_left(c, 12);
        out += "\n";
    }
}

}  // namespace

std::string render_bench_text(const BenchReport& r) {
    const auto& c = r.config;
    std::string out = "llmgw bench: " + std::string(bench_api_name(c.api)) + " " + c.url +
                      (c.model.empty() ? "" : " model=" + c.model) + (c.stream ? " stream" : " no-stream") + "\n";
    for (size_t i = 0; i < r.runs.size(); ++i) {
        out += "\n";
        run_text(out, r.runs[i], c);
    }
    if (r.runs.size() > 1) {
        out += "\nsweep (latencies in ms)\n";
        sweep_table(out, r);
    }
    return out;
}

namespace {
using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

double round_to(double v, double unit) { return std::isfinite(v) ? std::round(v / unit) * unit : 0; }

void latency_json(JsonWriter& w, const LatencySummary& l) {
    w.StartObject();
    w.Key("count"); w.Uint64(l.count);
    const std::pair<const char*, double> fields[] = {{"mean", l.mean_ms}, {"min", l.min_ms}, {"p50", l.p50_ms},
                                                     {"p90", l.p90_ms},   {"p95", l.p95_ms}, {"p99", l.p99_ms},
                                                     {"max", l.max_ms}};
    for (const auto& [k, v] : fields) { w.Key(k); w.Double(round_to(v, 1e-3)); }
    w.EndObject();
}

void optional_ms(JsonWriter& w, const char* key, const std::optional<double>& s) {
    w.Key(key);
    if (s) w.Double(round_to(*s * 1000, 1e-3));
    else w.Null();
}

void config_json(JsonWriter& w, const BenchConfig& c) {
    w.StartObject();
    w.Key("url"); w.String(c.url);
    w.Key("api"); w.String(std::string(bench_api_name(c.api)));
    w.Key("model"); w.String(c.model);
    w.Key("key_set"); w.Bool(!c.keys.empty());
    w.Key("stream"); w.Bool(c.stream);
    w.Key("mode"); w.String(c.open_loop() ? "open" : "closed");
    w.Key("concurrency"); w.Int(c.concurrency);
    w.Key("rate"); w.Double(c.rate);
    w.Key("arrival"); w.String(std::string(arrival_name(c.arrival)));
    w.Key("requests"); w.Uint64(c.requests);
    w.Key("duration_s"); w.Double(c.duration_s);
    w.Key("warmup_requests"); w.Uint64(c.warmup_requests);
    w.Key("warmup_s"); w.Double(c.warmup_s);
    w.Key("sweep"); w.StartArray(); for (double v : c.sweep) w.Double(v); w.EndArray();
    w.Key("input_tokens"); w.StartObject();
    w.Key("min"); w.Int(c.input_tokens.min);
    w.Key("max"); w.Int(c.input_tokens.max);
    w.EndObject();
    w.Key("output_tokens"); w.Int(c.output_tokens);
    w.Key("dataset"); w.String(c.dataset);
    w.Key("seed"); w.Uint64(c.seed);
    w.Key("ignore_eos"); w.Bool(c.ignore_eos);
    w.Key("timeout_s"); w.Double(c.timeout_s);
    w.Key("max_concurrency"); w.Int(c.max_concurrency);
    w.Key("slo"); w.StartObject();
    optional_ms(w, "ttft_ms", c.slo.ttft_s);
    optional_ms(w, "tpot_ms", c.slo.tpot_s);
    optional_ms(w, "e2e_ms", c.slo.e2e_s);
    w.EndObject();
    w.EndObject();
}

void run_json(JsonWriter& w, const BenchRun& run) {
    const auto& s = run.summary;
    w.StartObject();
    w.Key("load"); w.StartObject();
    w.Key("kind"); w.String(run.load_kind);
    w.Key("value"); w.Double(run.load);
    w.EndObject();
    w.Key("duration_s"); w.Double(round_to(s.duration_s, 1e-6));
    w.Key("requests"); w.StartObject();
    w.Key("total"); w.Uint64(s.total);
    w.Key("succeeded"); w.Uint64(s.succeeded);
    w.Key("failed"); w.Uint64(s.failed);
    w.Key("failures"); w.StartObject();
    for (const auto& [cls, n] : s.failures) { w.Key(cls); w.Uint64(n); }
    w.EndObject();
    w.Key("failure_examples"); w.StartObject();
    for (const auto& [cls, e] : s.failure_examples) { w.Key(cls); w.String(e); }
    w.EndObject();
    w.EndObject();
    w.Key("throughput"); w.StartObject();
    w.Key("requests_per_s"); w.Double(round_to(s.requests_per_s, 1e-4));
    w.Key("input_tokens_per_s"); w.Double(round_to(s.input_tokens_per_s, 1e-3));
    w.Key("output_tokens_per_s"); w.Double(round_to(s.output_tokens_per_s, 1e-3));
    w.Key("goodput_requests_per_s");
    if (s.slo_set) w.Double(round_to(s.goodput_per_s, 1e-4)); else w.Null();
    w.EndObject();
    w.Key("tokens"); w.StartObject();
    w.Key("input"); w.Uint64(s.input_tokens);
    w.Key("output"); w.Uint64(s.output_tokens);
    w.Key("source"); w.String(s.token_source);
    w.EndObject();
    w.Key("slo");
    if (s.slo_set) {
        w.StartObject();
        w.Key("met"); w.Uint64(s.slo_met);
        w.Key("ratio"); w.Double(round_to(s.total ? double(s.slo_met) / double(s.total) : 0, 1e-4));
        w.EndObject();
    } else {
        w.Null();
    }
    w.Key("latency_ms"); w.StartObject();
    w.Key("ttft"); latency_json(w, s.ttft);
    w.Key("itl"); latency_json(w, s.itl);
    w.Key("tpot"); latency_json(w, s.tpot);
    w.Key("e2e"); latency_json(w, s.e2e);
    w.EndObject();
    w.Key("timeline"); w.StartArray();
    for (const auto& p : s.timeline) {
        w.StartObject();
        w.Key("t_s"); w.Double(p.start_s);
        w.Key("width_s"); w.Double(p.width_s);
        w.Key("completed"); w.Uint64(p.completed);
        w.Key("failed"); w.Uint64(p.failed);
        w.Key("output_tokens"); w.Uint64(p.output_tokens);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}
}  // namespace

std::string render_bench_json(const BenchReport& r) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("schema"); w.String(kBenchSchema);
    w.Key("llmgw_version"); w.String(LLMGW_VERSION);
    w.Key("started_at"); w.String(r.started_at);
    w.Key("config"); config_json(w, r.config);
    w.Key("runs"); w.StartArray();
    for (const auto& run : r.runs) run_json(w, run);
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

std::string render_bench_csv(const BenchReport& r) {
    std::string out =
        "load_kind,load,duration_s,total,succeeded,failed,requests_per_s,input_tokens,output_tokens,"
        "input_tokens_per_s,output_tokens_per_s,token_source,slo_met,goodput_per_s";
    for (const char* m : {"ttft", "itl", "tpot", "e2e"})
        for (const char* f : {"count", "mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"})
            out += std::string(",") + m + "_" + f;
    out += ",failures\n";
    for (const auto& run : r.runs) {
        const auto& s = run.summary;
        out += run.load_kind + "," + fmt("%g", run.load) + "," + fmt("%.6f", s.duration_s) + "," +
               std::to_string(s.total) + "," + std::to_string(s.succeeded) + "," + std::to_string(s.failed) + "," +
               fmt("%.4f", s.requests_per_s) + "," + std::to_string(s.input_tokens) + "," +
               std::to_string(s.output_tokens) + "," + fmt("%.3f", s.input_tokens_per_s) + "," +
               fmt("%.3f", s.output_tokens_per_s) + "," + s.token_source + "," +
               (s.slo_set ? std::to_string(s.slo_met) : "") + "," + (s.slo_set ? fmt("%.4f", s.goodput_per_s) : "");
        for (const LatencySummary* l : {&s.ttft, &s.itl, &s.tpot, &s.e2e}) {
            // Appended piece by piece: GCC 12 misreports `"," + std::string` as an overlapping copy.
            out += ',';
            out += std::to_string(l->count);
            for (double v : {l->mean_ms, l->p50_ms, l->p90_ms, l->p95_ms, l->p99_ms, l->max_ms}) {
                out += ',';
                out += fmt("%.3f", v);
            }
        }
        // Classes never contain commas or quotes; ';' keeps the field one CSV cell.
        std::string f;
        for (const auto& [cls, n] : s.failures) f += (f.empty() ? "" : ";") + cls + "=" + std::to_string(n);
        out += "," + f + "\n";
    }
    return out;
}

}  // namespace llmgw
