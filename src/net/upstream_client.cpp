#include "net/upstream_client.h"

#include <curl/curl.h>

#include <strings.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>
#include "core/base/text_util.h"

namespace llmgw::net {

// One uv_poll_t per socket a transfer is using, from curl's first IN/OUT for it to its REMOVE.
// It owns the poll handle and is freed in its close callback. The watch must not outlive curl's
// interest in the socket: curl does not always close a socket through CURLOPT_CLOSESOCKETFUNCTION
// (seen with 7.88 for a connect cancelled mid-way), and a started poll on a closed descriptor
// makes libuv abort on its next epoll_ctl; a stopped one would later unregister whatever socket
// reuses the number. So REMOVE closes the watch, while the descriptor is still curl's.
struct SocketWatch {
    uv_poll_t poll;
    curl_socket_t fd;
    UpstreamClient* client;
    int events = 0;  // what the poll handle watches now
};

namespace {

// Marks a call into curl, during which its callbacks may run (see UpstreamClient::in_curl).
struct CurlScope {
    explicit CurlScope(UpstreamClient* c) : client(c) { ++client->in_curl; }
    ~CurlScope() { --client->in_curl; }
    UpstreamClient* client;
};

UpstreamFailure classify(CURLcode rc) {
    switch (rc) {
        case CURLE_OK: return UpstreamFailure::None;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_SSL_CONNECT_ERROR: return UpstreamFailure::Connect;
        case CURLE_OPERATION_TIMEDOUT: return UpstreamFailure::Timeout;
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE: return UpstreamFailure::Reset;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_BAD_CONTENT_ENCODING: return UpstreamFailure::Protocol;
        default: return UpstreamFailure::Other;
    }
}

void on_poll_closed(uv_handle_t* h) { delete static_cast<SocketWatch*>(h->data); }

void on_poll(uv_poll_t* h, int status, int events) {
    auto* w = static_cast<SocketWatch*>(h->data);
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    UpstreamClient* c = w->client;
    int running = 0;
    {
        CurlScope scope(c);
        curl_multi_socket_action(c->multi(), w->fd, flags, &running);
    }
    c->check_done();
}

int socket_cb(CURL*, curl_socket_t s, int action, void* userp, void*) {
    auto* c = static_cast<UpstreamClient*>(userp);
    SocketWatch* w = c->watch_for(s);
    if (action == CURL_POLL_REMOVE) {
        c->drop_watch(s);
        return 0;
    }
    if (!w) {
        w = new SocketWatch{{}, s, c};
        if (uv_poll_init_socket(c->loop(), &w->poll, s) != 0) {
            delete w;
            return -1;
        }
        w->poll.data = w;
        c->set_watch(s, w);
    }
    int events = 0;
    if (action == CURL_POLL_IN || action == CURL_POLL_INOUT) events |= UV_READABLE;
    if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT) events |= UV_WRITABLE;
    if (events != w->events) {
        uv_poll_start(&w->poll, events, on_poll);
        w->events = events;
    }
    return 0;
}

// curl closes most sockets through here: a watch still open goes first, while the descriptor is
// still valid (a reused descriptor number must never meet a stale watch).
int close_socket_cb(void* clientp, curl_socket_t s) {
    static_cast<UpstreamClient*>(clientp)->drop_watch(s);
    return ::close(s);
}

void on_timer(uv_timer_t* t) {
    auto* c = static_cast<UpstreamClient*>(t->data);
    int running = 0;
    {
        CurlScope scope(c);
        curl_multi_socket_action(c->multi(), CURL_SOCKET_TIMEOUT, 0, &running);
    }
    c->check_done();
}

int timer_cb(CURLM*, long timeout_ms, void* userp) {
    auto* c = static_cast<UpstreamClient*>(userp);
    if (timeout_ms < 0) uv_timer_stop(c->timer());
    else uv_timer_start(c->timer(), on_timer, static_cast<uint64_t>(timeout_ms), 0);
    return 0;
}

}  // namespace

