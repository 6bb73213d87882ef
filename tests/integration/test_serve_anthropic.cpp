// /v1/messages and /v1/messages/count_tokens through `llmgw serve` in front of `llmgw mock`.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <sstream>

#include "harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kHeaders = {"anthropic-version: 2023-06-01", "Content-Type: application/json"};
const char* kTools = R"([{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string","enum":["Paris","Tokyo"]},"unit":{"type":"string","enum":["c","f"]}},"required":["city","unit"]}}])";

}  // namespace

TEST_CASE("messages: a plain answer in Anthropic shape", "[anthropic][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/messages"),
                  R"({"model":"claude-like","max_tokens":50,"system":"Be brief.","messages":[{"role":"user","content":"Hello"}]})",
                  kHeaders);
    REQUIRE(r.status == 200);
    CHECK(!r.header("request-id").empty());
    CHECK(r.header("request-id") == r.header("x-request-id"));
    auto d = json(r.body);
    CHECK(std::string(d["type"].GetString()) == "message");
    CHECK(std::string(d["role"].GetString()) == "assistant");
    CHECK(std::string(d["id"].GetString()).rfind("msg_", 0) == 0);
    CHECK(std::string(d["model"].GetString()) == "claude-like");
    REQUIRE(d["content"].Size() == 1);
    CHECK(std::string(d["content"][0]["type"].GetString()) == "text");
    CHECK(std::string(d["stop_reason"].GetString()) == "end_turn");
    CHECK(d["usage"]["output_tokens"].GetInt() == 16);
    // The backend got an OpenAI chat request with the system prompt first.
    auto st = mock_stats(mock);
    auto sent = json(st["last_request"]["body"].GetString());
    CHECK(std::string(sent["messages"][0]["role"].GetString()) == "system");
    CHECK(sent["max_tokens"].GetInt() == 50);
}

TEST_CASE("messages: max_tokens cuts to stop_reason max_tokens", "[anthropic][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":3,"messages":[{"role":"user","content":"Hello"}]})", kHeaders);
    auto d = json(r.body);
    CHECK(std::string(d["stop_reason"].GetString()) == "max_tokens");
    CHECK(d["usage"]["output_tokens"].GetInt() == 3);
}

TEST_CASE("messages stream: the Anthropic event sequence", "[anthropic][serve][stream]") {
    auto mock = start_mock({"--tokens", "5"});
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"Hello"}]})", kHeaders);
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type").find("text/event-stream") == 0);
    auto ev = sse_events(r.body);
    REQUIRE(ev.size() >= 6);
    CHECK(ev.front().name == "message_start");
    CHECK(ev.back().name == "message_stop");
    int starts = 0, stops = 0, deltas = 0;
    std::string text;
    for (const auto& e : ev) {
        auto d = json(e.data);
        REQUIRE(d.IsObject());
        CHECK(std::string(d["type"].GetString()) == e.name);  // event name matches data.type
        if (e.name == "content_block_start") ++starts;
        if (e.name == "content_block_stop") ++stops;
        if (e.name == "content_block_delta") {
            ++deltas;
            text += d["delta"]["text"].GetString();
        }
        if (e.name == "message_delta") {
            CHECK(std::string(d["delta"]["stop_reason"].GetString()) == "end_turn");
            CHECK(d["usage"]["output_tokens"].GetInt() == 5);
        }
    }
    CHECK(starts == 1);
    CHECK(stops == 1);
    CHECK(deltas == 5);
    // Same text as the non-stream answer.
    auto whole = json(post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"Hello"}]})", kHeaders).body);
    CHECK(text == whole["content"][0]["text"].GetString());
}

