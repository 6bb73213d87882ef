// OpenAI chat stream -> Responses stream: event order, sequence numbers, items, tool calls,
// reasoning, the one terminal event, usage.
#include <catch2/catch.hpp>

#include <random>

#include "core/responses/responses_stream.h"
#include "responses_test_util.h"

using namespace llmgw;
using test::json_doc;
using test::rebuild_responses;

namespace {

std::string chunk(const std::string& delta, const std::string& finish = "null", const std::string& extra = "") {
    return R"({"id":"chatcmpl-1","choices":[{"index":0,"delta":)" + delta + R"(,"finish_reason":)" + finish + "}]" +
           extra + "}";
}

ResponsesOutputContext context(bool summary = false) {
    ResponsesOutputContext ctx;
    ctx.model = "tiny";
    ctx.id_seed = "req1";
    ctx.created_at = 1700000000;
    ctx.response_echo = R"({"instructions":null,"store":false,"tools":[]})";
    ctx.reasoning_summary = summary;
    return ctx;
}

std::string run(ResponsesStreamTranslator& t, const std::vector<std::string>& payloads, bool finish = true) {
    std::string out;
    for (const auto& p : payloads) t.feed(p, out);
    if (finish) t.finish(out);
    return out;
}

std::string run(const std::vector<std::string>& payloads, ResponsesOutputContext ctx = context()) {
    ResponsesStreamTranslator t(std::move(ctx));
    return run(t, payloads);
}

}  // namespace

TEST_CASE("responses stream: text is one message item, events in the API's order, sequence from 0", "[responses]") {
    ResponsesStreamTranslator t(context());
    auto out = run(t, {chunk(R"({"role":"assistant","content":""})"), chunk(R"({"content":"Hel"})"),
                       chunk(R"({"content":"lo"})"), chunk("{}", R"("stop")"), "[DONE]"});
    auto r = rebuild_responses(out);
    std::vector<std::string> expected{"response.created",           "response.in_progress",
                                      "response.output_item.added",  "response.content_part.added",
                                      "response.output_text.delta",  "response.output_text.delta",
                                      "response.output_text.done",   "response.content_part.done",
                                      "response.output_item.done",   "response.completed"};
    CHECK(r.names == expected);
    CHECK(r.response_id == "resp_req1");
    REQUIRE(r.items.size() == 1);
    auto item = json_doc(r.items[0]);
    CHECK(json::get_str(item, "id") == std::optional<std::string_view>("msg_req1_0"));
    CHECK(json::get_str(item, "status") == std::optional<std::string_view>("completed"));
    CHECK(json::get_str(item["content"][0], "text") == std::optional<std::string_view>("Hello"));
    CHECK(json::get_str(item["content"][0], "type") == std::optional<std::string_view>("output_text"));
    CHECK(t.done());
    CHECK(t.status() == "completed");
    auto resp = json_doc(t.response_json());
    CHECK(json::get_str(resp, "model") == std::optional<std::string_view>("tiny"));
    CHECK(json::get_int(resp, "created_at") == 1700000000);
    CHECK(resp["store"].IsFalse());  // the request echo
    CHECK(json::to_string(resp["output"]) == t.output_items_json());
    CHECK(json_doc(t.output_items_json()).Size() == 1);
}

