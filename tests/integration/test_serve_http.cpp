// HTTP/1.1 behaviour of the server itself: keep-alive, pipelining, chunked bodies, limits,
// malformed requests, slow clients, upstream connection reuse.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <thread>

#include "harness.h"

using namespace harness;

namespace {

int count(const std::string& s, const std::string& needle) {
    int n = 0;
    for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

std::string post_req(const std::string& path, const std::string& body, const std::string& extra = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("keep-alive and pipelining answer in order on one connection", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    RawConn c(gw.port());
    REQUIRE(c.ok());
    std::string reqs = "GET /livez HTTP/1.1\r\nHost: t\r\nx-request-id: first\r\n\r\n"
                       "GET /v1/models HTTP/1.1\r\nHost: t\r\nx-request-id: second\r\n\r\n"
                       "GET /livez HTTP/1.1\r\nHost: t\r\nx-request-id: third\r\nConnection: close\r\n\r\n";
    c.send(reqs);  // all three in one write
    bool closed = false;
    std::string out = c.recv_all(10, &closed);
    CHECK(closed);
    CHECK(count(out, "HTTP/1.1 200 OK") == 3);
    auto p1 = out.find("x-request-id: first"), p2 = out.find("x-request-id: second"), p3 = out.find("x-request-id: third");
    REQUIRE(p1 != std::string::npos);
    REQUIRE(p2 != std::string::npos);
    REQUIRE(p3 != std::string::npos);
    CHECK(p1 < p2);
    CHECK(p2 < p3);
    CHECK(out.find("\"object\"") > p2);  // the models body follows its own head
}

TEST_CASE("chunked request bodies are accepted", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    std::string body = R"({"model":"mock-model","messages":[{"role":"user","content":"chunked"}]})";
    std::string half1 = body.substr(0, 20), half2 = body.substr(20);
    char h1[16], h2[16];
    snprintf(h1, sizeof h1, "%zx", half1.size());
    snprintf(h2, sizeof h2, "%zx", half2.size());
    std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
                      "Content-Type: application/json\r\n\r\n" +
                      std::string(h1) + "\r\n" + half1 + "\r\n" + std::string(h2) + "\r\n" + half2 + "\r\n0\r\n\r\n";
    std::string out = raw_exchange(gw.port(), req, 10);
    CHECK(out.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(out.find("chat.completion") != std::string::npos);
    auto st = mock_stats(mock);
    CHECK(std::string(st["last_request"]["body"].GetString()) == body);
}

TEST_CASE("limits: 413 for big bodies, 431 for big heads, 400 for malformed HTTP", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"MAX_BODY_BYTES", "2048"}});
    // Declared too large: refused before the body is read.
    std::string big(4096, 'x');
    auto r = post(gw.url("/v1/chat/completions"), "{\"p\":\"" + big + "\"}");
    CHECK(r.status == 413);
    CHECK(r.body.find("\"error\"") != std::string::npos);
    // Chunked, growing past the limit.
    std::string chunk(1500, 'y');
    std::string req = "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5dc\r\n" + chunk +
                      "\r\n5dc\r\n" + chunk + "\r\n0\r\n\r\n";
    std::string out = raw_exchange(gw.port(), req, 10);
    CHECK(out.rfind("HTTP/1.1 413", 0) == 0);
    // Anthropic route: Anthropic envelope even for a transport-level error.
    auto a = post(gw.url("/v1/messages"), "{\"p\":\"" + big + "\"}");
    CHECK(a.status == 413);
    CHECK(a.body.find("\"request_too_large\"") != std::string::npos);

    std::string huge_header(80 * 1024, 'h');
    out = raw_exchange(gw.port(), "GET /livez HTTP/1.1\r\nHost: t\r\nX-Big: " + huge_header + "\r\n\r\n", 10);
    CHECK(out.rfind("HTTP/1.1 431", 0) == 0);

    out = raw_exchange(gw.port(), "THIS IS NOT HTTP\r\n\r\n", 10);
    CHECK(out.rfind("HTTP/1.1 400", 0) == 0);
    out = raw_exchange(gw.port(), "GET /livez HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 10);
    CHECK(out.rfind("HTTP/1.1 400", 0) == 0);
    // The server is still fine.
    CHECK(get(gw.url("/livez")).status == 200);
}

TEST_CASE("a slow-loris client is cut off by the header timeout", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"HEADER_TIMEOUT_S", "1"}});
    RawConn c(gw.port());
    REQUIRE(c.ok());
    c.send("GET /livez HTTP/1.1\r\nHost: t\r\n");
    c.send("X-Slow: 1\r\n");
    bool closed = false;
    std::string out = c.recv_all(8, &closed);
    CHECK(closed);
    CHECK(out.rfind("HTTP/1.1 408", 0) == 0);
    // A connection that never sends anything is closed too.
    RawConn idle(gw.port());
    std::string nothing = idle.recv_all(8, &closed);
    CHECK(closed);
    CHECK(nothing.empty());
}

