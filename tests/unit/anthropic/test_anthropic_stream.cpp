// OpenAI stream -> Anthropic stream: each runtime quirk, the llama.cpp captures as golden input,
// and random chunking of the same bytes.
#include <catch2/catch.hpp>

#include <random>

#include "anthropic_test_util.h"
#include "core/anthropic/anthropic_stream.h"

using namespace llmgw;
using test::rebuild;

namespace {
// Runs OpenAI SSE data payloads through a translator; finish() at the end unless told otherwise.
std::string run(const std::vector<std::string>& payloads, bool thinking = false, bool finish = true,
                AnthropicStreamTranslator* keep = nullptr) {
    AnthropicStreamTranslator local({"claude-x", thinking, "req1"});
    AnthropicStreamTranslator& t = keep ? *keep : local;
    std::string out;
    for (const auto& p : payloads) t.feed(p, out);
    if (finish) t.finish(out);
    return out;
}

std::string chunk(const std::string& delta, const std::string& finish = "null", const std::string& extra = "") {
    return R"({"id":"chatcmpl-1","choices":[{"index":0,"delta":)" + delta + R"(,"finish_reason":)" + finish + "}]" + extra + "}";
}

// Translates a whole fixture body via SseParser.
std::string run_fixture(const std::string& name, bool thinking, AnthropicStreamTranslator* keep = nullptr) {
    return run(test::sse_data(test::fixture_body(name)), thinking, true, keep);
}

void check_args_equal(const std::string& partial, const std::string& expected_json) {
    json::Document a, b;
    REQUIRE_FALSE(json::parse(partial, a));
    REQUIRE_FALSE(json::parse(expected_json, b));
    CHECK(a == b);
}
}  // namespace

TEST_CASE("stream: plain text, role-only first chunk and empty/null content make no blocks", "[anthropic]") {
    auto out = run({chunk(R"({"role":"assistant","content":null})"), chunk(R"({"content":""})"),
                    chunk(R"({"content":"Hel"})"), chunk(R"({"content":"lo"})"), chunk("{}", R"("stop")"), "[DONE]"});
    auto r = rebuild(out);
    REQUIRE(r.blocks.size() == 1);
    CHECK(r.blocks[0].type == "text");
    CHECK(r.blocks[0].text == "Hello");
    CHECK(r.stop_reason == "end_turn");
    CHECK(r.stopped);
    CHECK(r.names[0] == "message_start");
    CHECK(r.names[1] == "ping");
    CHECK(out.find("msg_req1") != std::string::npos);
    CHECK(out.find(R"("model":"claude-x")") != std::string::npos);
}

TEST_CASE("stream: reasoning becomes a thinking block first only when thinking is enabled", "[anthropic]") {
    std::vector<std::string> in{chunk(R"({"reasoning_content":"think"})"), chunk(R"({"reasoning":" more"})"),
                                chunk(R"({"content":"answer"})"), chunk("{}", R"("stop")"), "[DONE]"};
    auto on = rebuild(run(in, true));
    REQUIRE(on.blocks.size() == 2);
    CHECK(on.blocks[0].type == "thinking");
    CHECK(on.blocks[0].text == "think more");
    CHECK(on.blocks[1].type == "text");
    CHECK(on.blocks[1].text == "answer");
    auto off_out = run(in, false);
    auto off = rebuild(off_out);
    REQUIRE(off.blocks.size() == 1);
    CHECK(off.blocks[0].text == "answer");
    CHECK(off_out.find("think") == std::string::npos);  // never in a text block either
}

TEST_CASE("stream: tool call fragments are forwarded as they arrive", "[anthropic]") {
    AnthropicStreamTranslator t({"m", false, "r"});
    std::string out;
    t.feed(chunk(R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":"{\"ci"}}]})"), out);
    // The fragment is out before the JSON is complete.
    CHECK(out.find(R"("partial_json":"{\"ci")") != std::string::npos);
    t.feed(chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]})"), out);
    t.feed(chunk("{}", R"("tool_calls")"), out);
    t.feed("[DONE]", out);
    auto r = rebuild(out);
    REQUIRE(r.blocks.size() == 1);
    CHECK(r.blocks[0].id == "call_a");
    CHECK(r.blocks[0].name == "f");
    check_args_equal(r.blocks[0].partial_json, R"({"city":"Paris"})");
    CHECK(r.stop_reason == "tool_use");
    CHECK(t.tool_calls() == 1);
    CHECK(t.done());
}