TEST_CASE("messages with tools: tool_use blocks, streamed input reassembles", "[anthropic][serve][tools]") {
    for (const char* profile : {"vllm", "llamacpp", "ollama", "tgi"}) {
        DYNAMIC_SECTION("profile " << profile) {
            auto mock = start_mock({"--profile", profile});
            auto gw = start_serve(mock.url(), {{"BACKEND_KIND", profile}});
            std::string req = std::string(R"({"model":"m","max_tokens":200,"tools":)") + kTools +
                              R"(,"messages":[{"role":"user","content":"Weather in Paris?"}])";
            auto r = post(gw.url("/v1/messages"), req + "}", kHeaders);
            REQUIRE(r.status == 200);
            auto d = json(r.body);
            CHECK(std::string(d["stop_reason"].GetString()) == "tool_use");
            const rapidjson::Value* use = nullptr;
            for (const auto& b : d["content"].GetArray())
                if (std::string(b["type"].GetString()) == "tool_use") use = &b;
            REQUIRE(use);
            CHECK(std::string((*use)["name"].GetString()) == "get_weather");
            CHECK(std::string((*use)["input"]["city"].GetString()) == "Paris");

            auto s = post(gw.url("/v1/messages"), req + R"(,"stream":true})", kHeaders);
            auto ev = sse_events(s.body);
            std::string partial, stop_reason;
            bool tool_start = false;
            for (const auto& e : ev) {
                auto x = json(e.data);
                if (e.name == "content_block_start" && std::string(x["content_block"]["type"].GetString()) == "tool_use") {
                    tool_start = true;
                    CHECK(x["content_block"]["input"].IsObject());
                    CHECK(x["content_block"]["input"].ObjectEmpty());
                    CHECK(!std::string(x["content_block"]["id"].GetString()).empty());
                }
                if (e.name == "content_block_delta" && std::string(x["delta"]["type"].GetString()) == "input_json_delta")
                    partial += x["delta"]["partial_json"].GetString();
                if (e.name == "message_delta") stop_reason = x["delta"]["stop_reason"].GetString();
            }
            CHECK(tool_start);
            auto input = json(partial);
            REQUIRE(input.IsObject());
            CHECK(std::string(input["city"].GetString()) == "Paris");
            CHECK(stop_reason == "tool_use");
        }
    }
}

TEST_CASE("messages errors use the Anthropic envelope", "[anthropic][serve][errors]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());
    auto check = [](const Response& r, long status, const std::string& type, const std::string& needle) {
        CHECK(r.status == status);
        auto d = json(r.body);
        REQUIRE(d.IsObject());
        CHECK(std::string(d["type"].GetString()) == "error");
        CHECK(std::string(d["error"]["type"].GetString()) == type);
        CHECK(std::string(d["error"]["message"].GetString()).find(needle) != std::string::npos);
    };
    check(post(gw.url("/v1/messages"), R"({"model":"m","messages":[{"role":"user","content":"x"}]})", kHeaders), 400,
          "invalid_request_error", "max_tokens");
    check(post(gw.url("/v1/messages"), "{oops", kHeaders), 400, "invalid_request_error", "");
    check(post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"x"}]})", kHeaders),
          400, "invalid_request_error", "messages.0.role");
    check(post(gw.url("/v1/messages"),
               R"({"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"x"}]})",
               kHeaders),
          400, "invalid_request_error", "web_search");
    check(get(gw.url("/v1/messages/nope")), 404, "not_found_error", "");

    auto down = start_mock({"--fail-rate", "1", "--fail-status", "503"});
    auto gw2 = start_serve(down.url());
    check(post(gw2.url("/v1/messages"), R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]})", kHeaders),
          503, "overloaded_error", "");
}

TEST_CASE("messages stream cut by the backend ends with an error event, not message_stop", "[anthropic][serve][stream]") {
    auto mock = start_mock({"--tokens", "20", "--itl-ms", "30", "--reset-after-chunks", "4"});
    auto gw = start_serve(mock.url());
    auto r = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"x"}]})", kHeaders);
    auto ev = sse_events(r.body);
    REQUIRE(!ev.empty());
    CHECK(ev.front().name == "message_start");
    CHECK(ev.back().name == "error");
    for (const auto& e : ev) CHECK(e.name != "message_stop");
}

