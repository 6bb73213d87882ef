// mock::Engine: determinism, limits, stop strings, usage, tool calls and each profile's wire quirks.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/mock/mock_engine.h"
#include "fixtures.h"
#include "core/mock/mock_text.h"

using namespace llmgw;
using mock::Engine;
using mock::Options;

namespace {

Engine engine(BackendKind k, int tokens = 16, int reasoning = 0) {
    Options o;
    o.profile = k;
    o.tokens = tokens;
    o.reasoning_tokens = reasoning;
    return Engine(o);
}

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    INFO(s);
    REQUIRE_FALSE(d.HasParseError());
    return d;
}

std::string dump(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return sb.GetString();
}

const std::string kChat = R"({"model":"mock-model","messages":[{"role":"user","content":"Tell me a story"}]})";
const std::string kChatStream =
    R"({"model":"mock-model","messages":[{"role":"user","content":"Tell me a story"}],"stream":true})";
const std::string kChatStreamUsage =
    R"({"model":"mock-model","messages":[{"role":"user","content":"Tell me a story"}],"stream":true,"stream_options":{"include_usage":true}})";

const char* kWeatherTools = R"("tools":[{"type":"function","function":{"name":"get_weather","parameters":{
    "type":"object","properties":{"city":{"type":"string","enum":["Paris","Tokyo"]},
    "days":{"type":"integer","minimum":1,"maximum":7},"detailed":{"type":"boolean"},"note":{"type":"string"}},
    "required":["city","days","detailed"]}}},
  {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"tz":{"type":"string"}},"required":["tz"]}}}])";

std::string tool_request(bool stream, const std::string& extra = "") {
    return std::string(R"({"model":"mock-model","messages":[{"role":"user","content":"Weather in Paris?"}],)") +
           kWeatherTools + (stream ? R"(,"stream":true)" : "") + extra + "}";
}

// Concatenated content of a chat stream (vLLM style deltas and the rest alike).
std::string stream_content(const mock::Response& r) {
    std::string out;
    for (auto& e : r.events) {
        if (e == "[DONE]") continue;
        auto d = parse(e);
        for (auto& c : d["choices"].GetArray()) {
            auto& delta = c["delta"];
            if (delta.HasMember("content") && delta["content"].IsString()) out += delta["content"].GetString();
        }
    }
    return out;
}

std::string message_content(const mock::Response& r) {
    auto d = parse(r.body);
    return d["choices"][0]["message"]["content"].GetString();
}

const BackendKind kProfiles[] = {BackendKind::VLLM, BackendKind::Ollama, BackendKind::LlamaCpp, BackendKind::TGI};

// The data payloads of a captured SSE response (tests/fixtures).
std::vector<std::string> fixture_events(const std::string& name) {
    std::string all = test::llamacpp_fixture(name);
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = all.find("\ndata: ", pos)) != std::string::npos) {
        size_t end = all.find('\n', pos + 7);
        out.push_back(all.substr(pos + 7, end - pos - 7));
        pos = end;
    }
    return out;
}

std::vector<std::string> keys(const rapidjson::Value& v) {
    std::vector<std::string> k;
    for (auto& m : v.GetObject()) k.emplace_back(m.name.GetString());
    std::sort(k.begin(), k.end());
    return k;
}

}  // namespace

TEST_CASE("mock: same request, same bytes, stream and non-stream tell the same text", "[mock]") {
    for (auto k : kProfiles) {
        auto e = engine(k);
        auto a = e.chat_completions(kChat), b = e.chat_completions(kChat);
        CHECK(a.body == b.body);
        auto s1 = e.chat_completions(kChatStream), s2 = e.chat_completions(kChatStream);
        CHECK(s1.events == s2.events);
        CHECK(stream_content(s1) == message_content(a));
        CHECK(mock::count_tokens(message_content(a)) == 16);
    }
    auto e = engine(BackendKind::VLLM);
    auto other = e.chat_completions(R"({"messages":[{"role":"user","content":"Something else"}]})");
    CHECK(message_content(other) != message_content(e.chat_completions(kChat)));
}

TEST_CASE("mock: usage matches the text and the template", "[mock]") {
    auto e = engine(BackendKind::LlamaCpp, 10);
    auto d = parse(e.chat_completions(kChat).body);
    CHECK(d["usage"]["completion_tokens"].GetInt() == 10);
    auto tmpl = parse(e.apply_template(kChat).body);
    int prompt = mock::count_tokens(tmpl["prompt"].GetString());
    CHECK(d["usage"]["prompt_tokens"].GetInt() == prompt);
    CHECK(d["usage"]["total_tokens"].GetInt() == prompt + 10);
    auto tok = parse(e.tokenize(std::string(R"({"content":)") + dump(tmpl["prompt"]) + "}").body);
    CHECK(static_cast<int>(tok["tokens"].Size()) == prompt);
    // vLLM's /tokenize applies the template to messages itself.
    auto v = engine(BackendKind::VLLM);
    CHECK(parse(v.tokenize(kChat).body)["count"].GetInt() == prompt);
}

