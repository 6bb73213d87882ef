#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/ops/metrics.h"

using namespace llmgw;

namespace {

const std::vector<std::string> kRoutes = {"/v1/chat/completions", "/v1/models", "/v1/messages"};

struct Exposition {
    std::map<std::string, double> samples;       // "name{labels}" -> value
    std::map<std::string, std::string> types;    // family -> type
    std::set<std::string> helps;
    std::vector<std::string> lines;
};

// A strict-enough parser of the text format: every line is a comment we know or a sample.
Exposition parse(const std::string& text) {
    static const std::regex sample(
        R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*)?\})? (\S+)$)");
    Exposition e;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        e.lines.push_back(line);
        if (line.rfind("# HELP ", 0) == 0) {
            e.helps.insert(line.substr(7, line.find(' ', 7) - 7));
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            const size_t sp = line.find(' ', 7);
            e.types[line.substr(7, sp - 7)] = line.substr(sp + 1);
            continue;
        }
        std::smatch m;
        INFO(line);
        REQUIRE(std::regex_match(line, m, sample));
        const size_t sp = line.rfind(' ');
        const std::string v = line.substr(sp + 1);
        e.samples[line.substr(0, sp)] = v == "+Inf" ? INFINITY : std::stod(v);
    }
    return e;
}

double get(const Exposition& e, const std::string& key) {
    auto it = e.samples.find(key);
    INFO(key);
    REQUIRE(it != e.samples.end());
    return it->second;
}

}  // namespace

TEST_CASE("label values and help text are escaped per the text format", "[metrics]") {
    CHECK(escape_label_value(R"(a"b\c)" "\nd") == R"(a\"b\\c\nd)");
    CHECK(escape_help("x\\y\nz\"") == "x\\\\y\\nz\"");
    CHECK(format_metric_value(0.005) == "0.005");
    CHECK(format_metric_value(2.5) == "2.5");
    CHECK(format_metric_value(600) == "600");
    CHECK(format_metric_value(INFINITY) == "+Inf");
}

TEST_CASE("every family has HELP and TYPE even before any traffic", "[metrics]") {
    GatewayMetrics m({kRoutes, 2});
    auto e = parse(m.render());
    const std::map<std::string, std::string> want = {
        {"chat_api_uptime_seconds", "gauge"},
        {"chat_api_requests_total", "counter"},
        {"chat_api_request_duration_seconds", "histogram"},
        {"chat_api_backend_errors_total", "counter"},
        {"chat_api_rate_limited_total", "counter"},
        {"llmgw_time_to_first_token_seconds", "histogram"},
        {"llmgw_inter_token_latency_seconds", "histogram"},
        {"llmgw_tokens_total", "counter"},
        {"llmgw_active_streams", "gauge"},
        {"llmgw_upstream_duration_seconds", "histogram"},
        {"llmgw_client_aborts_total", "counter"},
        {"llmgw_key_requests_total", "counter"},
        {"llmgw_key_tokens_total", "counter"},
    };
    CHECK(e.types == want);
    for (auto& [name, type] : want) CHECK(e.helps.count(name) == 1);
    CHECK(get(e, "chat_api_uptime_seconds") >= 0);
    CHECK(get(e, "llmgw_active_streams") == 0);
    // Fixed error kinds are always present, so rate() works from the first scrape.
    for (auto kind : {"connect", "timeout", "status_5xx", "status_4xx", "protocol", "reset"})
        CHECK(get(e, std::string("chat_api_backend_errors_total{kind=\"") + kind + "\"}") == 0);
    // No request series before any request.
    for (auto& [k, v] : e.samples) CHECK(k.rfind("chat_api_requests_total", 0) != 0);
}

TEST_CASE("request counters move by exactly what was recorded", "[metrics]") {
    GatewayMetrics m({kRoutes, 2});
    auto r0 = m.recorder(0), r1 = m.recorder(1);
    for (int i = 0; i < 3; ++i) r0.on_request(0, "POST", 200, 0.01);
    r1.on_request(0, "POST", 200, 0.01);
    r1.on_request(1, "GET", 200, 0.001);
    r0.on_request(99, "GET", 404, 0.001);   // no route matched: "unmatched"
    r0.on_request(0, "BREW", 405, 0.001);   // unusual method: "OTHER"
    auto e = parse(m.render());
    CHECK(get(e, R"(chat_api_requests_total{method="POST",path="/v1/chat/completions",status="200"})") == 4);
    CHECK(get(e, R"(chat_api_requests_total{method="GET",path="/v1/models",status="200"})") == 1);
    CHECK(get(e, R"(chat_api_requests_total{method="GET",path="unmatched",status="404"})") == 1);
    CHECK(get(e, R"(chat_api_requests_total{method="OTHER",path="/v1/chat/completions",status="405"})") == 1);
    CHECK(get(e, R"(chat_api_request_duration_seconds_count{method="POST",path="/v1/chat/completions"})") == 4);
}

TEST_CASE("histograms are cumulative with +Inf, _sum and _count", "[metrics]") {
    GatewayMetrics m({kRoutes, 1});
    auto r = m.recorder(0);
    for (double d : {0.003, 0.02, 0.7, 1000.0}) r.on_request(0, "POST", 200, d);
    auto e = parse(m.render());
    const std::string b = R"(chat_api_request_duration_seconds_bucket{method="POST",path="/v1/chat/completions",le=")";
    CHECK(get(e, b + "0.005\"}") == 1);
    CHECK(get(e, b + "0.01\"}") == 1);
    CHECK(get(e, b + "0.025\"}") == 2);
    CHECK(get(e, b + "0.5\"}") == 2);
    CHECK(get(e, b + "1\"}") == 3);
    CHECK(get(e, b + "600\"}") == 3);
    CHECK(get(e, b + "+Inf\"}") == 4);
    CHECK(get(e, R"(chat_api_request_duration_seconds_count{method="POST",path="/v1/chat/completions"})") == 4);
    CHECK(get(e, R"(chat_api_request_duration_seconds_sum{method="POST",path="/v1/chat/completions"})") ==
          Approx(1000.723).epsilon(1e-9));
    // Buckets are monotonic and in bound order.
    double prev = 0;
    for (double le : GatewayMetrics::request_buckets()) {
        double v = get(e, b + format_metric_value(le) + "\"}");
        CHECK(v >= prev);
        prev = v;
    }
}

