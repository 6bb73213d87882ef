// Active health checks of BACKENDS_FILE's replicas, from one worker's loop: every
// HEALTH_CHECK_INTERVAL_S each replica gets a one-token completion (or a GET of its health path,
// per pool), and the result feeds the same passive state requests do: failures eject, a success
// re-admits an ejected replica before its cool-down ends. Pools with `balance: queue` also have
// their replicas' /metrics read every kQueuePollMs for the runtime's queue. Where several pools
// have no model list, each round also asks one replica of each for its /v1/models, so a name no
// pool declares goes to the pool whose runtime lists it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "net/timer.h"

namespace llmgw::gw {

class GatewayWorker;
struct RoutingTable;

// A runtime's queue changes within a second; reading its /metrics that often costs it
// microseconds, and a picture older than that would send a burst to a replica already full.
inline constexpr uint64_t kQueuePollMs = 1000;

class HealthChecker {
public:
    explicit HealthChecker(GatewayWorker& worker);
    void start();
    // Before the worker's upstream client closes (which cancels the probes in flight).
    void stop();

private:
    void round();
    void round_done();
    // One replica of open pool `pool` (the next each round) lists its models.
    void list_models(const std::shared_ptr<const RoutingTable>& table, size_t pool);
    void queue_round();
    void queue_round_done();

    GatewayWorker& worker_;
    net::Timer timer_;
    net::Timer queue_timer_;
    size_t pending_ = 0;  // probes of the current round still in flight
    uint64_t rounds_ = 0;
    size_t queue_pending_ = 0;  // /metrics reads of the current queue round still in flight
    bool stopped_ = false;
};

}  // namespace llmgw::gw
