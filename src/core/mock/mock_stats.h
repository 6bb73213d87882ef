// What `llmgw mock` observed, served at GET /mock/stats so integration tests can prove that the
// gateway cancels streams, forwards headers and passes bodies through. Shared by the mock's
// workers: counters are atomics, the last request is behind a mutex (off any hot path that
// matters: the mock is a test double).
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace llmgw::mock {

class Stats {
public:
    std::atomic<uint64_t> requests_total{0};     // every request but /mock/*
    std::atomic<uint64_t> api_requests{0};       // those under /v1/ (the ones faults apply to)
    std::atomic<uint64_t> streams_started{0};
    std::atomic<uint64_t> streams_completed{0};  // sent to the end, [DONE] included
    std::atomic<uint64_t> streams_aborted{0};    // the client went away mid-stream
    std::atomic<uint64_t> streams_reset{0};      // cut on purpose by --reset-after-chunks
    std::atomic<uint64_t> failures_injected{0};  // --fail-rate answers
    std::atomic<uint64_t> requests_hung{0};      // --hang: accepted, never answered
    std::atomic<uint64_t> responses_completed{0};  // non-stream answers sent
    std::atomic<int64_t> streams_active{0};
    std::atomic<uint64_t> connections_total{0};  // TCP connections accepted (proves upstream reuse)

    // Remembers a request as "the last one" (headers lower-cased as received) and counts its path.
    void record(std::string method, std::string path, std::vector<std::pair<std::string, std::string>> headers,
                std::string body);
    // {"requests_total":..,...,"requests_by_path":{..},"last_request":{"method","path","headers":{..},"body"}}
    std::string to_json() const;
    void reset();

private:
    mutable std::mutex mu_;
    std::string last_method_, last_path_, last_body_;
    std::vector<std::pair<std::string, std::string>> last_headers_;
    std::map<std::string, uint64_t> by_path_;
};

}  // namespace llmgw::mock
