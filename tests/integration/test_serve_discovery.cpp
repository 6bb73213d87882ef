// What `llmgw serve` learns at start-up by asking the backend (usage in streams, top_k, the
// tokenizer) and how the request path uses it instead of the BACKEND_KIND table alone. The mock
// lacks each feature on request (--reject-stream-options, --reject-top-k, --no-tokenize).
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kAnthropic = {"anthropic-version: 2023-06-01", "Content-Type: application/json"};

// /health's backend object, once a discovery round has finished (start_serve waits for it):
// "done" when the backend answered it, "unreachable" when nothing did.
rapidjson::Document backend_health(const Process& gw) {
    rapidjson::Document d;
    std::string state;
    // A rediscovery may be running ("running"): its outcome is what the callers ask about.
    wait_until([&] {
        d = json(get(gw.url("/health")).body);
        state = d.IsObject() ? d["backend"]["discovery"].GetString() : "";
        return state == "done" || state == "unreachable";
    });
    REQUIRE((state == "done" || state == "unreachable"));
    rapidjson::Document b;
    b.CopyFrom(d["backend"], b.GetAllocator());
    return b;
}

// "true", "false" or "null": what /health says was learned.
std::string learned(const Process& gw, const char* capability) {
    auto b = backend_health(gw);
    REQUIRE(b.HasMember(capability));
    const auto& v = b[capability];
    return v.IsNull() ? "null" : v.GetBool() ? "true" : "false";
}

uint64_t path_count(const rapidjson::Document& stats, const char* path) {
    const auto& by = stats["requests_by_path"];
    return by.HasMember(path) ? by[path].GetUint64() : 0;
}

rapidjson::Document last_body(const Process& mock) {
    auto st = mock_stats(mock);
    return json(st["last_request"]["body"].GetString());
}

}  // namespace

TEST_CASE("top_k is forwarded where the backend was seen to accept it, whatever the table says", "[serve][discovery]") {
    const char* body = R"({"model":"mock-model","max_tokens":5,"top_k":7,"messages":[{"role":"user","content":"Hello"}]})";
    SECTION("vllm (table: top_k) in front of a runtime that refuses it: learned false, dropped") {
        auto mock = start_mock({"--profile", "vllm", "--reject-top-k"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        CHECK(learned(gw, "top_k") == "false");
        auto r = post(gw.url("/v1/messages"), body, kAnthropic);
        CHECK(r.status == 200);
        CHECK(std::string(json(r.body)["type"].GetString()) == "message");
        auto sent = last_body(mock);
        CHECK(std::string(mock_stats(mock)["last_request"]["path"].GetString()) == "/v1/chat/completions");
        CHECK_FALSE(sent.HasMember("top_k"));
    }
    SECTION("ollama (table: no top_k) in front of a runtime that accepts it: learned true, forwarded") {
        auto mock = start_mock({"--profile", "ollama"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "ollama"}});
        CHECK(learned(gw, "top_k") == "true");
        auto r = post(gw.url("/v1/messages"), body, kAnthropic);
        CHECK(r.status == 200);
        auto sent = last_body(mock);
        REQUIRE(sent.HasMember("top_k"));
        CHECK(sent["top_k"].GetInt() == 7);
    }
}

TEST_CASE("a runtime that refuses stream_options is learned at start-up: no request meets the refusal", "[serve][discovery][stream]") {
    auto mock = start_mock({"--profile", "vllm", "--reject-stream-options", "--tokens", "4"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}, {"LOG_LEVEL", "info"}});
    CHECK(learned(gw, "stream_usage") == "false");
    CHECK(gw.log().find("\"stream_usage\":\"no\"") != std::string::npos);
    const std::string stream = R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"x"}]})";

    uint64_t before = mock_stats(mock)["requests_total"].GetUint64();
    auto r = post(gw.url("/v1/chat/completions"), stream);
    CHECK(r.status == 200);
    auto events = sse_data(r.body);
    REQUIRE(!events.empty());
    CHECK(events.back() == "[DONE]");
    auto st = mock_stats(mock);
    // One upstream request (no refused first try), sent as the client wrote it.
    CHECK(st["requests_total"].GetUint64() == before + 1);
    CHECK(std::string(st["last_request"]["body"].GetString()) == stream);

    // A translated Anthropic stream too: one request, no stream_options.
    before = st["requests_total"].GetUint64();
    auto a = post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":20,"stream":true,"messages":[{"role":"user","content":"x"}]})",
                  kAnthropic);
    CHECK(a.status == 200);
    CHECK(a.body.find("event: message_stop") != std::string::npos);
    CHECK(mock_stats(mock)["requests_total"].GetUint64() == before + 1);
    CHECK_FALSE(last_body(mock).HasMember("stream_options"));
    CHECK(gw.log().find("rejects stream_options") == std::string::npos);
}

