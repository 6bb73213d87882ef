#include "gateway/forward.h"

#include <algorithm>
#include <optional>

#include "core/json/json_parse.h"
#include "core/base/sse.h"
#include "core/api/stream_observer.h"
#include "core/ops/upstream_timeouts.h"
#include "core/routing/model_rewrite.h"
#include "core/routing/session_affinity.h"
#include "gateway/log.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

namespace {

// A whole (non-stream) answer is buffered, then parsed and perhaps translated, so while in flight
// it costs a few times its size. Chat and completion answers are KBs (a 128k-token answer is about
// 0.5 MB; with logprobs a few MB): 16 MiB is ample, and a broken backend cannot make one request
// hold hundreds of MB. Over it: 502.
constexpr size_t kMaxWholeAnswerBytes = 16u << 20;
// Embeddings are the one large answer: 2048 inputs of 1024 dimensions as JSON numbers is ~40 MB.
constexpr size_t kMaxEmbeddingsAnswerBytes = 64u << 20;
// A backend's error body is a message for a human: its first 64 KiB say all a client can use. The
// rest is not read (the call is cancelled); the client gets the backend's status with that start.
constexpr size_t kMaxErrorBodyBytes = 64u << 10;

double seconds_since(uint64_t start_ns) { return static_cast<double>(net::now_ns() - start_ns) / 1e9; }

// curl's receive buffer for a stream: one page, as nginx's proxy_buffer_size. A stream's events
// are a few hundred bytes and come one or a few at a time; with 5,000 open streams the default
// 16 KiB would hold tens of MB for nothing. A burst takes a few more reads.
constexpr long kStreamReceiveBufferBytes = 4096;

// Stream bytes kept for a LOG_PROMPTS debug line, at most.
constexpr size_t kMaxLoggedStream = 1u << 20;
// The worker's stream output buffer keeps its capacity up to this (one curl read, translated, is
// a few KiB); a larger one, from an outsized event, is freed once sent.
constexpr size_t kKeptStreamOutputBytes = 64u << 10;

// Retry budget: attempts one request may make across replicas and the fallback pool. A pool of
// dead replicas then costs a few refused connects, not one per replica of a large pool.
constexpr int kMaxAttempts = 4;
// The served models a 404 lists, at most (a pool may declare a thousand).
constexpr size_t kMaxListedModels = 20;

ApiError unknown_model_error(std::string_view model, const ModelRouter& router) {
    std::string list;
    const auto& names = router.public_names();
    for (size_t i = 0; i < names.size() && i < kMaxListedModels; ++i) list += (i ? ", " : "") + names[i];
    if (names.size() > kMaxListedModels) list += ", ...";
    ApiError e = ApiError::not_found("model '" + std::string(model.substr(0, 200)) +
                                     "' is not served here; served models: " + list);
    e.param = "model";
    e.code = "model_not_found";
    return e;
}

BackendErrorKind error_kind(net::UpstreamFailure f) {
    switch (f) {
        case net::UpstreamFailure::Connect: return BackendErrorKind::Connect;
        case net::UpstreamFailure::Timeout: return BackendErrorKind::Timeout;
        case net::UpstreamFailure::Reset: return BackendErrorKind::Reset;
        default: return BackendErrorKind::Protocol;
    }
}

// One request in flight to the backend. Owned by the upstream call's callbacks; the scope's
// abort hook holds it weakly, so whichever side finishes first lets it go.
struct ProxyCall : std::enable_shared_from_this<ProxyCall> {
    GatewayWorker& worker;
    std::shared_ptr<net::Exchange> ex;
    std::shared_ptr<RequestScope> scope;
    const MetricsRecorder metrics;  // a copy: valid even while the worker is torn down
    ForwardRequest fr;
    size_t route;
    ModelId model_id;
    std::shared_ptr<net::UpstreamCall> call;
    // Routing: the file's version this request started under, its model's route, and the
    // replica of the attempt in flight.
    std::shared_ptr<const RoutingTable> table;
    ModelRoute model_route;
    ReplicaLease lease;
    ReplicaSet tried = 0;
    int attempts = 0;
    bool on_fallback = false;
    std::string client_body;  // the body with the client's model name, kept for another attempt
    SseParser sse;
    int status = 0;
    bool streaming = false;
    bool counted_stream = false;     // counted in llmgw_active_streams (and registered as stream_id)
    uint64_t stream_id = 0;          // in the worker's open streams, for the drain cut-off
    bool upstream_recorded = false;
    std::string body;  // buffered non-stream answer
    // Client bytes produced by one callback, sent and cleared before it returns: the worker's one
    // buffer, shared by all its streams (callbacks run one at a time), so an open stream holds none.
    std::string& out;
    std::string logged_stream;  // client bytes for LOG_PROMPTS
    uint64_t upstream_start_ns = 0;
    uint64_t first_token_ns = 0, last_token_ns = 0;
    uint64_t read_at_ns = 0;  // when the backend bytes being handled arrived (0: not asked yet)
    int64_t prompt_tokens = -1, completion_tokens = -1;
    int64_t cached_tokens = 0;  // prompt tokens the runtime served from its prefix cache

