#include "net/http_server.h"

#include <llhttp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include "core/base/text_util.h"

namespace llmgw::net {

uint64_t now_ns() { return uv_hrtime(); }

std::string_view find_header(const Headers& h, std::string_view lower_name) {
    for (const auto& [k, v] : h)
        if (k == lower_name) return v;
    return {};
}

namespace {

const char* reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 508: return "Loop Detected";
        default: return status < 400 ? "OK" : (status < 500 ? "Client Error" : "Server Error");
    }
}


// One queued write: the bytes live here until libuv is done with them.
struct WriteReq {
    uv_write_t req;
    std::string data;
};

// RFC 9110 tchar: what a header name may contain. Anything else (a space before the colon
// above all) is a 400: proxies that disagree about such a header are how requests are smuggled.
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
        if (!ok || c == 0) return false;
    }
    return true;
}

}  // namespace

// A client connection. It owns its two uv handles and is freed in their close callback, never
// synchronously, so every frame up the stack stays valid. Errors found inside a read, write or
// timer callback only request the close; the server runs it from the loop (HttpServer::defer).
class Connection {
public:
    // Work a callback leaves for the loop's next turn.
    enum Deferred : uint8_t {
        kClose = 1,  // tear down: detach the exchange (abort callback), close the handles
        kPump = 2,   // parse the next pipelined request
        kDrain = 4,  // tell the exchange its output drained
    };

    explicit Connection(HttpServer* s) : server_(s) {
        llhttp_init(&parser_, HTTP_REQUEST, &settings());
        parser_.data = this;
        // No leniency: these are off by default, and stay off. llhttp itself is built in strict
        // mode (CMakeLists.txt), which refuses whitespace before a header's colon.
        llhttp_set_lenient_headers(&parser_, 0);
        llhttp_set_lenient_chunked_length(&parser_, 0);
        llhttp_set_lenient_keep_alive(&parser_, 0);
        llhttp_set_lenient_transfer_encoding(&parser_, 0);
        uv_tcp_init(server_->loop(), &tcp_);
        tcp_.data = this;
        uv_timer_init(server_->loop(), &timer_);
        timer_.data = this;
    }

    // Starts reading from the accepted (or adopted) socket.
    int start() {
        uv_tcp_nodelay(&tcp_, 1);
        peer_ = peer_address();
        arm_timer(server_->limits().header_timeout_ms, TimerKind::Header);
        int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), on_alloc, on_read);
        reading_ = rc == 0;
        return rc;
    }
    uv_tcp_t* tcp() { return &tcp_; }

    // Requests the close; the loop runs it. Writes and reads stop now.
    void close() { request_close(false); }
    // Abortive close: RST instead of FIN, pending output dropped.
    void reset() { request_close(true); }

    // Close once everything queued has been written.
    void close_after_flush() {
        if (pending_ == 0) close();
        else close_after_write_ = true;
    }

    // At shutdown: close now, or give a connection still writing its last bytes a bounded time.
    void close_for_shutdown() {
        if (in_flight_ || pending_ == 0) { close(); return; }
        close_after_write_ = true;
        arm_timer(server_->limits().shutdown_flush_ms, TimerKind::ShutdownFlush);
    }

    // Writes `bufs` in order (one writev): straight to the socket while nothing is queued, so a
    // chunk's framing and data go out without being copied together. Only what the socket did not
    // take is copied, into one queued write.
    void write(const uv_buf_t* bufs, unsigned count) {
        size_t total = 0;
        for (unsigned i = 0; i < count; ++i) total += bufs[i].len;
        if (close_requested_ || total == 0) return;
        size_t sent = 0;
        if (pending_ == 0) {
            int n = uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), bufs, count);
            if (n == static_cast<int>(total)) return;
            if (n < 0 && n != UV_EAGAIN) { close(); return; }  // the peer is gone: close from the loop
            if (n > 0) sent = static_cast<size_t>(n);
        }
        std::string rest;
        rest.reserve(total - sent);
        for (unsigned i = 0; i < count; ++i) {
            size_t skip = std::min(sent, bufs[i].len);
            sent -= skip;
            rest.append(bufs[i].base + skip, bufs[i].len - skip);
        }
        queue(std::move(rest));
    }
    void write(std::string_view data) {
        uv_buf_t b = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
        write(&b, 1);
    }

    size_t pending() const { return pending_; }
    bool keep_alive() const { return keep_alive_; }
    bool http10() const { return http10_; }
    HttpServer* server() const { return server_; }
    bool in_flight() const { return in_flight_; }
    bool closing() const { return close_requested_; }

    // The in-flight exchange finished its response (called by the exchange, so the next
    // pipelined request is parsed from the loop, not from inside the handler that answered).
    void response_done() {
        exchange_.reset();
        in_flight_ = false;
        if (close_requested_) return;
        if (!keep_alive_ || server_->draining()) { close_after_flush(); return; }
        arm_timer(server_->limits().idle_timeout_ms, TimerKind::Idle);
        if (!reading_) start_reading();
        if (!inbuf_.empty()) defer(kPump);
    }

    // Runs the deferred work (from the server's idle callback).
    void run_deferred() {
        uint8_t work = std::exchange(deferred_, 0);
        if (work & kClose) { teardown(); return; }
        if ((work & kDrain) && exchange_) exchange_->notify_drained();
        if ((work & kPump) && !close_requested_) pump();
    }

    Connection* prev = nullptr;
    Connection* next = nullptr;

