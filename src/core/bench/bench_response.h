// Reads what came back for one benchmark request, as it arrives: which stream events carry
// tokens (for TTFT and inter-token latency), the server's usage counts, in-band errors and
// whether the stream reached its end marker. One meter per request; pure (times are passed in).
#pragma once
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bench/bench_config.h"
#include "core/base/sse.h"

namespace llmgw {

class ResponseMeter {
public:
    ResponseMeter(BenchApi api, bool stream) : api_(api), stream_(stream) {}

    // A stream event received at time t (seconds, any fixed origin).
    void on_event(const SseEvent& ev, double t);
    // A whole non-stream body, complete at time t.
    void on_body(std::string_view body, double t);
    // The same, parsed in place (no copy of its strings): `body` is clobbered. The benchmark's
    // hot path, which owns the body and drops it afterwards.
    void on_body_in_place(std::string& body, double t);

    bool streamed() const { return stream_; }
    double first_token_s() const { return first_token_s_; }  // < 0 when none
    uint64_t token_events() const { return token_events_; }
    const std::vector<double>& itl_s() const { return itl_s_; }
    std::vector<double>& itl_s() { return itl_s_; }
    std::optional<uint64_t> usage_input() const { return usage_input_; }
    std::optional<uint64_t> usage_output() const { return usage_output_; }
    // Output tokens estimated from a non-stream body's text when it has no usage.
    uint64_t estimated_output() const { return estimated_output_; }
    const std::string& error() const { return error_; }  // in-band error message, if any
    bool finished() const { return finished_; }          // saw [DONE] / message_stop / a whole body
    uint64_t events() const { return events_; }

private:
    void on_parsed_body(const rapidjson::Document& d, double t);
    void on_openai_chunk(std::string_view data, double t);
    void on_anthropic_event(std::string_view type, std::string_view data, double t);
    void token_at(double t);

    BenchApi api_;
    bool stream_;
    double first_token_s_ = -1, last_token_s_ = -1;
    uint64_t token_events_ = 0, events_ = 0, estimated_output_ = 0;
    std::vector<double> itl_s_;
    std::optional<uint64_t> usage_input_, usage_output_;
    std::string error_;
    bool finished_ = false;
};

}  // namespace llmgw
