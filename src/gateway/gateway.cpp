#include "gateway/gateway.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "core/anthropic/token_count.h"
#include "core/backend/backend_facts.h"
#include "core/ops/client_address.h"
#include "core/api/request_body.h"
#include "core/base/content_encoding.h"
#include "core/base/request_id.h"
#include "core/base/text_util.h"
#include "core/base/via.h"
#include "core/limits/shared_rate_limit.h"
#include "core/ops/upstream_timeouts.h"
#include "gateway/forward.h"
#include "gateway/log.h"
#include "gateway/routes.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

std::string header_list(const net::HttpRequest& req, std::string_view lower_name) {
    std::string list;
    for (const auto& [k, v] : req.headers) {
        if (k != lower_name) continue;
        if (!list.empty()) list += ", ";
        list += v;
    }
    return list;
}

namespace {

// A request body may take this long at least (32 MiB at about 5 Mbit/s), whatever
// HEADER_TIMEOUT_S says.
constexpr uint64_t kMinBodyTimeoutMs = 60'000;

constexpr auto kRoutes = std::to_array<RouteInfo>({
    {Route::Root, "/", "GET", ApiStyle::OpenAI, false},
    {Route::Livez, "/livez", "GET", ApiStyle::OpenAI, false},
    {Route::Readyz, "/readyz", "GET", ApiStyle::OpenAI, false},
    {Route::Health, "/health", "GET", ApiStyle::OpenAI, false},
    {Route::Metrics, "/metrics", "GET", ApiStyle::OpenAI, false},
    // Not needs_auth: authorize_admin() checks ADMIN_KEYS, which the client keys never pass.
    {Route::AdminBackends, "/admin/backends", "GET", ApiStyle::OpenAI, false},
    {Route::OpenApi, "/openapi.json", "GET", ApiStyle::OpenAI, false},
    {Route::Docs, "/docs", "GET", ApiStyle::OpenAI, false},
    {Route::Reference, "/reference", "GET", ApiStyle::OpenAI, false},
    {Route::Models, "/v1/models", "GET", ApiStyle::OpenAI, true},
    {Route::Model, "/v1/models/{model}", "GET", ApiStyle::OpenAI, true},
    {Route::ChatCompletions, "/v1/chat/completions", "POST", ApiStyle::OpenAI, true},
    {Route::Completions, "/v1/completions", "POST", ApiStyle::OpenAI, true},
    {Route::Embeddings, "/v1/embeddings", "POST", ApiStyle::OpenAI, true},
    {Route::Messages, "/v1/messages", "POST", ApiStyle::Anthropic, true},
    {Route::CountTokens, "/v1/messages/count_tokens", "POST", ApiStyle::Anthropic, true},
    {Route::Responses, "/v1/responses", "POST", ApiStyle::OpenAI, true},
    {Route::Response, "/v1/responses/{id}", "GET, DELETE", ApiStyle::OpenAI, true},
    {Route::ResponseInputItems, "/v1/responses/{id}/input_items", "GET", ApiStyle::OpenAI, true},
    {Route::AdminUsage, "/admin/usage", "GET", ApiStyle::OpenAI, false},  // ADMIN_KEYS, checked by the route
});

// A templated entry ({model}, {id}), found by its route rather than by its place in the table.
const RouteInfo& route_info(Route route) {
    for (const auto& r : kRoutes)
        if (r.route == route) return r;
    return kRoutes.front();  // unreachable: the table has every templated route
}
bool templated(Route r) { return r == Route::Model || r == Route::Response || r == Route::ResponseInputItems; }
constexpr RouteInfo kNotFoundOpenAI{Route::NotFound, "unmatched", "", ApiStyle::OpenAI, false};
constexpr RouteInfo kNotFoundAnthropic{Route::NotFound, "unmatched", "", ApiStyle::Anthropic, false};
// The models routes as an Anthropic client (one that sends anthropic-version) calls them: its
// answers and errors in Anthropic's shape.
constexpr RouteInfo kModelsAnthropic{Route::Models, "/v1/models", "GET", ApiStyle::Anthropic, true};
constexpr RouteInfo kModelAnthropic{Route::Model, "/v1/models/{model}", "GET", ApiStyle::Anthropic, true};

const RouteInfo& styled_for_client(const RouteInfo& ri, const net::HttpRequest& req) {
    if (req.header("anthropic-version").empty()) return ri;
    if (ri.route == Route::Models) return kModelsAnthropic;
    if (ri.route == Route::Model) return kModelAnthropic;
    return ri;
}


// The client address for logs and rate limiting; forwarding headers count only from trusted peers.
std::string client_of(const net::HttpRequest& req, const std::vector<Cidr>& trusted) {
    if (trusted.empty()) return client_address(req.peer, {}, {}, trusted);
    return client_address(req.peer, header_list(req, "x-forwarded-for"), req.header("x-real-ip"), trusted);
}

}  // namespace

