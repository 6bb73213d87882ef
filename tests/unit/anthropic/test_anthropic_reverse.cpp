// Reverse directions and round trips: Anthropic -> OpenAI -> Anthropic keeps meaning.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_request.h"
#include "core/anthropic/anthropic_response.h"
#include "core/anthropic/anthropic_reverse.h"
#include "core/anthropic/anthropic_stream.h"

using namespace llmgw;

namespace {
// Normal form of an Anthropic request's meaning: content as block arrays, adjacent text blocks
// joined the way the translation joins them, thinking dropped.
std::string normal_request(const std::string& body) {
    json::Document d;
    REQUIRE_FALSE(json::parse(body, d));
    auto& a = d.GetAllocator();
    for (auto& m : d["messages"].GetArray()) {
        auto& c = m["content"];
        if (c.IsString()) {
            json::Value arr(rapidjson::kArrayType);
            json::Value b(rapidjson::kObjectType);
            b.AddMember("type", "text", a);
            b.AddMember("text", json::Value(c, a), a);
            arr.PushBack(b, a);
            c = arr;
        }
        json::Value out(rapidjson::kArrayType);
        for (auto& b : c.GetArray()) {
            if (b["type"] == "thinking") continue;
            bool text = b["type"] == "text";
            if (text && !out.Empty() && out[out.Size() - 1]["type"] == "text") {
                std::string joined = std::string(out[out.Size() - 1]["text"].GetString()) + "\n\n" + b["text"].GetString();
                out[out.Size() - 1]["text"].SetString(joined.c_str(), static_cast<rapidjson::SizeType>(joined.size()), a);
                continue;
            }
            out.PushBack(json::Value(b, a), a);
        }
        c = out;
    }
    d.RemoveMember("thinking");
    return json::to_string(d);
}
}  // namespace

TEST_CASE("round trip: Anthropic request -> OpenAI -> Anthropic keeps meaning", "[anthropic]") {
    const char* cases[] = {
        R"({"model":"m","max_tokens":50,"system":"sys","messages":[{"role":"user","content":"Hi"}],"temperature":0.2,"stop_sequences":["X"]})",
        R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"q"},
            {"role":"assistant","content":[{"type":"text","text":"checking"},{"type":"tool_use","id":"t1","name":"f","input":{"a":[1,{"b":null}]}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r1"},{"type":"text","text":"thanks"}]}],
            "tools":[{"name":"f","description":"does f","input_schema":{"type":"object","properties":{"a":{"type":"array"}}}}],
            "tool_choice":{"type":"any","disable_parallel_tool_use":true}})",
        R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":[{"type":"text","text":"see"},
            {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/"}},
            {"type":"image","source":{"type":"url","url":"https://e/x.png"}}]}],
            "tools":[{"name":"g","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},"metadata":{"user_id":"u"}})",
    };
    for (const char* c : cases) {
        INFO(c);
        auto fwd = translate_anthropic_request(c, AnthropicRequestOptions{backend_profile(BackendKind::OpenAI), 0, true, true});
        REQUIRE(fwd.ok());
        auto back = translate_openai_request(fwd.body);
        if (back.error) INFO(back.error->message);
        REQUIRE(back.ok());
        // Object member order may differ; RapidJSON's == compares objects by members.
        json::Document got, want;
        REQUIRE_FALSE(json::parse(normal_request(back.body), got));
        REQUIRE_FALSE(json::parse(normal_request(c), want));
        INFO(normal_request(back.body));
        CHECK(got == want);
    }
}