    ProxyCall(const RequestContext& ctx, ForwardRequest f)
        : worker(ctx.worker), ex(ctx.ex), scope(ctx.scope), metrics(ctx.worker.metrics()), fr(std::move(f)),
          route(static_cast<size_t>(fr.route)), sse([this](const SseEvent& ev) { on_event(ev); }),
          out(ctx.worker.stream_output()) {}

    ~ProxyCall() {
        end_attempt(AttemptOutcome::Abandoned);
        stream_closed();
    }

    // The model's pool (404 when none serves it); false when the request was answered.
    bool route_model() {
        auto& pools = worker.shared().pools;
        table = pools.table();
        auto r = table->router.resolve(fr.model, pools.listed(*table).get());
        if (!r && !fr.model.empty()) {
            scope->respond_error(unknown_model_error(fr.model, table->router));
            return false;
        }
        // A request without a model (a GET, a token count) goes to the first pool, unchanged.
        model_route = r ? *r : ModelRoute{};
        client_body = std::move(fr.body);
        return true;
    }

    // Answers carry the name the client sent (an alias stays the alias), else the public name.
    std::string_view answer_model() const {
        return fr.model.empty() ? std::string_view(model_route.public_name) : std::string_view(fr.model);
    }
    // The runtime's name for the model where the client's differs (an alias, a public name).
    bool renames_answers() const { return !answer_model().empty() && model_route.upstream != answer_model(); }
    std::string upstream_body() const {
        if (client_body.empty() || model_route.upstream.empty() || model_route.upstream == fr.model) return client_body;
        return with_model(client_body, model_route.upstream);
    }
    bool relays_raw() const { return !fr.adapter && !fr.strip_usage_chunk && !renames_answers(); }

    void start() {
        if (!route_model()) return;
        lease = worker.shared().pools.acquire(*table, model_route.pool, &tried, worker.random64(), fr.session);
        attempt();
    }

