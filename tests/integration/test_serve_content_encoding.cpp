// Request bodies with Content-Encoding through `llmgw serve`: gzip and zstd decoded before the
// route reads them, on every POST route; the decoded size counts against MAX_BODY_BYTES; unknown
// codings are a 415 and corrupt bodies a 400, each in the route's error envelope.
#include <catch2/catch.hpp>

#include "../compress.h"
#include "harness.h"

using namespace harness;
using llmgw::test::gzip;
using llmgw::test::zstd;

namespace {
const std::string kChat = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hello"}]})";

// Chat requests the runtime got (start-up discovery sends some too).
int64_t chat_requests(const Process& mock) {
    auto st = mock_stats(mock);
    const auto& by = st["requests_by_path"];
    return by.HasMember("/v1/chat/completions") ? by["/v1/chat/completions"].GetInt64() : 0;
}

Response send(const Process& gw, const std::string& path, const std::string& body, const std::string& encoding) {
    return post(gw.url(path), body,
                {"Content-Type: application/json", "anthropic-version: 2023-06-01", "Content-Encoding: " + encoding});
}
}  // namespace

TEST_CASE("content encoding: gzip and zstd bodies reach every POST route decoded", "[encoding][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    for (const char* path : {"/v1/chat/completions", "/v1/messages", "/v1/messages/count_tokens"}) {
        for (auto [enc, body] : {std::pair<std::string, std::string>{"gzip", gzip(kChat)}, {"zstd", zstd(kChat)}}) {
            INFO(path << " " << enc);
            auto r = send(gw, path, body, enc);
            CHECK(r.status == 200);
        }
    }
    // What the runtime got is the decoded JSON, and no Content-Encoding of the client's.
    auto r = send(gw, "/v1/chat/completions", zstd(kChat), "zstd");
    REQUIRE(r.status == 200);
    auto st = mock_stats(mock);
    CHECK(std::string(st["last_request"]["body"].GetString()) == kChat);
    CHECK_FALSE(st["last_request"]["headers"].HasMember("content-encoding"));
    auto emb = send(gw, "/v1/embeddings", gzip(R"({"model":"m","input":"hi"})"), "gzip");
    CHECK(emb.status == 200);
}

TEST_CASE("content encoding: a bomb past MAX_BODY_BYTES is a 413, in each route's envelope", "[encoding][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"MAX_BODY_BYTES", "65536"}});
    // 4 MiB of JSON whitespace inside a valid body: a few KiB compressed.
    std::string big = R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hello"}])" + std::string(4u << 20, ' ') + "}";
    auto gz = gzip(big), zs = zstd(big);
    const int64_t before = chat_requests(mock);
    REQUIRE(gz.size() < 65536);
    REQUIRE(zs.size() < 65536);
    auto openai = send(gw, "/v1/chat/completions", gz, "gzip");
    CHECK(openai.status == 413);
    CHECK(json(openai.body)["error"]["message"].IsString());
    auto anthropic = send(gw, "/v1/messages", zs, "zstd");
    CHECK(anthropic.status == 413);
    auto d = json(anthropic.body);
    CHECK(std::string(d["type"].GetString()) == "error");
    CHECK(std::string(d["error"]["type"].GetString()) == "request_too_large");
    CHECK(chat_requests(mock) == before);  // nothing reached the runtime
    // The gateway is still there and well.
    CHECK(send(gw, "/v1/chat/completions", gzip(kChat), "gzip").status == 200);
}

TEST_CASE("content encoding: unknown codings are a 415, corrupt bodies a 400", "[encoding][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    const int64_t before = chat_requests(mock);
    auto br = send(gw, "/v1/chat/completions", kChat, "br");
    CHECK(br.status == 415);
    CHECK(std::string(json(br.body)["error"]["message"].GetString()).find("'br'") != std::string::npos);
    auto br_a = send(gw, "/v1/messages", kChat, "br");
    CHECK(br_a.status == 415);
    CHECK(std::string(json(br_a.body)["type"].GetString()) == "error");

    auto corrupt = send(gw, "/v1/chat/completions", "this is not gzip", "gzip");
    CHECK(corrupt.status == 400);
    CHECK(std::string(json(corrupt.body)["error"]["message"].GetString()).find("gzip") != std::string::npos);
    auto z = zstd(kChat);
    auto truncated = send(gw, "/v1/messages", z.substr(0, z.size() / 2), "zstd");
    CHECK(truncated.status == 400);
    auto d = json(truncated.body);
    CHECK(std::string(d["error"]["type"].GetString()) == "invalid_request_error");
    CHECK(chat_requests(mock) == before);
}
