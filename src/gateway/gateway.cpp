#include "gateway/gateway.h"

#include <openssl/crypto.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>

#include "core/request_body.h"
#include "core/request_id.h"
#include "gateway/forward.h"
#include "gateway/log.h"
#include "gateway/routes.h"

namespace llmgw::gw {

namespace {

constexpr std::array<RouteInfo, 12> kRoutes{{
    {Route::Root, "/", "GET", ApiStyle::OpenAI, false},
    {Route::Livez, "/livez", "GET", ApiStyle::OpenAI, false},
    {Route::Readyz, "/readyz", "GET", ApiStyle::OpenAI, false},
    {Route::Health, "/health", "GET", ApiStyle::OpenAI, false},
    {Route::Metrics, "/metrics", "GET", ApiStyle::OpenAI, false},
    {Route::Models, "/v1/models", "GET", ApiStyle::OpenAI, true},
    {Route::Model, "/v1/models/{model}", "GET", ApiStyle::OpenAI, true},
    {Route::ChatCompletions, "/v1/chat/completions", "POST", ApiStyle::OpenAI, true},
    {Route::Completions, "/v1/completions", "POST", ApiStyle::OpenAI, true},
    {Route::Embeddings, "/v1/embeddings", "POST", ApiStyle::OpenAI, true},
    {Route::Messages, "/v1/messages", "POST", ApiStyle::Anthropic, true},
    {Route::CountTokens, "/v1/messages/count_tokens", "POST", ApiStyle::Anthropic, true},
}};
constexpr RouteInfo kNotFoundOpenAI{Route::NotFound, "unmatched", "", ApiStyle::OpenAI, false};
constexpr RouteInfo kNotFoundAnthropic{Route::NotFound, "unmatched", "", ApiStyle::Anthropic, false};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

const RouteInfo& match_route(std::string_view path) {
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    for (const auto& r : kRoutes) {
        if (r.route == Route::Model) continue;
        if (r.template_path == path) return r;
    }
    if (starts_with(path, "/v1/models/") && path.size() > 11) return kRoutes[6];
    if (starts_with(path, "/v1/messages")) return kNotFoundAnthropic;
    return kNotFoundOpenAI;
}

GatewayWorker::GatewayWorker(uv_loop_t* loop, int listen_fd, GatewayShared& shared, int index)
    : loop_(loop),
      shared_(shared),
      server_(loop, listen_fd,
              [&] {
                  net::ServerLimits lim;
                  lim.max_body_bytes = shared.cfg.max_body_bytes;
                  lim.header_timeout_ms = static_cast<uint64_t>(shared.cfg.header_timeout_s * 1000);
                  lim.body_timeout_ms = std::max<uint64_t>(lim.header_timeout_ms, 60'000);
                  lim.idle_timeout_ms = static_cast<uint64_t>(shared.cfg.idle_timeout_s * 1000);
                  return lim;
              }(),
              [this](const std::shared_ptr<net::Exchange>& ex) { handle(ex); },
              [](std::string_view path, const ApiError& e) { return render_error(match_route(path).style, e); }),
      upstream_(loop),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32) ^ net::now_ns()) {}

GatewayWorker::~GatewayWorker() = default;

void GatewayWorker::drain(std::function<void()> done) { server_.drain(std::move(done)); }

void GatewayWorker::close() {
    server_.close_all();
    upstream_.close();
}

std::string GatewayWorker::backend_url(std::string_view path) const {
    std::string u = shared_.cfg.backend_base_url;
    u.append(path);
    return u;
}

std::vector<std::string> GatewayWorker::upstream_headers(const std::string& request_id) const {
    std::vector<std::string> h;
    h.reserve(4);
    h.emplace_back("Content-Type: application/json");
    h.emplace_back("X-Request-Id: " + request_id);
    if (!shared_.cfg.backend_api_key.empty()) h.emplace_back("Authorization: Bearer " + shared_.cfg.backend_api_key);
    return h;
}

bool GatewayWorker::authorize(const net::HttpRequest& req, std::string* identity) const {
    const auto& keys = shared_.cfg.api_keys;
    if (keys.empty()) {
        *identity = "ip:" + req.peer;
        return true;
    }
    std::string_view presented = req.header("x-api-key");
    if (presented.empty()) {
        auto auth = req.header("authorization");
        if (auth.size() > 7 && strncasecmp(auth.data(), "Bearer ", 7) == 0) presented = auth.substr(7);
    }
    if (presented.empty()) return false;
    // Constant time over every key: no early exit, no length leak beyond "a key matched".
    bool match = false;
    for (const auto& k : keys) {
        bool same = k.size() == presented.size() && CRYPTO_memcmp(k.data(), presented.data(), k.size()) == 0;
        match |= same;
    }
    *identity = "key";
    return match;
}

void GatewayWorker::handle(const std::shared_ptr<net::Exchange>& ex) {
    const auto& req = ex->request();
    std::string_view incoming = req.header("x-request-id");
    std::string request_id = is_sane_request_id(incoming) ? std::string(incoming) : make_request_id(rng_(), rng_());
    const RouteInfo& ri = match_route(req.path);

    RequestContext ctx{*this, ex, ri, request_id};
    if (ri.route == Route::NotFound) {
        ctx.fail(ApiError::not_found("no route for " + req.method + " " + req.path));
        return;
    }
    if (req.method != ri.method && !(ri.method == "GET" && req.method == "HEAD")) {
        ex->add_header("allow", std::string(ri.method));
        ctx.fail(ApiError::method_not_allowed("method " + req.method + " is not allowed on " + req.path +
                                              " (use " + std::string(ri.method) + ")"));
        return;
    }
    if (ri.needs_auth) {
        std::string identity;
        if (!authorize(req, &identity)) {
            ctx.fail(ApiError::unauthorized(
                "invalid or missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'"));
            return;
        }
    }
    switch (ri.route) {
        case Route::Root: root(ex); return;
        case Route::Livez: ctx.respond_json(200, R"({"status":"ok"})"); return;
        case Route::Readyz: readyz(ex, false); return;
        case Route::Health: readyz(ex, true); return;
        case Route::Metrics: ctx.fail(ApiError::not_found("metrics are not enabled")); return;
        case Route::Models:
        case Route::Model: proxy_get(ctx); return;
        case Route::ChatCompletions:
        case Route::Completions:
        case Route::Embeddings: proxy_openai_post(ctx); return;
        case Route::Messages: anthropic_messages(ctx); return;
        case Route::CountTokens: anthropic_count_tokens(ctx); return;
        case Route::NotFound: return;
    }
}

void GatewayWorker::root(const std::shared_ptr<net::Exchange>& ex) {
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
    ex->respond(200, "application/json", std::string_view(sb.GetString(), sb.GetSize()));
}

void GatewayWorker::check_backend(std::function<void()> then) {
    ready_.waiters.push_back(std::move(then));
    if (ready_.in_flight) return;
    ready_.in_flight = true;
    net::UpstreamRequest req;
    req.url = backend_url(shared_.profile->health_path);
    req.headers = upstream_headers(make_request_id(rng_(), rng_()));
    req.timeout_ms = static_cast<long>(std::min(shared_.cfg.connect_timeout_s, 5.0) * 1000);
    req.connect_timeout_ms = req.timeout_ms;
    uint64_t t0 = net::now_ns();
    req.on_done = [this, t0](const net::UpstreamResult& r) {
        ready_.in_flight = false;
        ready_.checked_ns = net::now_ns();
        ready_.latency_ms = static_cast<double>(ready_.checked_ns - t0) / 1e6;
        ready_.status = r.status;
        ready_.ok = r.failure == net::UpstreamFailure::None && r.status >= 200 && r.status < 300;
        if (r.failure != net::UpstreamFailure::None) ready_.detail = upstream_failure_error(r).message;
        else if (!ready_.ok) ready_.detail = "backend health check answered HTTP " + std::to_string(r.status);
        else ready_.detail.clear();
        auto waiters = std::move(ready_.waiters);
        ready_.waiters.clear();
        for (auto& w : waiters) w();
    };
    upstream_.start(std::move(req));
}

void GatewayWorker::readyz(const std::shared_ptr<net::Exchange>& ex, bool detailed) {
    auto answer = [this, ex, detailed] {
        if (ex->detached()) return;
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.StartObject();
        w.Key("status"); w.String(ready_.ok ? "ok" : "unavailable");
        if (detailed) {
            w.Key("gateway"); w.StartObject();
            w.Key("ok"); w.Bool(true);
            w.Key("version"); w.String(LLMGW_VERSION);
            w.Key("uptime_s"); w.Double(static_cast<double>(net::now_ns() - shared_.start_ns) / 1e9);
            w.EndObject();
        }
        w.Key("backend"); w.StartObject();
        w.Key("ok"); w.Bool(ready_.ok);
        w.Key("kind"); w.String(shared_.profile->name.data(), static_cast<rapidjson::SizeType>(shared_.profile->name.size()));
        w.Key("url"); w.String(shared_.cfg.backend_base_url);
        w.Key("status"); w.Int(ready_.status);
        w.Key("latency_ms"); w.Double(ready_.latency_ms);
        if (!ready_.detail.empty()) { w.Key("detail"); w.String(ready_.detail); }
        w.EndObject();
        w.EndObject();
        ex->add_header("cache-control", "no-store");
        ex->respond(ready_.ok ? 200 : 503, "application/json", std::string_view(sb.GetString(), sb.GetSize()));
    };
    uint64_t max_age = static_cast<uint64_t>(shared_.cfg.readiness_cache_s * 1e9);
    if (ready_.checked_ns && net::now_ns() - ready_.checked_ns < max_age && !ready_.in_flight) {
        answer();
        return;
    }
    check_backend(answer);
}

}  // namespace llmgw::gw