TEST_CASE("stream: runtime quirks in tool calls", "[anthropic]") {
    SECTION("vLLM repeats id and name on every fragment") {
        auto r = rebuild(run({chunk(R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{\"a\":"}}]})"),
                              chunk(R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"1}"}}]})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 1);
        check_args_equal(r.blocks[0].partial_json, R"({"a":1})");
    }
    SECTION("TGI: tool_calls as an object, id \"\" and name null on continuations, object arguments") {
        auto r = rebuild(run({chunk(R"({"tool_calls":{"index":0,"id":"","type":"function","function":{"name":"f","arguments":"{\"a\""}}})"),
                              chunk(R"({"tool_calls":{"index":0,"id":"","function":{"name":null,"arguments":":2}"}}})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 1);
        CHECK(r.blocks[0].id.rfind("toolu_", 0) == 0);  // made up when the runtime gives none
        CHECK(r.blocks[0].name == "f");
        check_args_equal(r.blocks[0].partial_json, R"({"a":2})");
        auto o = rebuild(run({chunk(R"({"tool_calls":[{"index":0,"function":{"name":"g","arguments":{"x":[1,2]}}}]})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(o.blocks.size() == 1);
        check_args_equal(o.blocks[0].partial_json, R"({"x":[1,2]})");
    }
    SECTION("Ollama: several whole calls all at index 0 in one chunk, finish says stop") {
        auto r = rebuild(run({chunk(R"({"role":"assistant","content":""})"),
                              chunk(R"({"content":"","tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{\"n\":1}"}},{"index":0,"id":"b","function":{"name":"g","arguments":"{\"n\":2}"}}]})"),
                              chunk("{}", R"("stop")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 2);
        CHECK(r.blocks[0].id == "a");
        CHECK(r.blocks[1].id == "b");
        CHECK(r.blocks[1].name == "g");
        check_args_equal(r.blocks[0].partial_json, R"({"n":1})");
        check_args_equal(r.blocks[1].partial_json, R"({"n":2})");
        CHECK(r.stop_reason == "tool_use");  // derived from what was seen
    }
    SECTION("OpenAI-style parallel calls at index 0 and 1, ids only on first fragments") {
        auto r = rebuild(run({chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":""}}]})"),
                              chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]})"),
                              chunk(R"({"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{\"q\""}}]})"),
                              chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":":true}"}}]})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 2);
        CHECK(r.blocks[0].partial_json == "{}");
        check_args_equal(r.blocks[1].partial_json, R"({"q":true})");
    }
    SECTION("missing index continues the latest call") {
        auto r = rebuild(run({chunk(R"({"tool_calls":[{"id":"a","function":{"name":"f","arguments":"{\"k\""}}]})"),
                              chunk(R"({"tool_calls":[{"function":{"arguments":":0}"}}]})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 1);
        check_args_equal(r.blocks[0].partial_json, R"({"k":0})");
    }
    SECTION("vLLM: empty tool_calls array next to content is text") {
        auto r = rebuild(run({chunk(R"({"content":"hi","tool_calls":[]})"), chunk("{}", R"("stop")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 1);
        CHECK(r.blocks[0].type == "text");
        CHECK(r.stop_reason == "end_turn");
    }
    SECTION("text before a tool call is closed before the tool block opens") {
        auto r = rebuild(run({chunk(R"({"content":"Let me look."})"),
                              chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]})"),
                              chunk("{}", R"("tool_calls")"), "[DONE]"}));
        REQUIRE(r.blocks.size() == 2);
        CHECK(r.blocks[0].type == "text");
        CHECK(r.blocks[1].type == "tool_use");
    }
}

TEST_CASE("stream: stop reason table and derivation", "[anthropic]") {
    struct Row { const char* finish; bool tools; const char* extra_choice; const char* expect; const char* seq; };
    const Row rows[] = {
        {R"("stop")", false, "", "end_turn", ""},
        {R"("length")", false, "", "max_tokens", ""},
        {R"("content_filter")", false, "", "refusal", ""},
        {R"("tool_calls")", false, "", "end_turn", ""},     // LocalAI: tool_calls with none
        {R"("function_call")", true, "", "tool_use", ""},
        {R"("stop")", true, "", "tool_use", ""},            // Ollama
        {R"("length")", true, "", "max_tokens", ""},        // cut inside a tool call
        {R"("stop")", false, R"(,"stop_reason":"END")", "stop_sequence", "END"},  // vLLM
        {R"("stop")", false, R"(,"stop_reason":151645)", "end_turn", ""},         // a token id
        {R"("eos_token")", false, "", "end_turn", ""},
    };
    for (const auto& r : rows) {
        INFO(r.finish << " tools=" << r.tools << r.extra_choice);
        std::vector<std::string> in{chunk(R"({"content":"x"})")};
        if (r.tools) in.push_back(chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{}"}}]})"));
        in.push_back(R"({"choices":[{"index":0,"delta":{},"finish_reason":)" + std::string(r.finish) + r.extra_choice + "}]}");
        in.push_back("[DONE]");
        AnthropicStreamTranslator t({"m", false, ""});
        auto rb = rebuild(run(in, false, true, &t));
        CHECK(rb.stop_reason == r.expect);
        CHECK(rb.stop_sequence == r.seq);
        CHECK(t.stop_reason() == r.expect);
    }
}