TEST_CASE("mock: max_tokens caps the answer with finish length", "[mock]") {
    for (auto k : kProfiles) {
        auto e = engine(k);
        auto d = parse(e.chat_completions(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":4})").body);
        CHECK(std::string(d["choices"][0]["finish_reason"].GetString()) == "length");
        CHECK(mock::count_tokens(d["choices"][0]["message"]["content"].GetString()) == 4);
        CHECK(d["usage"]["completion_tokens"].GetInt() == 4);
        auto c = parse(e.chat_completions(R"({"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":20})").body);
        CHECK(std::string(c["choices"][0]["finish_reason"].GetString()) == "stop");
    }
    auto s = engine(BackendKind::VLLM).chat_completions(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":3,"stream":true})");
    auto last = parse(s.events[s.events.size() - 2]);
    CHECK(std::string(last["choices"][0]["finish_reason"].GetString()) == "length");
}

TEST_CASE("mock: a stop string cuts the text before it", "[mock]") {
    auto e = engine(BackendKind::VLLM);
    std::string full = message_content(e.chat_completions(kChat));
    auto words = mock::split_tokens(full);
    std::string stop = " " + std::string(words[5]);
    size_t cut = full.find(stop);
    std::string body = R"({"model":"mock-model","messages":[{"role":"user","content":"Tell me a story"}],"stop":[")" + stop + R"("])";
    auto d = parse(e.chat_completions(body + "}").body);
    auto& choice = d["choices"][0];
    CHECK(std::string(choice["message"]["content"].GetString()) == full.substr(0, cut));
    CHECK(std::string(choice["finish_reason"].GetString()) == "stop");
    CHECK(std::string(choice["stop_reason"].GetString()) == stop);  // vLLM names the stop string
    CHECK(d["usage"]["completion_tokens"].GetInt() == mock::count_tokens(full.substr(0, cut + stop.size())));
    // Streaming stops at the same place.
    auto s = e.chat_completions(body + R"(,"stream":true})");
    CHECK(stream_content(s) == full.substr(0, cut));
    // Completions honour stop as a plain string too.
    auto t = parse(e.completions(R"({"prompt":"Once","stop":"zzz-not-there","max_tokens":2})").body);
    CHECK(std::string(t["choices"][0]["finish_reason"].GetString()) == "length");
}

TEST_CASE("mock: include_usage adds a final chunk with empty choices", "[mock]") {
    for (auto k : kProfiles) {
        auto e = engine(k, 5);
        auto r = e.chat_completions(kChatStreamUsage);
        REQUIRE(r.events.size() >= 3);
        CHECK(r.events.back() == "[DONE]");
        auto u = parse(r.events[r.events.size() - 2]);
        CHECK(u["choices"].IsArray());
        CHECK(u["choices"].Empty());
        CHECK(u["usage"]["completion_tokens"].GetInt() == 5);
        // Without it, no chunk carries usage.
        for (auto& ev : e.chat_completions(kChatStream).events)
            if (ev != "[DONE]") CHECK_FALSE(parse(ev).HasMember("usage"));
    }
}

