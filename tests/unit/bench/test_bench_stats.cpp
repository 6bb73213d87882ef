#include <catch2/catch.hpp>

#include "core/bench/bench_config.h"
#include "core/bench/bench_stats.h"

using namespace llmgw;

TEST_CASE("bench option parsers", "[bench]") {
    REQUIRE(*parse_duration_s("250ms", 1) == Approx(0.25));
    REQUIRE(*parse_duration_s("1.5s", 1) == Approx(1.5));
    REQUIRE(*parse_duration_s("300us", 1) == Approx(0.0003));
    REQUIRE(*parse_duration_s("2m", 1) == Approx(120));
    REQUIRE(*parse_duration_s("40", 1e-3) == Approx(0.04));
    REQUIRE_FALSE(parse_duration_s("abc", 1));
    REQUIRE_FALSE(parse_duration_s("-3s", 1));

    std::string err;
    auto slo = parse_slo("ttft=200ms,tpot=50,e2e=2s", &err);
    REQUIRE(slo);
    REQUIRE(*slo->ttft_s == Approx(0.2));
    REQUIRE(*slo->tpot_s == Approx(0.05));
    REQUIRE(*slo->e2e_s == Approx(2));
    REQUIRE_FALSE(parse_slo("ttft", &err));
    REQUIRE_FALSE(parse_slo("latency=3", &err));
    REQUIRE(err.find("latency") != std::string::npos);
    REQUIRE_FALSE(parse_slo("", &err));

    auto fixed = parse_token_range("128");
    REQUIRE(fixed);
    REQUIRE(fixed->fixed());
    auto range = parse_token_range("64:512");
    REQUIRE((range && range->min == 64 && range->max == 512));
    REQUIRE_FALSE(parse_token_range("512:64"));
    REQUIRE_FALSE(parse_token_range("0"));
    REQUIRE_FALSE(parse_token_range("x"));

    auto list = parse_number_list("1,8,32");
    REQUIRE(list == std::vector<double>{1, 8, 32});
    REQUIRE_FALSE(parse_number_list("1,,3"));
    REQUIRE_FALSE(parse_number_list("0"));

    uint64_t n = 0;
    double s = 0;
    REQUIRE(parse_warmup("20", &n, &s));
    REQUIRE((n == 20 && s == 0));
    REQUIRE(parse_warmup("5s", &n, &s));
    REQUIRE((n == 0 && s == Approx(5)));
    REQUIRE_FALSE(parse_warmup("soon", &n, &s));

    REQUIRE(parse_bench_api("messages") == BenchApi::Messages);
    REQUIRE_FALSE(parse_bench_api("responses"));
    REQUIRE(parse_arrival("constant") == Arrival::Constant);
}

namespace {
RequestRecord streamed_ok(double sched, double ttft, double itl, uint64_t tokens) {
    RequestRecord r;
    r.scheduled_s = sched;
    r.sent_s = sched;
    r.first_token_s = sched + ttft;
    r.streamed = true;
    r.output_tokens = tokens;
    r.input_tokens = 10;
    r.tokens_from = TokenSource::Server;
    for (uint64_t i = 1; i < tokens; ++i) r.itl_s.push_back(itl);
    r.done_s = r.first_token_s + itl * double(tokens - 1) + 0.001;
    return r;
}
}  // namespace

TEST_CASE("stats fold records into latencies, tokens and rates", "[bench]") {
    BenchStats st;
    for (int i = 0; i < 10; ++i) st.add(streamed_ok(i * 0.1, 0.050, 0.010, 5));
    auto s = st.summarize(2.0);
    REQUIRE(s.total == 10);
    REQUIRE(s.succeeded == 10);
    REQUIRE(s.failed == 0);
    REQUIRE(s.requests_per_s == Approx(5));
    REQUIRE(s.output_tokens == 50);
    REQUIRE(s.input_tokens == 100);
    REQUIRE(s.output_tokens_per_s == Approx(25));
    REQUIRE(s.token_source == "server");
    REQUIRE(s.ttft.count == 10);
    REQUIRE(s.ttft.p50_ms == Approx(50).epsilon(0.01));
    REQUIRE(s.itl.count == 40);
    REQUIRE(s.itl.p99_ms == Approx(10).epsilon(0.01));
    REQUIRE(s.tpot.mean_ms == Approx(10).epsilon(0.01));
    REQUIRE(s.e2e.max_ms == Approx(91).epsilon(0.01));
    REQUIRE_FALSE(s.slo_set);
}