private:
    enum class TimerKind { Header, Body, Idle, ShutdownFlush };

    void defer(uint8_t work) {
        bool queued = deferred_ != 0;
        deferred_ |= work;
        if (!queued) server_->defer(this);
    }

    void request_close(bool abortive) {
        abortive_ = abortive_ || abortive;
        if (close_requested_) return;
        close_requested_ = true;
        uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
        reading_ = false;
        uv_timer_stop(&timer_);
        defer(kClose);
    }

    // From the loop only: detach the exchange (its abort callback runs here, on a clean stack),
    // then close both handles; the last close callback frees this connection.
    void teardown() {
        if (torn_down_) return;
        torn_down_ = true;
        if (exchange_) {
            auto ex = std::move(exchange_);
            ex->detach();
        }
        if (!abortive_ || uv_tcp_close_reset(&tcp_, on_handle_closed) != 0)
            uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_handle_closed);
        uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_handle_closed);
    }

    static const llhttp_settings_t& settings() {
        static const llhttp_settings_t s = [] {
            llhttp_settings_t st;
            llhttp_settings_init(&st);
            st.on_message_begin = on_message_begin;
            st.on_url = on_url;
            st.on_header_field = on_header_field;
            st.on_header_value = on_header_value;
            st.on_header_field_complete = on_header_field_complete;
            st.on_header_value_complete = on_header_value_complete;
            st.on_headers_complete = on_headers_complete;
            st.on_body = on_body;
            st.on_message_complete = on_message_complete;
            return st;
        }();
        return s;
    }

    static Connection* self(llhttp_t* p) { return static_cast<Connection*>(p->data); }

    static int on_message_begin(llhttp_t* p) {
        auto* c = self(p);
        c->req_ = HttpRequest{};
        c->header_bytes_ = 0;
        c->field_.clear();
        c->value_.clear();
        c->arm_timer(c->server_->limits().header_timeout_ms, TimerKind::Header);
        return 0;
    }
    bool head_too_big(size_t more) {
        header_bytes_ += more;
        if (header_bytes_ > server_->limits().max_header_bytes) {
            error_status_ = 431;
            return true;
        }
        return false;
    }
    bool bad_request(const char* why) {
        error_status_ = 400;
        error_reason_ = why;
        return true;
    }
    static int on_url(llhttp_t* p, const char* at, size_t len) {
        auto* c = self(p);
        if (c->head_too_big(len)) return -1;
        c->req_.target.append(at, len);
        return 0;
    }
    static int on_header_field(llhttp_t* p, const char* at, size_t len) {
        auto* c = self(p);
        if (c->head_too_big(len)) return -1;
        c->field_.append(at, len);
        return 0;
    }
    static int on_header_field_complete(llhttp_t* p) {
        auto* c = self(p);
        if (!is_token(c->field_) && c->bad_request("invalid character in a header name")) return -1;
        return 0;
    }
    static int on_header_value(llhttp_t* p, const char* at, size_t len) {
        auto* c = self(p);
        if (c->head_too_big(len)) return -1;
        // llhttp accepts obs-fold (a value continued on a line that starts with a space): the
        // continuation is the only value span that follows a line break (RFC 9112 5.2: reject).
        char before = at > c->feed_start_ ? at[-1] : c->last_fed_;
        if ((before == '\n' || before == '\r') && c->bad_request("obsolete line folding in a header value")) return -1;
        c->value_.append(at, len);
        return 0;
    }
    static int on_header_value_complete(llhttp_t* p) {
        auto* c = self(p);
        if (c->req_.headers.size() >= c->server_->limits().max_header_count) { c->error_status_ = 431; return -1; }
        c->field_ = to_lower(c->field_);
        while (!c->value_.empty() && (c->value_.back() == ' ' || c->value_.back() == '\t')) c->value_.pop_back();
        c->req_.headers.emplace_back(std::move(c->field_), std::move(c->value_));
        c->field_.clear();
        c->value_.clear();
        return 0;
    }
    static int on_headers_complete(llhttp_t* p) {
        auto* c = self(p);
        auto& r = c->req_;
        r.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
        auto q = r.target.find('?');
        r.path = r.target.substr(0, q);
        if (q != std::string::npos) r.query = r.target.substr(q + 1);
        r.peer = c->peer_;
        c->keep_alive_ = llhttp_should_keep_alive(p);
        c->http10_ = p->http_major == 1 && p->http_minor == 0;
        r.keep_alive = c->keep_alive_;
        // A gateway is no tunnel: CONNECT (whose target llhttp passes through even when empty)
        // is refused before any handler sees it.
        if (p->method == HTTP_CONNECT) {
            c->error_status_ = 405;
            c->error_reason_ = "CONNECT is not supported";
            return -1;
        }
        const auto& lim = c->server_->limits();
        if ((p->flags & F_CONTENT_LENGTH) && p->content_length > lim.max_body_bytes) {
            c->error_status_ = 413;
            return -1;
        }
        c->arm_timer(lim.body_timeout_ms, TimerKind::Body);
        // Clients that wait for "100 Continue" (curl does above 1 MiB) would otherwise stall.
        auto expect = r.header("expect");
        if (expect.size() == 12 && strncasecmp(expect.data(), "100-continue", 12) == 0)
            c->write("HTTP/1.1 100 Continue\r\n\r\n");
        return 0;
    }
    static int on_body(llhttp_t* p, const char* at, size_t len) {
        auto* c = self(p);
        if (c->req_.body.size() + len > c->server_->limits().max_body_bytes) {
            c->error_status_ = 413;
            return -1;
        }
        c->req_.body.append(at, len);
        return 0;
    }
    static int on_message_complete(llhttp_t* p) {
        auto* c = self(p);
        uv_timer_stop(&c->timer_);
        c->request_ready_ = true;
        return HPE_PAUSED;  // one request at a time: the rest waits in inbuf_
    }

    // Parse `data`; on a complete request keep the unparsed rest in inbuf_ and dispatch.
    void parse(const char* data, size_t len) {
        feed_start_ = data;
        llhttp_errno_t err = llhttp_execute(&parser_, data, len);
        if (len > 0) last_fed_ = data[len - 1];
        if (err == HPE_OK) return;
        if (err == HPE_PAUSED && request_ready_) {
            const char* pos = llhttp_get_error_pos(&parser_);
            if (pos && pos >= data && pos < data + len) inbuf_.append(pos, data + len - pos);
            llhttp_resume(&parser_);
            request_ready_ = false;
            dispatch();
            return;
        }
        int status = error_status_ ? error_status_ : 400;
        std::string msg;
        if (status == 413) msg = "request body exceeds the limit of " + std::to_string(server_->limits().max_body_bytes) + " bytes";
        else if (status == 431) msg = "request header fields too large";
        else if (status == 405) msg = error_reason_;
        else if (!error_reason_.empty()) msg = "malformed HTTP request: " + error_reason_;
        else msg = std::string("malformed HTTP request: ") + llhttp_errno_name(err) + " (" + (llhttp_get_error_reason(&parser_) ? llhttp_get_error_reason(&parser_) : "") + ")";
        fail(status, msg);
    }

    // Transport-level error: answer in the route's style and close.
    void fail(int status, const std::string& msg) {
        uv_timer_stop(&timer_);
        if (in_flight_) { close(); return; }
        if (req_.path.empty()) req_.path = req_.target.substr(0, req_.target.find('?'));
        if (req_.method.empty() && !req_.target.empty())  // the request line was parsed
            req_.method = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
        req_.peer = peer_;
        auto [content_type, body] = server_->render_error(req_, status, msg);
        std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\ncontent-type: " +
                           std::string(content_type) + "\r\ncontent-length: " + std::to_string(body.size()) +
                           "\r\nconnection: close\r\n\r\n";
        write(head + body);
        keep_alive_ = false;
        inbuf_.clear();
        stop_reading();
        close_after_flush();
    }

    void dispatch() {
        in_flight_ = true;
        auto ex = std::make_shared<Exchange>(this, std::move(req_), now_ns());
        req_ = HttpRequest{};
        exchange_ = ex;
        // Bound what a pipelining client can queue behind an in-flight request.
        if (inbuf_.size() > server_->limits().max_header_bytes) stop_reading();
        try {
            server_->handler()(ex);
        } catch (const std::exception& e) {
            if (!ex->responded() && !ex->detached()) {
                auto [content_type, body] = server_->render_error(ex->request(), 500, std::string("internal error: ") + e.what());
                ex->respond(500, content_type, body);
            }
        }
    }

    // Parses what a pipelining client sent while the previous request was in flight.
    void pump() {
        while (!close_requested_ && !in_flight_ && !inbuf_.empty()) {
            std::string data;
            data.swap(inbuf_);
            last_fed_ = 0;  // inbuf_ holds whole bytes after a complete request
            parse(data.data(), data.size());
        }
    }

    void start_reading() {
        if (close_requested_ || reading_) return;
        if (uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), on_alloc, on_read) == 0) reading_ = true;
    }
    void stop_reading() {
        if (!reading_) return;
        uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
        reading_ = false;
    }

    void arm_timer(uint64_t ms, TimerKind kind) {
        if (close_requested_ && kind != TimerKind::ShutdownFlush) return;
        timer_kind_ = kind;
        uv_timer_start(&timer_, on_timer, ms, 0);
    }

    static void on_timer(uv_timer_t* t) {
        auto* c = static_cast<Connection*>(t->data);
        if (c->timer_kind_ == TimerKind::ShutdownFlush) { c->close(); return; }
        if (c->in_flight_) return;
        bool mid_request = c->timer_kind_ == TimerKind::Body ||
                           (c->timer_kind_ == TimerKind::Header && c->header_bytes_ > 0);
        if (mid_request) c->fail(408, "timed out waiting for the request");
        else c->close();  // idle or silent connection: just close
    }

    std::string peer_address() {
        sockaddr_storage ss{};
        int len = sizeof ss;
        if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
        char buf[INET6_ADDRSTRLEN] = {0};
        if (ss.ss_family == AF_INET) uv_ip4_name(reinterpret_cast<sockaddr_in*>(&ss), buf, sizeof buf);
        else if (ss.ss_family == AF_INET6) uv_ip6_name(reinterpret_cast<sockaddr_in6*>(&ss), buf, sizeof buf);
        return buf;
    }

    // Bytes the socket could not take now: they wait in a write request of their own.
    void queue(std::string data) {
        auto* w = new WriteReq;
        w->data = std::move(data);
        w->req.data = this;
        pending_ += w->data.size();
        uv_buf_t b = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
        int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, on_written);
        if (rc != 0) {
            pending_ -= w->data.size();
            delete w;
            close();
        }
    }

    static void on_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(h->data);
        *buf = uv_buf_init(c->server_->read_buffer(), HttpServer::kReadBufferBytes);
    }

    static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* c = static_cast<Connection*>(s->data);
        if (n < 0) {  // EOF or error: the client is gone, abort whatever it asked for (from the loop)
            c->close();
            return;
        }
        if (n == 0 || c->close_requested_) return;
        if (c->in_flight_ || !c->inbuf_.empty()) {
            c->inbuf_.append(buf->base, static_cast<size_t>(n));
            if (c->in_flight_ && c->inbuf_.size() > c->server_->limits().max_header_bytes) c->stop_reading();
            if (!c->in_flight_) c->pump();
            return;
        }
        if (c->header_bytes_ == 0 && c->timer_kind_ == TimerKind::Idle)
            c->arm_timer(c->server_->limits().header_timeout_ms, TimerKind::Header);
        c->parse(buf->base, static_cast<size_t>(n));
    }

    static void on_written(uv_write_t* req, int status) {
        auto* w = reinterpret_cast<WriteReq*>(req);
        auto* c = static_cast<Connection*>(req->data);
        c->pending_ -= w->data.size();
        delete w;
        if (status < 0) { c->close(); return; }
        if (c->close_after_write_ && c->pending_ == 0) { c->close(); return; }
        if (c->exchange_ && c->pending_ <= c->server_->limits().write_low_water) c->defer(kDrain);
    }

    static void on_handle_closed(uv_handle_t* h) {
        auto* c = static_cast<Connection*>(h->data);
        if (--c->open_handles_ == 0) {
            c->server_->connection_closed(c);
            delete c;
        }
    }

    HttpServer* server_;
    uv_tcp_t tcp_{};
    uv_timer_t timer_{};
    int open_handles_ = 2;
    llhttp_t parser_{};
    HttpRequest req_;
    std::string field_, value_;
    size_t header_bytes_ = 0;
    int error_status_ = 0;
    std::string error_reason_;
    bool request_ready_ = false;
    const char* feed_start_ = nullptr;  // the input of the llhttp_execute under way
    char last_fed_ = 0;                 // the last byte of the previous input
    std::string inbuf_;
    std::string peer_;
    std::shared_ptr<Exchange> exchange_;
    size_t pending_ = 0;
    TimerKind timer_kind_ = TimerKind::Header;
    uint8_t deferred_ = 0;
    bool in_flight_ = false, close_requested_ = false, torn_down_ = false, abortive_ = false;
    bool reading_ = false;
    bool close_after_write_ = false, keep_alive_ = true, http10_ = false;
};

