// GET /docs: what this gateway is in front of, how to authenticate, and a copyable curl and SDK
// example for every route of the table with the gateway's real base URL. GET /reference: the
// OpenAPI document rendered as a browsable page. Both self-contained (html_page.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/docs/api_route.h"

namespace llmgw {

// What the page says about this instance; the gateway fills it from its config and discovery.
struct GatewayFacts {
    std::string version;
    std::string base_url;         // as the client reached the gateway
    std::string backend_kind;     // BACKEND_KIND
    std::string backend_url;
    std::string detected;         // the runtime discovery identified, "" when not
    std::string discovery;        // "pending" "running" "done" "unreachable"
    bool ready = false;
    std::string ready_detail;     // why not, when not
    int64_t context_length = 0;   // 0 = unknown
    std::string model;            // MODEL_NAME, "" when unset
    std::string anthropic_mode;   // "translate" "native" "auto"
    bool auth_enabled = false;
    bool metrics_enabled = true;
};

std::string docs_page(const std::vector<ApiRoute>& routes, const GatewayFacts& facts);
extern const std::string_view kDocsScript;  // its copy buttons

std::string reference_page(std::string_view openapi_json);
extern const std::string_view kReferenceScript;  // renders the embedded document

}  // namespace llmgw
