// Runs N worker threads, each with its own libuv loop and its own copy of the application
// (listener, upstream client, buffers): a request never leaves the worker that accepted it.
// The calling thread waits for signals: SIGTERM/SIGINT drain every worker, SIGHUP calls a reload
// hook.
#pragma once
#include <uv.h>

#include <functional>
#include <memory>

namespace llmgw::net {

// What runs on one worker loop.
class WorkerApp {
public:
    virtual ~WorkerApp() = default;
    // Stop accepting and finish in-flight work; call `done` when nothing is left.
    virtual void drain(std::function<void()> done) = 0;
    // Drop whatever is left (after the drain timeout) and close every handle.
    virtual void close() = 0;
};

struct WorkerPoolOptions {
    int workers = 1;
    double drain_timeout_s = 30;
    std::function<void()> on_reload;                 // SIGHUP, on the signal thread
    std::function<void(int signum)> on_shutdown;     // first SIGTERM/SIGINT, on the signal thread
};

// Builds each worker's app on its own thread (make may return nullptr to fail start-up) and runs
// until a shutdown signal has drained them all. Returns 0 on a clean drain, 1 if start-up failed.
int run_worker_pool(const WorkerPoolOptions& opts,
                    const std::function<std::unique_ptr<WorkerApp>(uv_loop_t*, int index)>& make);

}  // namespace llmgw::net