TEST_CASE("responses stream: reasoning streams as reasoning_text, or as summary text when asked", "[responses]") {
    std::vector<std::string> in{chunk(R"({"reasoning_content":"think"})"), chunk(R"({"reasoning":" more"})"),
                                chunk(R"({"content":"answer"})"), chunk("{}", R"("stop")")};
    auto plain = rebuild_responses(run(in));
    CHECK(std::count(plain.names.begin(), plain.names.end(), "response.reasoning_text.delta") == 2);
    CHECK(std::count(plain.names.begin(), plain.names.end(), "response.reasoning_summary_text.delta") == 0);
    REQUIRE(plain.items.size() == 2);
    auto rs = json_doc(plain.items[0]);
    CHECK(json::get_str(rs, "type") == std::optional<std::string_view>("reasoning"));
    CHECK(json::get_str(rs, "id") == std::optional<std::string_view>("rs_req1_0"));
    CHECK(json::get_str(rs["content"][0], "text") == std::optional<std::string_view>("think more"));
    CHECK(rs["summary"].Empty());
    CHECK_FALSE(rs.HasMember("encrypted_content"));
    CHECK(plain.text[0] == "think more");
    CHECK(plain.text[1] == "answer");

    auto summary = rebuild_responses(run(in, context(true)));
    CHECK(std::count(summary.names.begin(), summary.names.end(), "response.reasoning_summary_text.delta") == 2);
    CHECK(std::count(summary.names.begin(), summary.names.end(), "response.reasoning_summary_part.added") == 1);
    CHECK(std::count(summary.names.begin(), summary.names.end(), "response.reasoning_summary_part.done") == 1);
    auto srs = json_doc(summary.items[0]);
    CHECK(json::get_str(srs["summary"][0], "text") == std::optional<std::string_view>("think more"));
    CHECK_FALSE(srs.HasMember("content"));
}

TEST_CASE("responses stream: reasoning is sealed into encrypted_content only when include asks", "[responses]") {
    std::vector<std::string> in{chunk(R"({"reasoning_content":"secret plan"})"), chunk(R"({"content":"ok"})"),
                                chunk("{}", R"("stop")")};
    auto ctx = context();
    ctx.seal = [](std::string_view text) { return "sealed:" + std::string(text); };
    auto without = rebuild_responses(run(in, ctx));
    CHECK_FALSE(json_doc(without.items[0]).HasMember("encrypted_content"));
    ctx.include_encrypted_reasoning = true;
    auto with = rebuild_responses(run(in, ctx));
    CHECK(json::get_str(json_doc(with.items[0]), "encrypted_content") == std::optional<std::string_view>("sealed:secret plan"));
}

TEST_CASE("responses stream: parallel tool calls with split arguments, each a complete function_call item", "[responses]") {
    ResponsesStreamTranslator t(context());
    auto out = run(t, {
        chunk(R"({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"exec_command","arguments":""}}]})"),
        chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"cmd\":"}}]})"),
        chunk(R"({"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_goal","arguments":"{"}}]})"),
        chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"echo hi\"}"}}]})"),
        chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":"}"}}]})"),
        chunk("{}", R"("tool_calls")"), "[DONE]"});
    auto r = rebuild_responses(out);
    CHECK(r.terminal == "response.completed");
    REQUIRE(r.items.size() == 2);
    auto a = json_doc(r.items[0]);
    CHECK(json::get_str(a, "type") == std::optional<std::string_view>("function_call"));
    CHECK(json::get_str(a, "id") == std::optional<std::string_view>("fc_req1_0"));
    CHECK(json::get_str(a, "call_id") == std::optional<std::string_view>("call_a"));
    CHECK(json::get_str(a, "name") == std::optional<std::string_view>("exec_command"));
    CHECK(json::get_str(a, "arguments") == std::optional<std::string_view>(R"({"cmd":"echo hi"})"));
    auto b = json_doc(r.items[1]);
    CHECK(json::get_str(b, "call_id") == std::optional<std::string_view>("call_b"));
    CHECK(json::get_str(b, "arguments") == std::optional<std::string_view>("{}"));
    CHECK(r.text[0] == R"({"cmd":"echo hi"})");
    CHECK(std::count(r.names.begin(), r.names.end(), "response.function_call_arguments.done") == 2);
    CHECK(t.tool_calls() == 2);
}

