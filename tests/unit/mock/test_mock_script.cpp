// mock_script: per-turn scripts (parsing, the answers they give in every profile's wire shape,
// streamed and whole) and the bounded log of chat requests.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>

#include "core/mock/mock_engine.h"
#include "core/mock/mock_script.h"

using namespace llmgw;
using mock::ScriptStep;

namespace {

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    INFO(s);
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

ScriptStep one_step(const std::string& script) {
    std::string err;
    auto steps = mock::parse_script(script, err);
    INFO(err);
    REQUIRE(steps);
    REQUIRE(steps->size() == 1);
    return steps->front();
}

mock::Engine engine(BackendKind k) {
    mock::Options o;
    o.profile = k;
    return mock::Engine(o);
}

const std::string kTools =
    R"("tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object","properties":{"command":{"type":"string"}}}}}])";

std::string chat(bool stream) {
    return std::string(R"({"model":"m","messages":[{"role":"user","content":"run it"}],)") + kTools +
           (stream ? R"(,"stream":true,"stream_options":{"include_usage":true})" : "") + "}";
}

// The text, tool call name, id and arguments a stream assembles, as a client would.
struct Assembled {
    std::string content, reasoning, name, id, arguments, finish;
};

Assembled assemble(const mock::Response& r) {
    Assembled a;
    for (auto& e : r.events) {
        if (e == "[DONE]") break;
        auto d = parse(e);
        if (d["choices"].Empty()) continue;
        auto& c = d["choices"][0];
        if (c.HasMember("finish_reason") && c["finish_reason"].IsString()) a.finish = c["finish_reason"].GetString();
        auto& delta = c["delta"];
        if (delta.HasMember("content") && delta["content"].IsString()) a.content += delta["content"].GetString();
        for (const char* f : {"reasoning", "reasoning_content"})
            if (delta.HasMember(f) && delta[f].IsString()) a.reasoning += delta[f].GetString();
        if (!delta.HasMember("tool_calls")) continue;
        auto& tcs = delta["tool_calls"];
        const rapidjson::Value* tc = tcs.IsArray() ? (tcs.Empty() ? nullptr : &tcs[0]) : &tcs;
        if (!tc) continue;
        if (tc->HasMember("id") && (*tc)["id"].IsString() && (*tc)["id"].GetStringLength())
            a.id = (*tc)["id"].GetString();
        auto& f = (*tc)["function"];
        if (f.HasMember("name") && f["name"].IsString()) a.name = f["name"].GetString();
        if (f.HasMember("arguments") && f["arguments"].IsString()) a.arguments += f["arguments"].GetString();
    }
    return a;
}

}  // namespace

TEST_CASE("mock script: JSON lines and a JSON array give the same steps", "[mock][script]") {
    std::string err;
    auto lines = mock::parse_script(
        "# turn 1: a tool call\n"
        R"({"tool_call":{"name":"Bash","arguments":{"command":"echo hi"},"id":"call_1"}})"
        "\n\n"
        R"({"text":"All done.","reasoning":"it printed hi"})"
        "\n",
        err);
    INFO(err);
    REQUIRE(lines);
    auto array = mock::parse_script(
        R"( [{"tool_call":{"name":"Bash","arguments":{"command":"echo hi"},"id":"call_1"}},
             {"text":"All done.","reasoning":"it printed hi"}] )",
        err);
    REQUIRE(array);
    for (auto* steps : {&*lines, &*array}) {
        REQUIRE(steps->size() == 2);
        REQUIRE((*steps)[0].tool_call);
        CHECK((*steps)[0].tool_call->name == "Bash");
        CHECK((*steps)[0].tool_call->id == "call_1");
        CHECK((*steps)[0].tool_call->arguments == R"({"command":"echo hi"})");
        CHECK_FALSE((*steps)[1].tool_call);
        CHECK((*steps)[1].text == "All done.");
        CHECK((*steps)[1].reasoning == "it printed hi");
    }
    auto empty = mock::parse_script("  \n", err);
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("mock script: a bad step is refused with its number and the reason", "[mock][script]") {
    auto refused = [](const std::string& script) {
        std::string err;
        auto steps = mock::parse_script(script, err);
        CHECK_FALSE(steps);
        return err;
    };
    CHECK(refused(R"({"text":"a"})" "\n" R"({"txt":"b"})") == "step 2: unknown field 'txt' (a step has text, reasoning, tool_call)");
    CHECK(refused(R"([{"text":"a","tool_call":{"name":"x"}}])") == "step 1: a step is either a text or a tool_call, not both");
    CHECK(refused(R"([{"reasoning":"r"}])") == "step 1: a step needs 'text' or 'tool_call'");
    CHECK(refused(R"([{"tool_call":{"arguments":{}}}])") == "step 1: 'tool_call.name' is required");
    CHECK(refused(R"([{"tool_call":{"name":"x","arguments":[1]}}])") ==
          "step 1: 'tool_call.arguments' must be an object or a string");
    CHECK(refused(R"([{"text":3}])") == "step 1: 'text' must be a string");
    CHECK(refused("[1]") == "step 1: a step must be an object");
    CHECK(refused(R"({"text":"a"})" "\n{oops").rfind("step 2: invalid JSON", 0) == 0);
    CHECK(refused("[{").rfind("invalid JSON", 0) == 0);
    std::string many = "[";
    for (size_t i = 0; i <= mock::kMaxScriptSteps; ++i) many += std::string(i ? "," : "") + R"({"text":"x"})";
    CHECK(refused(many + "]") == "step 1025: a script holds at most 1024 steps");
}