// ---- Exchange ----

Exchange::Exchange(Connection* c, HttpRequest req, uint64_t start_ns)
    : conn_(c), req_(std::move(req)), start_ns_(start_ns) {}

void Exchange::add_header(std::string name, std::string value) {
    extra_headers_.emplace_back(std::move(name), std::move(value));
}

void Exchange::write_head(int status, std::string_view content_type, bool chunked, size_t content_length) {
    status_ = status;
    bool keep = conn_->keep_alive() && !conn_->server()->draining() && !(chunked && conn_->http10());
    std::string h;
    h.reserve(256);
    h.append(conn_->http10() ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(status)).push_back(' ');
    h.append(reason_phrase(status)).append("\r\n");
    if (!content_type.empty()) h.append("content-type: ").append(content_type).append("\r\n");
    if (chunked) {
        if (!conn_->http10()) h.append("transfer-encoding: chunked\r\n");
        h.append("cache-control: no-cache\r\nx-accel-buffering: no\r\n");
    } else {
        h.append("content-length: ").append(std::to_string(content_length)).append("\r\n");
    }
    for (const auto& [k, v] : extra_headers_) h.append(k).append(": ").append(v).append("\r\n");
    h.append(keep ? "connection: keep-alive\r\n\r\n" : "connection: close\r\n\r\n");
    if (!keep) req_.keep_alive = false;
    head_buf_ = std::move(h);
}

