#include "gateway/request_scope.h"

#include <chrono>

#include "core/ops/access_log.h"
#include "core/ops/api_keys.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {
// nginx's convention for "the client closed the connection before any response was sent".
constexpr int kClientClosedRequest = 499;
}  // namespace

RequestScope::RequestScope(GatewayWorker& w, std::shared_ptr<net::Exchange> ex, const RouteInfo& r,
                           std::string id, std::string client_addr)
    : route(r), request_id(std::move(id)), client(std::move(client_addr)), worker_(w), ex_(std::move(ex)) {
    // Only the API routes carry prompts and completions.
    logs_bodies_ = route.needs_auth && worker_.shared().cfg.log_prompts && log_enabled(spdlog::level::debug);
}

std::shared_ptr<RequestScope> RequestScope::open(GatewayWorker& w, std::shared_ptr<net::Exchange> ex,
                                                 const RouteInfo& route, std::string request_id,
                                                 std::string client) {
    auto s = std::make_shared<RequestScope>(w, ex, route, std::move(request_id), std::move(client));
    // A strong reference on purpose: the cycle scope -> exchange -> callback is broken by finish().
    ex->on_abort([s] { s->client_gone(); });
    return s;
}

void RequestScope::respond(int status, std::string_view content_type, std::string_view body) {
    if (!finished_ && logs_bodies_ && !body.empty()) log_body("response body", body);
    finish(status);
    ex_->respond(status, content_type, body);
}

void RequestScope::respond_error(const ApiError& e) {
    respond(e.status, "application/json", render_error(route.style, e));
}

void RequestScope::end_stream() {
    finish(ex_->status() ? ex_->status() : 200);
    ex_->end();
}

void RequestScope::client_gone() {
    if (finished_) return;
    auto self = shared_from_this();
    if (auto cb = std::move(abort_cb_)) cb();
    worker_.metrics().on_client_abort(static_cast<size_t>(route.route));
    finish(ex_->status() ? ex_->status() : kClientClosedRequest, true);
}

void RequestScope::finish(int status, bool client_left) {
    if (finished_) return;
    finished_ = true;
    auto self = shared_from_this();  // dropping the abort callback may drop the last other reference
    ex_->on_abort(nullptr);
    abort_cb_ = nullptr;
    settle_request(worker_, *this, client_left);
    double duration_s = static_cast<double>(net::now_ns() - ex_->start_ns()) / 1e9;
    worker_.metrics().on_request(static_cast<size_t>(route.route), ex_->request().method, status, duration_s);
    write_access_log(status, duration_s);
}

void RequestScope::write_access_log(int status, double duration_s) const {
    if (!log_enabled(spdlog::level::info)) return;
    const auto& req = ex_->request();
    const auto& cfg = worker_.shared().cfg;
    AccessLogEntry e;
    e.ts = std::chrono::system_clock::now();
    e.request_id = request_id;
    e.method = req.method;
    e.path = req.path;
    e.status = status;
    e.duration_ms = duration_s * 1000;
    e.model = model;
    e.backend_status = backend_status;
    e.pool = pool;
    e.replica = replica;
    e.prompt_tokens = prompt_tokens;
    e.completion_tokens = completion_tokens;
    e.client = client;
    if (identity.rfind("key:", 0) == 0) e.identity = identity;
    // The presented key is masked even when it matched nothing or auth is off.
    std::string_view presented = presented_api_key(req.header("authorization"), req.header("x-api-key"));
    std::string line = cfg.log_json ? access_log_json(e, {presented, cfg.backend_api_key})
                                    : access_log_text(e, {presented, cfg.backend_api_key});
    log_line(spdlog::level::info, line);
}

void RequestScope::log_body(std::string_view what, std::string_view body) const {
    const auto& req = ex_->request();
    std::string_view presented = presented_api_key(req.header("authorization"), req.header("x-api-key"));
    log_event(spdlog::level::debug, "prompts", what,
              {{"request_id", request_id}, {"path", req.path}, {"body", body}}, {presented});
}

}  // namespace llmgw::gw
