// What `llmgw bench` sends: seeded synthetic prompts or a JSONL dataset, the request body for
// each API, the endpoint and auth headers, and the open-loop arrival schedule. Deterministic for
// a given seed, so runs are repeatable and comparable.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bench/bench_config.h"

namespace llmgw {

// Small, fast, seedable generator (SplitMix64): identical sequences on every platform, unlike
// the standard distributions.
class SeededRng {
public:
    explicit SeededRng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    double uniform();                          // [0, 1)
    uint64_t below(uint64_t n);                // [0, n)
    int between(int lo, int hi);               // [lo, hi]

private:
    uint64_t state_;
};

struct PromptItem {
    std::string prompt;         // plain text (synthetic, or a dataset "prompt")
    std::string messages_json;  // a dataset's "messages" array as JSON text, else empty
    uint64_t input_tokens = 0;  // our estimate, used when the server reports no usage
    int max_tokens = 0;         // 0: take the configured --output-tokens
};

// The prompt for request `index` of a synthetic workload: `tokens` words drawn from a list of
// single-token English words, prefixed by the index so prefix caches cannot serve every request.
PromptItem synthetic_prompt(uint64_t seed, uint64_t index, const TokenRange& tokens);

// Parses a JSONL dataset: one object per line with "prompt" (string) or "messages" (array), and
// optionally "max_tokens"/"output_tokens". Blank lines are skipped. Sets *err (with the line
// number) on the first bad line.
std::optional<std::vector<PromptItem>> parse_dataset(std::string_view jsonl, std::string* err);

// Rough token estimate for text we did not get a server count for (~4 characters a token).
uint64_t estimate_tokens(std::string_view text);

// The request body for one request.
std::string build_request_body(BenchApi api, std::string_view model, const PromptItem& item,
                               int max_tokens, bool stream, bool ignore_eos);

// "http://h:p", "http://h:p/v1" or the full endpoint URL -> the endpoint for `api`.
std::string endpoint_url(std::string_view base_url, BenchApi api);
std::string_view endpoint_path(BenchApi api);

// Headers for `api`: JSON content type, and the key the way that API expects it (Bearer for the
// OpenAI APIs, x-api-key plus anthropic-version for messages).
std::vector<std::string> request_headers(BenchApi api, std::string_view key, bool stream);

// Open-loop send times: offsets in seconds from the start, exponential gaps (poisson) or equal
// gaps (constant) at `rate` per second.
class ArrivalSchedule {
public:
    ArrivalSchedule(double rate, Arrival arrival, uint64_t seed)
        : rate_(rate), arrival_(arrival), rng_(seed ^ 0xA5A5A5A5DEADBEEFull) {}
    double next();  // the first call returns 0

private:
    double rate_;
    Arrival arrival_;
    SeededRng rng_;
    double t_ = 0;
    bool started_ = false;
};

}  // namespace llmgw
