// `llmgw serve` at run time: the state every worker shares, and the per-worker application that
// routes requests, checks auth and forwards to the backend.
#pragma once
#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/token_facts.h"
#include "core/ops/api_keys.h"
#include "core/backend/backend_profile.h"
#include "core/docs/api_route.h"
#include "core/json/json_scan.h"
#include "core/json/reused_document.h"
#include "core/ops/config.h"
#include "core/ops/cors.h"
#include "core/ops/metrics.h"
#include "core/ops/rate_limiter.h"
#include "gateway/backend_discovery.h"
#include "gateway/backend_pools.h"
#include "gateway/health_checks.h"
#include "gateway/local_usage.h"
#include "gateway/responses_state.h"
#include "gateway/shared_limiter.h"
#include "net/http_server.h"
#include "net/upstream_client.h"
#include "net/worker_pool.h"

namespace llmgw::gw {

struct RequestContext;
class RequestScope;

// Every route the gateway serves. The route's template (never the raw path) labels metrics.
enum class Route {
    Root, Livez, Readyz, Health, Metrics, AdminBackends, OpenApi, Docs, Reference,
    Models, Model, ChatCompletions, Completions, Embeddings,
    Messages, CountTokens,
    Responses, Response, ResponseInputItems,
    AdminUsage,
    NotFound,
};

struct RouteInfo {
    Route route;
    std::string_view template_path;
    std::string_view method;  // the methods it answers, as an Allow header lists them ("GET, DELETE")
    ApiStyle style;
    bool needs_auth;
};

// Matches a path to a route; NotFound when none. Anthropic-looking paths get Anthropic style.
const RouteInfo& match_route(std::string_view path);
// Whether the route answers `method` (HEAD wherever GET is).
bool route_allows(const RouteInfo& route, std::string_view method);
// Route templates in Route order (NotFound excluded): the metrics' path/route label values.
std::vector<std::string> route_templates();
// The route table as the generated documents (/openapi.json, /docs, /reference) see it.
std::vector<ApiRoute> api_routes();

// Shared by all workers. Plain fields are fixed before the workers start; the key store, the
// rate limiter and the metrics are internally synchronised.
struct GatewayShared {
    // `workers` sizes the metrics shards: one per worker, its only writer.
    // `backends`: the pools of BACKENDS_FILE; nullopt: one pool of the BACKEND_* variables.
    GatewayShared(ServeConfig config, CorsPolicy cors_policy, std::shared_ptr<const KeySet> initial_keys,
                  int workers, std::optional<BackendsConfig> backends = std::nullopt);

    const ServeConfig cfg;
    const BackendProfile* const profile;
    const uint64_t start_ns;
    const CorsPolicy cors;
    // API_KEYS or API_KEYS_FILE configured: auth stays on even if the set becomes empty (a keys
    // file emptied by mistake then refuses everyone instead of opening the gateway).
    const bool auth_required;
    KeyStore keys;
    // ADMIN_KEYS: the operators' keys for /admin/*, never the client keys (empty: /admin/* is off).
    const std::shared_ptr<const KeySet> admin_keys;
    // In-process limit: the whole limit without REDIS_URL; with it, the fallback share
    // (RATE_LIMIT_FAILURE_MODE=local), the limit divided by RATE_LIMIT_REPLICAS.
    RateLimiter limiter;
    SharedLimitStats shared_limit;  // REDIS_URL: the shared limit's counters
    // TOKEN_LIMIT_TPM in process: the whole budget without REDIS_URL; with it, the `local`
    // fallback's share (the budget divided by RATE_LIMIT_REPLICAS).
    LocalTokenStore local_tokens;
    // The usage ledger without REDIS_URL; with it, where records go while Redis does not take them.
    LocalLedgerStore ledger;
    const int workers;
    GatewayMetrics metrics;
    DiscoveredBackend backend;  // learned from the backend itself (backend_discovery.h)
    BackendPools pools;  // where requests go: model routes, replicas, their health (backend_pools.h)
    ResponsesState responses;  // stored responses and the reasoning sealer (/v1/responses)
    // This process's Via entry on forwarded requests ("llmgw-<random>", via.h): seeing it on a
    // request that arrives means the request went round a loop.
    const std::string via_pseudonym;
    std::atomic<bool> discovering{false};

    // What requests are built with: the per-kind table with what discovery learned laid over it.
    BackendProfile profile_in_effect() const { return effective_profile(*profile, backend.learned()); }
    // What requests for `model` are built with: with BACKENDS_FILE, the kind of the pool that
    // serves it (embeddings, stream_options, top_k as its runtime takes them); discovery's
    // findings only for the first pool, whose first replica discovery asks.
    BackendProfile profile_for(std::string_view model) const;
    // The most output tokens a translated chat request for `model` leaves room for in the context
    // the runtime reported, when MAX_TOKENS_CAP is not set; 0 when there is nothing to clamp to
    // (or `model` is served by a pool discovery did not ask). Coding agents ask for 32k or 64k
    // tokens: clamped, the runtime answers instead of refusing. `known`: the request's token facts
    // when the caller read them already (else the estimate parses the body).
    int64_t output_cap_for(std::string_view openai_request, std::string_view model,
                           const std::optional<TokenFacts>& known = std::nullopt) const;
    // The same from the request's prompt estimate (estimate_tokens_for_openai_request), when the
    // caller has it already: the estimate parses the whole body.
    int64_t output_cap_for_prompt(int64_t prompt_estimate, std::string_view model) const;
};

class GatewayWorker : public net::WorkerApp {
public:
    GatewayWorker(uv_loop_t* loop, int listen_fd, GatewayShared& shared, int index);
    ~GatewayWorker() override;
    int listen();
    void drain(std::function<void()> done) override;
    void close() override;