TEST_CASE("stream: usage in every shape", "[anthropic]") {
    const std::string usage = R"(,"usage":{"prompt_tokens":20,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":15}})";
    SECTION("separate final chunk with empty choices") {
        AnthropicStreamTranslator t({"m", false, ""});
        auto r = rebuild(run({chunk(R"({"content":"x"})"), chunk("{}", R"("stop")"),
                              R"({"choices":[])" + usage + "}", "[DONE]"}, false, true, &t));
        CHECK(r.output_tokens == 7);
        CHECK(r.input_tokens == 5);  // cached tokens are reported apart
        CHECK(t.output_tokens() == 7);
        CHECK(t.usage().cached_tokens == 15);
    }
    SECTION("on the finish chunk") {
        auto r = rebuild(run({chunk(R"({"content":"x"})"), chunk("{}", R"("stop")", usage), "[DONE]"}));
        CHECK(r.output_tokens == 7);
    }
    SECTION("LocalAI: all zeros on every chunk, real numbers at the end") {
        const std::string zeros = R"(,"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0})";
        auto r = rebuild(run({chunk(R"({"content":"x"})", "null", zeros), chunk(R"({"content":"y"})", "null", zeros),
                              chunk("{}", R"("stop")", usage), "[DONE]"}));
        CHECK(r.output_tokens == 7);
    }
    SECTION("absent: llama.cpp timings, else the number of content chunks") {
        auto r = rebuild(run({chunk(R"({"content":"x"})"), chunk("{}", R"("stop")", R"(,"timings":{"predicted_n":9})"), "[DONE]"}));
        CHECK(r.output_tokens == 9);
        AnthropicStreamTranslator t({"m", false, ""});
        auto r2 = rebuild(run({chunk(R"({"content":"a"})"), chunk(R"({"content":"b"})"), chunk(R"({"content":"c"})"),
                               chunk("{}", R"("stop")"), "[DONE]"}, false, true, &t));
        CHECK(r2.output_tokens == 3);
        CHECK(t.output_tokens() == 3);
        CHECK(r2.input_tokens == -1);  // not claimed when unknown
    }
}

