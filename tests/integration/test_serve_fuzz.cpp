// Seeded mutation fuzzing of `llmgw serve` over real sockets: malformed HTTP and malformed JSON
// must get an error answer (or a closed connection), never a crash, a hang or a 500. Run under
// `make test-asan` this also catches memory errors on those paths.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <random>

#include "harness.h"

using namespace harness;

namespace {

std::string mutate(std::string s, std::mt19937& rng) {
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < edits && !s.empty(); ++i) {
        size_t pos = rng() % s.size();
        switch (rng() % 6) {
            case 0: s[pos] = static_cast<char>(rng() % 256); break;           // flip a byte
            case 1: s.erase(pos, 1 + rng() % 8); break;                         // drop a run
            case 2: s.insert(pos, std::string(1 + rng() % 4, "{}[]\",:\\\n\r\0"[rng() % 12])); break;
            case 3: s.resize(pos); break;                                       // truncate
            case 4: s.insert(pos, s.substr(pos, std::min<size_t>(16, s.size() - pos))); break;  // duplicate
            default: s.insert(pos, "\xff\xfe\xc3"); break;                      // invalid UTF-8
        }
    }
    return s;
}

const char* kAnthropic =
    R"({"model":"m","max_tokens":16,"system":[{"type":"text","text":"sys"}],"tools":[{"name":"t","input_schema":{"type":"object","properties":{"a":{"type":"string"}}}}],)"
    R"("messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]},)"
    R"({"role":"assistant","content":[{"type":"tool_use","id":"tu1","name":"t","input":{"a":"x"}}]},)"
    R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"ok"}]}]})";

}  // namespace

TEST_CASE("fuzz: mutated Anthropic requests get 200 or a 4xx in the Anthropic envelope", "[fuzz][anthropic]") {
    auto mock = start_mock({"--tokens", "2"});
    auto gw = start_serve(mock.url());
    REQUIRE(post(gw.url("/v1/messages"), kAnthropic).status == 200);
    std::mt19937 rng(20261124);
    int ok = 0, refused = 0;
    for (int i = 0; i < 400; ++i) {
        std::string body = mutate(kAnthropic, rng);
        bool stream = i % 5 == 0;
        if (stream && body.size() > 2) body.insert(1, R"("stream":true,)");
        auto path = i % 7 == 0 ? "/v1/messages/count_tokens" : "/v1/messages";
        auto r = post(gw.url(path), body, {"anthropic-version: 2023-06-01"});
        INFO("body: " << body);
        REQUIRE(r.status > 0);  // answered, did not crash or hang
        CHECK(r.status < 500);
        if (r.status == 200) {
            ++ok;
            continue;
        }
        ++refused;
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        REQUIRE(d.IsObject());
        CHECK(std::string(d["type"].GetString()) == "error");
        CHECK(d["error"]["message"].IsString());
    }
    CHECK(ok > 0);
    CHECK(refused > 0);
    CHECK(get(gw.url("/livez")).status == 200);
}

TEST_CASE("fuzz: mutated raw HTTP never takes the server down", "[fuzz][http]") {
    auto mock = start_mock({"--tokens", "2"});
    auto gw = start_serve(mock.url(), {{"HEADER_TIMEOUT_S", "1"}, {"WORKERS", "1"}});
    std::string body = R"({"model":"mock-model","messages":[{"role":"user","content":"x"}]})";
    std::vector<std::string> seeds = {
        "GET /v1/models HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer k\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body,
        "POST /v1/messages HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n",
        "OPTIONS /v1/messages HTTP/1.1\r\nOrigin: http://x\r\nAccess-Control-Request-Method: POST\r\n\r\n",
        "GET /livez HTTP/1.0\r\n\r\n",
    };
    std::mt19937 rng(7);
    int answered = 0;
    for (int i = 0; i < 300; ++i) {
        std::string req = mutate(seeds[static_cast<size_t>(i) % seeds.size()], rng);
        RawConn c(gw.port());
        REQUIRE(c.ok());
        c.send(req);
        c.shutdown_write();
        std::string out = c.recv_all(5);
        if (out.rfind("HTTP/1.", 0) == 0) {
            ++answered;
            CHECK(out.find(" 500 ") == std::string::npos);
        }
    }
    CHECK(answered > 0);
    CHECK(gw.running());
    CHECK(get(gw.url("/livez")).status == 200);
    CHECK(post(gw.url("/v1/chat/completions"), body).status == 200);
}