TEST_CASE("responses stream: calls without ids get call ids, Ollama's whole calls at index 0 stay apart", "[responses]") {
    auto r = rebuild_responses(run({
        chunk(R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"a","arguments":"{}"}}]})"),
        chunk(R"({"tool_calls":[{"index":0,"id":"c2","function":{"name":"b","arguments":"{}"}}]})"),
        chunk(R"({"tool_calls":[{"function":{"name":"c","arguments":"{}"}}]})", R"("tool_calls")")}));
    REQUIRE(r.items.size() == 2);  // the id-less fragment continues the latest call
    auto second = json_doc(r.items[1]);
    CHECK(json::get_str(second, "name") == std::optional<std::string_view>("b"));
    auto fresh = rebuild_responses(run({chunk(R"({"tool_calls":[{"index":0,"function":{"name":"a","arguments":"{}"}}]})", R"("tool_calls")")}));
    CHECK(json::get_str(json_doc(fresh.items[0]), "call_id") == std::optional<std::string_view>("call_req1_0"));
}

TEST_CASE("responses stream: namespace and custom tools are mapped back to the client's tools", "[responses]") {
    auto ctx = context();
    ctx.tools.add("multi_agent_v1", "close_agent", ResponsesToolKind::Function);
    ctx.tools.add("", "apply_patch", ResponsesToolKind::Custom);
    auto r = rebuild_responses(run({
        chunk(R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"multi_agent_v1__close_agent","arguments":"{\"id\":1}"}}]})"),
        chunk(R"({"tool_calls":[{"index":1,"id":"c2","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin"}}]})"),
        chunk(R"({"tool_calls":[{"index":1,"function":{"arguments":" Patch\\n\"}"}}]})"),
        chunk("{}", R"("tool_calls")")}, ctx));
    REQUIRE(r.items.size() == 2);
    auto ns = json_doc(r.items[0]);
    CHECK(json::get_str(ns, "name") == std::optional<std::string_view>("close_agent"));
    CHECK(json::get_str(ns, "namespace") == std::optional<std::string_view>("multi_agent_v1"));
    auto custom = json_doc(r.items[1]);
    CHECK(json::get_str(custom, "type") == std::optional<std::string_view>("custom_tool_call"));
    CHECK(json::get_str(custom, "id") == std::optional<std::string_view>("ctc_req1_1"));
    CHECK(json::get_str(custom, "name") == std::optional<std::string_view>("apply_patch"));
    CHECK(json::get_str(custom, "input") == std::optional<std::string_view>("*** Begin Patch\n"));
    CHECK_FALSE(custom.HasMember("arguments"));
    CHECK(std::count(r.names.begin(), r.names.end(), "response.custom_tool_call_input.done") == 1);
    CHECK(std::count(r.names.begin(), r.names.end(), "response.function_call_arguments.delta") == 1);  // custom input is not
    CHECK(r.text[1] == "*** Begin Patch\n");
}

TEST_CASE("responses stream: finish_reason length ends response.incomplete with max_output_tokens", "[responses]") {
    ResponsesStreamTranslator t(context());
    auto r = rebuild_responses(run(t, {chunk(R"({"content":"cut"})"), chunk("{}", R"("length")")}));
    CHECK(r.terminal == "response.incomplete");
    auto resp = json_doc(r.response);
    CHECK(json::get_str(resp["incomplete_details"], "reason") == std::optional<std::string_view>("max_output_tokens"));
    CHECK(json::get_str(json_doc(r.items[0]), "status") == std::optional<std::string_view>("incomplete"));
    CHECK(t.status() == "incomplete");
}

TEST_CASE("responses stream: a stream cut before finish_reason ends response.failed", "[responses]") {
    ResponsesStreamTranslator t(context());
    auto r = rebuild_responses(run(t, {chunk(R"({"content":"partial"})")}));
    CHECK(r.terminal == "response.failed");
    auto resp = json_doc(r.response);
    CHECK(json::get_str(resp["error"], "code") == std::optional<std::string_view>("server_error"));
    CHECK_THAT(std::string(json::get_str(resp["error"], "message").value_or("")), Catch::Contains("ended before"));
    // The item the failure cut short stays in the output, incomplete; no output_item.done for it.
    CHECK(std::count(r.names.begin(), r.names.end(), "response.output_item.done") == 0);
    CHECK(json::get_str(resp["output"][0], "status") == std::optional<std::string_view>("incomplete"));
    REQUIRE(t.error());
    CHECK(t.error()->status == 502);
    CHECK(t.started_before_error());
}

