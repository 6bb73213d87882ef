// HTTP/1.1 server for one worker loop: llhttp parsing (strict), keep-alive, pipelining (one
// request at a time per connection, answered in order), body and header limits, header-read and
// idle timeouts, bounded output with drain notification, and graceful drain.
//
// Ownership (src/net/README.md): a Connection is freed only in its handles' close callbacks, and
// it is closed only from the loop, never from inside a read, a write or a timer callback: those
// set a flag and queue the connection, and the server's idle callback tears it down (running the
// exchange's abort callback) from a clean stack. So no callback into the application can free
// an object that a frame further up the stack is still using.
#pragma once
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_types.h"
#include "net/uv_handle.h"

namespace llmgw::net {

class Connection;

struct ServerLimits {
    size_t max_body_bytes = 32u << 20;
    size_t max_header_bytes = 64u << 10;
    uint64_t header_timeout_ms = 10'000;  // from first byte of a request to its complete head
    uint64_t body_timeout_ms = 60'000;    // from head to complete body
    uint64_t idle_timeout_ms = 60'000;    // keep-alive connection with no request in progress
    size_t max_header_count = 200;        // header lines per request; more is a 431
    size_t write_high_water = 256u << 10; // Exchange::congested() above this
    size_t write_low_water = 64u << 10;   // on_drain fires below this
    // At shutdown, a connection still flushing its last bytes (a drain cut-off's error event) gets
    // this long before it is closed anyway: a client that stopped reading cannot hold the exit.
    uint64_t shutdown_flush_ms = 1'000;
};

// One request/response on a connection. The handler keeps a shared_ptr for as long as it works on
// the answer (for example across an upstream call). If the client goes away first, the exchange
// is detached: writes become no-ops and the abort callback runs once, from the loop (never from
// inside one of this exchange's own calls). Calls never call back into the handler synchronously.
class Exchange : public std::enable_shared_from_this<Exchange> {
public:
    explicit Exchange(Connection* c, HttpRequest req, uint64_t start_ns);
    const HttpRequest& request() const { return req_; }
    HttpRequest& request() { return req_; }

    void add_header(std::string name, std::string value);  // before respond()/start_stream()
    void respond(int status, std::string_view content_type, std::string_view body);
    // Chunked streaming response.
    void start_stream(int status, std::string_view content_type);
    void write(std::string_view data);
    void end();
    // Abortive close (TCP RST) of the connection under this exchange: for fault injection.
    void reset();

    // The client is gone or going: writes are no-ops from the moment the connection's close was
    // requested (a failed write, a reset), though the abort callback runs later, from the loop.
    bool detached() const;
    bool responded() const { return state_ != State::Fresh; }
    bool finished() const { return state_ == State::Done; }
    int status() const { return status_; }
    uint64_t start_ns() const { return start_ns_; }
    bool congested() const;  // pending output over the high-water mark

    // Runs (from the loop) once pending output fell below the low-water mark.
    void on_drain(std::function<void()> cb) { drain_cb_ = std::move(cb); }
    // Runs (from the loop) once if the connection closes before the response is complete.
    void on_abort(std::function<void()> cb) { abort_cb_ = std::move(cb); }

    // Called by Connection.
    void detach();
    void notify_drained();

private:
    enum class State { Fresh, Streaming, Done };
    void write_head(int status, std::string_view content_type, bool chunked, size_t content_length);

    Connection* conn_;
    HttpRequest req_;
    uint64_t start_ns_;
    Headers extra_headers_;
    std::string head_buf_;
    State state_ = State::Fresh;
    int status_ = 0;
    std::function<void()> drain_cb_;
    std::function<void()> abort_cb_;
};

using Handler = std::function<void(const std::shared_ptr<Exchange>&)>;
// The body of an answer the server gives itself (400, 408, 413, 431 before any handler runs; 500
// when a handler throws): net knows no API, so the application renders `message` in its route's
// envelope (it gets what was parsed of the request: path, maybe method, peer) and can count and
// log it. The body is sent as application/json; without a renderer it is the message as text.
using ErrorRenderer = std::function<std::string(const HttpRequest& partial, int status, const std::string& message)>;

class HttpServer {
public:
    // Takes ownership of listen_fd, an already bound socket.
    HttpServer(uv_loop_t* loop, int listen_fd, ServerLimits limits, Handler handler,
               ErrorRenderer render_error = nullptr);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    int listen(int backlog = 1024);  // 0 or a libuv error
    // Serves an already connected stream socket (a socketpair end, for the HTTP fuzzer and
    // in-process tests) as if it had been accepted. Takes ownership of fd. 0 or a libuv error.
    int adopt(int fd);
    // Stop accepting; idle keep-alive connections are closed, busy ones close after their
    // current response. `on_idle` runs once no connection remains.
    void drain(std::function<void()> on_idle);
    // Close every connection (after a drain timeout): at once, or after shutdown_flush_ms for one
    // still writing its last response. The server's own handles close once no connection is left.
    void close_all();
    uint64_t accepted_total() const { return accepted_; }

    // Internal, used by Connection.
    uv_loop_t* loop() const { return loop_; }
    const ServerLimits& limits() const { return limits_; }
    const Handler& handler() const { return handler_; }
    // The answer to a request the server refuses itself: content type and body.
    std::pair<std::string_view, std::string> render_error(const HttpRequest& partial, int status, const std::string& message) const;
    bool draining() const { return draining_; }
    void connection_closed(Connection* c);
    // Queues `c` for the loop's next turn (see Connection::Deferred).
    void defer(Connection* c);
    // One read buffer per server: requests are parsed inside the read callback, so connections
    // never need it at the same time.
    static constexpr size_t kReadBufferBytes = 64u << 10;
    char* read_buffer() { return read_buffer_.get(); }

private:
    static void on_connection(uv_stream_t* server, int status);
    static void on_deferred(uv_idle_t* idle);
    void connection_opened(Connection* c);
    void close_handles_when_idle();

    uv_loop_t* loop_;
    UvHandle<uv_tcp_t> listener_;
    UvHandle<uv_idle_t> deferred_idle_;     // runs queued closes and pumps
    std::vector<Connection*> deferred_;     // connections with deferred work, each at most once
    std::unique_ptr<char[]> read_buffer_;
    ServerLimits limits_;
    Handler handler_;
    ErrorRenderer render_error_;
    bool draining_ = false;
    bool closed_ = false;
    std::function<void()> on_idle_;
    size_t connections_ = 0;
    uint64_t accepted_ = 0;
    Connection* head_ = nullptr;  // intrusive list of live connections
};

// Creates a TCP socket bound to host:port with SO_REUSEADDR and SO_REUSEPORT, so several workers
// can listen on one port. Returns the fd, or -errno. Port 0 picks one; read it with bound_port().
int bind_reuseport(const std::string& host, int port, std::string* err);
int bound_port(int fd);
// Binds `count` SO_REUSEPORT sockets to one host:port (port 0: the first picks a free port, the
// others share it). Because SO_REUSEPORT would also let us share a port silently with another
// process, a fixed port is first checked with a plain bind. Returns the port, or -1 with *err.
int bind_listeners(const std::string& host, int port, int count, std::vector<int>* fds, std::string* err);

uint64_t now_ns();

}  // namespace llmgw::net