void Exchange::respond(int status, std::string_view content_type, std::string_view body) {
    if (state_ != State::Fresh) return;
    state_ = State::Done;
    if (!conn_) return;
    write_head(status, content_type, false, body.size());
    if (req_.method == "HEAD") body = {};
    uv_buf_t bufs[2] = {uv_buf_init(head_buf_.data(), static_cast<unsigned>(head_buf_.size())),
                        uv_buf_init(const_cast<char*>(body.data()), static_cast<unsigned>(body.size()))};
    Connection* c = conn_;
    c->write(bufs, 2);
    conn_ = nullptr;
    if (!req_.keep_alive) c->close_after_flush();
    c->response_done();
}

void Exchange::start_stream(int status, std::string_view content_type) {
    if (state_ != State::Fresh) return;
    state_ = State::Streaming;
    if (!conn_) return;
    write_head(status, content_type, true, 0);
    conn_->write(head_buf_);
}

// A chunk goes out as three buffers, size line, data and CRLF (as h2o's finalostream_send does),
// not as a framed copy.
void Exchange::write(std::string_view data) {
    if (state_ != State::Streaming || !conn_ || data.empty()) return;
    uv_buf_t payload = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
    if (conn_->http10()) {  // HTTP/1.0 has no chunking: the stream ends with the connection
        conn_->write(&payload, 1);
        return;
    }
    char size_line[24];
    int n = snprintf(size_line, sizeof size_line, "%zx\r\n", data.size());
    static char crlf[] = "\r\n";
    uv_buf_t bufs[3] = {uv_buf_init(size_line, static_cast<unsigned>(n)), payload, uv_buf_init(crlf, 2)};
    conn_->write(bufs, 3);
}

