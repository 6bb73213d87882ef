#include "core/ops/cors.h"

#include <cctype>

#include "core/base/text_util.h"

namespace llmgw {

namespace {

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) !=
                                                              std::string_view::npos;
}

// "content-type, x-foo" -> same, lower-cased, if every item is a header-name token.
std::optional<std::string> sanitize_header_list(std::string_view list) {
    std::string out;
    while (!list.empty()) {
        const size_t comma = list.find(',');
        std::string_view item = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (item.empty()) continue;
        for (char c : item)
            if (!is_token_char(c)) return std::nullopt;
        if (!out.empty()) out += ", ";
        out += to_lower(item);
    }
    return out;
}

}  // namespace

bool CorsPolicy::any_origin() const { return origins.size() == 1 && origins[0] == "*"; }

bool CorsPolicy::allows(std::string_view origin) const {
    if (origin.empty()) return false;
    for (const auto& o : origins)
        if (o == "*" || iequals(o, origin)) return true;  // scheme and host are case-insensitive
    return false;
}

std::optional<CorsPolicy> make_cors_policy(const std::vector<std::string>& origins, bool allow_credentials,
                                           std::string* err) {
    CorsPolicy p;
    p.origins.clear();
    p.allow_credentials = allow_credentials;
    bool star = false;
    for (const auto& raw : origins) {
        std::string_view o = trim(raw);
        while (!o.empty() && o.back() == '/') o.remove_suffix(1);
        if (o.empty()) continue;
        if (o == "*") star = true;
        p.origins.emplace_back(o);
    }
    if (star) p.origins = {"*"};
    if (star && allow_credentials) {
        if (err) *err = "CORS_ALLOW_CREDENTIALS=true cannot be combined with CORS_ORIGINS=*; list the origins";
        return std::nullopt;
    }
    return p;
}

bool is_cors_preflight(std::string_view method, std::string_view origin, std::string_view request_method) {
    return method == "OPTIONS" && !origin.empty() && !request_method.empty();
}

namespace {

// Allow-Origin (+ Credentials) for an allowed origin; `Vary: Origin` whenever the answer depends
// on the Origin, so caches do not serve one site's answer to another.
// A preflight answer also depends on the requested headers, which are echoed.
void add_origin_headers(HeaderList& h, const CorsPolicy& p, std::string_view origin, bool preflight) {
    const bool wildcard = p.any_origin() && !p.allow_credentials;
    std::string vary = wildcard ? "" : "Origin";
    if (preflight) vary += vary.empty() ? "Access-Control-Request-Headers" : ", Access-Control-Request-Headers";
    if (!vary.empty()) h.emplace_back("Vary", vary);
    if (!p.allows(origin)) return;
    h.emplace_back("Access-Control-Allow-Origin", wildcard ? std::string("*") : std::string(origin));
    if (p.allow_credentials && !p.any_origin()) h.emplace_back("Access-Control-Allow-Credentials", "true");
}

}  // namespace

HeaderList cors_preflight_headers(const CorsPolicy& p, std::string_view origin,
                                  std::string_view request_method, std::string_view request_headers) {
    HeaderList h;
    add_origin_headers(h, p, origin, true);
    if (!p.allows(origin)) return h;
    // The list of methods we allow, whatever was asked: the browser refuses any other itself.
    h.emplace_back("Access-Control-Allow-Methods", std::string(kCorsAllowMethods));
    auto requested = sanitize_header_list(request_headers);
    std::string allow = requested && !requested->empty() ? *requested : std::string(kCorsDefaultAllowHeaders);
    h.emplace_back("Access-Control-Allow-Headers", allow);
    h.emplace_back("Access-Control-Max-Age", std::string(kCorsMaxAge));
    return h;
}

HeaderList cors_response_headers(const CorsPolicy& p, std::string_view origin) {
    HeaderList h;
    if (origin.empty()) return h;
    add_origin_headers(h, p, origin, false);
    if (p.allows(origin)) h.emplace_back("Access-Control-Expose-Headers", std::string(kCorsExposeHeaders));
    return h;
}

}  // namespace llmgw
