// A runtime's own queue, read from its Prometheus /metrics: the requests it has accepted and not
// started (vLLM's vllm:num_requests_waiting, llama.cpp's llamacpp:requests_deferred, SGLang's
// sglang:num_queue_reqs, TGI's tgi_queue_size). A pool with `balance: queue` adds it to a
// replica's load, so requests other gateways sent there count too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace llmgw {

// A runtime's /metrics is tens of KB; what is read of it stops here (the gauges come early).
inline constexpr size_t kMaxRuntimeMetricsBytes = 1u << 20;
// Any queue beyond this is "very long": the figure stays small enough to add to outstanding counts.
inline constexpr uint32_t kMaxQueueDepth = 1'000'000;

// The sum of the queue gauges in the exposition text (one per model a runtime serves); nullopt
// when the text has none of them. `text` is untrusted: malformed lines are skipped.
std::optional<uint32_t> runtime_queue_depth(std::string_view text);

// The path a runtime serves its metrics on, under the replica's URL.
inline constexpr std::string_view kRuntimeMetricsPath = "/metrics";

// Mock runtimes (llmgw mock --queue-depth) answer with this line for `profile` ("vllm",
// "llamacpp", ...): the gauge the real runtime of that name exports.
std::string_view queue_gauge_name(std::string_view profile);

}  // namespace llmgw
