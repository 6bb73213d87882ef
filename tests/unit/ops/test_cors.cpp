#include <catch2/catch.hpp>

#include "core/ops/cors.h"

using namespace llmgw;

namespace {

std::string header(const HeaderList& h, std::string_view name) {
    for (auto& [k, v] : h)
        if (k == name) return v;
    return "<absent>";
}

CorsPolicy policy(std::vector<std::string> origins, bool creds = false) {
    std::string err;
    auto p = make_cors_policy(origins, creds, &err);
    INFO(err);
    REQUIRE(p);
    return *p;
}

}  // namespace

TEST_CASE("make_cors_policy refuses * with credentials and normalises entries", "[cors]") {
    std::string err;
    CHECK_FALSE(make_cors_policy({"*"}, true, &err));
    CHECK(err.find("CORS_ALLOW_CREDENTIALS") != std::string::npos);
    CHECK_FALSE(make_cors_policy({"https://a.example", "*"}, true, &err));
    auto p = policy({" https://a.example/ ", "", "http://localhost:3000"});
    CHECK(p.origins == std::vector<std::string>{"https://a.example", "http://localhost:3000"});
    CHECK(policy({"https://a.example", "*"}).any_origin());
}

TEST_CASE("preflight detection", "[cors]") {
    CHECK(is_cors_preflight("OPTIONS", "https://a.example", "POST"));
    CHECK_FALSE(is_cors_preflight("OPTIONS", "", "POST"));
    CHECK_FALSE(is_cors_preflight("OPTIONS", "https://a.example", ""));
    CHECK_FALSE(is_cors_preflight("POST", "https://a.example", "POST"));
}

TEST_CASE("wildcard origins: * without Vary", "[cors]") {
    auto p = policy({"*"});
    auto pre = cors_preflight_headers(p, "https://x.example", "POST", "Content-Type, Authorization");
    CHECK(header(pre, "Access-Control-Allow-Origin") == "*");
    CHECK(header(pre, "Access-Control-Allow-Methods") == std::string(kCorsAllowMethods));
    CHECK(header(pre, "Access-Control-Allow-Headers") == "content-type, authorization");
    CHECK(header(pre, "Access-Control-Max-Age") == "600");
    CHECK(header(pre, "Access-Control-Allow-Credentials") == "<absent>");
    CHECK(header(pre, "Vary") == "Access-Control-Request-Headers");

    auto resp = cors_response_headers(p, "https://x.example");
    CHECK(header(resp, "Access-Control-Allow-Origin") == "*");
    CHECK(header(resp, "Vary") == "<absent>");
    const std::string expose = header(resp, "Access-Control-Expose-Headers");
    for (auto h : {"x-request-id", "request-id", "retry-after", "x-ratelimit-limit-requests",
                   "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", "x-llmgw-dropped-tools"})
        CHECK(expose.find(h) != std::string::npos);
    // No Origin, no CORS headers on an ordinary response.
    CHECK(cors_response_headers(p, "").empty());
}

TEST_CASE("listed origins are echoed with Vary: Origin", "[cors]") {
    auto p = policy({"https://app.example", "http://localhost:3000"});
    auto ok = cors_response_headers(p, "https://app.example");
    CHECK(header(ok, "Access-Control-Allow-Origin") == "https://app.example");
    CHECK(header(ok, "Vary") == "Origin");
    CHECK(header(ok, "Access-Control-Allow-Credentials") == "<absent>");
    CHECK(header(cors_response_headers(p, "HTTPS://APP.EXAMPLE"), "Access-Control-Allow-Origin") ==
          "HTTPS://APP.EXAMPLE");

    auto other = cors_response_headers(p, "https://evil.example");
    CHECK(header(other, "Access-Control-Allow-Origin") == "<absent>");
    CHECK(header(other, "Access-Control-Expose-Headers") == "<absent>");
    CHECK(header(other, "Vary") == "Origin");

    auto pre = cors_preflight_headers(p, "https://evil.example", "POST", "authorization");
    CHECK(header(pre, "Access-Control-Allow-Origin") == "<absent>");
    CHECK(header(pre, "Access-Control-Allow-Methods") == "<absent>");
    CHECK(header(pre, "Vary") == "Origin, Access-Control-Request-Headers");
}

TEST_CASE("credentials echo the origin and say so", "[cors]") {
    auto p = policy({"https://app.example"}, true);
    auto pre = cors_preflight_headers(p, "https://app.example", "POST", "");
    CHECK(header(pre, "Access-Control-Allow-Origin") == "https://app.example");
    CHECK(header(pre, "Access-Control-Allow-Credentials") == "true");
    CHECK(header(pre, "Access-Control-Allow-Headers") == std::string(kCorsDefaultAllowHeaders));
    auto resp = cors_response_headers(p, "https://app.example");
    CHECK(header(resp, "Access-Control-Allow-Credentials") == "true");
    CHECK(header(resp, "Vary") == "Origin");
}

TEST_CASE("requested headers are echoed only when they are header-name tokens", "[cors]") {
    auto p = policy({"*"});
    auto bad = cors_preflight_headers(p, "https://x.example", "POST", "x-ok, bad header\r\nInjected: 1");
    CHECK(header(bad, "Access-Control-Allow-Headers") == std::string(kCorsDefaultAllowHeaders));
    auto odd = cors_preflight_headers(p, "https://x.example", "POST", " X-Custom ,, anthropic-version ");
    CHECK(header(odd, "Access-Control-Allow-Headers") == "x-custom, anthropic-version");
}
