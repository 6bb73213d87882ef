// OpenAI response -> Anthropic message.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_response.h"

using namespace llmgw;

namespace {
json::Document ok(const std::string& body, bool thinking = false, std::string_view seed = "req-1") {
    auto t = translate_openai_response(body, AnthropicResponseContext{"claude-x", thinking, seed});
    if (t.error) INFO(t.error->message);
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    return d;
}
std::string completion(const std::string& message, const std::string& finish, const std::string& extra = "") {
    return R"({"id":"chatcmpl-9","choices":[{"index":0,"message":)" + message + R"(,"finish_reason":)" + finish + extra +
           R"(}],"usage":{"prompt_tokens":30,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":10}}})";
}
}  // namespace

TEST_CASE("response: text message shape, id, model as requested, usage", "[anthropic]") {
    auto d = ok(completion(R"({"role":"assistant","content":"Hi!"})", R"("stop")"));
    CHECK(d["id"] == "msg_req-1");
    CHECK(d["type"] == "message");
    CHECK(d["role"] == "assistant");
    CHECK(d["model"] == "claude-x");
    REQUIRE(d["content"].Size() == 1);
    CHECK(d["content"][0]["type"] == "text");
    CHECK(d["content"][0]["text"] == "Hi!");
    CHECK(d["stop_reason"] == "end_turn");
    CHECK(d["stop_sequence"].IsNull());
    CHECK(d["usage"]["input_tokens"].GetInt64() == 20);
    CHECK(d["usage"]["cache_read_input_tokens"].GetInt64() == 10);
    CHECK(d["usage"]["output_tokens"].GetInt64() == 5);
    auto from_upstream = ok(completion(R"({"role":"assistant","content":"Hi!"})", R"("stop")"), false, "");
    CHECK(from_upstream["id"] == "msg_9");
}

TEST_CASE("response: reasoning as leading thinking block only when enabled, empty content makes no block", "[anthropic]") {
    for (const char* field : {"reasoning_content", "reasoning"}) {
        INFO(field);
        std::string msg = R"({"role":"assistant","content":"","	)" ;
        msg = std::string(R"({"role":"assistant","content":"answer",")") + field + R"(":"because"})";
        auto on = ok(completion(msg, R"("stop")"), true);
        REQUIRE(on["content"].Size() == 2);
        CHECK(on["content"][0]["type"] == "thinking");
        CHECK(on["content"][0]["thinking"] == "because");
        CHECK(on["content"][0]["signature"] == "");
        CHECK(on["content"][1]["text"] == "answer");
        auto off = ok(completion(msg, R"("stop")"), false);
        REQUIRE(off["content"].Size() == 1);
        CHECK(off["content"][0]["type"] == "text");
    }
    auto empty = ok(completion(R"({"role":"assistant","content":""})", R"("length")"));
    CHECK(empty["content"].Size() == 0);
    CHECK(empty["stop_reason"] == "max_tokens");
}

TEST_CASE("response: tool calls become tool_use blocks with parsed input", "[anthropic]") {
    auto d = ok(completion(R"({"role":"assistant","content":null,"tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\": [1, 2]}"}},
        {"type":"function","function":{"name":"g","arguments":{"b":true}}},
        {"id":"call_3","type":"function","function":{"name":"h","arguments":""}},
        {"id":"call_4","type":"function","function":{"name":"k","arguments":"{\"broken\": "}},
        {"id":"call_5","type":"function","function":{"name":"l","arguments":"[1]"}}]})", R"("tool_calls")"));
    const auto& c = d["content"];
    REQUIRE(c.Size() == 5);
    CHECK(c[0]["type"] == "tool_use");
    CHECK(c[0]["id"] == "call_1");
    CHECK(c[0]["name"] == "f");
    CHECK(json::to_string(c[0]["input"]) == R"({"a":[1,2]})");
    CHECK(c[1]["id"] == "toolu_req-1_1");  // made up: the runtime sent none
    CHECK(json::to_string(c[1]["input"]) == R"({"b":true})");  // TGI object arguments
    CHECK(json::to_string(c[2]["input"]) == "{}");
    CHECK(json::to_string(c[3]["input"]) == R"({"_raw_arguments":"{\"broken\": "})");
    CHECK(json::to_string(c[4]["input"]) == R"({"_raw_arguments":"[1]"})");
    CHECK(d["stop_reason"] == "tool_use");
}

