#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <cmath>

#include "core/bench/bench_response.h"
#include "core/bench/bench_workload.h"

using namespace llmgw;

namespace {
rapidjson::Document json(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str());
    REQUIRE_FALSE(d.HasParseError());
    return d;
}
size_t words(const std::string& s) {
    size_t n = 1;
    for (char c : s) n += c == ' ';
    return n;
}
}  // namespace

TEST_CASE("synthetic prompts are seeded, sized and distinct", "[bench]") {
    TokenRange fixed{50, 50};
    auto a = synthetic_prompt(7, 3, fixed);
    auto b = synthetic_prompt(7, 3, fixed);
    auto c = synthetic_prompt(7, 4, fixed);
    auto d = synthetic_prompt(8, 3, fixed);
    REQUIRE(a.prompt == b.prompt);
    REQUIRE(a.prompt != c.prompt);
    REQUIRE(a.prompt != d.prompt);
    REQUIRE(words(a.prompt) == 50);
    REQUIRE(a.input_tokens == 50);
    TokenRange range{10, 20};
    bool saw_low = false, saw_high = false;
    for (uint64_t i = 0; i < 400; ++i) {
        auto p = synthetic_prompt(1, i, range);
        REQUIRE(p.input_tokens >= 10);
        REQUIRE(p.input_tokens <= 20);
        REQUIRE(words(p.prompt) == p.input_tokens);
        saw_low |= p.input_tokens == 10;
        saw_high |= p.input_tokens == 20;
    }
    REQUIRE((saw_low && saw_high));
}

TEST_CASE("JSONL datasets with prompt or messages", "[bench]") {
    std::string err;
    auto items = parse_dataset(
        "{\"prompt\":\"hello there\"}\n\n"
        "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":7}\r\n",
        &err);
    REQUIRE(items);
    REQUIRE(items->size() == 2);
    REQUIRE((*items)[0].prompt == "hello there");
    REQUIRE((*items)[0].messages_json.empty());
    REQUIRE((*items)[1].max_tokens == 7);
    REQUIRE((*items)[1].messages_json.find("be brief") != std::string::npos);

    REQUIRE_FALSE(parse_dataset("{\"prompt\":\"a\"}\n{\"text\":\"b\"}\n", &err));
    REQUIRE(err.find("line 2") != std::string::npos);
    REQUIRE_FALSE(parse_dataset("not json\n", &err));
    REQUIRE_FALSE(parse_dataset("\n\n", &err));

    // Anthropic bodies move system messages beside the conversation.
    auto body = json(build_request_body(BenchApi::Messages, "m", (*items)[1], 16, true, false));
    REQUIRE(std::string(body["system"].GetString()) == "be brief");
    REQUIRE(body["messages"].Size() == 1);
    REQUIRE_FALSE(body.HasMember("stream_options"));
    auto chat = json(build_request_body(BenchApi::Chat, "m", (*items)[1], 16, false, false));
    REQUIRE(chat["messages"].Size() == 2);
}

TEST_CASE("request bodies per API", "[bench]") {
    PromptItem item;
    item.prompt = "say \"hi\"";
    auto chat = json(build_request_body(BenchApi::Chat, "m1", item, 32, true, true));
    REQUIRE(std::string(chat["model"].GetString()) == "m1");
    REQUIRE(std::string(chat["messages"][0]["content"].GetString()) == "say \"hi\"");
    REQUIRE(chat["max_tokens"].GetInt() == 32);
    REQUIRE(chat["stream"].GetBool());
    REQUIRE(chat["stream_options"]["include_usage"].GetBool());
    REQUIRE(chat["ignore_eos"].GetBool());
    auto comp = json(build_request_body(BenchApi::Completions, "m1", item, 8, false, false));
    REQUIRE(std::string(comp["prompt"].GetString()) == "say \"hi\"");
    REQUIRE_FALSE(comp["stream"].GetBool());
    REQUIRE_FALSE(comp.HasMember("stream_options"));
    REQUIRE_FALSE(comp.HasMember("ignore_eos"));
    auto emb = json(build_request_body(BenchApi::Embeddings, "e", item, 8, true, false));
    REQUIRE(emb.HasMember("input"));
    REQUIRE_FALSE(emb.HasMember("max_tokens"));
    REQUIRE_FALSE(emb.HasMember("stream"));
}

