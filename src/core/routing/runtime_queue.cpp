#include "core/routing/runtime_queue.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace llmgw {

namespace {

// The gauges a runtime counts its waiting requests in.
constexpr std::string_view kQueueGauges[] = {
    "vllm:num_requests_waiting",
    "llamacpp:requests_deferred",
    "sglang:num_queue_reqs",
    "tgi_queue_size",
};

// The sample's value when `line` is a sample of `name` ("name{labels} value [timestamp]").
std::optional<double> sample_of(std::string_view line, std::string_view name) {
    if (!line.starts_with(name)) return std::nullopt;
    std::string_view rest = line.substr(name.size());
    if (rest.starts_with("{")) {
        size_t close = rest.find('}');
        if (close == std::string_view::npos) return std::nullopt;
        rest.remove_prefix(close + 1);
    }
    if (rest.empty() || (rest.front() != ' ' && rest.front() != '\t')) return std::nullopt;  // a longer name
    size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(start);
    rest = rest.substr(0, rest.find_first_of(" \t\r"));
    double v = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
    if (ec != std::errc() || ptr != rest.data() + rest.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

}  // namespace

std::optional<uint32_t> runtime_queue_depth(std::string_view text) {
    text = text.substr(0, kMaxRuntimeMetricsBytes);
    std::optional<double> total;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        for (std::string_view g : kQueueGauges)
            if (auto v = sample_of(line, g)) total = total.value_or(0) + *v;
    }
    if (!total) return std::nullopt;
    return static_cast<uint32_t>(std::min<double>(std::round(*total), kMaxQueueDepth));
}

std::string_view queue_gauge_name(std::string_view profile) {
    if (profile == "llamacpp") return kQueueGauges[1];
    if (profile == "sglang") return kQueueGauges[2];
    if (profile == "tgi") return kQueueGauges[3];
    return kQueueGauges[0];
}

}  // namespace llmgw