TEST_CASE("an idle keep-alive connection is closed after the idle timeout", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"IDLE_TIMEOUT_S", "1"}});
    RawConn c(gw.port());
    c.send("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.recv(5).rfind("HTTP/1.1 200", 0) == 0);
    bool closed = false;
    c.recv_all(8, &closed);
    CHECK(closed);
}

TEST_CASE("upstream connections are reused across requests", "[serve][http]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"WORKERS", "1"}, {"LOG_LEVEL", "info"}});
    // Start-up discovery opens a few connections of its own; count from after it.
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    const char* body = R"({"model":"mock-model","messages":[{"role":"user","content":"x"}]})";
    for (int i = 0; i < 20; ++i) REQUIRE(post(gw.url("/v1/chat/completions"), body).status == 200);
    auto st = mock_stats(mock);
    REQUIRE(st.HasMember("connections_total"));
    // One worker, sequential requests over kept-alive connections: at most one new connection
    // from the gateway, plus the test's own stats call.
    CHECK(st["connections_total"].GetInt64() <= 2);
    CHECK(st["requests_total"].GetInt64() == 20);
}

TEST_CASE("a backend closing idle upstream connections costs no request", "[serve][http]") {
    // The runtime closes keep-alive connections 100 ms after their last request. The gateway
    // keeps watching idle connections, sees each close, and the next request opens a new one.
    auto mock = start_mock({"--idle-timeout-ms", "100"});
    auto gw = start_serve(mock.url(), {{"WORKERS", "1"}, {"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
    const char* body = R"({"model":"mock-model","messages":[{"role":"user","content":"x"}]})";
    for (int i = 0; i < 4; ++i) {
        auto r = post(gw.url("/v1/chat/completions"), body);
        INFO(r.body);
        REQUIRE(r.status == 200);
        std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the mock's idle timeout
    }
    auto st = mock_stats(mock);
    CHECK(st["requests_total"].GetInt64() == 4);
    // A new upstream connection for every request (plus this stats call): the closes were seen.
    CHECK(st["connections_total"].GetInt64() >= 4);
    CHECK(gw.log().find("backend request failed") == std::string::npos);
}

TEST_CASE("strict parsing: a header name with whitespace, obs-fold or a bare CR or LF is a 400", "[serve][http][strict]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    const std::string body = R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}]})";
    auto before = mock_stats(mock)["requests_total"].GetInt64();
    // Each of these is read differently by different proxies: how requests are smuggled.
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"space before the colon", "POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nContent-Length : " +
                                       std::to_string(body.size()) + "\r\n\r\n" + body},
        {"space before the colon of another header", post_req("/v1/chat/completions", body, "X-Trace : 1\r\n")},
        {"tab before the colon", post_req("/v1/chat/completions", body, "X-Trace\t: 1\r\n")},
        {"obs-fold", post_req("/v1/chat/completions", body, "X-Trace: a\r\n b\r\n")},
        {"obs-fold with a tab", post_req("/v1/chat/completions", body, "X-Trace: a\r\n\tb\r\n")},
        {"bare CR in a value", post_req("/v1/chat/completions", body, "X-Trace: a\rb\r\n")},
        {"bare LF in a value", post_req("/v1/chat/completions", body, "X-Trace: a\nb: c\r\n")},
        {"bare LF line ends", "GET /livez HTTP/1.1\nHost: t\n\n"},
        {"NUL in a value", post_req("/v1/chat/completions", body, std::string("X-Trace: a\0b\r\n", 15))},
    };
    for (const auto& [what, req] : bad) {
        INFO(what);
        std::string out = raw_exchange(gw.port(), req, 10);
        CHECK(out.rfind("HTTP/1.1 400", 0) == 0);
        CHECK(out.find("malformed HTTP request") != std::string::npos);
    }
    // No tunnels: CONNECT is refused, with or without a target.
    for (const char* connect : {"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: t\r\n\r\n", "CONNECT  HTTP/1.1\r\nHost: t\r\n\r\n"}) {
        std::string out = raw_exchange(gw.port(), connect, 10);
        CHECK((out.rfind("HTTP/1.1 405", 0) == 0 || out.rfind("HTTP/1.1 400", 0) == 0));
    }
    // obs-fold whose continuation starts a new read is still seen as obs-fold.
    RawConn c(gw.port());
    REQUIRE(c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: t\r\nX-Trace: a\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(c.send(" b\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
    CHECK(c.recv_all(10).rfind("HTTP/1.1 400", 0) == 0);
    // Nothing reached the backend, and well-formed requests still pass.
    CHECK(mock_stats(mock)["requests_total"].GetInt64() == before);
    CHECK(post(gw.url("/v1/chat/completions"), body, {"Content-Type: application/json", "X-Trace: a b"}).status == 200);
}
