// `llmgw mock --script` and its control routes (POST|GET /mock/script, GET /mock/requests): the
// per-turn answers a test uses to drive a real agent, seen through the gateway's two facades.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "harness.h"

using namespace harness;

namespace {

std::string temp_script(const std::string& text) {
    char path[] = "/tmp/llmgw-script-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
    return path;
}

const std::string kTools =
    R"("tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}])";

}  // namespace

TEST_CASE("mock scripted turns through both facades, and the log of what the runtime got", "[mock][script]") {
    auto mock = start_mock();
    auto gw = start_serve(mock.url());  // returns once start-up discovery (chat requests too) is done
    CHECK(post(mock.url("/mock/reset"), "").status == 200);
    CHECK(post(mock.url("/mock/script"),
               R"({"tool_call":{"name":"Bash","arguments":{"command":"echo tok-7"},"id":"call_7"}})" "\n"
               R"({"text":"It printed tok-7."})" "\n")
              .body == R"({"remaining":2})");

    // Turn 1 over the Anthropic facade: the scripted call comes back as a tool_use with its id.
    auto r1 = post(gw.url("/v1/messages"), R"({"model":"m","max_tokens":100,"messages":[{"role":"user","content":"run it"}],
        "tools":[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}}]})",
                   {"Content-Type: application/json"});
    REQUIRE(r1.status == 200);
    auto m1 = json(r1.body);
    CHECK(std::string(m1["stop_reason"].GetString()) == "tool_use");
    auto& use = m1["content"][m1["content"].Size() - 1];
    CHECK(std::string(use["id"].GetString()) == "call_7");
    CHECK(std::string(use["input"]["command"].GetString()) == "echo tok-7");

    // Turn 2 over the OpenAI route, streamed: the scripted text.
    auto r2 = post(gw.url("/v1/chat/completions"),
                   R"({"model":"m","stream":true,"messages":[{"role":"user","content":"run it"},
                       {"role":"assistant","content":null,"tool_calls":[{"id":"call_7","type":"function","function":{"name":"Bash","arguments":"{}"}}]},
                       {"role":"tool","tool_call_id":"call_7","content":"tok-7\n"}],)" + kTools + "}",
                   {"Content-Type: application/json"});
    REQUIRE(r2.status == 200);
    std::string text;
    for (auto& e : sse_data(r2.body)) {
        if (e == "[DONE]") continue;
        auto d = json(e);
        auto& delta = d["choices"][0]["delta"];
        if (delta.HasMember("content") && delta["content"].IsString()) text += delta["content"].GetString();
    }
    CHECK(text == "It printed tok-7.");
    CHECK(get(mock.url("/mock/script")).body == R"({"remaining":0})");

    // The runtime saw the Anthropic turn translated and the tool result as a tool message.
    auto log = json(get(mock.url("/mock/requests")).body);
    REQUIRE(log["requests"].Size() == 2);
    CHECK(std::string(log["requests"][0]["tools"][0]["function"]["name"].GetString()) == "Bash");
    auto& msgs = log["requests"][1]["messages"];
    CHECK(std::string(msgs[2]["role"].GetString()) == "tool");
    CHECK(std::string(msgs[2]["tool_call_id"].GetString()) == "call_7");

    // Past the script the mock answers as usual (a generated call to the offered tool).
    auto r3 = post(mock.url("/v1/chat/completions"),
                   R"({"model":"m","messages":[{"role":"user","content":"again"}],)" + kTools + "}");
    CHECK(json(r3.body)["choices"][0]["message"]["tool_calls"][0]["id"].GetString() != std::string("call_7"));

    CHECK(post(mock.url("/mock/reset"), "").status == 200);
    CHECK(json(get(mock.url("/mock/requests")).body)["requests"].Empty());
}

TEST_CASE("mock: POST /mock/script replaces the queue, a bad script is a 400 that changes nothing", "[mock][script]") {
    auto mock = start_mock();
    auto bad = post(mock.url("/mock/script"), R"([{"text":"a"},{"tool_call":{}}])");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("mock script: step 2: 'tool_call.name' is required") != std::string::npos);
    CHECK(get(mock.url("/mock/script")).body == R"({"remaining":0})");

    auto ok = post(mock.url("/mock/script"), R"([{"text":"first"},{"text":"second"}])");
    CHECK(ok.status == 200);
    CHECK(ok.body == R"({"remaining":2})");
    // A request the mock refuses does not take a step.
    CHECK(post(mock.url("/v1/chat/completions"), R"({"model":"m"})").status == 400);
    auto say = [&] {
        auto r = post(mock.url("/v1/chat/completions"), R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
        return std::string(json(r.body)["choices"][0]["message"]["content"].GetString());
    };
    CHECK(say() == "first");
    CHECK(post(mock.url("/mock/script"), R"({"text":"replaced"})").body == R"({"remaining":1})");
    CHECK(say() == "replaced");
    CHECK(say() != "replaced");  // generated again
}

TEST_CASE("mock --script loads a file, and refuses one it cannot use, naming it", "[mock][script]") {
    std::string file = temp_script(R"([{"text":"from the file"}])");
    auto mock = start_mock({"--script", file});
    unlink(file.c_str());
    auto r = post(mock.url("/v1/chat/completions"), R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
    CHECK(std::string(json(r.body)["choices"][0]["message"]["content"].GetString()) == "from the file");

    auto missing = run_llmgw({"mock", "--port", "0", "--script", "/nonexistent/script.jsonl"});
    CHECK(missing.exit == 2);
    CHECK(missing.err.find("--script /nonexistent/script.jsonl: cannot read it") != std::string::npos);
    file = temp_script(R"({"text":"ok"})" "\n" R"({"tool_call":"Bash"})" "\n");
    auto bad = run_llmgw({"mock", "--port", "0", "--script", file});
    unlink(file.c_str());
    CHECK(bad.exit == 2);
    CHECK(bad.err.find("step 2: 'tool_call' must be an object") != std::string::npos);
}