// Friend-free access to UpstreamCall internals from the C callbacks.
struct UpstreamCallbacks {
    static size_t header(char* p, size_t size, size_t n, void* ud) {
        auto* call = static_cast<UpstreamCall*>(ud);
        size_t len = size * n;
        if (!call->easy_ || call->cancelled_) return 0;
        std::string_view line(p, len);
        if (line.rfind("HTTP/", 0) == 0) {  // a new status line (after 100 Continue, too)
            call->resp_headers_.clear();
            return len;
        }
        if (line == "\r\n" || line == "\n") {
            long code = 0;
            curl_easy_getinfo(call->easy_, CURLINFO_RESPONSE_CODE, &code);
            if (code >= 200 && !call->head_sent_) {
                call->head_sent_ = true;
                call->status_ = static_cast<int>(code);
                if (call->req_.on_head) call->req_.on_head(call->status_, call->resp_headers_);
                if (call->cancelled_) return 0;
            }
            return len;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return len;
        if (!call->req_.all_headers && !(colon == 12 && strncasecmp(p, "content-type", 12) == 0)) return len;
        std::string name = to_lower(line.substr(0, colon));
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
        call->resp_headers_.emplace_back(std::move(name), std::string(v));
        return len;
    }

    static size_t body(char* p, size_t size, size_t n, void* ud) {
        auto* call = static_cast<UpstreamCall*>(ud);
        size_t len = size * n;
        if (!call->easy_ || call->cancelled_) return 0;
        if (call->pause_requested_) {
            call->paused_ = true;
            return CURL_WRITEFUNC_PAUSE;  // curl keeps these bytes and re-delivers them on resume
        }
        if (!call->head_sent_) {  // defensive: a body without a completed head
            long code = 0;
            curl_easy_getinfo(call->easy_, CURLINFO_RESPONSE_CODE, &code);
            call->head_sent_ = true;
            call->status_ = static_cast<int>(code);
            if (call->req_.on_head) call->req_.on_head(call->status_, call->resp_headers_);
            if (call->cancelled_) return 0;
        }
        if (call->req_.on_body) call->req_.on_body(std::string_view(p, len));
        return call->cancelled_ ? 0 : len;
    }
};

UpstreamClient::UpstreamClient(uv_loop_t* loop) : loop_(loop), multi_(curl_multi_init()) {
    timer_.init(uv_timer_init, loop_, this);
    failed_idle_.init(uv_idle_init, loop_, this);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    // Keep enough idle connections to the backend for a busy worker to reuse them all.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 1024L);
}

UpstreamClient::~UpstreamClient() {
    close();
    for (auto& idle : idle_easy_) {
        curl_easy_cleanup(idle.easy);
        curl_slist_free_all(idle.header_list);
    }
    idle_easy_.clear();
}

void UpstreamClient::close() {
    if (closed_) return;
    closed_ = true;
    curl_multi_cleanup(multi_);  // closes every cached connection through close_socket_cb
    multi_ = nullptr;
    for (size_t fd = 0; fd < watches_.size(); ++fd) drop_watch(static_cast<int>(fd));
    timer_.close();
    failed_idle_.close();
    for (auto& f : failed_starts_) release(f.call.get());
    failed_starts_.clear();
}

namespace {

// The options that depend on the request's shape, not on its body. A benchmark (or a retry)
// sends the same shape again and again; an idle handle that last carried it is reused as is.
void apply_shape(CURL* e, const UpstreamRequest& r, curl_slist* headers, void* close_data) {
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r.timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, r.receive_buffer_bytes);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &UpstreamCallbacks::header);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &UpstreamCallbacks::body);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_socket_cb);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, close_data);
    // Backends are reached directly: no proxy from the environment (and no getenv per request).
    curl_easy_setopt(e, CURLOPT_PROXY, "");
    if (r.fresh_connect) curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    if (r.method == "GET") {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        if (r.method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
}

// The request's header lines; *per_request points at the node of r.per_request_header (null
// without one).
curl_slist* header_list(const UpstreamRequest& r, curl_slist** per_request) {
    curl_slist* list = nullptr;
    for (const auto& h : r.headers) list = curl_slist_append(list, h.c_str());
    *per_request = nullptr;
    if (!r.per_request_header.empty()) {
        list = curl_slist_append(list, r.per_request_header.c_str());
        curl_slist* last = list;
        while (last && last->next) last = last->next;
        *per_request = last;
    }
    return curl_slist_append(list, "Expect:");  // no 100-continue round trip
}

// A kept list's per-request line becomes `line`: in place when the length matches (a generated
// request id always does), else a new copy. curl reads the list only during a transfer.
bool set_per_request_line(curl_slist* node, const std::string& line) {
    if (std::strlen(node->data) == line.size()) {
        std::memcpy(node->data, line.data(), line.size());
        return true;
    }
    char* copy = strdup(line.c_str());
    if (!copy) return false;
    free(node->data);  // curl_slist_append's copy, freed the way curl_slist_free_all would
    node->data = copy;
    return true;
}

}  // namespace

