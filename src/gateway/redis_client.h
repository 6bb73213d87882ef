// One Redis connection on one worker's loop (hiredis's async API on the loop through
// redis_loop_events.h): pipelined, never blocking the loop, with a deadline on every call and
// reconnection with back-off. A host name is resolved on libuv's thread pool before each connection
// (hiredis 0.14 would resolve it on the loop). Each worker owns its own client; nothing here is
// shared between loops.
//
// Callback rules (src/net/README.md): a call's `done` runs exactly once, from the loop's idle
// turn, never inside call() and never inside a hiredis callback, so it may start new calls or drop
// the request. hiredis 0.14 has no timeouts on async calls, so a uv timer answers a call whose
// deadline passed with Timeout; a late reply is then ignored. A missed deadline also drops the
// connection (one slow reply delays every call pipelined behind it) and reconnects. An EVALSHA
// that Redis answers NOSCRIPT (it restarted, or its scripts were flushed) is sent again once as
// EVAL with the script's text, under the same deadline.
#pragma once
#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
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

    // `on_state` runs on every change of state, from the loop.
    RedisClient(uv_loop_t* loop, RedisClientOptions opts, std::function<void(RedisState)> on_state);
    ~RedisClient();  // close() first
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    void start();
    // `command`: its bytes (core/limits/redis_command.h), sent as they are.
    void call(std::string command, Done done);
    // Drops the connection and every pending call (their `done` never runs) and closes the handles.
    // What was sent and not yet written to the socket is written first, as far as the socket takes
    // it without waiting (the last settles and ledger records of a drained worker).
    void close();
    RedisState state() const { return state_; }
    const std::string& last_error() const { return last_error_; }

private:
    // A call sent and not yet answered. Redis answers a connection's calls in order, so they sit
    // in send order and a call's id is its place: id - first_id_.
    struct Pending {
        uint64_t deadline_ns = 0;
        Done done;
        std::string command;  // kept for the EVAL retry after NOSCRIPT
        bool answered = false;
        bool retried = false;
    };
    static void on_connect(const redisAsyncContext* ac, int status);
    static void on_disconnect(const redisAsyncContext* ac, int status);
    static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
    static void on_setup_reply(redisAsyncContext* ac, void* reply, void* privdata);

    struct Resolving;
    void connect();                                // resolves the host first unless it is an address
    void connect_to(const std::string& address);  // a numeric address
    static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res);
    bool send(uint64_t id, const std::string& command);
    Pending* pending(uint64_t id);  // nullptr when answered already
    bool retry_as_eval(Pending& p);  // NOSCRIPT: the command becomes EVAL with the script's text
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
    Resolving* resolving_ = nullptr;  // a host name lookup in flight
    RedisState state_ = RedisState::Connecting;
    std::string last_error_;
    bool closing_ = false;
    size_t setup_pending_ = 0;
    std::vector<std::pair<std::string, std::string>> scripts_;  // (SHA-1, text) of opts_.scripts
    std::deque<Pending> pending_;  // in send order; answered ones leave from the front
    uint64_t first_id_ = 1;        // the id of pending_.front()
    std::vector<std::pair<Done, RedisOutcome>> answered_;
    uint64_t backoff_ms_;
    net::Timer deadline_timer_;
    net::Timer reconnect_timer_;  // also the connect attempt's own deadline
    net::UvHandle<uv_idle_t> idle_;
};

}  // namespace llmgw::gw
