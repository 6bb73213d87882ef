#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "core/bench/bench_html.h"
#include "core/bench/bench_report.h"
#include "xml_wellformed.h"

using namespace llmgw;

namespace {
BenchRun make_run(double load, int n, bool with_failures) {
    Slo slo;
    slo.ttft_s = 0.08;
    BenchStats st(slo);
    for (int i = 0; i < n; ++i) {
        RequestRecord r;
        r.scheduled_s = r.sent_s = i * 0.05;
        r.first_token_s = r.scheduled_s + 0.05 + 0.001 * (i % 50);
        r.streamed = true;
        r.output_tokens = 8;
        r.input_tokens = 20;
        r.tokens_from = TokenSource::Server;
        for (int k = 0; k < 7; ++k) r.itl_s.push_back(0.005);
        r.done_s = r.first_token_s + 0.035;
        st.add(r);
    }
    if (with_failures) {
        RequestRecord f;
        f.outcome = Outcome::HttpError;
        f.http_status = 500;
        f.error = "mock <failure> & co";
        f.done_s = 1;
        st.add(f);
    }
    return BenchRun{"concurrency", load, st.summarize(n * 0.05)};
}

BenchReport make_report(int runs) {
    BenchReport r;
    r.config.url = "http://127.0.0.1:1/?a=1&b=<2>";
    r.config.model = "m";
    r.config.keys = {"secret-key"};
    r.config.slo.ttft_s = 0.08;
    r.config.sweep = {1, 4};
    r.started_at = "2026-01-01T00:00:00Z";
    for (int i = 0; i < runs; ++i) r.runs.push_back(make_run(1 << (2 * i), 100 * (i + 1), i == 0));
    return r;
}
}  // namespace

TEST_CASE("bench JSON carries every figure, the config, and no key", "[bench]") {
    auto report = make_report(2);
    std::string js = render_bench_json(report);
    REQUIRE(js.find("secret-key") == std::string::npos);
    rapidjson::Document d;
    d.Parse(js.c_str());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(std::string(d["schema"].GetString()) == "llmgw.bench/1");
    const auto& c = d["config"];
    for (const char* k : {"url", "api", "model", "key_set", "stream", "mode", "concurrency", "rate", "arrival", "requests",
                          "duration_s", "warmup_requests", "warmup_s", "sweep", "input_tokens", "output_tokens", "dataset",
                          "seed", "ignore_eos", "timeout_s", "max_concurrency", "slo"})
        REQUIRE(c.HasMember(k));
    REQUIRE(c["key_set"].GetBool());
    REQUIRE(c["slo"]["ttft_ms"].GetDouble() == Approx(80));
    REQUIRE(c["slo"]["e2e_ms"].IsNull());
    REQUIRE(d["runs"].Size() == 2);
    const auto& run = d["runs"][0];
    REQUIRE(std::string(run["load"]["kind"].GetString()) == "concurrency");
    REQUIRE(run["requests"]["total"].GetUint64() == 101);
    REQUIRE(run["requests"]["failures"]["http_500"].GetUint64() == 1);
    REQUIRE(run["throughput"].HasMember("goodput_requests_per_s"));
    REQUIRE(run["slo"]["met"].GetUint64() > 0);
    REQUIRE(std::string(run["tokens"]["source"].GetString()) == "server");
    for (const char* m : {"ttft", "itl", "tpot", "e2e"})
        for (const char* f : {"count", "mean", "min", "p50", "p90", "p95", "p99", "max"})
            REQUIRE(run["latency_ms"][m].HasMember(f));
    REQUIRE(run["latency_ms"]["itl"]["p50"].GetDouble() == Approx(5).epsilon(0.01));
    REQUIRE(run["timeline"].Size() > 0);
}

TEST_CASE("bench CSV has one header and one row per run, same width", "[bench]") {
    std::string csv = render_bench_csv(make_report(3));
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < csv.size()) {
        size_t nl = csv.find('\n', start);
        lines.push_back(csv.substr(start, nl - start));
        start = nl + 1;
    }
    REQUIRE(lines.size() == 4);
    auto commas = [](const std::string& s) { return std::count(s.begin(), s.end(), ','); };
    for (const auto& l : lines) REQUIRE(commas(l) == commas(lines[0]));
    REQUIRE(lines[0].rfind("load_kind,load,", 0) == 0);
    REQUIRE(lines[1].find("http_500=1") != std::string::npos);
}