bool UpstreamClient::IdleEasy::same_shape(const UpstreamRequest& r) const {
    return r.method == method && r.url == url && r.headers == headers && r.timeout_ms == timeout_ms &&
           r.connect_timeout_ms == connect_timeout_ms && r.receive_buffer_bytes == receive_buffer_bytes &&
           r.fresh_connect == fresh_connect &&
           r.per_request_header.empty() == (per_request_node == nullptr);
}

std::shared_ptr<UpstreamCall> UpstreamClient::start(UpstreamRequest req) {
    std::shared_ptr<UpstreamCall> call(new UpstreamCall(this, std::move(req)));
    const auto& r = call->req_;
    CURL* e;
    if (!idle_easy_.empty() && idle_easy_.back().same_shape(r) &&
        (!idle_easy_.back().per_request_node || set_per_request_line(idle_easy_.back().per_request_node, r.per_request_header))) {
        e = idle_easy_.back().easy;
        call->header_list_ = idle_easy_.back().header_list;
        call->per_request_node_ = idle_easy_.back().per_request_node;
        idle_easy_.pop_back();
    } else {
        if (!idle_easy_.empty()) {
            e = idle_easy_.back().easy;
            curl_slist_free_all(idle_easy_.back().header_list);
            idle_easy_.pop_back();
            curl_easy_reset(e);
        } else {
            e = curl_easy_init();
        }
        call->header_list_ = header_list(r, &call->per_request_node_);
        apply_shape(e, r, call->header_list_, this);
    }
    call->easy_ = e;
    curl_easy_setopt(e, CURLOPT_PRIVATE, call.get());
    curl_easy_setopt(e, CURLOPT_HEADERDATA, call.get());
    curl_easy_setopt(e, CURLOPT_WRITEDATA, call.get());
    if (r.method != "GET") {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    call->self_ = call;
    ++active_;
    CURLMcode mc;
    {
        CurlScope scope(this);
        mc = curl_multi_add_handle(multi_, e);
    }
    if (mc != CURLM_OK) {
        // Reported from the loop, like every other outcome: never inside the caller's start().
        UpstreamResult res;
        res.failure = UpstreamFailure::Other;
        res.message = curl_multi_strerror(mc);
        failed_starts_.push_back({call, std::move(res)});
        uv_idle_start(failed_idle_.get(), [](uv_idle_t* h) { static_cast<UpstreamClient*>(h->data)->report_failed_starts(); });
    }
    return call;
}

void UpstreamClient::report_failed_starts() {
    uv_idle_stop(failed_idle_.get());
    auto failed = std::move(failed_starts_);
    failed_starts_.clear();
    for (auto& [call, res] : failed) {
        auto done = std::move(call->req_.on_done);
        bool cancelled = call->cancelled_;
        release(call.get());
        if (done && !cancelled) done(res);
    }
}

SocketWatch* UpstreamClient::watch_for(int fd) const {
    return fd >= 0 && static_cast<size_t>(fd) < watches_.size() ? watches_[fd] : nullptr;
}

void UpstreamClient::set_watch(int fd, SocketWatch* w) {
    if (static_cast<size_t>(fd) >= watches_.size()) watches_.resize(static_cast<size_t>(fd) + 64, nullptr);
    watches_[fd] = w;
}

void UpstreamClient::drop_watch(int fd) {
    SocketWatch* w = watch_for(fd);
    if (!w) return;
    watches_[fd] = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), on_poll_closed);
}

