#include "gateway/redis_client.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>

#include "core/limits/redis_command.h"
#include "core/limits/shared_rate_limit.h"
#include "gateway/log.h"
#include "gateway/redis_loop_events.h"
#include "net/http_server.h"

namespace llmgw::gw {

namespace {

// Calls waiting for a reply at most; beyond, a call is answered Unavailable at once. Deadlines
// already bound this (a call lives one deadline), the cap keeps a burst of traffic against a
// stalled Redis from queueing without limit inside hiredis.
constexpr size_t kMaxPendingCalls = 16384;
// Reconnection back-off: the first retry soon (a restarted Redis is back within a second),
// then doubling, so a Redis that stays down costs one attempt per worker every few seconds.
constexpr uint64_t kReconnectMinMs = 50;
constexpr uint64_t kReconnectMaxMs = 5000;
// A connection must be up (connected, authenticated, scripts loaded) this long after the attempt
// started, or it is dropped: a host that drops SYNs would otherwise keep it connecting forever.
constexpr uint64_t kConnectTimeoutMs = 2000;
// Nested arrays a reply may hold: the scripts answer flat arrays; anything deeper is not ours.
constexpr int kMaxReplyDepth = 4;

RedisValue to_value(const redisReply* r, int depth = 0) {
    RedisValue v;
    switch (r->type) {
        case REDIS_REPLY_INTEGER: v.type = RedisValue::Type::Integer; v.integer = r->integer; break;
        case REDIS_REPLY_STRING: v.type = RedisValue::Type::String; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_STATUS: v.type = RedisValue::Type::Status; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_ERROR: v.type = RedisValue::Type::Error; v.str.assign(r->str, r->len); break;
        case REDIS_REPLY_ARRAY:
            v.type = RedisValue::Type::Array;
            if (depth < kMaxReplyDepth) {
                v.elements.reserve(r->elements);  // hiredis holds them all already: no amplification
                for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(to_value(r->element[i], depth + 1));
            }
            break;
        default: break;  // REDIS_REPLY_NIL
    }
    return v;
}

}  // namespace

const char* redis_state_name(RedisState s) {
    switch (s) {
        case RedisState::Connecting: return "connecting";
        case RedisState::Up: return "up";
        case RedisState::Down: return "down";
    }
    return "down";
}

RedisClient::RedisClient(uv_loop_t* loop, RedisClientOptions opts, std::function<void(RedisState)> on_state)
    : loop_(loop),
      opts_(std::move(opts)),
      on_state_(std::move(on_state)),
      backoff_ms_(kReconnectMinMs),
      deadline_timer_(loop),
      reconnect_timer_(loop) {
    for (const auto& text : opts_.scripts) scripts_.emplace_back(redis_script_sha1(text), text);
    idle_.init(uv_idle_init, loop, this);
}

RedisClient::~RedisClient() { close(); }

void RedisClient::start() { connect(); }

// A lookup of the endpoint's host name on libuv's thread pool, so the loop never waits for a
// resolver (hiredis 0.14 would call getaddrinfo inside redisAsyncConnect, on the loop). It
// belongs to itself: the client forgets it (owner = nullptr) when it closes, and its callback,
// which always runs, frees it.
struct RedisClient::Resolving {
    uv_getaddrinfo_t req{};
    RedisClient* owner = nullptr;
};

namespace {

bool numeric_host(const std::string& host) {
    in_addr a4;
    in6_addr a6;
    return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// The lookup's first IPv4 address, else its first IPv6 one (hiredis too tries IPv4 first).
std::string first_address(const addrinfo* res) {
    char text[INET6_ADDRSTRLEN] = {0};
    for (int family : {AF_INET, AF_INET6})
        for (const addrinfo* a = res; a; a = a->ai_next) {
            if (a->ai_family != family) continue;
            if (family == AF_INET && uv_ip4_name(reinterpret_cast<const sockaddr_in*>(a->ai_addr), text, sizeof text) == 0)
                return text;
            if (family == AF_INET6 && uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(a->ai_addr), text, sizeof text) == 0)
                return text;
        }
    return {};
}

}  // namespace

void RedisClient::connect() {
    if (closing_) return;
    set_state(RedisState::Connecting);
    // The attempt's deadline covers the lookup, the connect and the setup calls.
    reconnect_timer_.once(kConnectTimeoutMs, [this] {
        if (state_ != RedisState::Up) drop_connection("no answer within " + std::to_string(kConnectTimeoutMs) + " ms of connecting");
    });
    if (numeric_host(opts_.endpoint.host)) {
        connect_to(opts_.endpoint.host);
        return;
    }
    if (resolving_) return;  // a lookup still running from an earlier attempt answers this one
    auto* r = new Resolving;
    r->owner = this;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (uv_getaddrinfo(loop_, &r->req, on_resolved, opts_.endpoint.host.c_str(), nullptr, &hints) != 0) {
        delete r;
        lost("cannot start resolving " + opts_.endpoint.host);
        return;
    }
    resolving_ = r;
}

void RedisClient::on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
    auto* r = reinterpret_cast<Resolving*>(req);  // req is its first member
    RedisClient* self = r->owner;
    const std::string address = status == 0 ? first_address(res) : std::string();
    uv_freeaddrinfo(res);
    delete r;
    if (!self) return;
    self->resolving_ = nullptr;
    if (self->closing_ || self->state_ != RedisState::Connecting || self->ctx_) return;  // not waited for now
    if (address.empty()) {
        self->lost("cannot resolve " + self->opts_.endpoint.host + ": " +
                   (status == 0 ? std::string("no IPv4 or IPv6 address") : uv_strerror(status)));
        return;
    }
    self->connect_to(address);
}