TEST_CASE("mock script: a scripted tool call replaces the generated one, streamed and whole", "[mock][script]") {
    auto step = one_step(R"({"tool_call":{"name":"Bash","arguments":{"command":"echo tok-42"},"id":"toolu_abc"}})");
    for (auto kind : {BackendKind::VLLM, BackendKind::LlamaCpp, BackendKind::Ollama, BackendKind::TGI}) {
        INFO(backend_profile(kind).name);
        auto e = engine(kind);
        auto whole = e.chat_completions(chat(false), step);
        REQUIRE(whole.status == 200);
        auto d = parse(whole.body);
        auto& msg = d["choices"][0]["message"];
        CHECK(std::string(d["choices"][0]["finish_reason"].GetString()) == "tool_calls");
        REQUIRE(msg["tool_calls"].Size() == 1);
        CHECK(std::string(msg["tool_calls"][0]["id"].GetString()) == "toolu_abc");
        CHECK(std::string(msg["tool_calls"][0]["function"]["name"].GetString()) == "Bash");
        auto& args = msg["tool_calls"][0]["function"]["arguments"];
        if (kind == BackendKind::TGI) CHECK(std::string(args["command"].GetString()) == "echo tok-42");
        else CHECK(std::string(args.GetString()) == R"({"command":"echo tok-42"})");

        auto a = assemble(e.chat_completions(chat(true), step));
        CHECK(a.id == "toolu_abc");
        CHECK(a.name == "Bash");
        CHECK(a.arguments == R"({"command":"echo tok-42"})");
        CHECK(a.content.empty());
    }
}

TEST_CASE("mock script: a scripted text is the answer word for word, with reasoning and usage", "[mock][script]") {
    auto step = one_step(R"({"text":"The command printed tok-42.\nDone.","reasoning":"saw the output"})");
    auto e = engine(BackendKind::VLLM);
    auto whole = e.chat_completions(chat(false), step);
    auto d = parse(whole.body);
    auto& choice = d["choices"][0];
    CHECK(std::string(choice["message"]["content"].GetString()) == "The command printed tok-42.\nDone.");
    CHECK(std::string(choice["message"]["reasoning"].GetString()) == "saw the output");
    CHECK(std::string(choice["finish_reason"].GetString()) == "stop");
    CHECK(choice["message"]["tool_calls"].Empty());  // tools were offered; the script says text
    // usage counts what was said: 3 reasoning tokens, 9 text tokens (The command printed tok - 42 . Done .)
    CHECK(d["usage"]["completion_tokens"].GetInt() == 3 + 9);

    auto stream = e.chat_completions(chat(true), step);
    auto a = assemble(stream);
    CHECK(a.content == "The command printed tok-42.\nDone.");
    CHECK(a.reasoning == "saw the output");
    CHECK(a.finish == "stop");
    CHECK(a.name.empty());
    auto usage = parse(stream.events[stream.events.size() - 2]);
    CHECK(usage["usage"]["completion_tokens"].GetInt() == 12);

    // A profile without a reasoning field (tgi) says the text only.
    auto t = assemble(engine(BackendKind::TGI).chat_completions(chat(true), step));
    CHECK(t.content == "The command printed tok-42.\nDone.");
    CHECK(t.reasoning.empty());
}

TEST_CASE("mock script: the same step gives the same bytes, a bad request still gets its error", "[mock][script]") {
    auto step = one_step(R"({"tool_call":{"name":"Bash","arguments":"not json"}})");
    auto e = engine(BackendKind::VLLM);
    auto a = e.chat_completions(chat(false), step), b = e.chat_completions(chat(false), step);
    CHECK(a.body == b.body);
    auto d = parse(a.body);
    CHECK(std::string(d["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"].GetString()) == "not json");
    CHECK(std::string(d["choices"][0]["message"]["tool_calls"][0]["id"].GetString()).rfind("chatcmpl-tool-", 0) == 0);
    CHECK(e.chat_completions("{bad", step).status == 400);
    CHECK(e.chat_completions(R"({"model":"m"})", step).status == 400);
}

TEST_CASE("mock script: the queue hands out steps in order", "[mock][script]") {
    std::string err;
    mock::Script s;
    CHECK(s.front() == nullptr);
    s.replace(*mock::parse_script(R"([{"text":"one"},{"text":"two"}])", err));
    REQUIRE(s.remaining() == 2);
    CHECK(s.front()->text == "one");
    s.pop();
    CHECK(s.front()->text == "two");
    s.pop();
    CHECK(s.front() == nullptr);
    s.pop();  // popping an empty queue is harmless
    CHECK(s.remaining() == 0);
}

TEST_CASE("mock script: the request log keeps the newest requests within its bounds", "[mock][script]") {
    mock::RequestLog log;
    log.add(R"({"messages":[{"role":"user","content":"hi"}]})");
    log.add("not json");
    auto d = parse(log.to_json());
    REQUIRE(d["requests"].Size() == 2);
    CHECK(std::string(d["requests"][0]["messages"][0]["content"].GetString()) == "hi");
    CHECK(std::string(d["requests"][1].GetString()) == "not json");
    CHECK(d["dropped"].GetInt() == 0);

    for (size_t i = 0; i < mock::kMaxLoggedRequests + 3; ++i) log.add(R"({"n":)" + std::to_string(i) + "}");
    d = parse(log.to_json());
    REQUIRE(d["requests"].Size() == mock::kMaxLoggedRequests);
    CHECK(d["requests"][0]["n"].GetInt() == 3);
    CHECK(d["dropped"].GetInt() == 5);

    log.clear();
    std::string big = R"({"pad":")" + std::string(mock::kMaxLoggedBytes / 2, 'x') + R"("})";
    for (int i = 0; i < 3; ++i) log.add(big);
    CHECK(log.size() == 1);  // two would pass the byte bound
    log.clear();
    CHECK(parse(log.to_json())["requests"].Empty());
}
