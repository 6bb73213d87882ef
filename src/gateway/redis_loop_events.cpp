#include "gateway/redis_loop_events.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "net/uv_handle.h"

namespace llmgw::gw {

namespace {

struct RedisLoopEvents {
    redisAsyncContext* ac = nullptr;
    net::UvHandle<uv_poll_t> poll;
    net::UvHandle<uv_prepare_t> flush;
    int watching = 0;           // the events the poll watches now
    bool write_wanted = false;  // hiredis has output for the prepare turn to write
    bool flushing = false;      // inside the prepare turn's write

    bool connected() const { return (ac->c.flags & REDIS_CONNECTED) != 0; }
    void watch(int events);
};

void on_poll(uv_poll_t* h, int status, int events) {
    auto* ev = static_cast<RedisLoopEvents*>(h->data);
    if (!ev) return;
    // On an error let hiredis read: the read fails and it tears the connection down.
    const int ready = status < 0 ? ev->watching : events;
    redisAsyncContext* ac = ev->ac;
    if (ready & UV_READABLE) redisAsyncHandleRead(ac);
    if (!h->data) return;  // hiredis freed the context inside the read
    if (ready & UV_WRITABLE) redisAsyncHandleWrite(ac);
}

void on_prepare(uv_prepare_t* h) {
    auto* ev = static_cast<RedisLoopEvents*>(h->data);
    if (!ev || !ev->write_wanted) return;
    ev->write_wanted = false;
    ev->flushing = true;
    redisAsyncHandleWrite(ev->ac);
    if (!h->data) return;  // freed inside the write (it failed)
    ev->flushing = false;
}

void RedisLoopEvents::watch(int events) {
    if (events == watching) return;
    watching = events;
    if (events) uv_poll_start(poll.get(), events, on_poll);
    else uv_poll_stop(poll.get());
}

void add_read(void* p) {
    auto* ev = static_cast<RedisLoopEvents*>(p);
    ev->watch(ev->watching | UV_READABLE);
}

void del_read(void* p) {
    auto* ev = static_cast<RedisLoopEvents*>(p);
    ev->watch(ev->watching & ~UV_READABLE);
}

void add_write(void* p) {
    auto* ev = static_cast<RedisLoopEvents*>(p);
    // Connecting: writability says the connect finished. A write the socket did not take whole
    // (called back from inside the prepare turn's write): wait until it can take more.
    if (!ev->connected() || ev->flushing) ev->watch(ev->watching | UV_WRITABLE);
    else ev->write_wanted = true;
}

void del_write(void* p) {
    auto* ev = static_cast<RedisLoopEvents*>(p);
    ev->write_wanted = false;
    ev->watch(ev->watching & ~UV_WRITABLE);
}

void cleanup(void* p) {
    auto* ev = static_cast<RedisLoopEvents*>(p);
    ev->ac->ev.data = nullptr;
    ev->poll.close();
    ev->flush.close();
    delete ev;
}

}  // namespace

bool attach_redis_events(redisAsyncContext* ac, uv_loop_t* loop) {
    if (ac->ev.data) return false;
    auto* ev = new RedisLoopEvents;
    ev->ac = ac;
    if (ev->poll.init(uv_poll_init_socket, loop, ev, ac->c.fd) != 0) {
        delete ev;
        return false;
    }
    if (ev->flush.init(uv_prepare_init, loop, ev) != 0) {
        ev->poll.close();
        delete ev;
        return false;
    }
    uv_prepare_start(ev->flush.get(), on_prepare);
    // A waiting prepare handle must not keep the loop alive on its own (the poll does while
    // the connection is open).
    uv_unref(ev->flush.handle());
    ac->ev.data = ev;
    ac->ev.addRead = add_read;
    ac->ev.delRead = del_read;
    ac->ev.addWrite = add_write;
    ac->ev.delWrite = del_write;
    ac->ev.cleanup = cleanup;
    return true;
}

}  // namespace llmgw::gw