    // One try on the leased replica.
    void attempt() {
        auto& shared = worker.shared();
        ++attempts;
        scope->model = model_route.public_name.empty() ? fr.model : model_route.public_name;
        if (shared.pools.from_file() && lease) {
            scope->pool = lease.pool->name;
            scope->replica = lease.url;
        }
        const auto& pool = table->router.config().pools[model_route.pool];
        net::UpstreamRequest req;
        req.method = fr.method;
        req.url = lease.url + fr.upstream_path;
        worker.set_pool_headers(req, fr.request_id, &ex->request(), pool.api_key);
        req.all_headers = false;  // on_head reads the content type only
        if (fr.stream) {
            req.headers.emplace_back("Accept: text/event-stream");
            req.receive_buffer_bytes = kStreamReceiveBufferBytes;
        }
        req.body = upstream_body();
        const auto& cfg = shared.cfg;
        const auto t = upstream_timeouts(cfg, UpstreamPurpose::Relay);
        req.timeout_ms = t.total_ms;
        req.connect_timeout_ms = t.connect_ms;
        auto self = shared_from_this();
        req.on_head = [self](int st, const net::Headers& h) { self->on_head(st, h); };
        req.on_body = [self](std::string_view d) { self->on_body(d); };
        req.on_done = [self](const net::UpstreamResult& r) { self->on_done(r); };
        std::weak_ptr<ProxyCall> weak = self;
        scope->on_client_abort([weak] {
            if (auto p = weak.lock()) p->on_client_abort();
        });
        upstream_start_ns = net::now_ns();
        call = worker.upstream().start(std::move(req));
    }

    // The upstream exchange is over (done, failed or cancelled): its duration, once.
    void upstream_finished() {
        if (upstream_recorded) return;
        upstream_recorded = true;
        metrics.on_upstream(route, seconds_since(upstream_start_ns));
    }

    void stream_closed() {
        if (!counted_stream) return;
        counted_stream = false;
        metrics.on_stream_end();
        worker.stream_ended(stream_id);
    }

    // The drain timeout ended the worker while this stream was open.
    void on_drain_timeout() {
        log_event(spdlog::level::warn, "proxy", "drain timed out; stream ended with an error event",
                  {{"request_id", fr.request_id}, {"path", ex->request().path}});
        // A byte-for-byte relay may have stopped mid-event: a blank line ends it before ours.
        if (relays_raw()) out.append("\n\n");
        cut_stream(ApiError::unavailable("the gateway is shutting down: its drain timeout ended this stream"));
    }

    // The attempt in flight is over: its replica's load and health are updated.
    void end_attempt(AttemptOutcome outcome, std::string_view error = {}) {
        if (!lease) return;
        std::string replica = lease.url;
        std::string pool = lease.pool->name;
        if (worker.shared().pools.release(lease, outcome, error))
            log_event(spdlog::level::warn, "routing", "replica ejected after consecutive failures",
                      {{"pool", pool}, {"replica", replica}, {"error", error}});
    }

    // Before the client has a byte of the answer, a refused or dropped connection, a timeout
    // before the head, or a 502/503 moves the request to another replica of the pool, then to
    // the fallback pool. True when another attempt started.
    bool fail_over(const net::UpstreamResult& r) {
        bool retryable = (r.failure != net::UpstreamFailure::None && status == 0) || status == 502 || status == 503;
        if (!retryable || streaming || ex->responded() || ex->detached() || attempts >= kMaxAttempts) return false;
        auto& pools = worker.shared().pools;
        ReplicaLease next = pools.acquire(*table, model_route.pool, &tried, worker.random64(), fr.session);
        if (!next && !on_fallback) {
            if (auto fb = table->router.fallback(model_route)) {
                on_fallback = true;
                model_route = *fb;
                tried = 0;
                next = pools.acquire(*table, model_route.pool, &tried, worker.random64());
            }
        }
        if (!next) return false;
        pools.count_retry(*table, model_route.pool);
        log_event(spdlog::level::info, "routing", "retrying the request on another replica",
                  {{"request_id", fr.request_id}, {"pool", next.pool->name}, {"replica", next.url},
                   {"attempt", attempts + 1}});
        lease = std::move(next);
        body.clear();
        status = 0;
        upstream_recorded = false;
        attempt();
        return true;
    }

    void on_client_abort() {
        end_attempt(AttemptOutcome::Abandoned);
        // The runtime stops generating once its connection closes.
        if (call) {
            call->cancel();
            upstream_finished();
        }
        call.reset();
        stream_closed();
        report_tokens();
        log_stream_body();
        log_event(spdlog::level::info, "proxy", "client went away; upstream request cancelled",
                  {{"request_id", fr.request_id}, {"path", ex->request().path}});
    }