std::vector<std::string> route_templates() {
    std::vector<std::string> t;
    for (const auto& r : kRoutes) t.emplace_back(r.template_path);
    return t;
}

std::vector<ApiRoute> api_routes() {
    std::vector<ApiRoute> t;
    // One entry per method: a route that takes "GET, DELETE" is two operations in the documents.
    // The methods are views into the table, which lives as long as the program.
    for (const auto& r : kRoutes) {
        std::string_view methods = r.method;
        while (!methods.empty()) {
            size_t comma = methods.find(',');
            std::string_view m = trim(methods.substr(0, comma));
            methods = comma == std::string_view::npos ? std::string_view{} : methods.substr(comma + 1);
            if (!m.empty()) t.push_back({r.template_path, m, r.needs_auth, r.style == ApiStyle::Anthropic});
        }
    }
    return t;
}

GatewayShared::GatewayShared(ServeConfig config, CorsPolicy cors_policy, std::shared_ptr<const KeySet> initial_keys,
                             int worker_count, std::optional<BackendsConfig> backends)
    : cfg(std::move(config)),
      profile(&backend_profile(cfg.backend_kind)),
      start_ns(net::now_ns()),
      cors(std::move(cors_policy)),
      auth_required(!cfg.api_keys.empty() || !cfg.api_keys_file.empty()),
      keys(std::move(initial_keys)),
      admin_keys(KeySet::from_keys(cfg.admin_keys)),
      limiter(cfg.redis ? local_fallback_limit({.rpm = cfg.rate_limit_rpm, .burst = cfg.rate_limit_burst},
                                               cfg.rate_limit_replicas)
                        : RateLimitConfig{.rpm = cfg.rate_limit_rpm, .burst = cfg.rate_limit_burst}),
      local_tokens(cfg.redis ? cfg.rate_limit_replicas : 1),
      workers(worker_count),
      metrics(MetricsOptions{.routes = route_templates(), .shards = static_cast<size_t>(worker_count)}),
      pools(backends ? *backends : single_backend_config(cfg), backends.has_value()),
      responses(cfg),
      via_pseudonym(llmgw::via_pseudonym((static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}() ^
                                         start_ns)) {}

namespace {

// With BACKENDS_FILE, the kind of the pool serving `model` when that is not the first pool (whose
// first replica discovery asks); nullopt otherwise.
std::optional<BackendKind> undiscovered_kind(const BackendPools& pools, std::string_view model) {
    if (!pools.from_file()) return std::nullopt;
    auto table = pools.table();
    auto route = table->router.resolve(model, pools.listed(*table).get());
    if (!route || route->pool == 0) return std::nullopt;
    return table->router.config().pools[route->pool].kind;
}

}  // namespace

BackendProfile GatewayShared::profile_for(std::string_view model) const {
    if (auto kind = undiscovered_kind(pools, model)) return backend_profile(*kind);
    return profile_in_effect();
}

int64_t GatewayShared::output_cap_for(std::string_view openai_request, std::string_view model,
                                      const std::optional<TokenFacts>& known) const {
    // Cheap checks first: the estimate parses the whole body.
    if (cfg.max_tokens_cap != 0 || backend.context_length.load(std::memory_order_relaxed) <= 0) return 0;
    return output_cap_for_prompt(known ? known->prompt_estimate : estimate_tokens_for_openai_request(openai_request),
                                 model);
}

