#include "gateway/forward.h"

#include "core/sse.h"
#include "core/stream_observer.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {

// Backend error bodies and non-stream answers are buffered; beyond this the backend is broken.
constexpr size_t kMaxUpstreamBody = 256u << 20;

double seconds_since(uint64_t start_ns) { return static_cast<double>(net::now_ns() - start_ns) / 1e9; }

// One request in flight to the backend. Owned by the upstream call's callbacks; the exchange's
// callbacks hold it weakly, so whichever side finishes first lets it go.
struct ProxyCall : std::enable_shared_from_this<ProxyCall> {
    GatewayWorker& worker;
    std::shared_ptr<net::Exchange> ex;
    ForwardRequest fr;
    std::shared_ptr<net::UpstreamCall> call;
    SseParser sse;
    int status = 0;
    bool streaming = false;
    bool stream_terminated = false;  // saw [DONE] or an in-band error
    bool counted_stream = false;
    std::string body;  // buffered non-stream answer
    std::string out;   // client bytes produced by one callback
    uint64_t first_token_ns = 0, last_token_ns = 0;
    int64_t prompt_tokens = -1, completion_tokens = -1;

    ProxyCall(GatewayWorker& w, std::shared_ptr<net::Exchange> e, ForwardRequest f)
        : worker(w), ex(std::move(e)), fr(std::move(f)), sse([this](const SseEvent& ev) { on_event(ev); }) {}

    ~ProxyCall() {
        if (counted_stream) worker.shared().active_streams.fetch_sub(1, std::memory_order_relaxed);
    }

    void start() {
        net::UpstreamRequest req;
        req.method = fr.method;
        req.url = worker.backend_url(fr.upstream_path);
        req.headers = worker.upstream_headers(fr.request_id);
        if (fr.stream) req.headers.emplace_back("Accept: text/event-stream");
        req.body = std::move(fr.body);
        const auto& cfg = worker.shared().cfg;
        req.timeout_ms = static_cast<long>(cfg.request_timeout_s * 1000);
        req.connect_timeout_ms = static_cast<long>(cfg.connect_timeout_s * 1000);
        auto self = shared_from_this();
        req.on_head = [self](int st, const net::Headers& h) { self->on_head(st, h); };
        req.on_body = [self](std::string_view d) { self->on_body(d); };
        req.on_done = [self](const net::UpstreamResult& r) { self->on_done(r); };
        std::weak_ptr<ProxyCall> weak = self;
        ex->on_abort([weak] {
            if (auto p = weak.lock()) p->on_client_abort();
        });
        call = worker.upstream().start(std::move(req));
    }

    void on_client_abort() {
        // The runtime stops generating once its connection closes.
        if (call) call->cancel();
        log_event(spdlog::level::info, "llmgw.proxy", "client went away; upstream request cancelled",
                  {{"request_id", fr.request_id}, {"path", ex->request().path}});
        call.reset();
    }

    void on_head(int st, const net::Headers& h) {
        status = st;
        auto ct = net::find_header(h, "content-type");
        streaming = fr.stream && st >= 200 && st < 300 && ct.find("text/event-stream") != std::string_view::npos;
        if (!streaming) return;
        ex->add_header("x-request-id", fr.request_id);
        if (fr.style == ApiStyle::Anthropic) ex->add_header("request-id", fr.request_id);
        ex->start_stream(200, "text/event-stream; charset=utf-8");
        worker.shared().active_streams.fetch_add(1, std::memory_order_relaxed);
        counted_stream = true;
        std::weak_ptr<ProxyCall> weak = shared_from_this();
        ex->on_drain([weak] {
            if (auto p = weak.lock())
                if (p->call) p->call->resume();
        });
    }

    void on_body(std::string_view d) {
        if (!streaming) {
            if (body.size() + d.size() > kMaxUpstreamBody) {
                fail_whole(ApiError::bad_gateway("backend response exceeds " + std::to_string(kMaxUpstreamBody) + " bytes"));
                return;
            }
            body.append(d);
            return;
        }
        bool raw = !fr.adapter && !fr.strip_usage_chunk;
        out.clear();
        if (raw) out.append(d);  // byte-for-byte relay; the parser only observes
        sse.feed(d);
        flush();
    }

