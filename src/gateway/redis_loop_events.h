// hiredis's event hooks on a worker's libuv loop: what hiredis's adapters/libuv.h does, without
// its cost. That adapter restarts its uv_poll_t on every command and every read, and libuv 1.44
// turns each restart into two epoll_ctl calls; it also polls for writability before every write.
// Here the poll changes only when what it watches changes, and a connected socket's output is
// written once per loop turn, from a uv_prepare_t just before the loop blocks: every command the
// turn's callbacks issued goes out in one write(). Only a write the socket did not take whole
// waits for writability.
//
// Ownership (src/net/README.md): the events object belongs to the context; hiredis calls its
// cleanup hook when it frees the context, which closes both handles (freed in their close
// callbacks) and deletes the object. The handles' callbacks notice a cleanup that ran inside
// them (hiredis frees a context whose read failed) by the handle's `data`, cleared on close.
#pragma once
#include <uv.h>

struct redisAsyncContext;

namespace llmgw::gw {

// Replaces hiredis's redisLibuvAttach. Returns false (nothing attached) when the context already
// has event hooks or a handle cannot be set up.
bool attach_redis_events(redisAsyncContext* ac, uv_loop_t* loop);

}  // namespace llmgw::gw