int64_t GatewayShared::output_cap_for_prompt(int64_t prompt_estimate, std::string_view model) const {
    if (undiscovered_kind(pools, model)) return 0;
    int64_t ctx_len = backend.context_length.load(std::memory_order_relaxed);
    if (cfg.max_tokens_cap != 0 || ctx_len <= 0) return 0;
    return max_tokens_cap(0, ctx_len, prompt_estimate);
}

const RouteInfo& match_route(std::string_view path) {
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    for (const auto& r : kRoutes) {
        if (templated(r.route)) continue;
        if (r.template_path == path) return r;
    }
    // /v1/models/{id}: the prefix and at least one character of id.
    constexpr std::string_view kModelPrefix = "/v1/models/";
    if (path.starts_with(kModelPrefix) && path.size() > kModelPrefix.size()) return route_info(Route::Model);
    // /v1/responses/{id} and /v1/responses/{id}/input_items: an id without '/'.
    constexpr std::string_view kResponsePrefix = "/v1/responses/";
    constexpr std::string_view kInputItems = "/input_items";
    if (path.starts_with(kResponsePrefix)) {
        std::string_view rest = path.substr(kResponsePrefix.size());
        if (rest.ends_with(kInputItems)) rest.remove_suffix(kInputItems.size());
        if (!rest.empty() && rest.find('/') == std::string_view::npos)
            return route_info(rest.size() + kResponsePrefix.size() == path.size() ? Route::Response
                                                                                  : Route::ResponseInputItems);
    }
    if (path.starts_with("/v1/messages")) return kNotFoundAnthropic;
    return kNotFoundOpenAI;
}

bool route_allows(const RouteInfo& route, std::string_view method) {
    for (const auto& m : split_list(route.method))
        if (m == method || (m == "GET" && method == "HEAD")) return true;
    return false;
}

GatewayWorker::GatewayWorker(uv_loop_t* loop, int listen_fd, GatewayShared& shared, int index)
    : loop_(loop),
      shared_(shared),
      server_(loop, listen_fd,
              [&] {
                  net::ServerLimits lim;
                  lim.max_body_bytes = shared.cfg.max_body_bytes;
                  lim.header_timeout_ms = static_cast<uint64_t>(shared.cfg.header_timeout_s * 1000);
                  lim.body_timeout_ms = std::max<uint64_t>(lim.header_timeout_ms, kMinBodyTimeoutMs);
                  lim.idle_timeout_ms = static_cast<uint64_t>(shared.cfg.idle_timeout_s * 1000);
                  return lim;
              }(),
              [this](const std::shared_ptr<net::Exchange>& ex) { handle(ex); },
              [this](const net::HttpRequest& partial, int status, const std::string& message) {
                  return transport_error(partial, status, message);
              }),
      upstream_(loop),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32) ^ net::now_ns()),
      metrics_(shared.metrics.recorder(static_cast<size_t>(index))),
      keys_(shared.keys),
      index_(index) {
    if (shared.cfg.redis)
        shared_limiter_ = std::make_unique<SharedLimiter>(loop, shared.cfg, shared.limiter, shared.local_tokens,
                                                          shared.ledger, shared.shared_limit);
}

GatewayWorker::~GatewayWorker() = default;

void GatewayWorker::drain(std::function<void()> done) { server_.drain(std::move(done)); }

void GatewayWorker::close() {
    // The drain timeout ran out with streams still open: each gets an in-band error event, so a
    // client sees why its stream ended instead of a bare close.
    if (!open_streams_.empty())
        log_event(spdlog::level::warn, "serve", "drain timed out; ending the streams still open with an error event",
                  {{"streams", static_cast<uint64_t>(open_streams_.size())}});
    auto streams = std::move(open_streams_);
    open_streams_.clear();
    for (auto& [id, cut_off] : streams) cut_off();
    if (health_) health_->stop();
    server_.close_all();
    upstream_.close();
    if (shared_limiter_) shared_limiter_->close();
}

uint64_t GatewayWorker::open_stream(std::function<void()> cut_off) {
    uint64_t id = ++next_stream_id_;
    open_streams_.emplace(id, std::move(cut_off));
    return id;
}

void GatewayWorker::stream_ended(uint64_t id) { open_streams_.erase(id); }

std::string GatewayWorker::random_hex_id() {
    // make_request_id's digits without its "req_" prefix.
    return make_request_id(rng_(), rng_()).substr(4);
}

