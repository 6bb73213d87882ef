// Claude Code's two real captured turns (tests/fixtures/agents/) through `llmgw serve` in front of
// `llmgw mock`: HEAD / first, then both requests streamed to message_stop, and the prefix reuse the
// runtime gets on the second turn with the billing block dropped (and without).
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sstream>

#include "harness.h"

using namespace harness;

namespace {

struct Captured {
    std::string url;
    std::vector<std::string> headers;
    std::string body;
};

// A captured request with a fresh `cch=` nonce in its billing block, as newer Claude Code
// versions send it: every request's prompt then differs a few tokens from its start.
Captured claude_code(const std::string& name, const std::string& nonce) {
    auto d = json(read_file(std::string(LLMGW_FIXTURES_DIR) + "/agents/" + name));
    REQUIRE(d.IsObject());
    Captured c;
    c.url = d["url"].GetString();
    for (auto& h : d["headers"].GetObject()) {
        std::string k = h.name.GetString();
        if (k == "content-length" || k == "host" || k == "connection" || k == "accept-encoding") continue;
        c.headers.push_back(k + ": " + h.value.GetString());
    }
    auto& body = d["body"];
    auto& billing = body["system"][0]["text"];
    std::string text = billing.GetString();
    REQUIRE(text.rfind("x-anthropic-billing-header:", 0) == 0);
    text += " cch=" + nonce + ";";
    billing.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), d.GetAllocator());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    body.Accept(w);
    c.body = sb.GetString();
    return c;
}

struct Turn {
    long status = 0;
    std::string last_event;
    int64_t input_tokens = -1;  // from message_delta
    int64_t cache_read = -1;
    double reuse() const { return cache_read < 0 ? 0 : double(cache_read) / double(input_tokens + cache_read); }
};

Turn send(const Process& gw, const Captured& c) {
    auto r = post(gw.url(c.url), c.body, c.headers);
    Turn t;
    t.status = r.status;
    INFO(r.body.substr(0, 2000));
    if (r.status != 200) return t;
    CHECK(r.header("content-type").rfind("text/event-stream", 0) == 0);
    auto events = sse_events(r.body);
    REQUIRE_FALSE(events.empty());
    t.last_event = events.back().name;
    for (const auto& e : events) {
        if (e.name != "message_delta") continue;
        auto d = json(e.data);
        t.input_tokens = d["usage"]["input_tokens"].GetInt64();
        t.cache_read = d["usage"]["cache_read_input_tokens"].GetInt64();
    }
    return t;
}

// A llama.cpp-like mock with room for Claude Code's ~20k-token prompts, and serve in front.
Process claude_code_mock() {
    return start_mock({"--profile", "llamacpp", "--context-length", "200000", "--prefix-cache"});
}

}  // namespace

TEST_CASE("claude code: HEAD / is answered, both captured turns stream to message_stop", "[claude-code][serve]") {
    auto mock = claude_code_mock();
    auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
    Request head;
    head.method = "HEAD";
    head.url = gw.url("/");
    auto h = http(head);
    CHECK(h.status >= 200);
    CHECK(h.status < 300);

    auto t1 = send(gw, claude_code("claude-code-2.1.197-turn1.json", "a1b2c"));
    CHECK(t1.status == 200);
    CHECK(t1.last_event == "message_stop");
    // The runtime got the mid-conversation system message in place, and no billing block.
    auto sent = json(mock_stats(mock)["last_request"]["body"].GetString());
    const auto& m = sent["messages"];
    CHECK(std::string(m[0]["content"].GetString()).rfind("You are a Claude agent", 0) == 0);
    CHECK(std::string(m[2]["role"].GetString()) == "system");
    CHECK(std::string(sent["reasoning_effort"].GetString()) == "high");

    auto t2 = send(gw, claude_code("claude-code-2.1.197-turn2-tool-result.json", "9f8e7"));
    CHECK(t2.status == 200);
    CHECK(t2.last_event == "message_stop");
    auto sent2 = json(mock_stats(mock)["last_request"]["body"].GetString());
    const auto& m2 = sent2["messages"];
    CHECK(std::string(m2[m2.Size() - 1]["role"].GetString()) == "tool");
    CHECK(std::string(m2[m2.Size() - 1]["tool_call_id"].GetString()) == "toolu_cap1");
}

TEST_CASE("claude code: the second turn reuses at least 95% of its prompt, with the billing block kept little",
          "[claude-code][serve]") {
    auto turn1 = claude_code("claude-code-2.1.197-turn1.json", "0c4d1");
    auto turn2 = claude_code("claude-code-2.1.197-turn2-tool-result.json", "7e2b9");
    {
        auto mock = claude_code_mock();
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}});
        REQUIRE(send(gw, turn1).status == 200);
        auto t2 = send(gw, turn2);
        REQUIRE(t2.status == 200);
        INFO("input_tokens " << t2.input_tokens << ", cache_read_input_tokens " << t2.cache_read);
        CHECK(t2.input_tokens > 0);
        CHECK(t2.reuse() >= 0.95);
    }
    {
        auto mock = claude_code_mock();
        auto gw = start_serve(mock.url(), {{"BACKEND_KIND", "llamacpp"}, {"ANTHROPIC_KEEP_BILLING_HEADER", "true"}});
        REQUIRE(send(gw, turn1).status == 200);
        auto t2 = send(gw, turn2);
        REQUIRE(t2.status == 200);
        INFO("input_tokens " << t2.input_tokens << ", cache_read_input_tokens " << t2.cache_read);
        CHECK(t2.input_tokens > 0);
        CHECK(t2.reuse() < 0.05);
    }
}

TEST_CASE("claude code: unknown fields and betas pass, refused blocks are a 400 naming them", "[claude-code][serve]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"LOG_LEVEL", "debug"}});
    std::vector<std::string> headers = {"anthropic-version: 2023-06-01", "Content-Type: application/json",
                                        "anthropic-beta: some-future-beta-2027-01-01, effort-2025-11-24"};
    auto ok = post(gw.url("/v1/messages?beta=true"),
                   R"({"model":"m","max_tokens":20,"a_future_field":{"x":1},"service_tier":"auto","messages":[{"role":"user","content":"Hi"}]})",
                   headers);
    CHECK(ok.status == 200);
    // Ignored at debug: the unknown field, the tier, the unknown beta (the effort beta is mapped).
    CHECK(wait_until([&] { return gw.log().find("request parts ignored") != std::string::npos; }, 5));
    std::string log = gw.log();
    CHECK(log.find("a_future_field,service_tier") != std::string::npos);
    CHECK(log.find("some-future-beta-2027-01-01 (unknown)") != std::string::npos);
    CHECK(log.find("effort-2025-11-24") == std::string::npos);
    auto bad = post(gw.url("/v1/messages?beta=true"),
                    R"({"model":"m","max_tokens":20,"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}]})",
                    headers);
    CHECK(bad.status == 400);
    auto d = json(bad.body);
    CHECK(std::string(d["type"].GetString()) == "error");
    std::string msg = d["error"]["message"].GetString();
    CHECK(msg.find("messages.1.content.0.type") != std::string::npos);
    CHECK(msg.find("server_tool_use") != std::string::npos);
}
