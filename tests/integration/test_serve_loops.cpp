// Request loops: serve refuses to start when BACKEND_BASE_URL is its own listener, marks what it
// forwards with Via, and answers 508 to a request that comes back to it through other gateways.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "harness.h"

using namespace harness;

namespace {

const char* kChat = R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}]})";
const char* kChatStream = R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"hi"}]})";
const char* kMessages = R"({"model":"mock-model","max_tokens":16,"messages":[{"role":"user","content":"hi"}]})";
const char* kMessagesStream =
    R"({"model":"mock-model","max_tokens":16,"stream":true,"messages":[{"role":"user","content":"hi"}]})";
const std::vector<std::string> kJson = {"Content-Type: application/json"};
const std::vector<std::string> kAnthropic = {"Content-Type: application/json", "anthropic-version: 2023-06-01"};
// A hang guard only: a loop that is caught answers at once; one that is not never does.
constexpr double kHangGuardS = 20;

Response post_json(int port, const std::string& path, const std::string& body, const std::vector<std::string>& headers) {
    Request r;
    r.method = "POST";
    r.url = "http://127.0.0.1:" + std::to_string(port) + path;
    r.body = body;
    r.headers = headers;
    r.timeout_s = kHangGuardS;
    return http(r);
}

std::string last_request_header(const Process& mock, const char* name) {
    auto d = mock_stats(mock);
    if (!d.IsObject() || !d["last_request"].IsObject()) return {};
    const auto& h = d["last_request"]["headers"];
    return h.HasMember(name) ? h[name].GetString() : "";
}

}  // namespace

TEST_CASE("serve refuses a BACKEND_BASE_URL that is its own listener", "[serve][loops]") {
    int port = free_port();
    const std::string p = std::to_string(port);
    for (std::string backend : {"http://127.0.0.1:" + p, "http://localhost:" + p + "/v1", "http://0.0.0.0:" + p}) {
        INFO("BACKEND_BASE_URL=" << backend);
        // Without the check serve would start and run: the hang guard turns that into a failure.
        auto r = run_llmgw({"serve", "--port", p}, {{"BACKEND_BASE_URL", backend}, {"LOG_LEVEL", "warning"}}, 15);
        INFO("stderr: " << r.err);
        CHECK(r.exit == 2);
        CHECK(r.err.find("BACKEND_BASE_URL") != std::string::npos);
        CHECK(r.err.find("API_PORT=" + p) != std::string::npos);
        CHECK(r.err.find("own listener") != std::string::npos);
    }
}

TEST_CASE("forwarded requests carry Via with this gateway's entry after the client's", "[serve][loops]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r = post_json(gw.port(), "/v1/chat/completions", kChat, kJson);
    REQUIRE(r.status == 200);
    std::string via = last_request_header(mock, "via");
    INFO("Via: " << via);
    CHECK(via.rfind("1.1 llmgw-", 0) == 0);

    auto headers = kJson;
    headers.push_back("Via: 1.0 edge-proxy");
    REQUIRE(post_json(gw.port(), "/v1/chat/completions", kChat, headers).status == 200);
    CHECK(last_request_header(mock, "via") == "1.0 edge-proxy, " + via);

    auto a = post_json(gw.port(), "/v1/messages", kMessages, kAnthropic);
    REQUIRE(a.status == 200);
    CHECK(last_request_header(mock, "via") == via);  // the same process, the same entry
}

TEST_CASE("a loop through two gateways is answered 508 on both API styles, and both stay up", "[serve][loops]") {
    // A's backend is B and B's backend is A: fixed ports, since each must know the other's.
    int port_a = free_port(), port_b = free_port();
    while (port_b == port_a) port_b = free_port();
    auto url = [](int port) { return "http://127.0.0.1:" + std::to_string(port); };
    auto a = start_serve(url(port_b), {}, {"--port", std::to_string(port_a)});
    auto b = start_serve(url(port_a), {}, {"--port", std::to_string(port_b)});

    for (int entry : {port_a, port_b}) {
        INFO("request sent to " << (entry == port_a ? "A" : "B"));
        auto r = post_json(entry, "/v1/chat/completions", kChat, kJson);
        INFO(r.body);
        CHECK(r.error.empty());
        CHECK(r.status == 508);
        auto d = json(r.body);
        REQUIRE(d.IsObject());
        REQUIRE(d.HasMember("error"));
        CHECK(std::string(d["error"]["message"].GetString()).find("loop") != std::string::npos);

        auto s = post_json(entry, "/v1/chat/completions", kChatStream, kJson);
        CHECK(s.status == 508);

        auto m = post_json(entry, "/v1/messages", kMessages, kAnthropic);
        INFO(m.body);
        CHECK(m.status == 508);
        auto md = json(m.body);
        REQUIRE(md.IsObject());
        CHECK(std::string(md["type"].GetString()) == "error");
        CHECK(std::string(md["error"]["message"].GetString()).find("loop") != std::string::npos);

        CHECK(post_json(entry, "/v1/messages", kMessagesStream, kAnthropic).status == 508);
    }
    CHECK(a.running());
    CHECK(b.running());
    CHECK(get(a.url("/livez")).status == 200);
    CHECK(get(b.url("/livez")).status == 200);
}
