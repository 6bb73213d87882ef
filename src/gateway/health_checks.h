// Active health checks of BACKENDS_FILE's replicas, from one worker's loop: every
// HEALTH_CHECK_INTERVAL_S each replica gets a one-token completion (or a GET of its health path,
// per pool), and the result feeds the same passive state requests do: failures eject, a success
// re-admits an ejected replica before its cool-down ends.
#pragma once
#include <memory>

#include "net/timer.h"

namespace llmgw::gw {

class GatewayWorker;

class HealthChecker {
public:
    explicit HealthChecker(GatewayWorker& worker);
    void start();
    // Before the worker's upstream client closes (which cancels the probes in flight).
    void stop();

private:
    void round();
    void round_done();

    GatewayWorker& worker_;
    net::Timer timer_;
    size_t pending_ = 0;  // probes of the current round still in flight
    bool stopped_ = false;
};

}  // namespace llmgw::gw