TEST_CASE("stats classify failures and keep latencies to successes", "[bench]") {
    BenchStats st;
    st.add(streamed_ok(0, 0.01, 0.01, 3));
    RequestRecord f;
    f.done_s = 5;
    f.outcome = Outcome::HttpError;
    f.http_status = 503;
    f.error = "overloaded";
    st.add(f);
    st.add(f);
    f.outcome = Outcome::Timeout;
    st.add(f);
    f.outcome = Outcome::Reset;
    st.add(f);
    f.outcome = Outcome::InBandError;
    f.error = "boom";
    st.add(f);
    auto s = st.summarize(1);
    REQUIRE(s.total == 6);
    REQUIRE(s.failed == 5);
    REQUIRE(s.failures.at("http_503") == 2);
    REQUIRE(s.failures.at("timeout") == 1);
    REQUIRE(s.failures.at("reset") == 1);
    REQUIRE(s.failures.at("in_band_error") == 1);
    REQUIRE(s.failure_examples.at("http_503") == "overloaded");
    REQUIRE(s.e2e.count == 1);
    REQUIRE(outcome_class(Outcome::Connect, 0) == "connect");
}

TEST_CASE("goodput counts successes within every SLO", "[bench]") {
    Slo slo;
    slo.ttft_s = 0.1;
    slo.tpot_s = 0.02;
    BenchStats st(slo);
    st.add(streamed_ok(0, 0.05, 0.01, 4));   // meets both
    st.add(streamed_ok(0, 0.20, 0.01, 4));   // TTFT too slow
    st.add(streamed_ok(0, 0.05, 0.05, 4));   // TPOT too slow
    auto s = st.summarize(1);
    REQUIRE(s.slo_set);
    REQUIRE(s.slo_met == 1);
    REQUIRE(s.goodput_per_s == Approx(1));
}

TEST_CASE("open-loop latency starts at the scheduled time", "[bench]") {
    RequestRecord r;
    r.scheduled_s = 1.0;
    r.sent_s = 1.5;  // the client was late by 0.5 s
    r.first_token_s = 1.6;
    r.done_s = 2.0;
    REQUIRE(r.ttft_s() == Approx(0.6));
    REQUIRE(r.e2e_s() == Approx(1.0));
}

TEST_CASE("timeline has fixed size and coarsens", "[bench]") {
    Timeline t(1.0);
    for (int i = 0; i < 2000; ++i) t.add(i + 0.5, i % 10 != 0, 3);
    auto pts = t.points();
    REQUIRE(pts.size() <= Timeline::kMaxSlices);
    REQUIRE(t.width_s() == 4);
    uint64_t done = 0, failed = 0, toks = 0;
    for (const auto& p : pts) { done += p.completed; failed += p.failed; toks += p.output_tokens; }
    REQUIRE(done == 1800);
    REQUIRE(failed == 200);
    REQUIRE(toks == 6000);
    Timeline short_run;
    short_run.add(0.2, true, 1);
    REQUIRE(short_run.points(3.0).size() == 3);
    // A run shorter than a slice: the one slice is as wide as the run, so its rate is the run's.
    Timeline tenth;
    for (int i = 0; i < 10; ++i) tenth.add(0.01 * i, true, 1);
    auto one = tenth.points(0.25);
    REQUIRE(one.size() == 1);
    CHECK(one[0].width_s == Approx(0.25));
    CHECK(double(one[0].completed) / one[0].width_s == Approx(40));
    CHECK(short_run.points(2.5).back().width_s == Approx(0.5));
}