void UpstreamClient::check_done() {
    if (!multi_) return;
    CURLMsg* msg;
    int left = 0;
    while ((msg = curl_multi_info_read(multi_, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        UpstreamCall* call = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&call));
        if (call) finish(call, msg->data.result);
    }
    while (!deferred_release_.empty()) {
        auto calls = std::move(deferred_release_);
        deferred_release_.clear();
        for (auto& c : calls) release(c.get());
    }
}

void UpstreamClient::finish(UpstreamCall* call, int code) {
    auto rc = static_cast<CURLcode>(code);
    UpstreamResult res;
    res.failure = classify(rc);
    if (call->cancelled_) res.failure = UpstreamFailure::Other;
    long status = 0;
    curl_easy_getinfo(call->easy_, CURLINFO_RESPONSE_CODE, &status);
    res.status = static_cast<int>(status);
    long conns = 0;
    curl_easy_getinfo(call->easy_, CURLINFO_NUM_CONNECTS, &conns);
    res.reused_connection = conns == 0;
    curl_easy_getinfo(call->easy_, CURLINFO_CONNECT_TIME, &res.connect_s);
    curl_easy_getinfo(call->easy_, CURLINFO_TOTAL_TIME, &res.total_s);
    if (rc != CURLE_OK) res.message = curl_easy_strerror(rc);
    bool cancelled = call->cancelled_;
    auto done = std::move(call->req_.on_done);
    auto keep = call->self_;  // the call may be released by on_done's owner
    release(call);
    if (done && !cancelled) done(res);
}

void UpstreamClient::release(UpstreamCall* call) {
    if (!call->easy_) return;
    CURL* e = call->easy_;
    call->easy_ = nullptr;
    if (multi_) {
        CurlScope scope(this);
        curl_multi_remove_handle(multi_, e);
    }
    // Keep the handle with its options, for a next request of the same shape. The call is
    // over, so its URL and headers move into the pool entry.
    curl_slist* list = std::exchange(call->header_list_, nullptr);
    if (idle_easy_.size() < 256 && !call->cancelled_) {
        auto& r = call->req_;
        idle_easy_.push_back({e, list, std::exchange(call->per_request_node_, nullptr), std::move(r.method),
                              std::move(r.url), std::move(r.headers), r.timeout_ms, r.connect_timeout_ms,
                              r.receive_buffer_bytes, r.fresh_connect});
    } else {
        curl_easy_cleanup(e);
        curl_slist_free_all(list);
    }
    --active_;
    call->req_.on_head = nullptr;
    call->req_.on_body = nullptr;
    call->req_.on_done = nullptr;
    auto self = std::move(call->self_);  // may destroy call: last statement
}

UpstreamCall::~UpstreamCall() = default;

void UpstreamCall::cancel() {
    if (!easy_ || cancelled_) return;
    cancelled_ = true;  // no callback of this call runs from now on
    if (client_->in_curl > 0) {
        // Inside curl (perhaps inside this call's own callback, whose closure may own the
        // caller): keep everything until curl has returned, then release it from check_done.
        if (self_) client_->deferred_release_.push_back(self_);
        return;
    }
    client_->release(this);
}

void UpstreamCall::pause() { pause_requested_ = true; }

void UpstreamCall::resume() {
    pause_requested_ = false;
    if (!paused_ || !easy_) return;
    paused_ = false;
    {
        CurlScope scope(client_);
        curl_easy_pause(easy_, CURLPAUSE_CONT);
    }
    client_->check_done();
}

}  // namespace llmgw::net