void RedisClient::connect_to(const std::string& address) {
    redisAsyncContext* ac = redisAsyncConnect(address.c_str(), opts_.endpoint.port);
    if (!ac || ac->err) {
        last_error_ = ac ? ac->errstr : "out of memory";
        if (ac) redisAsyncFree(ac);
        set_state(RedisState::Down);
        schedule_reconnect();
        return;
    }
    if (!attach_redis_events(ac, loop_)) {
        last_error_ = "cannot attach the connection to the loop";
        redisAsyncFree(ac);
        set_state(RedisState::Down);
        schedule_reconnect();
        return;
    }
    ac->data = this;
    ctx_ = ac;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    // Queued now, sent once connected; the connection is up when the last of these answers.
    std::vector<std::string> setup;
    const auto& ep = opts_.endpoint;
    if (!ep.password.empty()) {
        if (ep.username.empty()) setup.push_back(redis_command({"AUTH", ep.password}));
        else setup.push_back(redis_command({"AUTH", ep.username, ep.password}));
    }
    if (ep.db != 0) setup.push_back(redis_command({"SELECT", std::to_string(ep.db)}));
    for (const auto& s : opts_.scripts) setup.push_back(redis_command({"SCRIPT", "LOAD", s}));
    setup.push_back(redis_command({"PING"}));
    setup_pending_ = setup.size();
    for (const auto& c : setup) redisAsyncFormattedCommand(ac, on_setup_reply, nullptr, c.data(), c.size());
}

void RedisClient::on_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<RedisClient*>(ac->data);
    if (!self || status == REDIS_OK) return;
    // hiredis frees the context when this returns.
    self->lost(std::string("connect failed: ") + ac->errstr);
}

void RedisClient::on_disconnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<RedisClient*>(ac->data);
    if (!self || self->ctx_ != ac) return;  // dropped by us: already handled
    self->lost(status == REDIS_OK ? "connection closed" : std::string("connection lost: ") + ac->errstr);
}

void RedisClient::lost(std::string why) {
    ctx_ = nullptr;
    last_error_ = std::move(why);
    set_state(RedisState::Down);
    schedule_reconnect();
}

void RedisClient::on_setup_reply(redisAsyncContext* ac, void* reply, void*) {
    auto* self = static_cast<RedisClient*>(ac->data);
    if (!self || self->ctx_ != ac || !reply) return;
    auto* r = static_cast<redisReply*>(reply);
    if (r->type == REDIS_REPLY_ERROR) {
        // AUTH refused, a wrong database, scripting disabled: this connection is of no use.
        self->last_error_ = std::string("setup refused: ") + std::string(r->str, r->len);
        self->setup_pending_ = 0;
        redisAsyncDisconnect(ac);  // allowed inside a callback: runs once the replies are in
        return;
    }
    if (self->setup_pending_ > 0 && --self->setup_pending_ == 0) {
        self->reconnect_timer_.stop();
        self->backoff_ms_ = kReconnectMinMs;
        self->last_error_.clear();
        self->set_state(RedisState::Up);
    }
}

void RedisClient::schedule_reconnect() {
    if (closing_) return;
    const uint64_t wait = backoff_ms_;
    backoff_ms_ = std::min(kReconnectMaxMs, backoff_ms_ * 2);
    reconnect_timer_.once(wait, [this] { connect(); });
}

void RedisClient::set_state(RedisState s) {
    if (s == state_) return;
    const RedisState before = state_;
    state_ = s;
    if (s == RedisState::Down || before == RedisState::Up)
        log_event(s == RedisState::Up ? spdlog::level::info : spdlog::level::warn, "redis",
                  s == RedisState::Up ? "connected" : "unavailable",
                  {{"state", redis_state_name(s)}, {"error", last_error_}});
    else if (s == RedisState::Up)
        log_event(spdlog::level::info, "redis", "connected", {{"state", "up"}});
    if (on_state_) on_state_(s);
}

bool RedisClient::send(uint64_t id, const std::string& command) {
    return redisAsyncFormattedCommand(ctx_, on_reply, reinterpret_cast<void*>(static_cast<uintptr_t>(id)),
                                      command.data(), command.size()) == REDIS_OK;
}