TEST_CASE("mock: tool calls satisfy the schema and stream as fragments", "[mock]") {
    for (auto k : kProfiles) {
        INFO(backend_profile(k).name);
        auto e = engine(k);
        auto d = parse(e.chat_completions(tool_request(false)).body);
        auto& choice = d["choices"][0];
        CHECK(std::string(choice["finish_reason"].GetString()) == "tool_calls");
        auto& call = choice["message"]["tool_calls"][0];
        CHECK(std::string(call["function"]["name"].GetString()) == "get_weather");
        auto& raw = call["function"]["arguments"];
        rapidjson::Document args;
        if (raw.IsString()) args.Parse(raw.GetString());
        else args.CopyFrom(raw, args.GetAllocator());  // tgi: an object
        REQUIRE_FALSE(args.HasParseError());
        CHECK(std::string(args["city"].GetString()) == "Paris");  // first enum value
        CHECK(args["days"].IsInt());
        CHECK(args["days"].GetInt() >= 1);
        CHECK(args["days"].GetInt() <= 7);
        CHECK(args["detailed"].IsBool());
        CHECK_FALSE(args.HasMember("note"));  // only the required properties

        // Stream: id and name come first, then fragments that add up to the same arguments.
        auto s = e.chat_completions(tool_request(true));
        std::string id, name, joined;
        bool saw_fragment_before_name = false;
        for (auto& ev : s.events) {
            if (ev == "[DONE]") continue;
            auto c = parse(ev);
            if (c["choices"].Empty()) continue;
            auto& delta = c["choices"][0]["delta"];
            if (!delta.HasMember("tool_calls")) continue;
            auto& tcs = delta["tool_calls"];
            const rapidjson::Value& tc = tcs.IsArray() ? tcs[0] : tcs;  // tgi: an object
            if (tc.HasMember("id") && tc["id"].IsString() && tc["id"].GetStringLength() > 0 && id.empty())
                id = tc["id"].GetString();
            auto& f = tc["function"];
            if (f.HasMember("name") && f["name"].IsString() && name.empty()) name = f["name"].GetString();
            if (f.HasMember("arguments")) {
                if (name.empty()) saw_fragment_before_name = true;
                joined += f["arguments"].GetString();
            }
        }
        CHECK(name == "get_weather");
        CHECK_FALSE(id.empty());
        CHECK_FALSE(saw_fragment_before_name);
        rapidjson::Document streamed;
        streamed.Parse(joined.c_str());
        REQUIRE_FALSE(streamed.HasParseError());
        CHECK(streamed == args);
    }
}

TEST_CASE("mock: tool_choice picks the tool, or none", "[mock]") {
    auto e = engine(BackendKind::VLLM);
    auto named = parse(e.chat_completions(tool_request(false, R"(,"tool_choice":{"type":"function","function":{"name":"get_time"}})")).body);
    CHECK(std::string(named["choices"][0]["message"]["tool_calls"][0]["function"]["name"].GetString()) == "get_time");
    auto none = parse(e.chat_completions(tool_request(false, R"(,"tool_choice":"none")")).body);
    CHECK(none["choices"][0]["message"]["content"].IsString());
    CHECK(none["choices"][0]["message"]["tool_calls"].Empty());
    auto unknown = e.chat_completions(tool_request(false, R"(,"tool_choice":{"type":"function","function":{"name":"nope"}})"));
    CHECK(unknown.status == 400);
}

TEST_CASE("mock: llamacpp profile matches the captured llama-server shapes", "[mock]") {
    auto e = engine(BackendKind::LlamaCpp);
    auto ours = e.chat_completions(kChatStream).events;
    auto real = fixture_events("chat_stream.response");
    // Role chunk: {"role":"assistant","content":null}.
    auto o0 = parse(ours[0]), r0 = parse(real[0]);
    CHECK(dump(o0["choices"][0]["delta"]) == dump(r0["choices"][0]["delta"]));
    CHECK(keys(o0) == keys(r0));
    CHECK(keys(o0["choices"][0]) == keys(r0["choices"][0]));
    // Finish chunk: empty delta and timings, then [DONE].
    auto of = parse(ours[ours.size() - 2]), rf = parse(real[real.size() - 2]);
    CHECK(dump(of["choices"][0]["delta"]) == "{}");
    CHECK(keys(of) == keys(rf));
    CHECK(keys(of["timings"]) == keys(rf["timings"]));
    // Tool stream: first tool delta carries index, id, type, name and the first fragment.
    auto ot = e.chat_completions(tool_request(true)).events;
    auto rt = fixture_events("chat_tools_auto_stream.response");
    auto first_tool = [](const std::vector<std::string>& evs) {
        for (auto& ev : evs) {
            auto d = parse(ev);
            if (d["choices"][0]["delta"].HasMember("tool_calls")) return dump(d["choices"][0]["delta"]["tool_calls"][0]);
        }
        return std::string();
    };
    auto a = parse(first_tool(ot)), b = parse(first_tool(rt));
    CHECK(keys(a) == keys(b));
    CHECK(keys(a["function"]) == keys(b["function"]));
    CHECK(std::string(a["id"].GetString()).rfind("call_", 0) == std::string::npos);
    CHECK(a["id"].GetStringLength() == 32);
    // Non-stream tool answer: content "" and usage with cached_tokens.
    auto n = parse(e.chat_completions(tool_request(false)).body);
    CHECK(std::string(n["choices"][0]["message"]["content"].GetString()).empty());
    CHECK(n["usage"]["prompt_tokens_details"].HasMember("cached_tokens"));
    // Completions: the last chunk always has usage and timings.
    auto c = e.completions(R"({"prompt":"Once upon","stream":true})").events;
    auto cl = parse(c[c.size() - 2]);
    CHECK(cl.HasMember("usage"));
    CHECK(cl.HasMember("timings"));
    // Health and malformed JSON.
    CHECK(e.handle("GET", "/health", "").body == R"({"status":"ok"})");
    auto bad = e.chat_completions("{not json");
    CHECK(bad.status == 500);
    CHECK(std::string(parse(bad.body)["error"]["type"].GetString()) == "server_error");
}