TEST_CASE("response: stop reasons", "[anthropic]") {
    struct Row { const char* finish; const char* extra; bool tools; const char* expect; };
    const Row rows[] = {
        {R"("stop")", "", false, "end_turn"},
        {R"("length")", "", false, "max_tokens"},
        {R"("tool_calls")", "", false, "end_turn"},
        {R"("function_call")", "", true, "tool_use"},
        {R"("stop")", "", true, "tool_use"},
        {R"("content_filter")", "", false, "refusal"},
        {R"("stop")", R"(,"stop_reason":"###")", false, "stop_sequence"},
        {"null", "", false, "end_turn"},
    };
    for (const auto& r : rows) {
        INFO(r.finish << r.extra);
        std::string msg = r.tools ? R"({"role":"assistant","content":"x","tool_calls":[{"id":"a","function":{"name":"f","arguments":"{}"}}]})"
                                  : R"({"role":"assistant","content":"x"})";
        auto d = ok(completion(msg, r.finish, r.extra));
        CHECK(d["stop_reason"] == r.expect);
        if (std::string(r.expect) == "stop_sequence") CHECK(d["stop_sequence"] == "###");
        else CHECK(d["stop_sequence"].IsNull());
    }
}

TEST_CASE("response: unusable upstream bodies are errors, not crashes", "[anthropic]") {
    struct Row { const char* body; int status; const char* fragment; };
    const Row rows[] = {
        {"nope", 502, "unreadable"},
        {R"({"choices":[]})", 502, "no choices"},
        {R"({"object":"chat.completion"})", 502, "no choices"},
        {R"({"error":{"code":400,"message":"too long","type":"exceed_context_size_error"}})", 400, "too long"},
        {R"({"error":"plain"})", 502, "plain"},
    };
    for (const auto& r : rows) {
        INFO(r.body);
        auto t = translate_openai_response(r.body, {"m", false, ""});
        REQUIRE(t.error);
        CHECK(t.error->status == r.status);
        CHECK_THAT(t.error->message, Catch::Contains(r.fragment));
    }
    // odd but survivable shapes
    auto d = ok(R"({"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"stop"}]})");
    CHECK(d["content"][0]["text"] == "ab");
    CHECK(d["usage"]["output_tokens"].GetInt64() == 0);
}

TEST_CASE("response golden: llama.cpp captures", "[anthropic]") {
    auto t = translate_openai_response(test::fixture_body("chat_tools_auto_nonstream.response"), {"tiny", true, ""});
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    REQUIRE(d["content"].Size() == 2);
    CHECK(d["content"][0]["type"] == "thinking");
    CHECK(d["content"][1]["type"] == "tool_use");
    CHECK(d["content"][1]["id"] == "x0Qpp4EgpQV0OsTXnqL5VPX4FyVvwnNL");
    CHECK(json::to_string(d["content"][1]["input"]) == R"({"city":"Paris","unit":"f"})");
    CHECK(d["stop_reason"] == "tool_use");
    CHECK(d["usage"]["input_tokens"].GetInt64() == 1);
    CHECK(d["usage"]["cache_read_input_tokens"].GetInt64() == 198);
    CHECK(d["usage"]["output_tokens"].GetInt64() == 48);
    CHECK(t.usage.completion_tokens == 48);

    // Same numbers llama.cpp's own /v1/messages reports for the same prompt.
    auto plain = translate_openai_response(test::fixture_body("chat_nonstream.response"), {"tiny", true, ""});
    json::Document p, native;
    REQUIRE_FALSE(json::parse(plain.body, p));
    REQUIRE_FALSE(json::parse(test::fixture_body("messages_nonstream.response"), native));
    CHECK(json::to_string(p["content"]) == json::to_string(native["content"]));
    CHECK(p["stop_reason"] == native["stop_reason"]);
}
