#include "core/bench/bench_config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/base/text_util.h"

namespace llmgw {

std::string_view bench_api_name(BenchApi api) {
    switch (api) {
        case BenchApi::Chat: return "chat";
        case BenchApi::Completions: return "completions";
        case BenchApi::Messages: return "messages";
        case BenchApi::Embeddings: return "embeddings";
    }
    return "chat";
}

std::optional<BenchApi> parse_bench_api(std::string_view s) {
    for (BenchApi a : {BenchApi::Chat, BenchApi::Completions, BenchApi::Messages, BenchApi::Embeddings})
        if (bench_api_name(a) == s) return a;
    return std::nullopt;
}

std::string_view arrival_name(Arrival a) { return a == Arrival::Poisson ? "poisson" : "constant"; }

std::optional<Arrival> parse_arrival(std::string_view s) {
    if (s == "poisson") return Arrival::Poisson;
    if (s == "constant") return Arrival::Constant;
    return std::nullopt;
}

namespace {
std::optional<double> parse_double(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    std::string tmp(s);
    char* end = nullptr;
    double v = std::strtod(tmp.c_str(), &end);
    if (end != tmp.c_str() + tmp.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<int> parse_int(std::string_view s) {
    s = trim(s);
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}
}  // namespace

std::optional<double> parse_duration_s(std::string_view s, double bare_unit_s) {
    s = trim(s);
    struct Unit { std::string_view suffix; double scale; };
    // Longest suffixes first so "ms" is not read as "s".
    static constexpr Unit units[] = {{"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
    double scale = bare_unit_s;
    for (const auto& u : units) {
        if (s.size() > u.suffix.size() && s.substr(s.size() - u.suffix.size()) == u.suffix) {
            scale = u.scale;
            s.remove_suffix(u.suffix.size());
            break;
        }
    }
    auto v = parse_double(s);
    if (!v || *v < 0) return std::nullopt;
    return *v * scale;
}

std::optional<Slo> parse_slo(std::string_view s, std::string* err) {
    Slo slo;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string_view item = trim(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
        start = comma == std::string_view::npos ? s.size() + 1 : comma + 1;
        if (item.empty()) continue;
        auto eq = item.find('=');
        if (eq == std::string_view::npos) {
            if (err) *err = "--slo: expected name=duration, got '" + std::string(item) + "'";
            return std::nullopt;
        }
        std::string_view name = trim(item.substr(0, eq));
        auto value = parse_duration_s(item.substr(eq + 1), 1e-3);
        if (!value || *value <= 0) {
            if (err) *err = "--slo: bad duration for " + std::string(name);
            return std::nullopt;
        }
        if (name == "ttft") slo.ttft_s = value;
        else if (name == "tpot") slo.tpot_s = value;
        else if (name == "e2e") slo.e2e_s = value;
        else {
            if (err) *err = "--slo: unknown objective '" + std::string(name) + "' (ttft, tpot, e2e)";
            return std::nullopt;
        }
    }
    if (!slo.any()) {
        if (err) *err = "--slo: no objective given";
        return std::nullopt;
    }
    return slo;
}

std::optional<TokenRange> parse_token_range(std::string_view s) {
    auto colon = s.find(':');
    auto a = parse_int(s.substr(0, colon));
    auto b = colon == std::string_view::npos ? a : parse_int(s.substr(colon + 1));
    if (!a || !b || *a < 1 || *b < *a) return std::nullopt;
    return TokenRange{*a, *b};
}

std::optional<std::vector<double>> parse_number_list(std::string_view s) {
    std::vector<double> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        auto v = parse_double(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (!v || *v <= 0) return std::nullopt;
        out.push_back(*v);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

bool parse_warmup(std::string_view s, uint64_t* requests, double* seconds) {
    s = trim(s);
    if (auto n = parse_int(s)) {
        if (*n < 0) return false;
        *requests = uint64_t(*n);
        *seconds = 0;
        return true;
    }
    auto d = parse_duration_s(s, 1);
    if (!d) return false;
    *requests = 0;
    *seconds = *d;
    return true;
}

}  // namespace llmgw
