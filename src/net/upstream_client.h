// Upstream HTTP client for one worker loop: a curl multi handle driven by libuv
// (CURLMOPT_SOCKETFUNCTION -> uv_poll_t, CURLMOPT_TIMERFUNCTION -> uv_timer_t). Connections to
// the backend are kept alive and reused through the multi handle's connection cache.
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

typedef void CURLM;
typedef void CURL;
struct curl_slist;

namespace llmgw::net {

enum class UpstreamFailure {
    None,
    Connect,   // refused, unreachable, DNS
    Timeout,   // connect or total timeout
    Reset,     // connection dropped mid-transfer
    Protocol,  // malformed HTTP from the upstream
    Other,
};

struct UpstreamResult {
    UpstreamFailure failure = UpstreamFailure::None;
    int status = 0;       // HTTP status, 0 when none was received
    std::string message;  // curl's description on failure
    double connect_s = 0, total_s = 0;
    bool reused_connection = false;
};

// curl's receive buffer for an answer read in large pieces (a whole body, a benchmark's load).
inline constexpr long kDefaultReceiveBufferBytes = 16384;

struct UpstreamRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    // One more header line that differs on every request (a request id). It is sent after
    // `headers` but is not part of the shape an idle easy handle is reused for: the kept header
    // list gets the new line in place, so a fresh id does not cost a fresh handle setup.
    std::string per_request_header;
    std::string body;
    long timeout_ms = 600'000;
    long connect_timeout_ms = 10'000;
    // What curl reads from the socket at once; the buffer lives as long as the transfer (and the
    // idle handle after it). A relayed stream takes less (see forward.cpp).
    long receive_buffer_bytes = kDefaultReceiveBufferBytes;
    // Open a new connection instead of searching the cache (a benchmark's first wave: curl 7.88
    // walks every open connection to the host on each search).
    bool fresh_connect = false;
    // false: on_head gets the content-type header only, with no allocation for the others
    // (a benchmark's hot path).
    bool all_headers = true;
    // Status and headers, once, before the first body byte.
    std::function<void(int status, const Headers&)> on_head;
    // Body bytes as they arrive.
    std::function<void(std::string_view)> on_body;
    // Once, at the end (not after cancel()).
    std::function<void(const UpstreamResult&)> on_done;
};

class UpstreamClient;
struct UpstreamCallbacks;
struct SocketWatch;

// A running upstream transfer. The client keeps it alive while curl owns it, so dropping the
// caller's reference does not stop it: cancel() does, and closes the connection so the runtime
// stops generating. cancel() is safe anywhere, also from inside the call's own callbacks: then the
// callbacks (and whatever they own) are released after curl returns, not under the caller's feet.
class UpstreamCall {
public:
    ~UpstreamCall();
    void cancel();
    // Backpressure: while paused, curl stops reading from the socket, so the runtime's output
    // waits in kernel buffers instead of ours.
    void pause();
    void resume();
    bool active() const { return easy_ != nullptr; }

private:
    friend class UpstreamClient;
    friend struct UpstreamCallbacks;
    UpstreamCall(UpstreamClient* c, UpstreamRequest r) : client_(c), req_(std::move(r)) {}
    UpstreamClient* client_;
    UpstreamRequest req_;
    CURL* easy_ = nullptr;
    ::curl_slist* header_list_ = nullptr;
    ::curl_slist* per_request_node_ = nullptr;  // in header_list_: per_request_header's line
    Headers resp_headers_;
    int status_ = 0;
    bool head_sent_ = false;
    bool pause_requested_ = false;
    bool paused_ = false;
    bool cancelled_ = false;
    std::shared_ptr<UpstreamCall> self_;  // keeps the call alive while curl owns it
};

class UpstreamClient {
public:
    explicit UpstreamClient(uv_loop_t* loop);
    ~UpstreamClient();
    UpstreamClient(const UpstreamClient&) = delete;
    UpstreamClient& operator=(const UpstreamClient&) = delete;

    std::shared_ptr<UpstreamCall> start(UpstreamRequest req);
    size_t active() const { return active_; }
    // Close the multi handle's timer and pollers; transfers still running are cancelled.
    void close();

    // Internal.
    void finish(UpstreamCall* call, int curl_code);
    void release(UpstreamCall* call);
    void check_done();
    uv_loop_t* loop() const { return loop_; }
    CURLM* multi() const { return multi_; }
    uv_timer_t* timer() { return timer_.get(); }
    // Depth of curl calls under way on this loop: curl forbids removing an easy handle from
    // inside its own callbacks, so cancel() defers while this is non-zero.
    int in_curl = 0;
    SocketWatch* watch_for(int fd) const;
    void set_watch(int fd, SocketWatch* w);
    void drop_watch(int fd);  // closes the watch of a socket curl is about to close

private:
    uv_loop_t* loop_;
    CURLM* multi_;
    UvHandle<uv_timer_t> timer_;
    size_t active_ = 0;
    // An easy handle between transfers, with the shape of the request it last carried.
    struct IdleEasy {
        CURL* easy;
        ::curl_slist* header_list;
        ::curl_slist* per_request_node;  // null when the shape has no per-request header
        std::string method, url;
        std::vector<std::string> headers;
        long timeout_ms, connect_timeout_ms, receive_buffer_bytes;
        bool fresh_connect;
        bool same_shape(const UpstreamRequest& r) const;
    };
    std::vector<IdleEasy> idle_easy_;  // reused easy handles
    std::vector<SocketWatch*> watches_;  // by descriptor: one per socket curl holds open
    std::vector<std::shared_ptr<UpstreamCall>> deferred_release_;  // cancelled inside a curl callback
    // Calls curl refused to add (out of memory), reported from the loop's next turn.
    struct FailedStart {
        std::shared_ptr<UpstreamCall> call;
        UpstreamResult result;
    };
    std::vector<FailedStart> failed_starts_;
    UvHandle<uv_idle_t> failed_idle_;
    void report_failed_starts();
    friend class UpstreamCall;
    bool closed_ = false;
};

}  // namespace llmgw::net