TEST_CASE("a value exactly on a bound lands in that bucket", "[metrics]") {
    GatewayMetrics m({kRoutes, 1});
    auto model = m.model("llama");
    m.recorder(0).on_ttft(0, model, 0.1);
    auto e = parse(m.render());
    const std::string b = R"(llmgw_time_to_first_token_seconds_bucket{route="/v1/chat/completions",model="llama",le=")";
    CHECK(get(e, b + "0.05\"}") == 0);
    CHECK(get(e, b + "0.1\"}") == 1);
}

TEST_CASE("LLM metrics: ttft, inter-token latency, tokens, streams, upstream, aborts", "[metrics]") {
    GatewayMetrics m({kRoutes, 2});
    auto r0 = m.recorder(0), r1 = m.recorder(1);
    auto llama = m.model("llama-3-8b");
    r0.on_ttft(0, llama, 0.2);
    r0.on_inter_token(0, llama, 0.02);
    r0.on_inter_token(0, llama, 0.03);
    r0.on_tokens(llama, 12, 34);
    r1.on_tokens(llama, 1, 0);
    r0.on_stream_start();
    r0.on_stream_start();
    r1.on_stream_end();  // a stream may end on another shard than it started on
    r0.on_upstream(2, 1.5);
    r1.on_client_abort(0);
    r1.on_client_abort(0);
    r0.on_backend_error(BackendErrorKind::Timeout);
    r0.on_rate_limited("key:0123456789ab");
    r1.on_rate_limited("key:0123456789ab");
    auto e = parse(m.render());
    CHECK(get(e, R"(llmgw_time_to_first_token_seconds_count{route="/v1/chat/completions",model="llama-3-8b"})") == 1);
    CHECK(get(e, R"(llmgw_time_to_first_token_seconds_sum{route="/v1/chat/completions",model="llama-3-8b"})") ==
          Approx(0.2));
    CHECK(get(e, R"(llmgw_inter_token_latency_seconds_count{route="/v1/chat/completions",model="llama-3-8b"})") == 2);
    CHECK(get(e, R"(llmgw_inter_token_latency_seconds_bucket{route="/v1/chat/completions",model="llama-3-8b",le="0.025"})") == 1);
    CHECK(get(e, R"(llmgw_tokens_total{model="llama-3-8b",direction="prompt"})") == 13);
    CHECK(get(e, R"(llmgw_tokens_total{model="llama-3-8b",direction="completion"})") == 34);
    CHECK(get(e, "llmgw_active_streams") == 1);
    CHECK(get(e, R"(llmgw_upstream_duration_seconds_count{route="/v1/messages"})") == 1);
    CHECK(get(e, R"(llmgw_client_aborts_total{route="/v1/chat/completions"})") == 2);
    CHECK(get(e, R"(chat_api_backend_errors_total{kind="timeout"})") == 1);
    CHECK(get(e, R"(chat_api_backend_errors_total{kind="connect"})") == 0);
    CHECK(get(e, R"(chat_api_rate_limited_total{identity="key:0123456789ab"})") == 2);
}

TEST_CASE("model label values are escaped and bounded", "[metrics]") {
    MetricsOptions o{kRoutes, 1};
    o.max_models = 2;
    GatewayMetrics m(o);
    auto r = m.recorder(0);
    auto weird = m.model("a\"b\\c\nd");
    auto plain = m.model("plain");
    CHECK(m.model("plain").index == plain.index);
    auto third = m.model("third");
    auto fourth = m.model("fourth");
    CHECK(third.index == 0);
    CHECK(fourth.index == 0);
    for (auto id : {weird, plain, third, fourth}) r.on_tokens(id, 1, 0);
    auto e = parse(m.render());
    CHECK(get(e, R"(llmgw_tokens_total{model="a\"b\\c\nd",direction="prompt"})") == 1);
    CHECK(get(e, R"(llmgw_tokens_total{model="plain",direction="prompt"})") == 1);
    CHECK(get(e, R"(llmgw_tokens_total{model="other",direction="prompt"})") == 2);
    size_t token_series = 0;
    for (auto& [k, v] : e.samples) token_series += k.rfind("llmgw_tokens_total", 0) == 0;
    CHECK(token_series == 3);
}