    void on_head(int st, const net::Headers& h) {
        status = st;
        scope->backend_status = st;
        worker.shared().pools.record_head(lease, static_cast<double>(net::now_ns() - upstream_start_ns) / 1e6);
        // A model label is taken only for names the backend accepted, so made-up names cannot
        // use up the bounded label set.
        if (st >= 200 && st < 300)
            model_id = worker.shared().metrics.model(fr.model.empty() ? std::string_view("unknown")
                                                                      : std::string_view(fr.model));
        auto ct = net::find_header(h, "content-type");
        streaming = fr.stream && st >= 200 && st < 300 && ct.find("text/event-stream") != std::string_view::npos;
        if (!streaming) return;
        // From here no other attempt can start (the client has the answer's head): the bodies
        // kept for one go, so a long stream does not hold its prompt.
        std::string().swap(client_body);
        fr.body_without_stream_options = nullptr;
        ex->start_stream(200, "text/event-stream; charset=utf-8");
        metrics.on_stream_start();
        counted_stream = true;
        std::weak_ptr<ProxyCall> weak = shared_from_this();
        stream_id = worker.open_stream([weak] {
            if (auto p = weak.lock()) p->on_drain_timeout();
        });
        ex->on_drain([weak] {
            if (auto p = weak.lock())
                if (p->call) p->call->resume();
        });
    }

    // The events of one read arrived together: one clock reading serves them all.
    uint64_t read_ns() {
        if (!read_at_ns) read_at_ns = net::now_ns();
        return read_at_ns;
    }

    void on_body(std::string_view d) {
        if (!streaming) return buffer_whole(d);
        read_at_ns = 0;
        bool raw = relays_raw();
        out.clear();
        if (raw) out.append(d);  // byte-for-byte relay; the parser only observes
        sse.feed(d);
        if (sse.overflowed()) {
            metrics.on_backend_error(BackendErrorKind::Protocol);
            log_event(spdlog::level::warn, "proxy", "backend stream event over the size limit; stream ended",
                      {{"request_id", fr.request_id}, {"limit_bytes", static_cast<uint64_t>(kMaxSseEventBytes)}});
            // The relayed bytes may end mid-line: a blank line ends that event before ours.
            if (raw) out.append("\n\n");
            cut_stream(ApiError::bad_gateway("backend sent a stream event over " + std::to_string(kMaxSseEventBytes) +
                                             " bytes; stream ended"));
            return;
        }
        // The translator already ended the client's stream (an error event, or an event it could
        // not read): stop the backend rather than read what nobody will get.
        if (fr.adapter && fr.adapter->stream_over()) return cut_stream(std::nullopt);
        flush();
    }

    size_t whole_answer_limit() const {
        if (status >= 400) return kMaxErrorBodyBytes;
        return fr.route == Route::Embeddings ? kMaxEmbeddingsAnswerBytes : kMaxWholeAnswerBytes;
    }

    void buffer_whole(std::string_view d) {
        const size_t limit = whole_answer_limit();
        if (body.size() + d.size() <= limit) {
            body.append(d);
            return;
        }
        if (status >= 400) {  // the backend's own error, cut to its first bytes
            metrics.on_backend_error(status >= 500 ? BackendErrorKind::Status5xx : BackendErrorKind::Status4xx);
            body.append(d.substr(0, limit - body.size()));
            answer_now(status, wrap_upstream_error(fr.style, status, body));
            return;
        }
        metrics.on_backend_error(BackendErrorKind::Protocol);
        fail_whole(ApiError::bad_gateway("backend answer exceeds " + std::to_string(limit) + " bytes"));
    }