TEST_CASE("stream: errors end with an error event, never a fake message_stop", "[anthropic]") {
    SECTION("in-band error mid-stream") {
        AnthropicStreamTranslator t({"m", false, ""});
        auto out = run({chunk(R"({"content":"par"})"), R"({"error":{"code":503,"message":"model unloaded","type":"unavailable_error"}})",
                        chunk(R"({"content":"ignored"})")}, false, true, &t);
        auto r = rebuild(out);
        CHECK_FALSE(r.stopped);
        CHECK(r.error_type == "overloaded_error");
        CHECK(out.find("model unloaded") != std::string::npos);
        CHECK(out.find("ignored") == std::string::npos);
        CHECK(t.done());
        REQUIRE(t.error());
        CHECK(t.started_before_error());
    }
    SECTION("EOF without finish_reason or [DONE]") {
        auto r = rebuild(run({chunk(R"({"content":"par"})")}, false, true));
        CHECK_FALSE(r.stopped);
        CHECK(r.error_type == "api_error");
    }
    SECTION("reset reported by serve") {
        AnthropicStreamTranslator t({"m", false, ""});
        std::string out;
        t.feed(chunk(R"({"content":"x"})"), out);
        t.fail(ApiError::gateway_timeout("upstream timed out"), out);
        auto r = rebuild(out);
        CHECK(r.error_type == "api_error");
        CHECK_FALSE(r.stopped);
        std::string more;
        t.feed(chunk(R"({"content":"y"})"), more);
        t.finish(more);
        CHECK(more.empty());
    }
    SECTION("error before anything: only the error event, serve may send a plain error instead") {
        AnthropicStreamTranslator t({"m", false, ""});
        std::string out;
        t.feed(R"({"error":{"message":"boom"}})", out);
        CHECK_FALSE(t.started_before_error());
        CHECK(test::sse_events(out).size() == 1);
    }
    SECTION("malformed upstream JSON") {
        auto r = rebuild(run({chunk(R"({"content":"x"})"), "{not json"}));
        CHECK(r.error_type == "api_error");
    }
    SECTION("a failure after the finish chunk still completes the message") {
        AnthropicStreamTranslator t({"m", false, ""});
        std::string out;
        t.feed(chunk(R"({"content":"x"})"), out);
        t.feed(chunk("{}", R"("stop")"), out);
        t.fail(ApiError::bad_gateway("connection reset"), out);
        auto r = rebuild(out);
        CHECK(r.stopped);
        CHECK_FALSE(t.error());
    }
    SECTION("[DONE] alone is a complete, empty message") {
        auto r = rebuild(run({"[DONE]"}));
        CHECK(r.stopped);
        CHECK(r.blocks.empty());
        CHECK(r.stop_reason == "end_turn");
    }
}

TEST_CASE("stream golden: llama.cpp chat_tools_auto_stream", "[anthropic]") {
    json::Document nonstream;
    for (bool thinking : {true, false}) {
        INFO("thinking " << thinking);
        AnthropicStreamTranslator t({"tiny", thinking, ""});
        auto out = run_fixture("chat_tools_auto_stream.response", thinking, &t);
        auto r = rebuild(out);
        REQUIRE(r.stopped);
        CHECK(r.stop_reason == "tool_use");
        size_t tool = thinking ? 1 : 0;
        REQUIRE(r.blocks.size() == tool + 1);
        if (thinking) {
            CHECK(r.blocks[0].type == "thinking");
            CHECK(r.blocks[0].text == "The user wants a reply.");
        }
        CHECK(r.blocks[tool].type == "tool_use");
        CHECK(r.blocks[tool].id == "Ld5oc4JLQOthbmEuAI1SQ71Lqec7NE1X");
        CHECK(r.blocks[tool].name == "get_weather");
        // Concatenated fragments are exactly the runtime's argument text.
        CHECK(r.blocks[tool].partial_json == R"({"city":"Paris","unit" :"f"})");
        check_args_equal(r.blocks[tool].partial_json, R"({"city":"Paris","unit":"f"})");
        CHECK(r.output_tokens == 46);  // timings.predicted_n: this capture has no usage
        CHECK(t.message_id() == "msg_7v0zY7hzXEWab26KlAUu8sgiKrdIx0Yh");
    }
}

