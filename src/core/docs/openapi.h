// The OpenAPI 3.1 document of serve (GET /openapi.json), generated from its route table so it
// cannot drift from the code: every route in the table is a path in the document.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/docs/api_route.h"

namespace llmgw {

struct OpenApiInfo {
    std::string_view version;  // the gateway's
    std::string server_url;    // base URL clients use, e.g. "http://127.0.0.1:8000"
    bool auth_enabled;         // API keys configured: said in the description
};

std::string openapi_document(const std::vector<ApiRoute>& routes, const OpenApiInfo& info);

// "getRoot"-style id for a route the catalogue has no name for: method and path, letters only.
std::string operation_id(const ApiRoute& r);

}  // namespace llmgw