    void on_event(const SseEvent& ev) {
        if (fr.adapter && fr.adapter->stream_over()) return;  // cut_stream() follows
        // A translator reads the event's document and the observer walks the same one; a relayed
        // event is only scanned for the metrics, with no document built.
        StreamChunk chunk;
        StreamEventInfo info;
        if (fr.adapter) {
            chunk = read_stream_chunk(ev.data, worker.stream_event_document());
            info = inspect_stream_event(chunk);
        } else {
            info = inspect_stream_event(ev.data, worker.stream_event_scanner());
        }
        if (info.content) {
            ++scope->generated_events;
            const uint64_t now = read_ns();
            if (!first_token_ns) {
                first_token_ns = now;
                const double ttft = static_cast<double>(now - ex->start_ns()) / 1e9;
                metrics.on_ttft(route, model_id, ttft);
                worker.shared().pools.record_ttft(lease, ttft);
            } else {
                metrics.on_inter_token(route, model_id, static_cast<double>(now - last_token_ns) / 1e9);
            }
            last_token_ns = now;
        }
        if (info.has_usage && (info.usage_only || info.finished || info.prompt_tokens || info.completion_tokens)) {
            prompt_tokens = info.prompt_tokens;
            completion_tokens = info.completion_tokens;
            cached_tokens = info.cached_tokens;
        }
        if (fr.adapter) {  // adapters name the model as the client asked for it
            if (info.done) return;  // the adapter ends the stream in stream_end()
            fr.adapter->stream_event(chunk, out);
            return;
        }
        if (relays_raw()) return;
        if (fr.strip_usage_chunk && info.usage_only) return;  // we asked for it; the client did not
        if (renames_answers()) {
            std::string renamed = ev.data;
            if (rewrite_answer_model(renamed, model_route.upstream, answer_model())) {
                sse_append(out, ev.event, renamed);
                return;
            }
        }
        sse_append(out, ev.event, ev.data);
    }

    // Client bytes of a stream.
    void send(std::string_view data) {
        if (data.empty()) return;
        if (scope->logs_bodies() && logged_stream.size() < kMaxLoggedStream)
            logged_stream.append(data.substr(0, kMaxLoggedStream - logged_stream.size()));
        ex->write(data);
    }

    // Sends `out` and empties it for the next callback (of any stream of this worker).
    void send_out() {
        send(out);
        out.clear();
        if (out.capacity() > kKeptStreamOutputBytes) std::string().swap(out);
    }

    void flush() {
        if (out.empty()) return;
        send_out();
        // Backpressure: stop reading from the backend while the client lags.
        if (ex->congested() && call) call->pause();
    }

    void log_stream_body() {
        if (!logged_stream.empty()) scope->log_body("response stream", logged_stream);
        logged_stream.clear();
    }

    // Tokens from the backend's usage; for translated Anthropic streams without usage, what the
    // adapter counted. Recorded once, when the exchange ends.
    bool tokens_reported = false;
    void report_tokens() {
        if (tokens_reported) return;
        tokens_reported = true;
        if (completion_tokens < 0 && fr.adapter) {
            int64_t n = fr.adapter->output_tokens();
            if (n > 0) completion_tokens = n;
        }
        if (prompt_tokens < 0 && completion_tokens < 0) return;
        scope->prompt_tokens = prompt_tokens;
        scope->completion_tokens = completion_tokens;
        scope->cached_tokens = cached_tokens;
        metrics.on_tokens(model_id, static_cast<uint64_t>(std::max<int64_t>(prompt_tokens, 0)),
                          static_cast<uint64_t>(std::max<int64_t>(completion_tokens, 0)));
    }

    // Stops the backend's transfer (cancel() from inside its own callback is deferred by the
    // client, so this is safe anywhere); on_done will not run.
    void cancel_upstream() {
        end_attempt(AttemptOutcome::Abandoned);
        if (call) call->cancel();
        call.reset();
        upstream_finished();
    }

    void fail_whole(const ApiError& e) {
        cancel_upstream();
        scope->respond_error(e);
    }