TEST_CASE("a runtime that honours stream_options is asked for usage, whatever the table says", "[serve][discovery][stream]") {
    // LocalAI's table entry does not ask (it sends usage on every chunk); this backend answers the
    // discovery request with a usage chunk, so serve asks.
    auto mock = start_mock({"--profile", "vllm", "--tokens", "4"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "localai"}});
    CHECK(learned(gw, "stream_usage") == "true");
    const std::string stream = R"({"model":"mock-model","stream":true,"messages":[{"role":"user","content":"x"}]})";
    auto r = post(gw.url("/v1/chat/completions"), stream);
    CHECK(r.status == 200);
    auto sent = last_body(mock);
    REQUIRE(sent.HasMember("stream_options"));
    CHECK(sent["stream_options"]["include_usage"].GetBool());
    // The usage chunk the client did not ask for is not relayed.
    for (const auto& e : sse_data(r.body)) CHECK(e.find("\"choices\":[]") == std::string::npos);
}

TEST_CASE("count_tokens asks the tokenizer discovery found, and no tokenizer it found absent", "[serve][discovery][count_tokens]") {
    const char* body = R"({"model":"mock-model","system":"You are helpful.","messages":[{"role":"user","content":"Count these tokens please"}]})";
    SECTION("vllm without a tokenizer: learned false, straight to the estimate") {
        auto mock = start_mock({"--profile", "vllm", "--no-tokenize"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        CHECK(learned(gw, "tokenizer") == "false");
        uint64_t before = path_count(mock_stats(mock), "/tokenize");
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kAnthropic);
        CHECK(r.status == 200);
        CHECK(r.header("x-llmgw-token-count-source") == "estimate");
        CHECK(json(r.body)["input_tokens"].GetInt() > 5);
        CHECK(path_count(mock_stats(mock), "/tokenize") == before);
    }
    SECTION("llama.cpp without a tokenizer: neither /apply-template nor /tokenize per request") {
        auto mock = start_mock({"--profile", "llamacpp", "--no-tokenize"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
        CHECK(learned(gw, "tokenizer") == "false");
        auto st = mock_stats(mock);
        uint64_t tok = path_count(st, "/tokenize"), tmpl = path_count(st, "/apply-template");
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kAnthropic);
        CHECK(r.header("x-llmgw-token-count-source") == "estimate");
        st = mock_stats(mock);
        CHECK(path_count(st, "/tokenize") == tok);
        CHECK(path_count(st, "/apply-template") == tmpl);
    }
    SECTION("vllm with a tokenizer: learned true, counted by it") {
        auto mock = start_mock({"--profile", "vllm"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        CHECK(learned(gw, "tokenizer") == "true");
        uint64_t before = path_count(mock_stats(mock), "/tokenize");
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kAnthropic);
        CHECK(r.status == 200);
        CHECK(r.header("x-llmgw-token-count-source") == "tokenizer");
        CHECK(path_count(mock_stats(mock), "/tokenize") == before + 1);
    }
    SECTION("a kind without a tokenizer in its table (openai) in front of one that has it: found and used") {
        auto mock = start_mock({"--profile", "vllm"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "openai"}});
        CHECK(learned(gw, "tokenizer") == "true");
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kAnthropic);
        CHECK(r.header("x-llmgw-token-count-source") == "tokenizer");
        CHECK(std::string(mock_stats(mock)["last_request"]["path"].GetString()) == "/tokenize");
    }
}

TEST_CASE("discovery that cannot tell leaves the table in effect", "[serve][discovery]") {
    // Every /v1/* request fails with a 503: nothing is learned about stream usage or top_k, and
    // /health says so with null.
    auto mock = start_mock({"--profile", "vllm", "--fail-rate", "1", "--fail-status", "503"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}, {"MODEL_NAME", "mock-model"}, {"LOG_LEVEL", "info"}});
    CHECK(learned(gw, "stream_usage") == "null");
    CHECK(learned(gw, "top_k") == "null");
    CHECK(learned(gw, "tokenizer") == "true");  // /tokenize is not under /v1, so it answered
    CHECK(gw.log().find("\"top_k\":\"unknown\"") != std::string::npos);
    // vLLM's table entry forwards top_k: the request that reaches the (failing) runtime carries it.
    post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":5,"top_k":3,"messages":[{"role":"user","content":"x"}]})",
         kAnthropic);
    auto sent = last_body(mock);
    REQUIRE(sent.HasMember("top_k"));
    CHECK(sent["top_k"].GetInt() == 3);
}

