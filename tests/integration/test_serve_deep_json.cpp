// Deeply nested JSON on every route that takes a body: refused with a 400 in the route's
// envelope, nothing forwarded, the process alive (a recursive parser overflowed the stack here).
#include <catch2/catch.hpp>

#include "harness.h"

using namespace harness;

namespace {

struct Route {
    const char* path;
    bool anthropic;
    const char* head;  // an otherwise valid body up to the deep member, which the test appends
};

// Each body is an object (level 1) whose "x" member holds the nesting under test.
const Route kRoutes[] = {
    {"/v1/chat/completions", false, R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}],"x":)"},
    {"/v1/completions", false, R"({"model":"mock-model","prompt":"hi","max_tokens":4,"x":)"},
    {"/v1/embeddings", false, R"({"model":"mock-model","input":"hi","x":)"},
    {"/v1/messages", true, R"({"model":"mock-model","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"x":)"},
    {"/v1/messages/count_tokens", true, R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}],"x":)"},
    {"/v1/responses", false, R"({"model":"mock-model","input":"hi","x":)"},
};

std::string nested(size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

// A body `levels` deep in all: the object itself plus levels - 1 arrays in "x".
std::string body_of_depth(const Route& r, size_t levels) { return r.head + nested(levels - 1) + "}"; }

void check_refused(const Response& res, const Route& r) {
    CHECK(res.status == 400);
    auto d = json(res.body);
    REQUIRE(d.IsObject());
    if (r.anthropic) {
        CHECK(std::string(d["type"].GetString()) == "error");
        CHECK(std::string(d["error"]["type"].GetString()) == "invalid_request_error");
    } else {
        CHECK(std::string(d["error"]["type"].GetString()) == "invalid_request_error");
    }
    CHECK(res.body.find("nesting deeper than 128") != std::string::npos);
}

int64_t forwarded(const Process& mock) { return mock_stats(mock)["requests_total"].GetInt64(); }

struct Setup {
    Process mock = start_mock();
    Process gw = start_serve(mock.url(), {{"LOG_LEVEL", "info"}, {"MAX_BODY_BYTES", "4194304"}});
    Setup() {
        REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    }
    void reset() { REQUIRE(post(mock.url("/mock/reset"), "").status == 200); }
};

}  // namespace

TEST_CASE("deep JSON: 300 KB of open brackets is a 400 on every route, nothing forwarded", "[serve][deepjson]") {
    Setup s;
    std::string flood(300 * 1024, '[');
    for (const auto& r : kRoutes) {
        INFO(r.path);
        s.reset();
        check_refused(post(s.gw.url(r.path), flood, {"Content-Type: application/json"}), r);
        CHECK(forwarded(s.mock) == 0);
    }
    CHECK(s.gw.running());
    CHECK(get(s.gw.url("/livez")).status == 200);
}

TEST_CASE("deep JSON: 100,000 levels inside a field are refused, not forwarded", "[serve][deepjson]") {
    Setup s;
    for (const auto& r : kRoutes) {
        INFO(r.path);
        s.reset();
        check_refused(post(s.gw.url(r.path), body_of_depth(r, 100000), {"Content-Type: application/json"}), r);
        CHECK(forwarded(s.mock) == 0);
    }
    CHECK(s.gw.running());
}

TEST_CASE("deep JSON: 128 levels are accepted, 129 refused", "[serve][deepjson]") {
    Setup s;
    for (const auto& r : kRoutes) {
        INFO(r.path);
        s.reset();
        auto ok = post(s.gw.url(r.path), body_of_depth(r, 128), {"Content-Type: application/json"});
        INFO(ok.body);
        CHECK(ok.status == 200);
        s.reset();
        check_refused(post(s.gw.url(r.path), body_of_depth(r, 129), {"Content-Type: application/json"}), r);
        CHECK(forwarded(s.mock) == 0);
    }
    CHECK(s.gw.running());
}

TEST_CASE("deep JSON: a non-string model is a 400 naming the field, nothing forwarded", "[serve][deepjson]") {
    Setup s;
    s.reset();
    auto res = post(s.gw.url("/v1/chat/completions"), R"({"model":7,"messages":[{"role":"user","content":"hi"}]})",
                    {"Content-Type: application/json"});
    CHECK(res.status == 400);
    auto d = json(res.body);
    REQUIRE(d.IsObject());
    CHECK(std::string(d["error"]["param"].GetString()) == "model");
    CHECK(forwarded(s.mock) == 0);
    // stream_options: null is valid; the gateway's include_usage replaces it instead of adding a
    // second member the runtime would ignore.
    res = post(s.gw.url("/v1/chat/completions"),
               R"({"model":"mock-model","stream":true,"stream_options":null,"messages":[{"role":"user","content":"hi"}]})",
               {"Content-Type: application/json"});
    CHECK(res.status == 200);
    std::string sent = mock_stats(s.mock)["last_request"]["body"].GetString();
    CHECK(sent.find("stream_options") == sent.rfind("stream_options"));
    CHECK(sent.find(R"("stream_options":{"include_usage":true})") != std::string::npos);
}

TEST_CASE("JSON numbers too big for a double are a 400 on every route, nothing forwarded", "[serve][deepjson]") {
    // RapidJSON alone reads this as infinity; its writer then stops at it and a translated body
    // (Anthropic, Responses) went to the runtime cut short (found by fuzz_anthropic_request).
    Setup s;
    for (const Route& r : kRoutes) {
        s.reset();
        auto res = post(s.gw.url(r.path), std::string(r.head) + "4400000000000000003749304267693050E308}",
                        {"Content-Type: application/json", "anthropic-version: 2023-06-01"});
        INFO(r.path << ": " << res.body);
        CHECK(res.status == 400);
        auto d = json(res.body);
        REQUIRE(d.IsObject());
        if (r.anthropic) CHECK(std::string(d["type"].GetString()) == "error");
        CHECK(std::string(d["error"]["type"].GetString()) == "invalid_request_error");
        CHECK(res.body.find("Number too big") != std::string::npos);
        CHECK(forwarded(s.mock) == 0);
    }
}
