// `llmgw serve` at run time: the state every worker shares, and the per-worker application that
// routes requests, checks auth and forwards to the backend.
#pragma once
#include <uv.h>

#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/api_error.h"
#include "core/backend_profile.h"
#include "core/config.h"
#include "net/http_server.h"
#include "net/upstream_client.h"
#include "net/worker_pool.h"

namespace llmgw::gw {

// Every route the gateway serves. The route's template (never the raw path) labels metrics.
enum class Route {
    Root, Livez, Readyz, Health, Metrics,
    Models, Model, ChatCompletions, Completions, Embeddings,
    Messages, CountTokens,
    NotFound,
};

struct RouteInfo {
    Route route;
    std::string_view template_path;
    std::string_view method;  // the one method it answers
    ApiStyle style;
    bool needs_auth;
};

// Matches a path to a route; NotFound when none. Anthropic-looking paths get Anthropic style.
const RouteInfo& match_route(std::string_view path);

// Shared by all workers; fields are written before the workers start, except those that are
// atomic or internally synchronised.
struct GatewayShared {
    ServeConfig cfg;
    const BackendProfile* profile = nullptr;
    uint64_t start_ns = 0;
    std::atomic<int> active_streams{0};
};

class GatewayWorker : public net::WorkerApp {
public:
    GatewayWorker(uv_loop_t* loop, int listen_fd, GatewayShared& shared, int index);
    ~GatewayWorker() override;
    int listen() { return server_.listen(); }
    void drain(std::function<void()> done) override;
    void close() override;

    // Used by the route handlers (gateway/*.cpp).
    GatewayShared& shared() { return shared_; }
    net::UpstreamClient& upstream() { return upstream_; }
    uv_loop_t* loop() const { return loop_; }
    std::string backend_url(std::string_view path) const;
    std::vector<std::string> upstream_headers(const std::string& request_id) const;

private:
    void handle(const std::shared_ptr<net::Exchange>& ex);
    bool authorize(const net::HttpRequest& req, std::string* identity) const;
    void root(const std::shared_ptr<net::Exchange>& ex);
    void readyz(const std::shared_ptr<net::Exchange>& ex, bool detailed);

    uv_loop_t* loop_;
    GatewayShared& shared_;
    net::HttpServer server_;
    net::UpstreamClient upstream_;
    std::mt19937_64 rng_;

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
};

}  // namespace llmgw::gw