TEST_CASE("stream golden: every llama.cpp chat stream capture", "[anthropic]") {
    struct Row { const char* name; const char* stop; size_t blocks_thinking; int64_t output_tokens; };
    const Row rows[] = {
        {"chat_stream.response", "end_turn", 2, 17},
        {"chat_stream_include_usage.response", "end_turn", 2, -2},
        {"chat_stream_thinking_off.response", "end_turn", 1, -2},
        {"chat_stop_sequence_stream.response", "end_turn", 2, 13},  // llama.cpp does not name the stop string
        {"chat_max_tokens_length_stream.response", "max_tokens", 0, -2},
        {"chat_tools_auto_stream_include_usage.response", "tool_use", 2, 43},
        {"chat_tools_required_stream.response", "tool_use", 2, -2},
        {"chat_tools_required_thinking_off_stream.response", "tool_use", 1, -2},
        {"chat_tools_max_tokens_cut_stream.response", "max_tokens", 1, 20},
        {"chat_response_format_json_schema_stream.response", "end_turn", 0, -2},
        {"chat_logprobs_stream.response", "max_tokens", 0, -2},
    };
    for (const auto& row : rows) {
        INFO(row.name);
        AnthropicStreamTranslator t({"tiny", true, ""});
        auto r = rebuild(run_fixture(row.name, true, &t));
        REQUIRE(r.stopped);
        CHECK(r.stop_reason == row.stop);
        if (row.blocks_thinking) CHECK(r.blocks.size() == row.blocks_thinking);
        if (row.output_tokens >= 0) CHECK(r.output_tokens == row.output_tokens);
        CHECK(r.output_tokens > 0);
        for (size_t i = 1; i < r.blocks.size(); ++i) CHECK(r.blocks[i].type != "thinking");
        for (const auto& b : r.blocks)
            if (b.type == "tool_use") {
                json::Document d;
                CHECK_FALSE(json::parse(b.partial_json, d));
                CHECK(d.IsObject());
            }
    }
}

TEST_CASE("stream: any split of the same upstream bytes gives identical output", "[anthropic]") {
    const char* fixtures[] = {"chat_tools_auto_stream.response", "chat_stream_include_usage.response",
                              "chat_tools_required_stream.response"};
    std::mt19937 rng(12345);
    for (const char* name : fixtures) {
        INFO(name);
        std::string body = test::fixture_body(name);
        auto translate_split = [&](const std::vector<size_t>& cuts) {
            AnthropicStreamTranslator t({"tiny", true, "fixed"});
            std::string out;
            SseParser p([&](const SseEvent& e) { t.feed(e.data, out); });
            size_t prev = 0;
            for (size_t c : cuts) {
                p.feed(std::string_view(body).substr(prev, c - prev));
                prev = c;
            }
            p.feed(std::string_view(body).substr(prev));
            p.finish();
            t.finish(out);
            return out;
        };
        const std::string whole = translate_split({});
        REQUIRE(rebuild(whole).stopped);
        // one byte at a time
        std::vector<size_t> every;
        for (size_t i = 1; i < body.size(); ++i) every.push_back(i);
        CHECK(translate_split(every) == whole);
        for (int trial = 0; trial < 200; ++trial) {
            std::uniform_int_distribution<size_t> n_cuts(1, 40), pos(1, body.size() - 1);
            std::vector<size_t> cuts(n_cuts(rng));
            for (auto& c : cuts) c = pos(rng);
            std::sort(cuts.begin(), cuts.end());
            cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
            REQUIRE(translate_split(cuts) == whole);
        }
    }
}

TEST_CASE("stream: garbage never crashes and always ends in a terminal event", "[anthropic]") {
    std::mt19937 rng(7);
    const std::vector<std::string> pieces = {
        chunk(R"({"content":"a"})"), chunk(R"({"reasoning":"r"})"), R"({"choices":null})", R"({"choices":[5,"x",null]})",
        chunk(R"({"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]})"),
        chunk(R"({"tool_calls":[{"index":"zero","function":{"arguments":5}}]})"), chunk(R"({"tool_calls":"nope"})"),
        chunk(R"({"tool_calls":[{"index":1,"id":"b","function":null}]})"), chunk(R"({"content":["x"]})"),
        R"({"usage":"lots"})", R"({"usage":{"completion_tokens":-4}})", R"([])", R"("str")", "", "   ",
        chunk("{}", R"("stop")"), R"({"error":null,"choices":[]})",
    };
    for (int trial = 0; trial < 300; ++trial) {
        AnthropicStreamTranslator t({"m", trial % 2 == 0, ""});
        std::string out;
        std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1), len(0, 12);
        size_t n = len(rng);
        for (size_t i = 0; i < n; ++i) t.feed(pieces[pick(rng)], out);
        t.finish(out);
        CHECK(t.done());
        auto r = rebuild(out);
        CHECK((r.stopped || !r.error_type.empty()));
        CHECK(t.output_tokens() >= 0);
    }
}