    void answer_now(int st, const std::string& client_body) {
        cancel_upstream();
        scope->respond(st, "application/json", client_body);
    }

    // Ends the client's stream before the backend's: the backend is cancelled and the client
    // gets `failure` in-band (or the adapter's ending when there is none).
    void cut_stream(const std::optional<ApiError>& failure) {
        cancel_upstream();
        finish_stream(failure);
    }

    // The client's stream is over: what is pending in `out`, then the in-band error (OpenAI: an
    // error data event; Anthropic: the adapter's `event: error`) or the adapter's ending, then
    // the terminator.
    void finish_stream(const std::optional<ApiError>& failure) {
        if (failure) {
            if (fr.adapter) fr.adapter->stream_fail(*failure, out);
            else sse_append(out, "", render_openai_error(*failure));
        } else if (fr.adapter) {
            fr.adapter->stream_end(out);
        }
        // Without an adapter, [DONE] was relayed (or re-emitted by on_event) already.
        send_out();
        report_tokens();
        log_stream_body();
        stream_closed();
        scope->end_stream();
    }

    // The runtime refused the stream_options we added: ask again without, and stop adding it.
    bool retry_without_stream_options(const net::UpstreamResult& r) {
        if (streaming || r.failure != net::UpstreamFailure::None || status != 400 || !fr.body_without_stream_options ||
            body.find("stream_options") == std::string::npos || ex->detached())
            return false;
        worker.shared().backend.stream_usage.store(Learned::No, std::memory_order_relaxed);
        log_event(spdlog::level::warn, "proxy",
                  "backend rejects stream_options; retrying without it (token metrics for streams now count events)",
                  {{"request_id", fr.request_id}});
        client_body = fr.body_without_stream_options();
        fr.body_without_stream_options = nullptr;
        fr.strip_usage_chunk = false;
        body.clear();
        status = 0;
        upstream_recorded = false;
        // Another replica, or the same one when it is the only one: it answered, only the field was wrong.
        lease = worker.shared().pools.acquire(*table, model_route.pool, &tried, worker.random64());
        if (!lease) {
            tried = 0;
            lease = worker.shared().pools.acquire(*table, model_route.pool, &tried, worker.random64());
        }
        attempt();
        return true;
    }

    void on_done(const net::UpstreamResult& r) {
        call.reset();
        const AttemptOutcome outcome = attempt_outcome(r, status, body);
        const std::string error = r.failure != net::UpstreamFailure::None ? r.message
                                  : outcome == AttemptOutcome::Warming     ? "HTTP 503 Loading model: warming up"
                                  : status >= 500                          ? "HTTP " + std::to_string(status)
                                                                           : std::string();
        end_attempt(outcome, error);
        if (retry_without_stream_options(r)) return;
        upstream_finished();
        if (r.failure != net::UpstreamFailure::None) {
            metrics.on_backend_error(error_kind(r.failure));
            log_event(spdlog::level::warn, "proxy", "backend request failed",
                      {{"request_id", fr.request_id}, {"error", r.message}, {"status", r.status},
                       {"streaming", streaming}});
        } else if (status >= 500) {
            metrics.on_backend_error(BackendErrorKind::Status5xx);
        } else if (status >= 400) {
            metrics.on_backend_error(BackendErrorKind::Status4xx);
        }
        if (fail_over(r)) return;
        if (ex->detached()) return;
        if (streaming) {
            out.clear();
            read_at_ns = 0;
            sse.finish();  // a last event without its blank line: what it produces is sent, not dropped
            std::optional<ApiError> failure;
            if (r.failure != net::UpstreamFailure::None) {
                failure = upstream_failure_error(r);
                failure->message = "backend stream interrupted: " + failure->message;
            }
            finish_stream(failure);
            return;
        }
        if (r.failure != net::UpstreamFailure::None) {
            scope->respond_error(upstream_failure_error(r));
            return;
        }
        if (status >= 400) {
            scope->respond(status, "application/json", wrap_upstream_error(fr.style, status, body));
            return;
        }
        if (renames_answers()) rewrite_answer_model(body, model_route.upstream, answer_model());
        // One parse, under the JSON policy: an answer nested past its limit is not handed on (a
        // client's recursive parser could overflow its stack on it).
        int64_t prompt = -1, completion = -1, cached = 0;
        if (read_usage(body, &prompt, &completion, &cached) == UsageRead::TooDeep) {
            metrics.on_backend_error(BackendErrorKind::Protocol);
            scope->respond_error(ApiError::bad_gateway("backend answer is nested deeper than " +
                                                       std::to_string(json::kMaxDepth) + " levels"));
            return;
        }
        // A native /v1/messages answer carries Anthropic usage (input/output_tokens), which the
        // OpenAI reader would report as zeros: left unknown instead.
        bool native_anthropic = fr.style == ApiStyle::Anthropic && !fr.adapter;
        if (!native_anthropic) {
            prompt_tokens = prompt;
            completion_tokens = completion;
            cached_tokens = cached;
        }
        if (fr.adapter) {
            ApiError err;
            err.status = 0;
            std::string translated = fr.adapter->whole_body(body, &err);
            if (err.status) {
                // A 4xx is the client's (a model the list does not hold), not the backend's fault.
                if (err.status >= 500) metrics.on_backend_error(BackendErrorKind::Protocol);
                scope->respond_error(err);
                return;
            }
            report_tokens();
            scope->respond(status, "application/json", translated);
            return;
        }
        report_tokens();
        scope->respond(status, "application/json", body);
    }
};

}  // namespace