TEST_CASE("responses stream: invalid JSON, an upstream error event and fail() end response.failed", "[responses]") {
    auto bad = rebuild_responses(run({chunk(R"({"content":"a"})"), "{not json"}));
    CHECK(bad.terminal == "response.failed");
    ResponsesStreamTranslator t(context());
    auto err = rebuild_responses(run(t, {R"({"error":{"message":"model overloaded","code":503}})"}));
    CHECK(err.terminal == "response.failed");
    REQUIRE(t.error());
    CHECK(t.error()->status == 503);
    CHECK_FALSE(t.started_before_error());  // nothing but the failure: the route may send a plain error
    CHECK_THAT(err.response, Catch::Contains("model overloaded"));

    ResponsesStreamTranslator f(context());
    std::string out;
    f.feed(chunk(R"({"content":"x"})"), out);
    f.fail(ApiError::gateway_timeout("upstream timed out"), out);
    f.fail(ApiError::bad_gateway("again"), out);  // no-op once done
    f.finish(out);
    auto r = rebuild_responses(out);
    CHECK(r.terminal == "response.failed");
    CHECK(f.status() == "failed");
}

TEST_CASE("responses stream: a failure after finish_reason completes (only usage was missing)", "[responses]") {
    ResponsesStreamTranslator t(context());
    std::string out;
    t.feed(chunk(R"({"content":"done"})", R"("stop")"), out);
    t.fail(ApiError::bad_gateway("reset"), out);
    CHECK(rebuild_responses(out).terminal == "response.completed");
    CHECK_FALSE(t.error());
}

TEST_CASE("responses stream: exactly one terminal event whatever follows", "[responses]") {
    ResponsesStreamTranslator t(context());
    std::string out;
    t.feed(chunk(R"({"content":"a"})", R"("stop")"), out);
    t.feed("[DONE]", out);
    t.feed(chunk(R"({"content":"late"})"), out);
    t.feed("[DONE]", out);
    t.finish(out);
    t.fail(ApiError::bad_gateway("x"), out);
    auto r = rebuild_responses(out);  // checks nothing follows the terminal event
    CHECK(r.text[0] == "a");
    ResponsesStreamTranslator empty(context());
    std::string none;
    empty.finish(none);
    CHECK(rebuild_responses(none).terminal == "response.failed");
}

TEST_CASE("responses stream: usage maps to input/output tokens with cached and reasoning details", "[responses]") {
    ResponsesStreamTranslator t(context());
    auto r = rebuild_responses(run(t, {chunk(R"({"content":"a"})", R"("stop")"),
        R"({"id":"x","choices":[],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,)"
        R"("prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":7}}})", "[DONE]"}));
    auto resp = json_doc(r.response);
    auto u = resp["usage"].GetObject();
    CHECK(u["input_tokens"].GetInt64() == 100);
    CHECK(u["output_tokens"].GetInt64() == 20);
    CHECK(u["total_tokens"].GetInt64() == 120);
    CHECK(u["input_tokens_details"]["cached_tokens"].GetInt64() == 64);
    CHECK(u["output_tokens_details"]["reasoning_tokens"].GetInt64() == 7);
    CHECK(t.usage().prompt_tokens == 100);
    // Without usage the output count falls back to llama.cpp's timings, then to content chunks.
    ResponsesStreamTranslator est(context());
    run(est, {chunk(R"({"content":"a"})"), chunk(R"({"content":"b"})", R"("stop")", R"(,"timings":{"predicted_n":5})")});
    CHECK(est.output_tokens() == 5);
}

