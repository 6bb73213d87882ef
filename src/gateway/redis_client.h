// One Redis connection on one worker's loop (hiredis's async API with its libuv adapter):
// pipelined, never blocking the loop, with a deadline on every call and reconnection with
// back-off. Each worker owns its own client; nothing here is shared between loops.
//
// Callback rules (src/net/README.md): a call's `done` runs exactly once, from the loop's idle
// turn, never inside call() and never inside a hiredis callback, so it may start new calls or drop
// the request. hiredis 0.14 has no timeouts on async calls, so a uv timer answers a call whose
// deadline passed with Timeout; a late reply is then ignored. A missed deadline also drops the
// connection (one slow reply delays every call pipelined behind it) and reconnects.
#pragma once
#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/limits/redis_value.h"
#include "core/ops/redis_url.h"
#include "net/timer.h"
#include "net/uv_handle.h"

struct redisAsyncContext;

namespace llmgw::gw {

enum class RedisState { Connecting, Up, Down };
const char* redis_state_name(RedisState s);

struct RedisOutcome {
    enum class Status { Reply, Timeout, Unavailable };
    Status status = Status::Unavailable;
    RedisValue reply;  // with Status::Reply (may be an error reply)
};

struct RedisClientOptions {
    RedisEndpoint endpoint;
    uint64_t deadline_ms = 20;
    // Sent (SCRIPT LOAD) on every new connection before it counts as up.
    std::vector<std::string> scripts;
};

class RedisClient {
public:
    using Done = std::function<void(const RedisOutcome&)>;
    // Given an error reply, the command to send in the call's place (same deadline), or empty to
    // answer with the reply: how EVALSHA falls back to EVAL after NOSCRIPT.
    using Retry = std::function<std::vector<std::string>(const RedisValue&)>;

    // `on_state` runs on every change of state, from the loop.
    RedisClient(uv_loop_t* loop, RedisClientOptions opts, std::function<void(RedisState)> on_state);
    ~RedisClient();  // close() first
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    void start();
    void call(std::vector<std::string> argv, Done done, Retry retry = {});
    // Drops the connection and every pending call (their `done` never runs) and closes the handles.
    void close();
    RedisState state() const { return state_; }
    const std::string& last_error() const { return last_error_; }

private:
    struct Pending {
        Done done;
        Retry retry;
    };
    static void on_connect(const redisAsyncContext* ac, int status);
    static void on_disconnect(const redisAsyncContext* ac, int status);
    static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
    static void on_setup_reply(redisAsyncContext* ac, void* reply, void* privdata);

    void connect();
    bool send(uint64_t id, const std::vector<std::string>& argv);
    void complete(uint64_t id, RedisOutcome outcome);
    void dispatch();  // from the idle handle: runs the answered calls' callbacks
    void expire();    // from the deadline timer
    void arm_deadline();
    void drop_connection(std::string why);  // never from inside a hiredis callback
    void lost(std::string why);             // the context is gone (hiredis frees it)
    void set_state(RedisState s);
    void schedule_reconnect();

    uv_loop_t* loop_;
    RedisClientOptions opts_;
    std::function<void(RedisState)> on_state_;
    redisAsyncContext* ctx_ = nullptr;
    RedisState state_ = RedisState::Connecting;
    std::string last_error_;
    bool closing_ = false;
    uint64_t next_id_ = 1;
    size_t setup_pending_ = 0;
    std::unordered_map<uint64_t, Pending> pending_;
    std::deque<std::pair<uint64_t, uint64_t>> deadlines_;  // (deadline ns, id), in send order
    std::vector<std::pair<Done, RedisOutcome>> answered_;
    uint64_t backoff_ms_;
    net::Timer deadline_timer_;
    net::Timer reconnect_timer_;  // also the connect attempt's own deadline
    net::UvHandle<uv_idle_t> idle_;
};

}  // namespace llmgw::gw