TEST_CASE("endpoints and auth headers", "[bench]") {
    REQUIRE(endpoint_url("http://h:1", BenchApi::Chat) == "http://h:1/v1/chat/completions");
    REQUIRE(endpoint_url("http://h:1/", BenchApi::Messages) == "http://h:1/v1/messages");
    REQUIRE(endpoint_url("http://h:1/v1", BenchApi::Embeddings) == "http://h:1/v1/embeddings");
    REQUIRE(endpoint_url("http://h:1/v1/completions", BenchApi::Completions) == "http://h:1/v1/completions");
    REQUIRE(endpoint_url("http://h:1/prefix", BenchApi::Chat) == "http://h:1/prefix/v1/chat/completions");
    auto has = [](const std::vector<std::string>& h, const std::string& v) {
        return std::find(h.begin(), h.end(), v) != h.end();
    };
    auto oai = request_headers(BenchApi::Chat, "k", true);
    REQUIRE(has(oai, "Authorization: Bearer k"));
    REQUIRE(has(oai, "Accept: text/event-stream"));
    auto ant = request_headers(BenchApi::Messages, "k", false);
    REQUIRE(has(ant, "x-api-key: k"));
    REQUIRE(has(ant, "anthropic-version: 2023-06-01"));
    REQUIRE_FALSE(has(ant, "Authorization: Bearer k"));
    auto none = request_headers(BenchApi::Chat, "", false);
    for (const auto& h : none) REQUIRE(h.find("Authorization") == std::string::npos);
}

TEST_CASE("arrival schedules", "[bench]") {
    ArrivalSchedule c(4, Arrival::Constant, 1);
    REQUIRE(c.next() == 0);
    REQUIRE(c.next() == Approx(0.25));
    REQUIRE(c.next() == Approx(0.5));
    // Poisson: mean gap 1/rate, seeded and repeatable.
    ArrivalSchedule p(100, Arrival::Poisson, 9), q(100, Arrival::Poisson, 9);
    double last = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        double t = p.next();
        REQUIRE(t == q.next());
        REQUIRE(t >= last);
        last = t;
    }
    REQUIRE(last / (n - 1) == Approx(0.01).epsilon(0.05));
}

TEST_CASE("meter: OpenAI stream tokens, ITL and usage", "[bench]") {
    ResponseMeter m(BenchApi::Chat, true);
    auto ev = [](std::string data) { return SseEvent{"", std::move(data), ""}; };
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})"), 1.0);
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{"reasoning_content":"Hm"}}]})"), 1.2);
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{"content":"Hi"}}]})"), 1.25);
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{"content":""}}]})"), 1.27);
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{"content":"!"}}]})"), 1.35);
    m.on_event(ev(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"), 1.36);
    m.on_event(ev(R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":17}})"), 1.37);
    m.on_event(ev("[DONE]"), 1.38);
    REQUIRE(m.first_token_s() == Approx(1.2));
    REQUIRE(m.token_events() == 3);
    REQUIRE(m.itl_s().size() == 2);
    REQUIRE(m.itl_s()[0] == Approx(0.05));
    REQUIRE(m.itl_s()[1] == Approx(0.10));
    REQUIRE(*m.usage_output() == 17);
    REQUIRE(*m.usage_input() == 11);
    REQUIRE(m.finished());
    REQUIRE(m.error().empty());
}

TEST_CASE("meter: zero usage on every chunk does not override real counts", "[bench]") {
    ResponseMeter m(BenchApi::Chat, true);
    m.on_event({"", R"({"choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":0,"completion_tokens":0}})", ""}, 0);
    m.on_event({"", R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}})", ""}, 1);
    m.on_event({"", R"({"choices":[{"delta":{"content":"b"}}],"usage":{"prompt_tokens":0,"completion_tokens":0}})", ""}, 2);
    REQUIRE(*m.usage_output() == 2);
    REQUIRE_FALSE(m.finished());
}