TEST_CASE("bench text report shows the figures and a sweep table", "[bench]") {
    std::string t = render_bench_text(make_report(2));
    for (const char* s : {"TTFT", "ITL", "TPOT", "E2E", "req/s", "goodput", "http_500=1", "sweep"})
        REQUIRE(t.find(s) != std::string::npos);
    REQUIRE(t.find("secret-key") == std::string::npos);
}

TEST_CASE("bench HTML is well-formed, self-contained and has its charts", "[bench]") {
    std::string single = render_bench_html(make_report(1));
    REQUIRE(testutil::xml_problem(single).empty());
    REQUIRE(single.find("TTFT distribution") != std::string::npos);
    REQUIRE(single.find("Requests over time") != std::string::npos);
    REQUIRE(single.find("against load") == std::string::npos);
    std::string sweep = render_bench_html(make_report(3));
    INFO(testutil::xml_problem(sweep));
    REQUIRE(testutil::xml_problem(sweep).empty());
    REQUIRE(sweep.find("TTFT against load") != std::string::npos);
    size_t svgs = 0;
    for (size_t p = sweep.find("<svg"); p != std::string::npos; p = sweep.find("<svg", p + 1)) ++svgs;
    REQUIRE(svgs == 4 + 3 * 4);
    // Nothing to fetch: no scripts, external links or images.
    for (const char* s : {"<script", "http://www.w3.org/1999/xhtml\" src", "<link", "<img", "https://"})
        REQUIRE(sweep.find(s) == std::string::npos);
    REQUIRE(sweep.find("secret-key") == std::string::npos);
    // Text from the run is escaped.
    REQUIRE(sweep.find("&amp;b=&lt;2&gt;") != std::string::npos);
}

TEST_CASE("bench HTML says what ran: sweep levels, objectives, failures, ticks only at levels", "[bench]") {
    std::string sweep = render_bench_html(make_report(3));
    CHECK(sweep.find("<td>closed loop, sweep over concurrency 1, 4</td>") != std::string::npos);
    CHECK(sweep.find("<td>TTFT &lt;= 80 ms</td>") != std::string::npos);
    // The x tick labels of the charts (the row under the plot) are the levels that ran.
    const std::string tick = "y=\"252\" text-anchor=\"middle\">";
    size_t sweep_end = sweep.find("</section>");
    std::vector<std::string> labels;
    for (size_t p = sweep.find(tick); p != std::string::npos && p < sweep_end; p = sweep.find(tick, p + 1)) {
        size_t b = p + tick.size();
        labels.push_back(sweep.substr(b, sweep.find('<', b) - b));
    }
    REQUIRE(labels.size() == 4 * 3);
    for (const auto& l : labels) CHECK((l == "1" || l == "4" || l == "16"));

    BenchReport open;
    open.config.rate = 5;
    open.runs.push_back(make_run(5, 10, false));
    std::string one = render_bench_html(open);
    CHECK(one.find("<td>open loop, 5 req/s (poisson arrivals)</td>") != std::string::npos);
    CHECK(one.find("<td>none (goodput not measured)</td>") != std::string::npos);

    // Every request failed: no latency is shown as 0, and the first error says why.
    BenchStats st;
    for (int i = 0; i < 3; ++i) {
        RequestRecord f;
        f.outcome = Outcome::HttpError;
        f.http_status = 503;
        f.error = "backend unavailable";
        f.done_s = 0.1 * i;
        st.add(f);
    }
    BenchReport failed;
    failed.runs.push_back(BenchRun{"concurrency", 1, st.summarize(0.3)});
    std::string bad = render_bench_html(failed);
    INFO(bad);
    CHECK(testutil::xml_problem(bad).empty());
    CHECK(bad.find("0.000") == std::string::npos);
    CHECK(bad.find("<td>TTFT</td><td>0</td><td>-</td>") != std::string::npos);
    CHECK(bad.find("No request succeeded") != std::string::npos);
    CHECK(bad.find("first error: backend unavailable") != std::string::npos);
    // The run was one timeline slice: one flat step across the whole time axis (x 64 to 624).
    CHECK(bad.find("points=\"64,236 624,236 \"") != std::string::npos);
}

TEST_CASE("xml checker rejects broken markup", "[bench]") {
    REQUIRE_FALSE(testutil::xml_problem("<a><b></a></b>").empty());
    REQUIRE_FALSE(testutil::xml_problem("<a>x & y</a>").empty());
    REQUIRE_FALSE(testutil::xml_problem("<a>").empty());
    REQUIRE(testutil::xml_problem("<!DOCTYPE html>\n<a x=\"1\"><b/>&amp;</a>\n").empty());
}
