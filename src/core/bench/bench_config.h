// Everything `llmgw bench` was asked to do, as plain data, plus the parsers for its option
// values (durations, SLOs, token ranges, sweep lists). Pure: the command fills it from flags,
// the runner and the reports read it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

enum class BenchApi { Chat, Completions, Messages, Embeddings };
enum class Arrival { Poisson, Constant };

std::string_view bench_api_name(BenchApi api);
std::optional<BenchApi> parse_bench_api(std::string_view s);
std::string_view arrival_name(Arrival a);
std::optional<Arrival> parse_arrival(std::string_view s);

// Latency objectives a request must meet to count towards goodput; unset = not constrained.
struct Slo {
    std::optional<double> ttft_s, tpot_s, e2e_s;
    bool any() const { return ttft_s || tpot_s || e2e_s; }
};

// "N" (fixed) or "A:B" (uniform in [A, B]), in tokens.
struct TokenRange {
    int min = 128, max = 128;
    bool fixed() const { return min == max; }
};

struct BenchConfig {
    std::string url = "http://127.0.0.1:8000";
    BenchApi api = BenchApi::Chat;
    std::string model;
    std::vector<std::string> keys;  // one per request, in turn (many tenants); never written to reports
    bool stream = true;
    int concurrency = 1;
    double rate = 0;  // requests/s; > 0 selects the open loop
    Arrival arrival = Arrival::Poisson;
    uint64_t requests = 0;  // 0 with duration_s = 0 means the default (100)
    double duration_s = 0;
    uint64_t warmup_requests = 0;
    double warmup_s = 0;
    std::vector<double> sweep;  // concurrencies (closed loop) or rates (open loop)
    TokenRange input_tokens;
    int output_tokens = 128;
    std::string dataset;
    uint64_t seed = 42;
    bool ignore_eos = false;  // vLLM/SGLang extension: generate exactly output_tokens
    Slo slo;
    double timeout_s = 600;
    int max_concurrency = 10000;  // open-loop cap on requests in flight
    std::string json_path, csv_path, html_path;

    bool open_loop() const { return rate > 0; }
};

// "250ms", "1.5s", "300us", "2m"; a bare number takes `bare_unit_s` (e.g. 1e-3 for ms).
std::optional<double> parse_duration_s(std::string_view s, double bare_unit_s);
// "ttft=200ms,tpot=50ms,e2e=2s" (bare numbers are milliseconds). Sets *err on failure.
std::optional<Slo> parse_slo(std::string_view s, std::string* err);
// "128" or "64:512".
std::optional<TokenRange> parse_token_range(std::string_view s);
// "1,8,32" (positive numbers).
std::optional<std::vector<double>> parse_number_list(std::string_view s);
// "--warmup": "20" (requests) or "5s" (seconds).
bool parse_warmup(std::string_view s, uint64_t* requests, double* seconds);

}  // namespace llmgw