void Exchange::end() {
    if (state_ == State::Done) return;
    if (state_ == State::Fresh) { respond(200, "text/plain", ""); return; }
    state_ = State::Done;
    if (!conn_) return;
    Connection* c = conn_;
    conn_ = nullptr;
    if (c->http10()) {
        c->close_after_flush();
    } else {
        c->write("0\r\n\r\n");
        if (!req_.keep_alive) c->close_after_flush();
    }
    c->response_done();
}

void Exchange::reset() {
    if (!conn_) return;
    Connection* c = conn_;
    state_ = State::Done;
    c->reset();
}

bool Exchange::detached() const { return conn_ == nullptr || conn_->closing(); }

bool Exchange::congested() const {
    return conn_ && conn_->pending() > conn_->server()->limits().write_high_water;
}

void Exchange::detach() {
    conn_ = nullptr;
    drain_cb_ = nullptr;
    if (state_ != State::Done) {
        state_ = State::Done;
        if (auto cb = std::move(abort_cb_)) cb();
    }
    abort_cb_ = nullptr;
}

void Exchange::notify_drained() {
    if (drain_cb_) {
        auto keep = shared_from_this();  // the callback may drop the handler's last reference
        auto cb = drain_cb_;             // and may replace itself
        cb();
    }
}

// ---- HttpServer ----