TEST_CASE("round trip: OpenAI response -> Anthropic -> OpenAI keeps content, calls and reason", "[anthropic]") {
    for (const char* name : {"chat_tools_auto_nonstream.response", "chat_nonstream.response", "chat_max_tokens_length_nonstream.response"}) {
        INFO(name);
        std::string orig = test::fixture_body(name);
        auto a = translate_openai_response(orig, {"tiny", true, ""});
        REQUIRE(a.ok());
        auto o = translate_anthropic_response(a.body);
        REQUIRE(o.ok());
        json::Document x, y;
        REQUIRE_FALSE(json::parse(orig, x));
        REQUIRE_FALSE(json::parse(o.body, y));
        const auto& mx = x["choices"][0]["message"];
        const auto& my = y["choices"][0]["message"];
        CHECK(x["choices"][0]["finish_reason"] == y["choices"][0]["finish_reason"]);
        std::string cx = mx["content"].IsString() ? mx["content"].GetString() : "";
        std::string cy = my["content"].IsString() ? my["content"].GetString() : "";
        CHECK(cx == cy);
        CHECK(mx["reasoning_content"] == my["reasoning_content"]);
        if (mx.HasMember("tool_calls")) {
            REQUIRE(my.HasMember("tool_calls"));
            CHECK(mx["tool_calls"][0]["id"] == my["tool_calls"][0]["id"]);
            json::Document ax, ay;
            REQUIRE_FALSE(json::parse(mx["tool_calls"][0]["function"]["arguments"].GetString(), ax));
            REQUIRE_FALSE(json::parse(my["tool_calls"][0]["function"]["arguments"].GetString(), ay));
            CHECK(ax == ay);
        }
        CHECK(x["usage"]["prompt_tokens"] == y["usage"]["prompt_tokens"]);
        CHECK(x["usage"]["completion_tokens"] == y["usage"]["completion_tokens"]);
    }
}

TEST_CASE("reverse request: OpenAI specifics", "[anthropic]") {
    auto t = translate_openai_request(R"({"model":"m","messages":[{"role":"system","content":"a"},{"role":"developer","content":"b"},
        {"role":"user","content":"hi"},{"role":"tool","tool_call_id":"x","content":"r"}],"stop":"END","temperature":1.7,
        "max_completion_tokens":77,"parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"f"}}],
        "reasoning_effort":"high"})");
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    CHECK(d["system"] == "a\n\nb");
    CHECK(d["max_tokens"].GetInt64() == 77);
    CHECK(d["stop_sequences"][0] == "END");
    CHECK(d["temperature"].GetDouble() == 1.0);
    CHECK(d["tools"][0]["input_schema"]["type"] == "object");
    CHECK(d["tool_choice"]["type"] == "auto");
    CHECK(d["tool_choice"]["disable_parallel_tool_use"].IsTrue());
    CHECK(d["thinking"]["type"] == "enabled");
    // user text then a tool result in one user turn
    REQUIRE(d["messages"].Size() == 1);
    CHECK(d["messages"][0]["content"][1]["type"] == "tool_result");
    auto dflt = translate_openai_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})");
    CHECK(dflt.body.find(R"("max_tokens":4096)") != std::string::npos);
    CHECK(translate_openai_request(R"({"model":"m","n":2,"messages":[]})").error);
    CHECK(translate_openai_request(R"({"model":"m","messages":[{"role":"wizard","content":"x"}]})").error);
    CHECK(translate_openai_request("{").error);
}

TEST_CASE("reverse response: Anthropic error envelope becomes an OpenAI one", "[anthropic]") {
    auto t = translate_anthropic_response(R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})");
    REQUIRE(t.ok());
    CHECK(t.body.find(R"("message":"busy")") != std::string::npos);
    CHECK(t.body.find(R"("error":{)") != std::string::npos);
    CHECK(translate_anthropic_response(R"({"type":"nope"})").error);
}

TEST_CASE("reverse stream: llama.cpp's native /v1/messages stream -> OpenAI chunks", "[anthropic]") {
    OpenAIStreamFromAnthropic t;
    std::string out;
    for (const auto& d : test::sse_data(test::fixture_body("messages_tools_auto_stream.response"))) t.feed(d, out);
    t.finish(out);
    CHECK_FALSE(t.error());
    auto data = test::sse_data(out);
    REQUIRE(data.back() == "[DONE]");
    std::string args, reasoning, finish;
    int64_t completion = -1;
    for (const auto& p : data) {
        if (p == "[DONE]") continue;
        json::Document d;
        REQUIRE_FALSE(json::parse(p, d));
        if (const auto* u = json::get(d, "usage")) completion = json::get_int(*u, "completion_tokens").value_or(-1);
        const auto& ch = d["choices"];
        if (ch.Empty()) continue;
        const auto& delta = ch[0]["delta"];
        if (auto r = json::get_str(delta, "reasoning_content")) reasoning += *r;
        if (const auto* tc = json::get(delta, "tool_calls")) {
            CHECK((*tc)[0]["index"].GetInt() == 0);
            if (auto a = json::get_str((*tc)[0]["function"], "arguments")) args += *a;
        }
        if (auto f = json::get_str(ch[0], "finish_reason")) finish = *f;
    }
    CHECK(reasoning == "The user wants a reply.");
    json::Document a;
    REQUIRE_FALSE(json::parse(args, a));
    CHECK(a["city"] == "Paris");
    CHECK(finish == "tool_calls");
    CHECK(completion == 44);
}