std::string GatewayWorker::backend_url(std::string_view path) const {
    std::string u = shared_.cfg.backend_base_url;
    u.append(path);
    return u;
}

void GatewayWorker::set_upstream_headers(net::UpstreamRequest& req, const std::string& request_id,
                                         const net::HttpRequest* incoming) const {
    set_pool_headers(req, request_id, incoming, shared_.cfg.backend_api_key);
}

void GatewayWorker::set_pool_headers(net::UpstreamRequest& req, const std::string& request_id,
                                     const net::HttpRequest* incoming, const std::string& api_key) const {
    auto& h = req.headers;
    h.clear();
    h.reserve(4);
    h.emplace_back("Content-Type: application/json");
    h.emplace_back("Via: " + forwarded_via(incoming ? header_list(*incoming, "via") : std::string(), shared_.via_pseudonym));
    if (!api_key.empty()) h.emplace_back("Authorization: Bearer " + api_key);
    req.per_request_header = "X-Request-Id: " + request_id;
}

bool GatewayWorker::authorize(const net::HttpRequest& req, RequestScope& scope) {
    if (!shared_.auth_required) {
        scope.identity = "ip:" + scope.client;
        return true;
    }
    auto m = keys_.current().match(presented_api_key(req.header("authorization"), req.header("x-api-key")));
    if (!m.ok) return false;
    scope.identity = std::string(m.fingerprint);
    scope.key_limits = m.limits;
    return true;
}

