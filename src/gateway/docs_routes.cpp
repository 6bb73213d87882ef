// The generated documents, from the route table: /openapi.json (core/docs/openapi.h), /docs and
// /reference (core/docs/docs_page.h).
#include <algorithm>

#include "core/docs/docs_page.h"
#include "core/docs/html_page.h"
#include "core/docs/openapi.h"
#include "core/ops/client_address.h"
#include "gateway/routes.h"

namespace llmgw::gw {

namespace {

// A Host header longer than a DNS name plus a port is not one.
constexpr size_t kMaxHostHeader = 261;

// host, host:port, [v6]:port: the characters a DNS name, an address and a port use, nothing that
// could break out of an attribute or a URL.
bool plain_host(std::string_view h) {
    if (h.empty() || h.size() > kMaxHostHeader) return false;
    return std::all_of(h.begin(), h.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == ':' || c == '[' || c == ']';
    });
}

std::string_view anthropic_mode_name(AnthropicMode m) {
    switch (m) {
        case AnthropicMode::Native: return "native";
        case AnthropicMode::Auto: return "auto";
        case AnthropicMode::Translate: break;
    }
    return "translate";
}

void respond_html(const RequestContext& ctx, std::string_view script, const std::string& page) {
    ctx.ex->add_header("content-security-policy", page_csp(script));
    ctx.ex->add_header("x-content-type-options", "nosniff");
    ctx.ex->add_header("cache-control", "no-store");
    ctx.scope->respond(200, "text/html; charset=utf-8", page);
}

std::string openapi_for(const RequestContext& ctx) {
    return openapi_document(api_routes(), {LLMGW_VERSION, client_base_url(ctx), ctx.worker.shared().auth_required});
}

// https when a trusted proxy (TRUSTED_PROXIES) says the client reached it over TLS.
std::string_view scheme_of(const net::HttpRequest& req, const std::vector<Cidr>& trusted) {
    if (req.header("x-forwarded-proto") != "https") return "http";
    std::string peer = normalize_ip(req.peer);
    for (const auto& net : trusted)
        if (cidr_contains(net, peer)) return "https";
    return "http";
}

}  // namespace

std::string client_base_url(const RequestContext& ctx) {
    const auto& req = ctx.ex->request();
    const auto& cfg = ctx.worker.shared().cfg;
    std::string base(scheme_of(req, cfg.trusted_proxies));
    base += "://";
    std::string_view host = req.header("host");
    if (plain_host(host)) return base.append(host);
    return base + cfg.host + ":" + std::to_string(cfg.port);
}

void serve_openapi(const RequestContext& ctx) {
    ctx.ex->add_header("cache-control", "no-store");
    ctx.respond_json(200, openapi_for(ctx));
}

void serve_reference(const RequestContext& ctx) { respond_html(ctx, kReferenceScript, reference_page(openapi_for(ctx))); }

void GatewayWorker::docs(const RequestContext& ctx) {
    with_readiness([this, ctx] {
        if (ctx.scope->finished()) return;
        const auto& cfg = shared_.cfg;
        GatewayFacts f;
        f.version = LLMGW_VERSION;
        f.base_url = client_base_url(ctx);
        f.backend_kind = shared_.profile->name;
        f.backend_url = cfg.backend_base_url;
        int kind = shared_.backend.detected_kind.load(std::memory_order_relaxed);
        if (kind >= 0) f.detected = backend_profile(static_cast<BackendKind>(kind)).name;
        f.discovery = discovery_state();
        f.ready = ready_.ok;
        f.ready_detail = ready_.detail;
        f.context_length = shared_.backend.context_length.load(std::memory_order_relaxed);
        f.model = cfg.model_name;
        f.anthropic_mode = anthropic_mode_name(cfg.anthropic_mode);
        f.auth_enabled = shared_.auth_required;
        f.metrics_enabled = cfg.metrics_enabled;
        respond_html(ctx, kDocsScript, docs_page(api_routes(), f));
    });
}

}  // namespace llmgw::gw