TEST_CASE("responses stream: a refusal is a message with a refusal part", "[responses]") {
    auto r = rebuild_responses(run({chunk(R"({"refusal":"I can't"})"), chunk("{}", R"("stop")")}));
    CHECK(std::count(r.names.begin(), r.names.end(), "response.refusal.delta") == 1);
    CHECK(std::count(r.names.begin(), r.names.end(), "response.refusal.done") == 1);
    auto item = json_doc(r.items[0]);
    CHECK(json::get_str(item["content"][0], "type") == std::optional<std::string_view>("refusal"));
    CHECK(json::get_str(item["content"][0], "refusal") == std::optional<std::string_view>("I can't"));
}

TEST_CASE("responses stream: text after a tool call opens a new item, n>1 choices are ignored", "[responses]") {
    auto r = rebuild_responses(run({
        chunk(R"({"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":"{}"}}]})"),
        R"({"choices":[{"index":1,"delta":{"content":"other choice"}}]})",
        chunk(R"({"content":"after"})"), chunk("{}", R"("stop")")}));
    REQUIRE(r.items.size() == 2);
    CHECK(json::get_str(json_doc(r.items[1]), "type") == std::optional<std::string_view>("message"));
    CHECK(r.text[1] == "after");
}

TEST_CASE("responses stream: the output does not depend on how the upstream bytes were split", "[responses]") {
    std::string upstream;
    for (const auto& p : {chunk(R"({"reasoning_content":"hm"})"), chunk(R"({"content":"Hi"})"),
                          chunk(R"({"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\"a\":1}"}}]})"),
                          chunk("{}", R"("tool_calls")")})
        upstream += "data: " + p + "\n\n";
    upstream += "data: [DONE]\n\n";
    auto translate = [&](const std::vector<size_t>& cuts) {
        ResponsesStreamTranslator t(context());
        std::string out;
        SseParser parser([&](const SseEvent& e) { t.feed(e.data, out); });
        size_t pos = 0;
        for (size_t c : cuts) {
            parser.feed(std::string_view(upstream).substr(pos, c - pos));
            pos = c;
        }
        parser.feed(std::string_view(upstream).substr(pos));
        parser.finish();
        t.finish(out);
        return out;
    };
    std::string whole = translate({});
    rebuild_responses(whole);
    std::mt19937 rng(12);
    for (int round = 0; round < 50; ++round) {
        std::vector<size_t> cuts;
        for (size_t p = 0; p < upstream.size(); p += 1 + rng() % 17) cuts.push_back(p);
        CHECK(translate(cuts) == whole);
    }
}

TEST_CASE("responses stream: more output items than the bound fail the response", "[responses]") {
    ResponsesStreamTranslator t(context());
    std::string out;
    for (size_t i = 0; i <= kMaxResponsesOutputItems && !t.done(); ++i)
        t.feed(chunk(R"({"tool_calls":[{"index":)" + std::to_string(i) + R"(,"id":"c)" + std::to_string(i) +
                     R"(","function":{"name":"f","arguments":"{}"}}]})"),
               out);
    t.finish(out);
    auto r = rebuild_responses(out);
    CHECK(r.terminal == "response.failed");
    CHECK(r.items.size() == kMaxResponsesOutputItems);
    REQUIRE(t.error());
    CHECK_THAT(t.error()->message, Catch::Contains("output items"));
}

TEST_CASE("responses stream: a tool call fragment without a function object is a call without a name", "[responses]") {
    auto r = rebuild_responses(run({chunk(R"({"tool_calls":{"index":0,"id":"c7"}})"), chunk("{}", R"("tool_calls")")}));
    REQUIRE(r.items.size() == 1);
    auto item = json_doc(r.items[0]);
    CHECK(json::get_str(item, "call_id") == std::optional<std::string_view>("c7"));
    CHECK(json::get_str(item, "name") == std::optional<std::string_view>(""));
}