void RedisClient::call(std::string command, Done done) {
    if (closing_) return;
    if (state_ != RedisState::Up || !ctx_ || pending_.size() >= kMaxPendingCalls) {
        answered_.emplace_back(std::move(done), RedisOutcome{RedisOutcome::Status::Unavailable, {}});
        uv_idle_start(idle_.get(), [](uv_idle_t* h) {
            if (auto* self = static_cast<RedisClient*>(h->data)) self->dispatch();
        });
        return;
    }
    const uint64_t id = first_id_ + pending_.size();
    Pending& p = pending_.emplace_back();
    p.deadline_ns = net::now_ns() + opts_.deadline_ms * 1'000'000;
    p.done = std::move(done);
    p.command = std::move(command);
    if (!send(id, p.command)) complete(id, RedisOutcome{RedisOutcome::Status::Unavailable, {}});
    if (pending_.size() == 1) arm_deadline();
}

RedisClient::Pending* RedisClient::pending(uint64_t id) {
    if (id < first_id_ || id - first_id_ >= pending_.size()) return nullptr;
    Pending& p = pending_[id - first_id_];
    return p.answered ? nullptr : &p;
}

bool RedisClient::retry_as_eval(Pending& p) {
    if (p.retried) return false;
    auto args = redis_command_args(p.command);
    if (!args || args->size() < 2 || (*args)[0] != "EVALSHA") return false;
    for (const auto& [sha, text] : scripts_)
        if ((*args)[1] == sha) {
            p.retried = true;
            std::vector<std::string_view> eval(args->begin(), args->end());
            eval[0] = "EVAL";
            eval[1] = text;
            p.command = redis_command(eval);
            return true;
        }
    return false;
}

void RedisClient::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
    auto* self = static_cast<RedisClient*>(ac->data);
    if (!self || self->closing_) return;
    const uint64_t id = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(privdata));
    Pending* p = self->pending(id);
    if (!p) return;  // answered already (deadline passed)
    if (!reply) {  // the connection went away with the call in flight
        self->complete(id, RedisOutcome{RedisOutcome::Status::Unavailable, {}});
        return;
    }
    RedisValue v = to_value(static_cast<redisReply*>(reply));
    // hiredis allows commands from its callbacks; the retry keeps its place in the deadline order.
    if (is_noscript_error(v) && self->ctx_ == ac && self->retry_as_eval(*p) && self->send(id, p->command)) return;
    self->complete(id, RedisOutcome{RedisOutcome::Status::Reply, std::move(v)});
}

void RedisClient::complete(uint64_t id, RedisOutcome outcome) {
    Pending* p = pending(id);
    if (!p) return;
    p->answered = true;
    p->command = std::string();
    answered_.emplace_back(std::move(p->done), std::move(outcome));
    while (!pending_.empty() && pending_.front().answered) {
        pending_.pop_front();
        ++first_id_;
    }
    uv_idle_start(idle_.get(), [](uv_idle_t* h) {
        if (auto* self = static_cast<RedisClient*>(h->data)) self->dispatch();
    });
}

void RedisClient::dispatch() {
    uv_idle_stop(idle_.get());
    auto batch = std::move(answered_);
    answered_.clear();
    for (auto& [done, outcome] : batch) {
        if (closing_) return;
        done(outcome);
    }
}

void RedisClient::arm_deadline() {
    // The oldest call still pending is at the front (answered ones leave it at once).
    if (pending_.empty()) {
        deadline_timer_.stop();
        return;
    }
    const uint64_t now = net::now_ns(), at = pending_.front().deadline_ns;
    const uint64_t wait_ms = at > now ? (at - now + 999'999) / 1'000'000 : 0;
    deadline_timer_.once(wait_ms, [this] { expire(); });
}

void RedisClient::expire() {
    const uint64_t now = net::now_ns();
    size_t expired = 0;
    while (!pending_.empty() && pending_.front().deadline_ns <= now) {
        complete(first_id_, RedisOutcome{RedisOutcome::Status::Timeout, {}});
        ++expired;
    }
    if (expired > 0 && ctx_)
        drop_connection("no reply within REDIS_TIMEOUT_MS (" + std::to_string(opts_.deadline_ms) + " ms)");
    arm_deadline();
}

void RedisClient::drop_connection(std::string why) {
    redisAsyncContext* ac = ctx_;
    ctx_ = nullptr;
    last_error_ = std::move(why);
    // Runs every pending reply callback with no reply (answered Unavailable) and closes the socket.
    if (ac) redisAsyncFree(ac);
    set_state(RedisState::Down);
    schedule_reconnect();
}

void RedisClient::close() {
    if (closing_) return;
    closing_ = true;
    if (resolving_) {  // its callback still runs (cancelled, or when the lookup ends) and frees it
        resolving_->owner = nullptr;
        uv_cancel(reinterpret_cast<uv_req_t*>(&resolving_->req));
        resolving_ = nullptr;
    }
    if (redisAsyncContext* ac = ctx_) {
        ctx_ = nullptr;
        ac->data = nullptr;
        // The synchronous context's write: on an error it only records it, never frees.
        int written_all = 0;
        if (state_ == RedisState::Up) redisBufferWrite(&ac->c, &written_all);
        redisAsyncFree(ac);
    }
    pending_.clear();
    answered_.clear();
    deadline_timer_.stop();
    reconnect_timer_.stop();
    idle_.close();
}

}  // namespace llmgw::gw