    void on_event(const SseEvent& ev) {
        StreamEventInfo info = inspect_stream_event(ev.data);
        if (info.content) {
            uint64_t now = net::now_ns();
            if (!first_token_ns) first_token_ns = now;
            last_token_ns = now;
        }
        if (info.has_usage && (info.usage_only || info.finished || info.prompt_tokens || info.completion_tokens)) {
            prompt_tokens = info.prompt_tokens;
            completion_tokens = info.completion_tokens;
        }
        if (info.done || info.error) stream_terminated = true;
        if (fr.adapter) {
            if (info.done) return;  // the adapter ends the stream in stream_end()
            fr.adapter->stream_event(ev.data, out);
            return;
        }
        if (fr.strip_usage_chunk) {
            if (info.usage_only) return;  // we asked for it; the client did not
            out.append(sse_format(ev.event, ev.data));
        }
    }

    void flush() {
        if (out.empty()) return;
        ex->write(out);
        out.clear();
        // Backpressure: stop reading from the backend while the client lags.
        if (ex->congested() && call) call->pause();
    }

    void fail_whole(const ApiError& e) {
        if (call) call->cancel();
        call.reset();
        respond_error(e);
    }

    void respond_error(const ApiError& e) {
        if (ex->responded()) return;
        ex->add_header("x-request-id", fr.request_id);
        if (fr.style == ApiStyle::Anthropic) ex->add_header("request-id", fr.request_id);
        ex->respond_error(fr.style, e);
    }

    void on_done(const net::UpstreamResult& r) {
        call.reset();
        if (r.failure != net::UpstreamFailure::None)
            log_event(spdlog::level::warn, "llmgw.proxy", "backend request failed",
                      {{"request_id", fr.request_id}, {"error", r.message}, {"status", r.status},
                       {"streaming", streaming ? "true" : "false"}});
        if (ex->detached()) return;
        if (streaming) {
            sse.finish();
            out.clear();
            if (r.failure != net::UpstreamFailure::None) {
                ApiError e = upstream_failure_error(r);
                e.message = "backend stream interrupted: " + e.message;
                if (fr.adapter) fr.adapter->stream_fail(e, out);
                else out.append(sse_format("", render_openai_error(e)));
            } else if (fr.adapter) {
                fr.adapter->stream_end(out);
            } else if (fr.strip_usage_chunk && stream_terminated) {
                // [DONE] was re-emitted by on_event already.
            }
            if (!out.empty()) ex->write(out);
            ex->end();
            return;
        }
        if (r.failure != net::UpstreamFailure::None && status == 0) {
            respond_error(upstream_failure_error(r));
            return;
        }
        if (r.failure != net::UpstreamFailure::None) {
            respond_error(upstream_failure_error(r));
            return;
        }
        ex->add_header("x-request-id", fr.request_id);
        if (fr.style == ApiStyle::Anthropic) ex->add_header("request-id", fr.request_id);
        if (status >= 400) {
            ex->respond(status, "application/json", wrap_upstream_error(fr.style, status, body));
            return;
        }
        read_usage(body, &prompt_tokens, &completion_tokens);
        if (fr.adapter) {
            ApiError err;
            err.status = 0;
            std::string translated = fr.adapter->whole_body(body, &err);
            if (err.status) {
                ex->respond_error(fr.style, err);
                return;
            }
            ex->respond(status, "application/json", translated);
            return;
        }
        ex->respond(status, "application/json", body);
    }
};

}  // namespace

ApiError upstream_failure_error(const net::UpstreamResult& r) {
    switch (r.failure) {
        case net::UpstreamFailure::Timeout:
            return ApiError::gateway_timeout("backend timed out: " + r.message);
        case net::UpstreamFailure::Connect:
            return ApiError::bad_gateway("backend unreachable: " + r.message);
        case net::UpstreamFailure::Reset:
            return ApiError::bad_gateway("backend closed the connection: " + r.message);
        case net::UpstreamFailure::Protocol:
            return ApiError::bad_gateway("backend sent an invalid HTTP response: " + r.message);
        default:
            return ApiError::bad_gateway("backend request failed: " + r.message);
    }
}

void forward(GatewayWorker& w, const std::shared_ptr<net::Exchange>& ex, ForwardRequest fr) {
    auto p = std::make_shared<ProxyCall>(w, ex, std::move(fr));
    p->start();
}

}  // namespace llmgw::gw