uint64_t conversation_session(const ConversationFacts& conversation, const net::HttpRequest& req) {
    std::string_view h = req.header("x-session-id");
    return session_hash(conversation, h.empty() ? req.header("session-id") : h);
}

AttemptOutcome attempt_outcome(const net::UpstreamResult& r, int status, std::string_view body) {
    if (r.failure != net::UpstreamFailure::None) return AttemptOutcome::Failed;
    // llama.cpp answers 503 "Loading model" while it loads: warming, not broken.
    if (status == 503 && body.find("Loading model") != std::string_view::npos) return AttemptOutcome::Warming;
    return status >= 500 ? AttemptOutcome::Failed : AttemptOutcome::Answered;
}

ForwardRequest forward_request(const RequestContext& ctx, std::string upstream_path) {
    ForwardRequest fr;
    fr.route = ctx.route.route;
    fr.style = ctx.route.style;
    fr.upstream_path = std::move(upstream_path);
    fr.request_id = ctx.request_id;
    return fr;
}

void side_call(GatewayWorker& w, net::UpstreamRequest req, SideCallDone done, UpstreamPurpose purpose,
               size_t max_answer_bytes) {
    const auto t = upstream_timeouts(w.shared().cfg, purpose);
    req.timeout_ms = t.total_ms;
    req.connect_timeout_ms = t.connect_ms;
    auto buf = std::make_shared<std::string>();
    auto status = std::make_shared<int>(0);
    req.on_head = [status](int st, const net::Headers&) { *status = st; };
    req.on_body = [buf, max_answer_bytes](std::string_view d) {
        if (buf->size() < max_answer_bytes) buf->append(d.substr(0, max_answer_bytes - buf->size()));
    };
    req.on_done = [buf, status, done = std::move(done)](const net::UpstreamResult& r) {
        done(r.failure == net::UpstreamFailure::None ? *status : 0, std::move(*buf), r);
    };
    w.upstream().start(std::move(req));
}

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

void forward(const RequestContext& ctx, ForwardRequest fr) {
    auto p = std::make_shared<ProxyCall>(ctx, std::move(fr));
    reserve_tokens_then(ctx, p->fr, [p] {
        p->scope->forwarded = true;
        p->start();
    });
}

}  // namespace llmgw::gw
