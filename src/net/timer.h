// A one-shot libuv timer with a C++ callback. Destroying it (even from inside its own callback)
// closes the handle, which libuv frees later: see UvHandle.
#pragma once
#include <uv.h>

#include <cstdint>
#include <functional>

#include "net/uv_handle.h"

namespace llmgw::net {

class Timer {
public:
    explicit Timer(uv_loop_t* loop) { handle_.init(uv_timer_init, loop, this); }
    ~Timer() { handle_.close(); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Runs `cb` once after `ms`; re-arming replaces a pending callback.
    void once(uint64_t ms, std::function<void()> cb) {
        cb_ = std::move(cb);
        uv_timer_start(handle_.get(), fire, ms, 0);
    }
    void stop() {
        uv_timer_stop(handle_.get());
        cb_ = nullptr;
    }
    // Does not keep the loop running on its own (a background refresh).
    void unref() { uv_unref(handle_.handle()); }

private:
    static void fire(uv_timer_t* t) {
        auto* self = static_cast<Timer*>(t->data);
        if (!self) return;
        auto cb = std::move(self->cb_);  // the callback may destroy this Timer or re-arm it
        if (cb) cb();
    }

    UvHandle<uv_timer_t> handle_;
    std::function<void()> cb_;
};

}  // namespace llmgw::net