TEST_CASE("round trip: OpenAI stream -> Anthropic stream -> OpenAI stream keeps text, calls and reason", "[anthropic]") {
    for (const char* name : {"chat_tools_auto_stream_include_usage.response", "chat_stream.response"}) {
        INFO(name);
        AnthropicStreamTranslator fwd({"tiny", true, ""});
        std::string anth;
        for (const auto& d : test::sse_data(test::fixture_body(name))) fwd.feed(d, anth);
        fwd.finish(anth);
        OpenAIStreamFromAnthropic back;
        std::string oai;
        for (const auto& d : test::sse_data(anth)) back.feed(d, oai);
        back.finish(oai);
        auto collect = [](const std::string& sse) {
            std::string content, reasoning, args, finish;
            for (const auto& p : test::sse_data(sse)) {
                json::Document d;
                if (p == "[DONE]" || json::parse(p, d)) continue;
                const auto* ch = json::get(d, "choices");
                if (!ch || ch->Empty()) continue;
                const auto& delta = (*ch)[0]["delta"];
                content += json::get_str(delta, "content").value_or("");
                reasoning += json::get_str(delta, "reasoning_content").value_or("");
                if (const auto* tc = json::get(delta, "tool_calls"))
                    args += json::get_str((*tc)[0]["function"], "arguments").value_or("");
                if (auto f = json::get_str((*ch)[0], "finish_reason")) finish = *f;
            }
            return content + "|" + reasoning + "|" + args + "|" + finish;
        };
        CHECK(collect(oai) == collect(test::fixture_body(name)));
    }
}

TEST_CASE("reverse stream: errors and truncation", "[anthropic]") {
    OpenAIStreamFromAnthropic t;
    std::string out;
    t.feed(R"({"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3}}})", out);
    t.feed(R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})", out);
    REQUIRE(t.error());
    CHECK(t.error()->status == 529);
    CHECK(out.find("busy") != std::string::npos);
    OpenAIStreamFromAnthropic cut;
    std::string o2;
    cut.feed(R"({"type":"message_start","message":{"id":"msg_1","model":"m"}})", o2);
    cut.finish(o2);
    CHECK(cut.error());
    CHECK(o2.find("[DONE]") == std::string::npos);
}

TEST_CASE("reverse translators: token sums saturate instead of overflowing", "[anthropic][overflow]") {
    constexpr const char* kMax = "9223372036854775807";
    std::string body = std::string(R"({"id":"msg_1","type":"message","role":"assistant","model":"m",)") +
                       R"("content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn",)" +
                       R"("usage":{"input_tokens":)" + kMax + R"(,"cache_read_input_tokens":1,)" +
                       R"("cache_creation_input_tokens":)" + kMax + R"(,"output_tokens":)" + kMax + "}}";
    auto t = translate_anthropic_response(body);
    REQUIRE(t.ok());
    json::Document d;
    REQUIRE_FALSE(json::parse(t.body, d));
    CHECK(d["usage"]["prompt_tokens"].GetInt64() == INT64_MAX);
    CHECK(d["usage"]["total_tokens"].GetInt64() == INT64_MAX);

    OpenAIStreamFromAnthropic s;
    std::string out;
    s.feed(R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":)" +
               std::string(kMax) + R"(,"output_tokens":1}}})", out);
    s.feed(R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":)" + std::string(kMax) + "}}", out);
    s.feed(R"({"type":"message_stop"})", out);
    s.finish(out);
    CHECK_FALSE(s.error());
    CHECK(out.find(R"("total_tokens":9223372036854775807)") != std::string::npos);
}

TEST_CASE("reverse translators: nesting past 128 levels is an error", "[anthropic][deepjson]") {
    std::string deep = std::string(129, '[') + std::string(129, ']');
    CHECK(translate_openai_request(deep).error);
    CHECK(translate_anthropic_response(R"({"type":"message","x":)" + deep + "}").error);
    OpenAIStreamFromAnthropic s;
    std::string out;
    s.feed(deep, out);
    CHECK(s.error());
}
