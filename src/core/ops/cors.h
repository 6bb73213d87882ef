// CORS: which Access-Control-* headers to send, for preflight OPTIONS requests and for ordinary
// responses, given the configured origins. Pure: request header values in, header list out.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmgw {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct CorsPolicy {
    std::vector<std::string> origins{"*"};  // exact origins, or a single "*"
    bool allow_credentials = false;

    bool any_origin() const;
    // Whether `origin` (the request's Origin header) may read responses.
    bool allows(std::string_view origin) const;
};

// A policy from CORS_ORIGINS / CORS_ALLOW_CREDENTIALS values; nullopt with *err set when the
// combination is unsafe ("*" with credentials: browsers refuse it and echoing any origin with
// credentials would expose users' sessions to every site). Empty list entries and a trailing
// '/' are dropped.
std::optional<CorsPolicy> make_cors_policy(const std::vector<std::string>& origins, bool allow_credentials,
                                           std::string* err);

// A browser preflight: OPTIONS with Origin and Access-Control-Request-Method.
bool is_cors_preflight(std::string_view method, std::string_view origin, std::string_view request_method);

// Headers for the 204 answer to a preflight. Empty origin or a disallowed one gets only `Vary`
// (the browser then blocks the real request). Requested headers are echoed when they are plain
// header-name tokens.
HeaderList cors_preflight_headers(const CorsPolicy& p, std::string_view origin,
                                  std::string_view request_method, std::string_view request_headers);

// Headers to add to every ordinary response (nothing when the request carried no Origin).
HeaderList cors_response_headers(const CorsPolicy& p, std::string_view origin);

// Response headers a browser script may read: request ids, rate-limit state, Retry-After, the
// hosted tools /v1/responses left out.
inline constexpr std::string_view kCorsExposeHeaders =
    "x-request-id, request-id, retry-after, x-ratelimit-limit-requests, "
    "x-ratelimit-remaining-requests, x-ratelimit-reset-requests, x-llmgw-dropped-tools";
// DELETE: /v1/responses/{id}.
inline constexpr std::string_view kCorsAllowMethods = "GET, POST, DELETE, OPTIONS";
inline constexpr std::string_view kCorsDefaultAllowHeaders =
    "authorization, content-type, x-api-key, x-request-id, anthropic-version, anthropic-beta";
inline constexpr std::string_view kCorsMaxAge = "600";

}  // namespace llmgw