TEST_CASE("meter: in-band errors and tool call deltas", "[bench]") {
    ResponseMeter m(BenchApi::Chat, true);
    m.on_event({"", R"({"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{"}}]}}]})", ""}, 0);
    m.on_event({"", R"({"error":{"message":"context overflow","type":"x"}})", ""}, 1);
    REQUIRE(m.token_events() == 1);
    REQUIRE(m.error() == "context overflow");
}

TEST_CASE("meter: Anthropic stream", "[bench]") {
    ResponseMeter m(BenchApi::Messages, true);
    m.on_event({"message_start", R"({"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}})", ""}, 0);
    m.on_event({"ping", R"({"type":"ping"})", ""}, 0.01);
    m.on_event({"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})", ""}, 0.1);
    m.on_event({"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" you"}})", ""}, 0.15);
    m.on_event({"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}})", ""}, 0.2);
    REQUIRE_FALSE(m.finished());
    m.on_event({"message_stop", R"({"type":"message_stop"})", ""}, 0.21);
    REQUIRE(m.finished());
    REQUIRE(m.first_token_s() == Approx(0.1));
    REQUIRE(*m.usage_input() == 12);
    REQUIRE(*m.usage_output() == 2);
    ResponseMeter e(BenchApi::Messages, true);
    e.on_event({"error", R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})", ""}, 0);
    REQUIRE(e.error() == "busy");
}

TEST_CASE("meter: non-stream bodies", "[bench]") {
    ResponseMeter m(BenchApi::Chat, false);
    m.on_body(R"({"choices":[{"message":{"content":"Hello from the tiny test model!"}}],"usage":{"prompt_tokens":11,"completion_tokens":17}})", 2.0);
    REQUIRE(m.first_token_s() == 2.0);
    REQUIRE(*m.usage_output() == 17);
    ResponseMeter n(BenchApi::Completions, false);
    n.on_body(R"({"choices":[{"text":"abcdefgh"}]})", 1.0);
    REQUIRE_FALSE(n.usage_output());
    REQUIRE(n.estimated_output() == 2);
    ResponseMeter e(BenchApi::Chat, false);
    e.on_body(R"({"error":{"message":"bad"}})", 1);
    REQUIRE(e.error() == "bad");
    ResponseMeter emb(BenchApi::Embeddings, false);
    emb.on_body(R"({"data":[{"embedding":[0.1]}],"usage":{"prompt_tokens":3}})", 1);
    REQUIRE(emb.error().empty());
    REQUIRE(*emb.usage_input() == 3);
    ResponseMeter a(BenchApi::Messages, false);
    a.on_body(R"({"type":"message","content":[{"type":"text","text":"Hi"}],"usage":{"input_tokens":4,"output_tokens":2}})", 1);
    REQUIRE(*a.usage_output() == 2);
}

TEST_CASE("meter: a body parsed in place is judged as a copied one", "[bench]") {
    struct Case {
        BenchApi api;
        std::string body;
    };
    const std::vector<Case> cases = {
        {BenchApi::Chat, R"({"choices":[{"message":{"content":"Hello \"quoted\" \u00e9"}}],"usage":{"prompt_tokens":11,"completion_tokens":17}})"},
        {BenchApi::Completions, R"({"choices":[{"text":"abcdefgh"}]})"},
        {BenchApi::Chat, R"({"error":{"message":"bad"}})"},
        {BenchApi::Messages, R"({"type":"message","content":[{"type":"text","text":"Hi"}],"usage":{"input_tokens":4,"output_tokens":2}})"},
        {BenchApi::Chat, "not json"},
        {BenchApi::Chat, std::string("{\"choices\":[]}\0trailing", 23)},  // a NUL inside is not JSON
        {BenchApi::Chat, ""},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        ResponseMeter copied(c.api, false), in_place(c.api, false);
        copied.on_body(c.body, 1.5);
        std::string mutable_body = c.body;
        in_place.on_body_in_place(mutable_body, 1.5);
        CHECK(in_place.error() == copied.error());
        CHECK(in_place.usage_input() == copied.usage_input());
        CHECK(in_place.usage_output() == copied.usage_output());
        CHECK(in_place.estimated_output() == copied.estimated_output());
        CHECK(in_place.first_token_s() == copied.first_token_s());
        CHECK(in_place.finished() == copied.finished());
    }
    ResponseMeter nul(BenchApi::Chat, false);
    std::string with_nul("{\"choices\":[]}\0trailing", 23);
    nul.on_body_in_place(with_nul, 1);
    CHECK(nul.error() == "response is not JSON");
}