TEST_CASE("count_tokens uses the runtime's tokenizer where it has one", "[anthropic][serve][count_tokens]") {
    const char* body = R"({"model":"m","system":"You are helpful.","messages":[{"role":"user","content":"Count these tokens please"}]})";
    SECTION("vLLM: /tokenize with the chat messages") {
        auto mock = start_mock({"--profile", "vllm"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}});
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kHeaders);
        REQUIRE(r.status == 200);
        CHECK(r.header("x-llmgw-token-count-source") == "tokenizer");
        int n = json(r.body)["input_tokens"].GetInt();
        // The mock's prompt_tokens for the same conversation, through the chat route.
        auto chat = json(post(gw.url("/v1/messages"),
                              R"({"model":"m","max_tokens":5,"system":"You are helpful.","messages":[{"role":"user","content":"Count these tokens please"}]})",
                              kHeaders).body);
        CHECK(n == chat["usage"]["input_tokens"].GetInt());
    }
    SECTION("llama.cpp: /apply-template then /tokenize") {
        auto mock = start_mock({"--profile", "llamacpp"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
        // Start-up discovery has called /tokenize once already, to learn that it works.
        auto by_path = [&](const char* p) {
            auto st = mock_stats(mock);
            return st["requests_by_path"].HasMember(p) ? st["requests_by_path"][p].GetInt() : 0;
        };
        int tmpl = by_path("/apply-template"), tok = by_path("/tokenize");
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kHeaders);
        REQUIRE(r.status == 200);
        CHECK(r.header("x-llmgw-token-count-source") == "tokenizer");
        CHECK(json(r.body)["input_tokens"].GetInt() > 5);
        CHECK(by_path("/apply-template") == tmpl + 1);
        CHECK(by_path("/tokenize") == tok + 1);
    }
    SECTION("Ollama has no tokenizer: a documented estimate, and the header says so") {
        auto mock = start_mock({"--profile", "ollama"});
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "ollama"}});
        auto r = post(gw.url("/v1/messages/count_tokens"), body, kHeaders);
        REQUIRE(r.status == 200);
        CHECK(r.header("x-llmgw-token-count-source") == "estimate");
        CHECK(json(r.body)["input_tokens"].GetInt() > 5);
    }
    SECTION("malformed body: 400 in the Anthropic envelope") {
        auto mock = start_mock();
        auto gw = start_serve(mock.url());
        auto r = post(gw.url("/v1/messages/count_tokens"), R"({"model":"m"})", kHeaders);
        CHECK(r.status == 400);
        CHECK(json(r.body)["error"]["type"].GetString() == std::string("invalid_request_error"));
    }
}