HttpServer::HttpServer(uv_loop_t* loop, int listen_fd, ServerLimits limits, Handler handler,
                       ErrorRenderer render_error)
    : loop_(loop),
      read_buffer_(new char[kReadBufferBytes]),
      limits_(limits),
      handler_(std::move(handler)),
      render_error_(std::move(render_error)) {
    listener_.init(uv_tcp_init, loop_, this);
    deferred_idle_.init(uv_idle_init, loop_, this);
    if (listen_fd >= 0 && uv_tcp_open(listener_.get(), listen_fd) != 0) ::close(listen_fd);
}

HttpServer::~HttpServer() {
    // Connections point at their server: the loop must have closed them all first.
    assert(connections_ == 0 && "HttpServer destroyed with open connections");
    listener_.close();
    deferred_idle_.close();
}

int HttpServer::listen(int backlog) { return uv_listen(listener_.stream(), backlog, on_connection); }

void HttpServer::on_connection(uv_stream_t* l, int status) {
    auto* s = static_cast<HttpServer*>(l->data);
    if (!s || status < 0 || s->draining_) return;
    auto* c = new Connection(s);
    s->connection_opened(c);
    if (uv_accept(l, reinterpret_cast<uv_stream_t*>(c->tcp())) != 0 || c->start() != 0) c->close();
}

int HttpServer::adopt(int fd) {
    auto* c = new Connection(this);
    connection_opened(c);
    int rc = uv_tcp_open(c->tcp(), fd);
    if (rc != 0) ::close(fd);
    if (rc == 0) rc = c->start();
    if (rc != 0) c->close();
    return rc;
}