TEST_CASE("mock: vllm profile quirks", "[mock]") {
    auto e = engine(BackendKind::VLLM, 6, 3);
    auto d = parse(e.chat_completions(kChat).body);
    auto& choice = d["choices"][0];
    CHECK(choice.HasMember("stop_reason"));
    CHECK(choice["stop_reason"].IsNull());
    CHECK(mock::count_tokens(choice["message"]["reasoning"].GetString()) == 3);
    CHECK(choice["message"]["tool_calls"].IsArray());
    CHECK(d["usage"]["completion_tokens"].GetInt() == 9);
    auto s = e.chat_completions(kChatStream).events;
    auto first = parse(s[0]);
    CHECK(std::string(first["choices"][0]["delta"]["content"].GetString()).empty());
    CHECK(parse(s[1])["choices"][0]["delta"].HasMember("reasoning"));
    // The finish reason rides on the last content chunk.
    auto last = parse(s[s.size() - 2]);
    CHECK(last["choices"][0]["delta"].HasMember("content"));
    CHECK(std::string(last["choices"][0]["finish_reason"].GetString()) == "stop");
    // enable_thinking false switches reasoning off.
    auto off = parse(e.chat_completions(R"({"messages":[{"role":"user","content":"Tell me a story"}],"chat_template_kwargs":{"enable_thinking":false}})").body);
    CHECK(off["choices"][0]["message"]["reasoning"].IsNull());
    CHECK(e.handle("GET", "/health", "").status == 200);
    CHECK(parse(e.error(400, "x").body)["error"]["code"].GetInt() == 400);
}

TEST_CASE("mock: ollama profile quirks", "[mock]") {
    auto e = engine(BackendKind::Ollama);
    auto h = e.handle("GET", "/", "");
    CHECK(h.status == 200);
    CHECK(h.body == "Ollama is running");
    CHECK(e.handle("POST", "/tokenize", "{}").status == 404);
    // The whole call in one chunk; the stream then finishes with "stop".
    auto s = e.chat_completions(tool_request(true)).events;
    int tool_chunks = 0;
    std::string finish;
    for (auto& ev : s) {
        if (ev == "[DONE]") continue;
        auto d = parse(ev);
        auto& c = d["choices"][0];
        CHECK(std::string(c["delta"]["role"].GetString()) == "assistant");  // role on every delta
        if (c["delta"].HasMember("tool_calls")) {
            ++tool_chunks;
            auto& tc = c["delta"]["tool_calls"][0];
            CHECK(std::string(tc["id"].GetString()).rfind("call_", 0) == 0);
            rapidjson::Document args;
            args.Parse(tc["function"]["arguments"].GetString());
            CHECK_FALSE(args.HasParseError());
        }
        if (c["finish_reason"].IsString()) finish = c["finish_reason"].GetString();
    }
    CHECK(tool_chunks == 1);
    CHECK(finish == "stop");
    auto u = e.chat_completions(kChatStreamUsage).events;
    CHECK(parse(u[u.size() - 2])["choices"].Empty());
}

TEST_CASE("mock: tgi profile quirks", "[mock]") {
    auto e = engine(BackendKind::TGI);
    CHECK(e.handle("POST", "/v1/embeddings", R"({"input":"x"})").status == 404);
    auto d = parse(e.chat_completions(tool_request(false)).body);
    auto& msg = d["choices"][0]["message"];
    CHECK(msg["tool_calls"][0]["function"]["arguments"].IsObject());
    CHECK_FALSE(msg.HasMember("content"));
    CHECK(std::string(d["id"].GetString()).empty());
    // tool_calls is an object in stream deltas, with id "" and name null after the first.
    auto s = e.chat_completions(tool_request(true)).events;
    auto second = parse(s[1]);
    auto& tc = second["choices"][0]["delta"]["tool_calls"];
    CHECK(tc.IsObject());
    CHECK(std::string(tc["id"].GetString()).empty());
    CHECK(tc["function"]["name"].IsNull());
    // Text chunks leave nulls out.
    for (auto& ev : e.chat_completions(kChatStream).events) CHECK(ev.find("null") == std::string::npos);
    auto err = parse(e.error(422, "bad").body);
    CHECK(err["error"].IsString());
    CHECK(std::string(err["error_type"].GetString()) == "validation");
}

