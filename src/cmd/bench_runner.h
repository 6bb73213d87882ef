// Runs one load level of `llmgw bench` on a libuv loop through the shared upstream client:
// closed loop (N requests always in flight) or open loop (sends at scheduled times, latency
// measured from the schedule), with an optional warm-up, a live progress line and Ctrl-C.
#pragma once
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/bench/bench_config.h"
#include "core/bench/bench_stats.h"
#include "core/bench/bench_workload.h"
#include "net/upstream_client.h"

namespace llmgw::cmd {

struct LoadLevel {
    bool open_loop = false;
    double value = 1;  // concurrency or rate
    uint64_t warmup_requests = 0;
    double warmup_s = 0;
};

class BenchRunner {
public:
    // `dataset` empty means synthetic prompts.
    BenchRunner(uv_loop_t* loop, net::UpstreamClient& client, const BenchConfig& cfg,
                const std::vector<PromptItem>& dataset, bool progress);
    BenchSummary run(const LoadLevel& level);
    bool interrupted() const { return interrupted_; }

private:
    struct InFlight;
    struct Phase {
        bool measured = false;
        uint64_t requests = 0;  // 0: bounded by time
        double duration_s = 0;  // 0: bounded by count
        uint64_t issued = 0, done = 0, failed = 0;
        uint64_t t0_ns = 0;
        bool issuing = true;
    };

    void run_phase(const LoadLevel& level, Phase& phase);
    void issue(double scheduled_s);
    void finish(InFlight* f, const net::UpstreamResult& res);
    bool may_issue_more() const;
    void maybe_stop();
    void schedule_open_loop();
    void on_open_timer();
    void progress_tick();
    double now_s() const;
    PromptItem prompt_for(uint64_t index) const;

    uv_loop_t* loop_;
    net::UpstreamClient& client_;
    const BenchConfig& cfg_;
    const std::vector<PromptItem>& dataset_;
    std::string url_;
    std::vector<std::vector<std::string>> headers_;  // one set per key (one without a key), taken in turn
    bool progress_;
    bool interrupted_ = false;

    Phase* phase_ = nullptr;
    BenchStats* stats_ = nullptr;
    bool open_loop_ = false;
    size_t limit_ = 1;  // max in flight
    uint64_t next_index_ = 0;  // prompt index, continues across phases
    std::vector<InFlight*> inflight_;
    InFlight* starting_ = nullptr;
    std::vector<double> backlog_;  // open loop: scheduled sends waiting for a free slot
    size_t backlog_head_ = 0;
    ArrivalSchedule* arrivals_ = nullptr;
    double next_arrival_s_ = 0;
    uv_timer_t* open_timer_ = nullptr;
    uv_timer_t* progress_timer_ = nullptr;
};

}  // namespace llmgw::cmd