std::pair<std::string_view, std::string> HttpServer::render_error(const HttpRequest& partial, int status,
                                                                  const std::string& message) const {
    if (render_error_) return {"application/json", render_error_(partial, status, message)};
    return {"text/plain", message};
}

void HttpServer::defer(Connection* c) {
    deferred_.push_back(c);
    if (deferred_.size() == 1) uv_idle_start(deferred_idle_.get(), on_deferred);
}

void HttpServer::on_deferred(uv_idle_t* idle) {
    auto* s = static_cast<HttpServer*>(idle->data);
    // Work queued while this runs (an abort callback closing another exchange) runs in this
    // same turn; a connection is queued at most once at a time, so this ends.
    while (!s->deferred_.empty()) {
        auto batch = std::move(s->deferred_);
        s->deferred_.clear();
        for (Connection* c : batch) c->run_deferred();
    }
    uv_idle_stop(idle);
}

void HttpServer::connection_opened(Connection* c) {
    ++connections_;
    ++accepted_;
    c->next = head_;
    if (head_) head_->prev = c;
    head_ = c;
}

void HttpServer::connection_closed(Connection* c) {
    --connections_;
    if (c->prev) c->prev->next = c->next;
    else head_ = c->next;
    if (c->next) c->next->prev = c->prev;
    if (draining_ && connections_ == 0 && on_idle_) {
        auto cb = std::move(on_idle_);
        on_idle_ = nullptr;
        cb();
    }
    close_handles_when_idle();
}

void HttpServer::close_handles_when_idle() {
    if (!closed_ || connections_ != 0) return;
    listener_.close();
    deferred_idle_.close();
}

void HttpServer::drain(std::function<void()> on_idle) {
    if (!draining_) {
        draining_ = true;
        listener_.close();
    }
    on_idle_ = std::move(on_idle);
    for (Connection* c = head_; c; c = c->next)
        if (!c->in_flight()) c->close_after_flush();
    if (connections_ == 0 && on_idle_) {
        auto cb = std::move(on_idle_);
        on_idle_ = nullptr;
        cb();
    }
}

void HttpServer::close_all() {
    draining_ = true;
    closed_ = true;
    listener_.close();
    for (Connection* c = head_; c; c = c->next) c->close_for_shutdown();
    close_handles_when_idle();
}

// ---- sockets ----

namespace {

// host:port as a socket address; false when host is not a numeric IPv4 or IPv6 address.
bool socket_address(const std::string& host, int port, sockaddr_storage* ss, socklen_t* len) {
    if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(ss)) == 0) {
        *len = sizeof(sockaddr_in);
        return true;
    }
    if (uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(ss)) == 0) {
        *len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

bool port_taken(const std::string& host, int port) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (!socket_address(host, port, &ss, &len)) return false;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // TIME_WAIT leftovers are fine
    bool taken = bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return taken;
}

}  // namespace

int bind_reuseport(const std::string& host, int port, std::string* err) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (!socket_address(host, port, &ss, &len)) {
        if (err) *err = "invalid listen address '" + host + "'";
        return -EINVAL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        if (err) *err = std::string("socket: ") + strerror(errno);
        return -errno;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        int e = errno;
        if (err) *err = "bind " + host + ":" + std::to_string(port) + ": " + strerror(e);
        ::close(fd);
        return -e;
    }
    return fd;
}

int bind_listeners(const std::string& host, int port, int count, std::vector<int>* fds, std::string* err) {
    if (port != 0 && port_taken(host, port)) {
        if (err) *err = "bind " + host + ":" + std::to_string(port) + ": address already in use";
        return -1;
    }
    for (int i = 0; i < count; ++i) {
        int fd = bind_reuseport(host, port, err);
        if (fd < 0) {
            for (int f : *fds) ::close(f);
            fds->clear();
            return -1;
        }
        if (i == 0) port = bound_port(fd);
        fds->push_back(fd);
    }
    return port;
}

int bound_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return -1;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return -1;
}

}  // namespace llmgw::net
