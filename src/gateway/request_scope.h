// One request's life from dispatch to completion. Handlers fill in what they learn (identity,
// model, backend status, tokens); the scope records the request exactly once — metrics and the
// access log line — just before the response's last bytes are written (so a client holding its
// answer can already scrape it), or when the client goes away first.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "gateway/gateway.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

class RequestScope : public std::enable_shared_from_this<RequestScope> {
public:
    // Registers itself as the exchange's abort callback: until it finishes, the exchange keeps
    // it alive, so a request nobody answers is still recorded when its connection closes.
    static std::shared_ptr<RequestScope> open(GatewayWorker& w, std::shared_ptr<net::Exchange> ex,
                                              const RouteInfo& route, std::string request_id,
                                              std::string client);

    // Completion: each records the request, then writes. A second completion records nothing
    // (after the client left, the write is a no-op too).
    void respond(int status, std::string_view content_type, std::string_view body);
    void respond_error(const ApiError& e);  // in the route's style
    void end_stream();                      // after ex->start_stream()
    bool finished() const { return finished_; }

    // Extra work when the client leaves before the response completed (cancel the upstream);
    // runs before the abort is recorded.
    void on_client_abort(std::function<void()> cb) { abort_cb_ = std::move(cb); }

    // LOG_PROMPTS=true, DEBUG on and an API route: bodies are logged (at DEBUG, keys masked).
    bool logs_bodies() const { return logs_bodies_; }
    void log_body(std::string_view what, std::string_view body) const;

    const RouteInfo& route;
    const std::string request_id;
    const std::string client;  // see client_address.h
    std::string identity;      // key fingerprint or "ip:<client>", once authorised
    KeyLimits key_limits;      // the key's own limits (API_KEYS_FILE), once authorised
    std::string model;
    int backend_status = 0;    // 0: no backend exchange
    std::string pool, replica;  // BACKENDS_FILE: where the last attempt went (access log)
    int64_t prompt_tokens = -1, completion_tokens = -1;
    int64_t cached_tokens = 0;  // the part of prompt_tokens served from the runtime's prefix cache
    int64_t generated_events = 0;  // content events relayed from the backend's stream
    bool forwarded = false;        // handed to the backend (after its token reservation)
    std::optional<TokenHold> token_hold;  // TOKEN_LIMIT_TPM: settled when the scope finishes
    bool request_limit_deferred = false;  // the shared request limit is asked with the token reservation

    RequestScope(GatewayWorker& w, std::shared_ptr<net::Exchange> ex, const RouteInfo& route,
                 std::string request_id, std::string client);

private:
    void client_gone();
    void finish(int status, bool client_left = false);
    void write_access_log(int status, double duration_s) const;

    GatewayWorker& worker_;
    std::shared_ptr<net::Exchange> ex_;
    std::function<void()> abort_cb_;
    bool finished_ = false;
    bool logs_bodies_ = false;
};

}  // namespace llmgw::gw