    // Used by the route handlers (gateway/*.cpp).
    GatewayShared& shared() { return shared_; }
    const MetricsRecorder& metrics() const { return metrics_; }
    net::UpstreamClient& upstream() { return upstream_; }
    uv_loop_t* loop() const { return loop_; }
    std::string backend_url(std::string_view path) const;
    // 24 random hex digits from this worker's generator (ids the client must not choose).
    std::string random_hex_id();
    // Streams being relayed: when the drain timeout ends the worker, close() runs each one's
    // cut-off (an in-band error event, then the end) before the connections close.
    uint64_t open_stream(std::function<void()> cut_off);
    void stream_ended(uint64_t id);
    // Headers of a request to the backend; `incoming` (the client's request, when there is one)
    // passes on its Via entries before ours.
    // The request id goes in req.per_request_header, so it does not defeat easy-handle reuse.
    void set_upstream_headers(net::UpstreamRequest& req, const std::string& request_id,
                              const net::HttpRequest* incoming = nullptr) const;
    // The same for a pool's replica: the pool's key in place of BACKEND_API_KEY.
    void set_pool_headers(net::UpstreamRequest& req, const std::string& request_id, const net::HttpRequest* incoming,
                          const std::string& api_key) const;
    uint64_t random64() { return rng_(); }
    // Answers a request limit's verdict (headers, 429 or 503); true when the request may go on.
    bool apply_verdict(const RequestContext& ctx, const LimitVerdict& v);
    // REDIS_URL: this worker's connection (shared limits, token budgets, the ledger); else null.
    SharedLimiter* shared_limiter() { return shared_limiter_.get(); }
    // Where each relayed stream event is parsed, once, for the metrics observer and any
    // translator: events are handled one at a time on this loop, so one document serves them all.
    json::ReusedDocument& stream_event_document() { return stream_events_; }
    // Where a stream's client bytes are built in a callback, then sent and cleared (forward.cpp).
    std::string& stream_output() { return stream_output_; }
    // Where a relayed (untranslated) stream's events are scanned for the metrics, with no document.
    json::Scanner& stream_event_scanner() { return stream_scanner_; }

private:
    void handle(const std::shared_ptr<net::Exchange>& ex);
    void route(const RequestContext& ctx);
    // True when the request may pass; *identity is the key's fingerprint (auth on) or
    // "ip:<client>" (auth off).
    // Sets the scope's identity (and its key's own limits); false when the key is missing or wrong.
    bool authorize(const net::HttpRequest& req, RequestScope& scope);
    // /admin/*: true for a key of ADMIN_KEYS; else the request is answered (404 while ADMIN_KEYS
    // is unset, 401 for any other key, client keys included).
    bool authorize_admin(const RequestContext& ctx);
    // True when the identity's bucket had a token; the x-ratelimit-* headers are added either way.
    bool admit(const RequestContext& ctx);
    // REDIS_URL: asks the shared limit, then continues with dispatch() once admitted.
    void admit_shared(const RequestContext& ctx);
    // After auth and the limit: the body, then the route's handler.
    void dispatch(const RequestContext& ctx);
    // Runs `step` answering an exception with a 500 in the route's envelope.
    void guarded(const RequestContext& ctx, const std::function<void()>& step);
    // A body sent with Content-Encoding is decoded in place, within MAX_BODY_BYTES; false when
    // the request was answered (415 unknown coding, 413 too large decoded, 400 corrupt).
    bool decode_body(const RequestContext& ctx);
    void serve_metrics(const RequestContext& ctx);
    void admin_usage(const RequestContext& ctx);
    void root(const RequestContext& ctx);
    void readyz(const RequestContext& ctx, bool detailed);
    void docs(const RequestContext& ctx);  // docs_routes.cpp
    // "pending" (no round finished), "running", "done" (the backend answered), "unreachable".
    const char* discovery_state() const;

    uv_loop_t* loop_;
    GatewayShared& shared_;
    // At most one entry per open client connection (each carries at most one stream). Declared
    // before the server and the upstream client, so it outlives the calls they release.
    std::unordered_map<uint64_t, std::function<void()>> open_streams_;
    std::string stream_output_;  // also declared before them, for the calls they release
    uint64_t next_stream_id_ = 0;
    net::HttpServer server_;
    net::UpstreamClient upstream_;
    std::mt19937_64 rng_;
    MetricsRecorder metrics_;  // this worker's shard
    json::ReusedDocument stream_events_;
    json::Scanner stream_scanner_;
    KeySetCache keys_;
    std::unique_ptr<SharedLimiter> shared_limiter_;  // REDIS_URL
    std::unique_ptr<HealthChecker> health_;  // the first worker's, with BACKENDS_FILE

    // Readiness, cached so probes cannot hammer the backend.
    struct Readiness {
        bool ok = false;
        int status = 0;
        double latency_ms = 0;
        std::string detail;
        uint64_t checked_ns = 0;
        bool in_flight = false;
        std::vector<std::function<void()>> waiters;
    } ready_;
    void check_backend(std::function<void()> then);
    // Runs `answer` with ready_ fresh: at once from the cache, else after one health check.
    void with_readiness(std::function<void()> answer);
    // Learns the backend's runtime, context length and capabilities; once at start (first
    // worker), again when it answers after a round it did not answer, and when this worker's
    // readiness check sees it come back up (a restarted runtime may be another version).
    void discover();
    std::string transport_error(const net::HttpRequest& partial, int status, const std::string& message);
    int index_;
};

}  // namespace llmgw::gw