TEST_CASE("mock: embeddings are deterministic unit vectors, batched", "[mock]") {
    Options o;
    o.embedding_dim = 16;
    Engine e(o);
    auto a = e.embeddings(R"({"model":"m","input":["hello world","goodbye","hello world"]})");
    REQUIRE(a.status == 200);
    auto d = parse(a.body);
    REQUIRE(d["data"].Size() == 3);
    for (auto& item : d["data"].GetArray()) {
        CHECK(item["embedding"].Size() == 16);
        double n = 0;
        for (auto& x : item["embedding"].GetArray()) n += x.GetDouble() * x.GetDouble();
        CHECK(std::sqrt(n) == Approx(1.0).epsilon(1e-6));
    }
    CHECK(dump(d["data"][0]["embedding"]) == dump(d["data"][2]["embedding"]));
    CHECK(dump(d["data"][0]["embedding"]) != dump(d["data"][1]["embedding"]));
    CHECK(d["data"][1]["index"].GetInt() == 1);
    CHECK(d["usage"]["prompt_tokens"].GetInt() == 5);  // 2 + 1 + 2 words
    CHECK(e.embeddings(R"({"input":"hello world"})").body == e.embeddings(R"({"input":"hello world"})").body);
    auto b64 = parse(e.embeddings(R"({"input":"x","encoding_format":"base64","dimensions":4})").body);
    CHECK(b64["data"][0]["embedding"].GetStringLength() == 24);  // 4 floats = 16 bytes = 24 base64 chars
    CHECK(e.embeddings(R"({"model":"m"})").status == 400);
}

TEST_CASE("mock: routing, models and errors per profile", "[mock]") {
    for (auto k : kProfiles) {
        auto e = engine(k);
        auto m = parse(e.handle("GET", "/v1/models", "").body);
        CHECK(std::string(m["data"][0]["id"].GetString()) == "mock-model");
        CHECK(e.handle("GET", "/v1/chat/completions", "").status == 405);
        CHECK(e.handle("GET", "/nope", "").status == 404);
        auto missing = e.chat_completions(R"({"model":"x"})");
        CHECK(missing.status == 400);
        parse(missing.body);  // a JSON error body in every profile
        auto long_prompt = std::string(R"({"messages":[{"role":"user","content":")") + std::string(20000, 'x') + " " +
                           std::string(20000, 'y') + R"("}]})";
        Options small;
        small.profile = k;
        small.context_length = 10;
        CHECK(Engine(small).chat_completions(long_prompt).status == 400);
    }
    Options strict;
    strict.strict_model = true;
    CHECK(Engine(strict).chat_completions(R"({"model":"other","messages":[]})").status == 404);
    CHECK(Engine(strict).chat_completions(R"({"model":"mock-model","messages":[]})").status == 200);
}

TEST_CASE("mock: features a runtime may lack (--reject-top-k, --no-tokenize)", "[mock]") {
    const char* with_top_k = R"({"model":"mock-model","top_k":5,"messages":[{"role":"user","content":"Hi"}]})";
    const char* plain = R"({"model":"mock-model","messages":[{"role":"user","content":"Hi"}]})";
    for (auto k : kProfiles) {
        INFO(backend_profile(k).name);
        CHECK(engine(k).chat_completions(with_top_k).status == 200);  // accepted by default
        Options o;
        o.profile = k;
        o.reject_top_k = true;
        Engine no_top_k(o);
        auto refused = no_top_k.chat_completions(with_top_k);
        CHECK(refused.status == 400);
        CHECK(refused.body == mock::error_body(k, 400, "Unrecognized request argument supplied: top_k"));
        CHECK(no_top_k.completions(R"({"model":"mock-model","prompt":"Hi","top_k":1})").status == 400);
        CHECK(no_top_k.chat_completions(plain).status == 200);

        Options t;
        t.profile = k;
        t.tokenizer = false;
        Engine no_tok(t);
        CHECK(no_tok.handle("POST", "/tokenize", R"({"prompt":"Hello world"})").status == 404);
        CHECK(no_tok.handle("POST", "/apply-template", plain).status == 404);
        CHECK(no_tok.handle("POST", "/v1/chat/completions", plain).status == 200);
    }
    // With the tokenizer (the default) the profiles that have one answer.
    CHECK(engine(BackendKind::VLLM).handle("POST", "/tokenize", R"({"prompt":"Hello world"})").status == 200);
    CHECK(engine(BackendKind::LlamaCpp).handle("POST", "/apply-template", plain).status == 200);
}