TEST_CASE("discovery runs again when the backend comes back, and learns what the new one supports", "[serve][discovery]") {
    const std::string port = std::to_string(free_port());
    auto gw = start_serve("http://127.0.0.1:" + port,
                          {{"BACKEND_KIND", "vllm"}, {"WORKERS", "1"}, {"READINESS_CACHE_S", "0"}, {"LOG_LEVEL", "info"}});
    // Nothing answered the start-up round: nothing learned.
    CHECK(get(gw.url("/health")).status == 503);
    CHECK(learned(gw, "top_k") == "null");
    {
        // The runtime starts: the first readiness check that sees it up runs a round.
        auto mock = start_mock({"--port", port, "--profile", "vllm", "--reject-top-k"});
        CHECK(wait_until([&] { return learned(gw, "top_k") == "false"; }, 10));
        mock.stop();
    }
    // It goes away (a readiness check sees it down) and comes back as a version that takes top_k.
    CHECK(wait_until([&] { return get(gw.url("/health")).status == 503; }, 10));
    CHECK(learned(gw, "top_k") == "false");  // what was learned is kept while it is down
    auto mock = start_mock({"--port", port, "--profile", "vllm"});
    CHECK(wait_until([&] { return learned(gw, "top_k") == "true"; }, 10));
    post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":5,"top_k":4,"messages":[{"role":"user","content":"x"}]})",
         kAnthropic);
    auto sent = last_body(mock);
    REQUIRE(sent.HasMember("top_k"));
    CHECK(sent["top_k"].GetInt() == 4);
}

TEST_CASE("discovery: MODEL_NAME the runtime does not list is a warning naming the listed models, the runtime named as in /health",
          "[serve][discovery]") {
    auto mock = start_mock({"--profile", "vllm"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}, {"MODEL_NAME", "not-there"}, {"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    const std::string log = gw.log();
    auto at = log.find("MODEL_NAME is not a model the runtime lists");
    REQUIRE(at != std::string::npos);
    std::string line = log.substr(log.rfind('\n', at) + 1, log.find('\n', at) - log.rfind('\n', at) - 1);
    INFO(line);
    CHECK(line.find("\"level\":\"WARNING\"") != std::string::npos);
    CHECK(line.find("\"model_name\":\"not-there\"") != std::string::npos);
    CHECK(line.find("mock-model") != std::string::npos);
    // The runtime's name in the log is the one /health and BACKEND_KIND use.
    CHECK(log.find("\"detected\":\"vllm\"") != std::string::npos);
    CHECK(std::string(json(get(gw.url("/health")).body)["backend"]["detected"].GetString()) == "vllm");
}

TEST_CASE("discovery: /health says unreachable, not done, when the backend never answered", "[serve][discovery]") {
    auto gw = start_serve("http://127.0.0.1:" + std::to_string(free_port()), {{"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend not reachable yet") != std::string::npos; }, 10));
    auto h = json(get(gw.url("/health")).body);
    std::string state = h["backend"]["discovery"].GetString();
    // A health check that finds the backend down starts no new round: the state stays.
    CHECK(state == "unreachable");
}
