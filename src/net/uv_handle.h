// The one owner of a libuv handle. The handle lives on the heap and is freed in its close
// callback: libuv may touch it until then ("the memory can only be released in close_cb"), so
// the owner can go away first (even from inside the handle's own callback). Destroying an owner
// whose handle was never closed is a bug: it asserts in debug builds and closes in release ones.
#pragma once
#include <uv.h>

#include <cassert>
#include <utility>

namespace llmgw::net {

template <class H>
class UvHandle {
public:
    UvHandle() = default;
    UvHandle(const UvHandle&) = delete;
    UvHandle& operator=(const UvHandle&) = delete;
    ~UvHandle() {
        assert((!h_ || closing_) && "a uv handle's owner was destroyed before it closed the handle");
        close();
    }

    // Runs `init(loop, handle, args...)` (uv_timer_init, uv_idle_init, ...) on a new handle whose
    // `data` is `owner`. Returns init's result; on failure nothing is kept.
    template <class Init, class... Args>
    int init(Init init_fn, uv_loop_t* loop, void* owner, Args&&... args) {
        assert(!h_ && "init once");
        auto* h = new H{};
        int rc = init_fn(loop, h, std::forward<Args>(args)...);
        if (rc != 0) {
            delete h;
            return rc;
        }
        h->data = owner;
        h_ = h;
        return 0;
    }

    H* get() const { return h_; }
    uv_handle_t* handle() const { return reinterpret_cast<uv_handle_t*>(h_); }
    uv_stream_t* stream() const { return reinterpret_cast<uv_stream_t*>(h_); }
    explicit operator bool() const { return h_ && !closing_; }

    // Starts closing; no callback of the handle runs after this, and its memory is freed by
    // libuv's close callback. Idempotent.
    void close() {
        if (!h_ || closing_) return;
        closing_ = true;
        h_->data = nullptr;
        uv_close(handle(), [](uv_handle_t* h) { delete reinterpret_cast<H*>(h); });
    }

private:
    H* h_ = nullptr;
    bool closing_ = false;
};

}  // namespace llmgw::net