bool GatewayWorker::authorize_admin(const RequestContext& ctx) {
    const auto& req = ctx.ex->request();
    if (shared_.admin_keys->empty()) {
        ctx.fail(ApiError::not_found("no route for " + req.method + " " + req.path + ": set ADMIN_KEYS to use /admin/*"));
        return false;
    }
    auto m = shared_.admin_keys->match(presented_api_key(req.header("authorization"), req.header("x-api-key")));
    if (!m.ok) {
        ctx.fail(ApiError::unauthorized(
            "invalid or missing admin key: send one of ADMIN_KEYS as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
        return false;
    }
    ctx.scope->identity = "admin:" + std::string(m.fingerprint);
    return true;
}

bool GatewayWorker::admit(const RequestContext& ctx) {
    const std::string& identity = ctx.scope->identity;
    return apply_verdict(ctx, {LimitVerdict::Source::Local,
                               shared_.limiter.acquire(identity, static_cast<double>(net::now_ns()) / 1e9)});
}

void GatewayWorker::handle(const std::shared_ptr<net::Exchange>& ex) {
    const auto& req = ex->request();
    std::string_view incoming = req.header("x-request-id");
    std::string request_id = is_sane_request_id(incoming) ? std::string(incoming) : make_request_id(rng_(), rng_());
    const RouteInfo& ri = styled_for_client(match_route(req.path), req);
    ex->add_header("x-request-id", request_id);
    if (ri.style == ApiStyle::Anthropic) ex->add_header("request-id", request_id);
    auto scope = RequestScope::open(*this, ex, ri, request_id, client_of(req, shared_.cfg.trusted_proxies));
    RequestContext ctx{*this, ex, ri, std::move(request_id), scope};
    guarded(ctx, [&] { route(ctx); });
}

void GatewayWorker::guarded(const RequestContext& ctx, const std::function<void()>& step) {
    try {
        step();
    } catch (const std::exception& e) {
        // Answered here rather than by the server, so the request is still recorded.
        if (!ctx.ex->responded()) ctx.fail(ApiError::internal(std::string("internal error: ") + e.what()));
        else if (!ctx.scope->finished()) ctx.scope->end_stream();
    }
}

void GatewayWorker::admit_shared(const RequestContext& ctx) {
    shared_limiter_->acquire(ctx.scope->identity, [this, ctx](const LimitVerdict& v) {
        if (ctx.scope->finished()) return;  // the client left while Redis decided
        guarded(ctx, [&] {
            if (apply_verdict(ctx, v)) dispatch(ctx);
        });
    });
}

bool GatewayWorker::apply_verdict(const RequestContext& ctx, const LimitVerdict& v) {
    const std::string& identity = ctx.scope->identity;
    switch (v.source) {
        case LimitVerdict::Source::Open: return true;  // no limit known: no headers to promise
        case LimitVerdict::Source::Closed:
            ctx.ex->add_header("retry-after", "1");
            ctx.fail(ApiError::unavailable(
                "rate limit store (Redis) unavailable and RATE_LIMIT_FAILURE_MODE=closed: retry after 1s"));
            return false;
        case LimitVerdict::Source::Redis:
        case LimitVerdict::Source::Local: break;
    }
    for (auto& [k, v2] : rate_limit_headers(v.decision)) ctx.ex->add_header(std::move(k), std::move(v2));
    if (v.decision.allowed) return true;
    metrics_.on_rate_limited(identity);
    ctx.fail(ApiError::rate_limited("rate limit exceeded for " + identity + ": retry after " +
                                    std::to_string(retry_after_seconds(v.decision.retry_after_s)) + "s"));
    return false;
}

bool GatewayWorker::decode_body(const RequestContext& ctx) {
    auto& req = ctx.ex->request();
    std::string encoding = header_list(req, "content-encoding");
    if (encoding.empty() || req.body.empty()) return true;
    DecodedBody d = decode_content(encoding, req.body, shared_.cfg.max_body_bytes);
    switch (d.status) {
        case DecodeStatus::Ok: req.body = std::move(d.body); return true;
        case DecodeStatus::Unsupported: ctx.fail(ApiError::unsupported_media_type(d.detail)); return false;
        case DecodeStatus::TooLarge: ctx.fail(ApiError::too_large(d.detail)); return false;
        case DecodeStatus::Corrupt: ctx.fail(ApiError::bad_request("request body: " + d.detail)); return false;
    }
    return false;
}

void GatewayWorker::route(const RequestContext& ctx) {
    const auto& req = ctx.ex->request();
    const RouteInfo& ri = ctx.route;
    // CORS first: a browser's preflight carries no credentials and may name any path.
    std::string_view origin = req.header("origin");
    std::string_view acr_method = req.header("access-control-request-method");
    if (is_cors_preflight(req.method, origin, acr_method)) {
        for (auto& [k, v] : cors_preflight_headers(shared_.cors, origin, acr_method,
                                                   req.header("access-control-request-headers")))
            ctx.ex->add_header(std::move(k), std::move(v));
        ctx.scope->respond(204, "", "");
        return;
    }
    for (auto& [k, v] : cors_response_headers(shared_.cors, origin)) ctx.ex->add_header(std::move(k), std::move(v));

    // Our own Via entry: this request was forwarded by this process and came back (gateway A ->
    // B -> A). Forwarding it again would recurse until descriptors run out.
    if (std::string via = header_list(req, "via"); via_names(via, shared_.via_pseudonym)) {
        log_event(spdlog::level::warn, "proxy", "request loop: a request this gateway forwarded came back to it",
                  {{"request_id", ctx.request_id}, {"via", via.substr(0, 500)}});
        ctx.fail(ApiError{508,
                          "request loop detected: this request already passed through this gateway (Via: " +
                              via.substr(0, 500) + "); check the BACKEND_BASE_URL of each gateway on its path",
                          {}, "loop_detected"});
        return;
    }

    if (ri.route == Route::NotFound) {
        ctx.fail(ApiError::not_found("no route for " + req.method + " " + req.path));
        return;
    }
    if (!route_allows(ri, req.method)) {
        ctx.ex->add_header("allow", std::string(ri.method));
        ctx.fail(ApiError::method_not_allowed("method " + req.method + " is not allowed on " + req.path +
                                              " (use " + std::string(ri.method) + ")"));
        return;
    }
    if (ri.needs_auth) {
        if (!authorize(req, *ctx.scope)) {
            ctx.fail(ApiError::unauthorized(
                "invalid or missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
            return;
        }
        if (shared_limiter_ && shared_.cfg.rate_limit_enabled) {
            // A route with a token budget asks for both limits in one call once its body is read
            // (token_limits.h); any other, for the request limit now.
            if (token_limit_tpm(shared_.cfg, ctx.scope->key_limits) > 0 && spends_tokens(ri.route)) {
                ctx.scope->request_limit_deferred = true;
                dispatch(ctx);
                return;
            }
            admit_shared(ctx);  // dispatch() follows once the shared limit has decided
            return;
        }
        if (shared_.cfg.rate_limit_enabled && !admit(ctx)) return;
    }
    dispatch(ctx);
}

void GatewayWorker::dispatch(const RequestContext& ctx) {
    const auto& req = ctx.ex->request();
    const RouteInfo& ri = ctx.route;
    if (!decode_body(ctx)) return;
    if (ctx.scope->logs_bodies() && !req.body.empty()) ctx.scope->log_body("request body", req.body);
    switch (ri.route) {
        case Route::Root: root(ctx); return;
        case Route::Livez: ctx.respond_json(200, R"({"status":"ok"})"); return;
        case Route::Readyz: readyz(ctx, false); return;
        case Route::Health: readyz(ctx, true); return;
        case Route::Metrics: serve_metrics(ctx); return;
        case Route::AdminBackends:
            if (authorize_admin(ctx)) admin_backends(ctx);
            return;
        case Route::OpenApi: serve_openapi(ctx); return;
        case Route::Docs: docs(ctx); return;
        case Route::Reference: serve_reference(ctx); return;
        case Route::Models:
            if (shared_.pools.from_file()) pool_models(ctx);
            else models_list(ctx);
            return;
        case Route::Model:
            if (shared_.pools.from_file()) pool_models(ctx);
            else model_get(ctx);
            return;
        case Route::ChatCompletions:
        case Route::Completions:
        case Route::Embeddings: proxy_openai_post(ctx); return;
        case Route::Messages: anthropic_messages(ctx); return;
        case Route::CountTokens: anthropic_count_tokens(ctx); return;
        case Route::Responses: responses_create(ctx); return;
        case Route::Response:
            if (ctx.ex->request().method == "DELETE") responses_delete(ctx);
            else responses_get(ctx);
            return;
        case Route::ResponseInputItems: responses_input_items(ctx); return;
        case Route::AdminUsage:
            if (authorize_admin(ctx)) admin_usage(ctx);
            return;
        case Route::NotFound: return;
    }
}

void GatewayWorker::admin_usage(const RequestContext& ctx) {
    std::string err, param;
    auto q = parse_usage_query(ctx.ex->request().query, static_cast<int64_t>(unix_now_s()), &err, &param);
    if (!q) {
        ctx.fail(ApiError::bad_request(err, param));
        return;
    }
    ctx.ex->add_header("cache-control", "no-store");
    if (!shared_limiter_) {
        ctx.respond_json(200, shared_.ledger.read(*q, "local"));
        return;
    }
    shared_limiter_->read_usage(*q, [ctx](std::string json) {
        if (!ctx.scope->finished()) ctx.respond_json(200, json);
    });
}

void GatewayWorker::serve_metrics(const RequestContext& ctx) {
    if (!shared_.cfg.metrics_enabled) {
        ctx.fail(ApiError::not_found("metrics are not enabled (METRICS_ENABLED=false)"));
        return;
    }
    with_readiness([this, ctx] {
        if (ctx.scope->finished()) return;
        ctx.ex->add_header("cache-control", "no-store");
        ctx.scope->respond(200, GatewayMetrics::kContentType,
                           GatewayMetrics::render_state(LLMGW_VERSION, shared_.profile->name, ready_.ok) +
                               shared_.metrics.render() +
                               (shared_limiter_ ? render_shared_limit_metrics(shared_.shared_limit, shared_.workers,
                                                                              shared_.cfg.rate_limit_failure_mode)
                                                : std::string()) +
                               (shared_.pools.from_file() ? shared_.pools.metrics_text(net::now_ns()) : std::string()));
    });
}

void GatewayWorker::root(const RequestContext& ctx) {
    // A browser gets the docs page; everything else the JSON summary.
    if (ctx.ex->request().header("accept").find("text/html") != std::string_view::npos) {
        docs(ctx);
        return;
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("name"); w.String("llmgw");
    w.Key("version"); w.String(LLMGW_VERSION);
    w.Key("backend"); w.StartObject();
    w.Key("kind"); w.String(shared_.profile->name.data(), static_cast<rapidjson::SizeType>(shared_.profile->name.size()));
    w.Key("url"); w.String(shared_.cfg.backend_base_url);
    w.Key("model"); w.String(shared_.cfg.model_name);
    w.EndObject();
    w.Key("endpoints"); w.StartObject();
    for (const auto& r : kRoutes) {
        if (r.route == Route::Metrics && !shared_.cfg.metrics_enabled) continue;
        w.Key(r.template_path.data(), static_cast<rapidjson::SizeType>(r.template_path.size()));
        w.String(r.method.data(), static_cast<rapidjson::SizeType>(r.method.size()));
    }
    w.EndObject();
    w.EndObject();
    ctx.respond_json(200, std::string_view(sb.GetString(), sb.GetSize()));
}

std::string GatewayWorker::transport_error(const net::HttpRequest& partial, int status, const std::string& message) {
    // Refused before routing (malformed HTTP, limits, timeouts): counted and logged like any answer.
    const ApiError e{status, message, {}, {}};
    const RouteInfo& ri = match_route(partial.path);
    metrics_.on_request(static_cast<size_t>(ri.route), partial.method, e.status, 0);
    log_event(spdlog::level::warn, "access", "request refused by the HTTP layer",
              {{"method", partial.method}, {"path", std::string(ri.template_path)}, {"status", e.status},
               {"client", partial.peer}, {"error", e.message}});
    return render_error(ri.style, e);
}

int GatewayWorker::listen() {
    int rc = server_.listen();
    if (rc == 0 && shared_limiter_) shared_limiter_->start();
    if (rc == 0 && index_ == 0) discover();
    // Health checks (unless HEALTH_CHECK_INTERVAL_S is 0) and the queue reads of balance: queue pools.
    if (rc == 0 && index_ == 0 && shared_.pools.from_file()) {
        health_ = std::make_unique<HealthChecker>(*this);
        health_->start();
    }
    return rc;
}

void GatewayWorker::discover() {
    bool expected = false;
    if (!shared_.discovering.compare_exchange_strong(expected, true)) return;
    discover_backend(upstream_, shared_.cfg, *shared_.profile, shared_.backend,
                     [this] { shared_.discovering.store(false); });
}

void GatewayWorker::check_backend(std::function<void()> then) {
    ready_.waiters.push_back(std::move(then));
    if (ready_.in_flight) return;
    ready_.in_flight = true;
    net::UpstreamRequest req;
    req.url = backend_url(shared_.profile->health_path);
    set_upstream_headers(req, make_request_id(rng_(), rng_()));
    const auto t = upstream_timeouts(shared_.cfg, UpstreamPurpose::Check);
    req.timeout_ms = t.total_ms;
    req.connect_timeout_ms = t.connect_ms;
    uint64_t t0 = net::now_ns();
    req.on_done = [this, t0](const net::UpstreamResult& r) {
        bool was_down = ready_.checked_ns != 0 && !ready_.ok;
        ready_.in_flight = false;
        ready_.checked_ns = net::now_ns();
        ready_.latency_ms = static_cast<double>(ready_.checked_ns - t0) / 1e6;
        ready_.status = r.status;
        ready_.ok = r.failure == net::UpstreamFailure::None && r.status >= 200 && r.status < 300;
        if (r.failure != net::UpstreamFailure::None) ready_.detail = upstream_failure_error(r).message;
        else if (!ready_.ok) ready_.detail = "backend health check answered HTTP " + std::to_string(r.status);
        else ready_.detail.clear();
        if (ready_.ok && (was_down || !shared_.backend.discovered.load(std::memory_order_acquire))) discover();
        auto waiters = std::move(ready_.waiters);
        ready_.waiters.clear();
        for (auto& w : waiters) w();
    };
    upstream_.start(std::move(req));
}

const char* GatewayWorker::discovery_state() const {
    const auto& facts = shared_.backend;
    if (shared_.discovering.load(std::memory_order_acquire)) return "running";
    if (!facts.attempted.load(std::memory_order_acquire)) return "pending";
    return facts.discovered.load(std::memory_order_acquire) ? "done" : "unreachable";
}

void GatewayWorker::with_readiness(std::function<void()> answer) {
    uint64_t max_age = static_cast<uint64_t>(shared_.cfg.readiness_cache_s * 1e9);
    if (ready_.checked_ns && net::now_ns() - ready_.checked_ns < max_age && !ready_.in_flight) {
        answer();
        return;
    }
    check_backend(std::move(answer));
}

void GatewayWorker::readyz(const RequestContext& ctx, bool detailed) {
    auto answer = [this, ex = ctx.ex, scope = ctx.scope, detailed] {
        if (scope->finished()) return;
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.StartObject();
        // With BACKENDS_FILE: ready while every pool (READYZ_POOLS=any: one) has a replica in rotation.
        const bool ok = shared_.pools.from_file() ? shared_.pools.pools_up(net::now_ns(), shared_.cfg.readyz_any_pool) : ready_.ok;
        w.Key("status"); w.String(ok ? "ok" : "unavailable");
        if (detailed) {
            w.Key("gateway"); w.StartObject();
            w.Key("ok"); w.Bool(true);
            w.Key("version"); w.String(LLMGW_VERSION);
            w.Key("uptime_s"); w.Double(static_cast<double>(net::now_ns() - shared_.start_ns) / 1e9);
            w.EndObject();
            if (shared_limiter_) {
                // The shared limit: this worker's connection, and every worker's fallbacks.
                const auto& st = shared_.shared_limit;
                w.Key("redis"); w.StartObject();
                w.Key("state"); w.String(redis_state_name(shared_limiter_->state()));
                w.Key("workers_up"); w.Int64(st.workers_up.load());
                w.Key("workers"); w.Int(shared_.workers);
                w.Key("failure_mode"); w.String(failure_mode_name(shared_.cfg.rate_limit_failure_mode));
                w.Key("fallbacks"); w.Uint64(st.fallbacks());
                w.Key("disconnects"); w.Uint64(st.disconnects.load());
                if (!shared_limiter_->last_error().empty()) { w.Key("error"); w.String(shared_limiter_->last_error()); }
                w.EndObject();
            }
        }
        w.Key("backend"); w.StartObject();
        w.Key("ok"); w.Bool(ready_.ok);
        w.Key("kind"); w.String(shared_.profile->name.data(), static_cast<rapidjson::SizeType>(shared_.profile->name.size()));
        w.Key("url"); w.String(shared_.cfg.backend_base_url);
        w.Key("status"); w.Int(ready_.status);
        w.Key("latency_ms"); w.Double(ready_.latency_ms);
        if (!ready_.detail.empty()) { w.Key("detail"); w.String(ready_.detail); }
        if (detailed) {
            // What start-up discovery learned (backend_discovery.h).
            const auto& facts = shared_.backend;
            w.Key("discovery"); w.String(discovery_state());
            int kind = facts.detected_kind.load(std::memory_order_relaxed);
            w.Key("detected");
            if (kind >= 0) {
                auto name = backend_profile(static_cast<BackendKind>(kind)).name;
                w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
            } else {
                w.Null();
            }
            w.Key("context_length"); w.Int64(facts.context_length.load(std::memory_order_relaxed));
            w.Key("native_messages"); w.Bool(facts.native_messages.load(std::memory_order_relaxed));
            w.Key("native_responses"); w.Bool(facts.native_responses.load(std::memory_order_relaxed));
            // Learned capabilities; null while unknown (the BACKEND_KIND table applies).
            auto learned = [&w](const char* key, Learned l) {
                w.Key(key);
                if (l == Learned::Unknown) w.Null();
                else w.Bool(l == Learned::Yes);
            };
            LearnedCapabilities caps = facts.learned();
            learned("stream_usage", caps.stream_usage);
            learned("top_k", caps.top_k);
            learned("tokenizer", caps.tokenizer);
        }
        w.EndObject();
        // BACKENDS_FILE: each pool and replica, their load and health (backend_pools.h).
        if (detailed && shared_.pools.from_file()) {
            std::string pools = shared_.pools.health_json(net::now_ns());
            w.Key("pools");
            w.RawValue(pools.data(), pools.size(), rapidjson::kArrayType);
        }
        w.EndObject();
        ex->add_header("cache-control", "no-store");
        scope->respond(ok ? 200 : 503, "application/json", std::string_view(sb.GetString(), sb.GetSize()));
    };
    with_readiness(std::move(answer));
}

}  // namespace llmgw::gw
