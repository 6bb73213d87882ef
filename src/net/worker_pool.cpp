#include "net/worker_pool.h"

#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace llmgw::net {

namespace {

// Everything one worker thread owns. Its handles live in this struct, which outlives the loop
// (the thread closes the loop before the pool joins it), so their memory is valid until libuv's
// close callbacks have run. `stop` is sent to exactly once per run (by the signal thread or the
// failed start-up), and only then closed, so no send can meet a closed handle.
struct Worker {
    uv_loop_t loop{};
    uv_async_t stop{};
    uv_timer_t drain_timer{};
    std::unique_ptr<WorkerApp> app;
    double drain_timeout_s = 30;
    bool closed = false;
    std::thread thread;

    void finish() {
        if (closed) return;
        closed = true;
        uv_timer_stop(&drain_timer);
        if (app) app->close();
        uv_close(reinterpret_cast<uv_handle_t*>(&stop), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&drain_timer), nullptr);
    }
};

void on_stop(uv_async_t* a) {
    auto* w = static_cast<Worker*>(a->data);
    if (w->closed) return;
    uv_timer_start(&w->drain_timer, [](uv_timer_t* t) { static_cast<Worker*>(t->data)->finish(); },
                   static_cast<uint64_t>(w->drain_timeout_s * 1000), 0);
    if (w->app) w->app->drain([w] { w->finish(); });
    else w->finish();
}

}  // namespace

// Thousands of open streams need thousands of descriptors (client + upstream each): take the
// hard limit the system allows instead of the usual soft 1024.
static void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int run_worker_pool(const WorkerPoolOptions& opts,
                    const std::function<std::unique_ptr<WorkerApp>(uv_loop_t*, int)>& make) {
    raise_fd_limit();
    int n = opts.workers < 1 ? 1 : opts.workers;
    std::vector<std::unique_ptr<Worker>> workers;
    workers.reserve(static_cast<size_t>(n));
    std::mutex mu;
    std::condition_variable cv;
    int started = 0;
    std::atomic<bool> failed{false};

    // Signal handlers go in before any worker exists: a SIGHUP or SIGTERM sent as soon as the
    // port is announced must not meet the default action (which would kill the process).
    uv_loop_t sigloop;
    uv_loop_init(&sigloop);
    struct SigCtx {
        const WorkerPoolOptions* opts;
        std::vector<std::unique_ptr<Worker>>* workers;
        bool shutting_down = false;
        uv_signal_t term{}, intr{}, hup{};
        void close_signals() {
            uv_close(reinterpret_cast<uv_handle_t*>(&term), nullptr);
            uv_close(reinterpret_cast<uv_handle_t*>(&intr), nullptr);
            uv_close(reinterpret_cast<uv_handle_t*>(&hup), nullptr);
        }
    } ctx{&opts, &workers};
    uv_signal_init(&sigloop, &ctx.term);
    uv_signal_init(&sigloop, &ctx.intr);
    uv_signal_init(&sigloop, &ctx.hup);
    ctx.term.data = ctx.intr.data = ctx.hup.data = &ctx;
    auto on_term = [](uv_signal_t* s, int signum) {
        auto* c = static_cast<SigCtx*>(s->data);
        if (c->shutting_down) return;
        c->shutting_down = true;
        if (c->opts->on_shutdown) c->opts->on_shutdown(signum);
        for (auto& w : *c->workers) uv_async_send(&w->stop);
        c->close_signals();
    };
    uv_signal_start(&ctx.term, on_term, SIGTERM);
    uv_signal_start(&ctx.intr, on_term, SIGINT);
    uv_signal_start(&ctx.hup, [](uv_signal_t* s, int) {
        auto* c = static_cast<SigCtx*>(s->data);
        if (c->opts->on_reload) c->opts->on_reload();
    }, SIGHUP);

    for (int i = 0; i < n; ++i) {
        auto w = std::make_unique<Worker>();
        w->drain_timeout_s = opts.drain_timeout_s;
        Worker* wp = w.get();
        workers.push_back(std::move(w));
        wp->thread = std::thread([&, wp, i] {
            uv_loop_init(&wp->loop);
            uv_async_init(&wp->loop, &wp->stop, on_stop);
            wp->stop.data = wp;
            uv_timer_init(&wp->loop, &wp->drain_timer);
            wp->drain_timer.data = wp;
            wp->app = make(&wp->loop, i);
            if (!wp->app) failed = true;
            {
                std::lock_guard<std::mutex> lk(mu);
                ++started;
            }
            cv.notify_all();
            // Without an app the loop waits for the stop that a failed start-up sends.
            uv_run(&wp->loop, UV_RUN_DEFAULT);
            // Let close callbacks run, then tear the loop down.
            uv_run(&wp->loop, UV_RUN_DEFAULT);
            wp->app.reset();
            uv_run(&wp->loop, UV_RUN_NOWAIT);
            uv_loop_close(&wp->loop);
        });
    }
    {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return started == n; });
    }

    if (failed) {
        for (auto& w : workers) uv_async_send(&w->stop);
        ctx.close_signals();
    }
    uv_run(&sigloop, UV_RUN_DEFAULT);
    for (auto& w : workers) w->thread.join();
    uv_run(&sigloop, UV_RUN_NOWAIT);
    uv_loop_close(&sigloop);
    return failed ? 1 : 0;
}

}  // namespace llmgw::net