TEST_CASE("identities and statuses are bounded too", "[metrics]") {
    MetricsOptions o{kRoutes, 1};
    o.max_identities = 3;
    o.max_statuses = 2;
    GatewayMetrics m(o);
    auto r = m.recorder(0);
    for (int i = 0; i < 100; ++i) r.on_rate_limited("10.0.0." + std::to_string(i));
    for (int s : {200, 404, 418, 500}) r.on_request(0, "GET", s, 0);
    auto e = parse(m.render());
    CHECK(get(e, R"(chat_api_rate_limited_total{identity="other"})") == 97);
    CHECK(get(e, R"(chat_api_requests_total{method="GET",path="/v1/chat/completions",status="other"})") == 2);
}

TEST_CASE("usage by identity: requests and tokens per key, bounded by its own cap", "[metrics]") {
    MetricsOptions o{kRoutes, 2};
    o.max_usage_identities = 2;
    GatewayMetrics m(o);
    auto r0 = m.recorder(0), r1 = m.recorder(1);
    r0.on_key_usage("key:aaaaaaaaaaaa", 10, 3, 4);
    r1.on_key_usage("key:aaaaaaaaaaaa", 5, 0, 2);
    r0.on_key_usage("key:bbbbbbbbbbbb", 1, 1, 0);
    for (int i = 0; i < 10; ++i) r1.on_key_usage("ip:10.0.0." + std::to_string(i), 2, 1, 0);
    auto e = parse(m.render());
    CHECK(get(e, R"(llmgw_key_requests_total{identity="key:aaaaaaaaaaaa"})") == 2);
    CHECK(get(e, R"(llmgw_key_tokens_total{identity="key:aaaaaaaaaaaa",direction="prompt"})") == 15);
    CHECK(get(e, R"(llmgw_key_tokens_total{identity="key:aaaaaaaaaaaa",direction="completion"})") == 3);
    CHECK(get(e, R"(llmgw_key_tokens_total{identity="key:aaaaaaaaaaaa",direction="cached"})") == 6);
    CHECK(get(e, R"(llmgw_key_requests_total{identity="key:bbbbbbbbbbbb"})") == 1);
    CHECK(get(e, R"(llmgw_key_requests_total{identity="other"})") == 10);
    CHECK(get(e, R"(llmgw_key_tokens_total{identity="other",direction="prompt"})") == 20);
    // The rate-limited identities keep their own cap: usage does not use it up.
    r0.on_rate_limited("key:cccccccccccc");
    CHECK(get(parse(m.render()), R"(chat_api_rate_limited_total{identity="key:cccccccccccc"})") == 1);
}

TEST_CASE("LabelInterner gives one index per value under concurrent interning", "[metrics]") {
    LabelInterner in(64);
    std::vector<std::thread> ts;
    std::vector<std::vector<uint32_t>> got(4);
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&, t] {
            for (int rep = 0; rep < 200; ++rep)
                for (int i = 0; i < 50; ++i) got[t].push_back(in.intern(std::string("m").append(std::to_string(i))));
        });
    for (auto& t : ts) t.join();
    std::set<uint32_t> distinct(got[0].begin(), got[0].end());
    CHECK(distinct.size() == 50);
    for (int t = 1; t < 4; ++t) CHECK(got[t] == got[0]);
    for (uint32_t i : distinct) CHECK(in.name(i).substr(0, 1) == "m");
    CHECK(in.name(0) == "other");
    CHECK(in.name(63).empty());
}

TEST_CASE("shards recorded from many threads merge exactly at scrape", "[metrics]") {
    constexpr int kThreads = 4, kPerThread = 20000;
    GatewayMetrics m({kRoutes, kThreads});
    auto model = m.model("m");
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t)
        ts.emplace_back([&, t] {
            auto r = m.recorder(size_t(t));
            for (int i = 0; i < kPerThread; ++i) {
                r.on_request(0, "POST", 200, 0.001);
                r.on_tokens(model, 1, 2);
                r.on_stream_start();
                r.on_stream_end();
            }
        });
    // Scraping while workers record must be safe (values are simply a moment's snapshot).
    for (int i = 0; i < 5; ++i) (void)m.render();
    for (auto& t : ts) t.join();
    auto e = parse(m.render());
    CHECK(get(e, R"(chat_api_requests_total{method="POST",path="/v1/chat/completions",status="200"})") ==
          kThreads * kPerThread);
    CHECK(get(e, R"(llmgw_tokens_total{model="m",direction="completion"})") == 2.0 * kThreads * kPerThread);
    CHECK(get(e, "llmgw_active_streams") == 0);
}
