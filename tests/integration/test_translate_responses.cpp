// `llmgw translate` with the Responses API, as a process: the real Codex capture to a chat request,
// a chat stream back to Responses events with the capture's tool names, and the usage errors.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "harness.h"

using harness::run_llmgw;

namespace {
const std::string kCodex = std::string(LLMGW_FIXTURES_DIR) + "/agents/codex-0.171.0-turn1.json";
}

TEST_CASE("translate: a Codex request -> chat request, web_search dropped and noted", "[translate]") {
    auto r = run_llmgw({"translate", "request", "--from", "responses", "--backend", "llamacpp", kCodex});
    INFO(r.err);
    REQUIRE(r.exit == 0);
    auto d = harness::json(r.out);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["model"].GetString()) == "tiny");
    CHECK(std::string(d["messages"][0]["role"].GetString()) == "system");
    CHECK(r.out.find("multi_agent_v1__spawn_agent") != std::string::npos);
    CHECK(r.out.find("web_search") == std::string::npos);
    CHECK(r.err.find("hosted tools dropped: web_search") != std::string::npos);
}

TEST_CASE("translate: a chat stream -> Responses events that name the request's tools", "[translate]") {
    char path[] = "/tmp/llmgw-translate-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    std::string sse = path;
    {
        std::ofstream f(sse);
        f << "data: {\"id\":\"x\",\"model\":\"tiny\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
             "\"id\":\"c1\",\"function\":{\"name\":\"multi_agent_v1__wait_agent\",\"arguments\":\"{}\"}}]},"
             "\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
    }
    auto r = run_llmgw({"translate", "stream", "--from", "openai", "--to", "responses", "--responses-request", kCodex, sse});
    std::remove(sse.c_str());
    INFO(r.err);
    REQUIRE(r.exit == 0);
    CHECK(r.out.rfind("event: response.created\n", 0) == 0);
    CHECK(r.out.find(R"("name":"wait_agent","namespace":"multi_agent_v1")") != std::string::npos);
    CHECK(r.out.find("event: response.completed\n") != std::string::npos);
}

TEST_CASE("translate: Responses usage errors exit 2", "[translate]") {
    CHECK(run_llmgw({"translate", "stream", "--from", "responses", kCodex}).exit == 2);
    CHECK(run_llmgw({"translate", "request", "--from", "responses", "--to", "anthropic", kCodex}).exit == 2);
    auto bad = run_llmgw({"translate", "request", "--from", "responses", std::string(LLMGW_FIXTURES_DIR) + "/agents/README.md"});
    CHECK(bad.exit == 1);
}
