// The route handlers of serve, one file per API family. Each gets the request's context:
// the worker, the exchange, the matched route, the request id and the scope that records the
// request when it completes (answer through the context or the scope, never ex->respond()).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "core/api/api_error.h"
#include "gateway/gateway.h"
#include "gateway/request_scope.h"

namespace llmgw::gw {

struct RequestContext {
    GatewayWorker& worker;
    std::shared_ptr<net::Exchange> ex;
    const RouteInfo& route;
    std::string request_id;
    std::shared_ptr<RequestScope> scope;

    void fail(const ApiError& e) const { scope->respond_error(e); }
    void respond_json(int status, std::string_view body) const { scope->respond(status, "application/json", body); }
};

// Every value of a list header (X-Forwarded-For, Via, anthropic-beta): several headers of one
// name form one list.
std::string header_list(const net::HttpRequest& req, std::string_view lower_name);

// openai_routes.cpp
void proxy_get(const RequestContext& ctx);
void proxy_openai_post(const RequestContext& ctx);
// models_routes.cpp: the list (relayed, or in Anthropic's shape for anthropic-version) and one
// model from it
void models_list(const RequestContext& ctx);
void model_get(const RequestContext& ctx);
// The model id of a /v1/models/{id} path, percent-decoded; nullopt (and the request failed) when the
// encoding is not valid.
std::optional<std::string> model_id_in_path(const RequestContext& ctx);
// pool_models_routes.cpp: with a backends file, the merged list of its pools (and one model of it)
void pool_models(const RequestContext& ctx);
// admin_routes.cpp: what operators read (after GatewayWorker::authorize_admin)
void admin_backends(const RequestContext& ctx);
// docs_routes.cpp: the generated documents
void serve_openapi(const RequestContext& ctx);
void serve_reference(const RequestContext& ctx);
// The base URL the client reached this gateway at (from its Host header when that is a plain
// host[:port], else the listen address), for examples and the OpenAPI servers list.
std::string client_base_url(const RequestContext& ctx);
// anthropic_routes.cpp
void anthropic_messages(const RequestContext& ctx);
void anthropic_count_tokens(const RequestContext& ctx);
// responses_routes.cpp
void responses_create(const RequestContext& ctx);
void responses_get(const RequestContext& ctx);
void responses_delete(const RequestContext& ctx);
void responses_input_items(const RequestContext& ctx);

}  // namespace llmgw::gw