TEST_CASE("native mode forwards /v1/messages unchanged to a runtime that serves it", "[anthropic][serve]") {
    // The backend is another llmgw (it serves /v1/messages); at debug it names the fields it ignored,
    // so the client's odd field is seen to arrive there as the client sent it.
    auto mock = start_mock();
    auto inner = start_serve(mock.url(), {{"LOG_LEVEL", "debug"}});
    auto gw = start_serve(inner.url(), {{"ANTHROPIC_MODE", "native"}, {"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    CHECK(gw.log().find("has no /v1/messages") == std::string::npos);
    std::string body = R"({"model":"mock-model","max_tokens":5,"messages":[{"role":"user","content":"x"}],"odd_field":1})";
    auto r = post(gw.url("/v1/messages"), body, kHeaders);
    CHECK(r.status == 200);
    CHECK(std::string(json(r.body)["type"].GetString()) == "message");
    CHECK(wait_until([&] { return inner.log().find("odd_field") != std::string::npos; }, 5));
    auto c = post(gw.url("/v1/messages/count_tokens"), R"({"model":"mock-model","messages":[{"role":"user","content":"Hello"}]})", kHeaders);
    CHECK(c.status == 200);
    CHECK(c.header("x-llmgw-token-count-source") == "runtime");
}

TEST_CASE("native mode in front of a runtime without /v1/messages warns and translates", "[anthropic][serve][discovery]") {
    const char* count_body = R"({"model":"mock-model","messages":[{"role":"user","content":"Hello"}]})";
    SECTION("with a tokenizer: messages translated, counts from the tokenizer") {
        auto mock = start_mock();
        auto gw = start_serve(mock.url(), {{"ANTHROPIC_MODE", "native"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
        CHECK(gw.log().find("ANTHROPIC_MODE=native but the runtime has no /v1/messages") != std::string::npos);
        auto r = post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":8,"messages":[{"role":"user","content":"Hello"}]})", kHeaders);
        CHECK(r.status == 200);
        CHECK(std::string(json(r.body)["type"].GetString()) == "message");
        CHECK(std::string(mock_stats(mock)["last_request"]["path"].GetString()) == "/v1/chat/completions");
        auto c = post(gw.url("/v1/messages/count_tokens"), count_body, kHeaders);
        CHECK(c.status == 200);
        CHECK(c.header("x-llmgw-token-count-source") == "tokenizer");
    }
    SECTION("without a tokenizer: the estimate") {
        auto mock = start_mock({"--no-tokenize"});
        auto gw = start_serve(mock.url(), {{"ANTHROPIC_MODE", "native"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
        auto c = post(gw.url("/v1/messages/count_tokens"), count_body, kHeaders);
        CHECK(c.status == 200);
        CHECK(c.header("x-llmgw-token-count-source") == "estimate");
        CHECK(json(c.body)["input_tokens"].GetInt() > 0);
    }
}

TEST_CASE("max_tokens beyond the model's context is clamped to what the runtime reports", "[anthropic][serve][discovery]") {
    for (const char* profile : {"vllm", "llamacpp"}) {
        DYNAMIC_SECTION("profile " << profile) {
            auto mock = start_mock({"--profile", profile, "--context-length", "1000"});
            auto gw = start_serve(mock.url(), {{"BACKEND_KIND", profile}, {"LOG_LEVEL", "info"}});
            // serve learns the context length at start-up, as probe would.
            REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
            CHECK(gw.log().find("\"context_length\":1000") != std::string::npos);
            CHECK(gw.log().find("does not match") == std::string::npos);
            auto r = post(gw.url("/v1/messages"),
                          R"({"model":"m","max_tokens":64000,"messages":[{"role":"user","content":"Hello"}]})", kHeaders);
            CHECK(r.status == 200);
            auto st = mock_stats(mock);
            auto sent = json(st["last_request"]["body"].GetString());
            int64_t mt = sent.HasMember("max_tokens") ? sent["max_tokens"].GetInt64() : sent["max_completion_tokens"].GetInt64();
            CHECK(mt < 1000);
            CHECK(mt > 500);
        }
    }
    SECTION("MAX_TOKENS_CAP wins") {
        auto mock = start_mock({"--context-length", "1000"});
        auto gw = start_serve(mock.url(), {{"MAX_TOKENS_CAP", "256"}});
        auto r = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":64000,"messages":[{"role":"user","content":"Hello"}]})", kHeaders);
        CHECK(r.status == 200);
        auto sent = json(mock_stats(mock)["last_request"]["body"].GetString());
        CHECK(sent["max_tokens"].GetInt64() == 256);
    }
}

TEST_CASE("a BACKEND_KIND that does not match the runtime is reported", "[serve][discovery]") {
    auto mock = start_mock({"--profile", "ollama"});
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "vllm"}, {"LOG_LEVEL", "info"}});
    REQUIRE(wait_until([&] { return gw.log().find("backend discovered") != std::string::npos; }, 10));
    CHECK(gw.log().find("does not match") != std::string::npos);
    CHECK(gw.log().find("Ollama") != std::string::npos);
}

TEST_CASE("auto mode uses the runtime's own /v1/messages only where it answers one", "[anthropic][serve][discovery]") {
    const char* body = R"({"model":"mock-model","max_tokens":8,"messages":[{"role":"user","content":"Hello"}]})";
    SECTION("a runtime without /v1/messages: translated") {
        auto mock = start_mock();
        auto gw = start_serve(mock.url(), {{"ANTHROPIC_MODE", "auto"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("native /v1/messages check") != std::string::npos; }, 10));
        CHECK(gw.log().find("\"native\":\"no\"") != std::string::npos);
        auto r = post(gw.url("/v1/messages"), body, kHeaders);
        CHECK(r.status == 200);
        auto st = mock_stats(mock);
        CHECK(std::string(st["last_request"]["path"].GetString()) == "/v1/chat/completions");
    }
    SECTION("a backend that serves /v1/messages (here another llmgw): forwarded natively, count_tokens too") {
        auto mock = start_mock();
        auto inner = start_serve(mock.url(), {{"LOG_LEVEL", "info"}});
        auto gw = start_serve(inner.url(), {{"ANTHROPIC_MODE", "auto"}, {"LOG_LEVEL", "info"}});
        REQUIRE(wait_until([&] { return gw.log().find("native /v1/messages check") != std::string::npos; }, 10));
        CHECK(gw.log().find("\"native\":\"yes\"") != std::string::npos);
        auto r = post(gw.url("/v1/messages"), body, kHeaders);
        CHECK(r.status == 200);
        CHECK(std::string(json(r.body)["type"].GetString()) == "message");
        auto c = post(gw.url("/v1/messages/count_tokens"), R"({"model":"mock-model","messages":[{"role":"user","content":"Hello"}]})", kHeaders);
        CHECK(c.status == 200);
        CHECK(c.header("x-llmgw-token-count-source") == "runtime");
        CHECK(json(c.body)["input_tokens"].GetInt() > 0);
        // The inner gateway saw both Anthropic requests on its own Anthropic routes.
        CHECK(wait_until([&] { return inner.log().find("/v1/messages/count_tokens") != std::string::npos; }, 5));
    }
}
