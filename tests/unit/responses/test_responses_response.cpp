// Chat completion -> Responses `response` object (non-streamed).
#include <catch2/catch.hpp>

#include "core/responses/responses_response.h"
#include "core/responses/responses_stream.h"
#include "responses_test_util.h"

using namespace llmgw;
using test::json_doc;

namespace {
ResponsesOutputContext context() {
    ResponsesOutputContext ctx;
    ctx.model = "tiny";
    ctx.id_seed = "req7";
    ctx.created_at = 42;
    ctx.response_echo = R"({"instructions":"sys","tools":[],"model":"not echoed twice"})";
    return ctx;
}

std::string completion(const std::string& message, const std::string& finish = "stop", const std::string& usage = "") {
    return R"({"id":"chatcmpl-9","object":"chat.completion","choices":[{"index":0,"message":)" + message +
           R"(,"finish_reason":")" + finish + R"("}])" + (usage.empty() ? "" : R"(,"usage":)" + usage) + "}";
}
}  // namespace

TEST_CASE("responses response: text, reasoning and usage make a completed response", "[responses]") {
    auto ctx = context();
    ctx.include_encrypted_reasoning = true;
    ctx.seal = [](std::string_view t) { return "S(" + std::string(t) + ")"; };
    auto t = translate_chat_to_response(
        completion(R"({"role":"assistant","content":"Hello","reasoning_content":"why"})", "stop",
                   R"({"prompt_tokens":10,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}})"),
        ctx);
    REQUIRE(t.ok());
    CHECK(t.status == "completed");
    auto r = json_doc(t.body);
    CHECK(json::get_str(r, "id") == std::optional<std::string_view>("resp_req7"));
    CHECK(json::get_str(r, "object") == std::optional<std::string_view>("response"));
    CHECK(json::get_str(r, "status") == std::optional<std::string_view>("completed"));
    CHECK(json::get_str(r, "model") == std::optional<std::string_view>("tiny"));
    CHECK(json::get_str(r, "instructions") == std::optional<std::string_view>("sys"));
    CHECK(r["error"].IsNull());
    CHECK(r["incomplete_details"].IsNull());
    REQUIRE(r["output"].Size() == 2);
    CHECK(json::get_str(r["output"][0], "encrypted_content") == std::optional<std::string_view>("S(why)"));
    CHECK(json::get_str(r["output"][1]["content"][0], "text") == std::optional<std::string_view>("Hello"));
    CHECK(json::get_str(r["output"][1], "id") == std::optional<std::string_view>("msg_req7_1"));
    CHECK(r["usage"]["input_tokens"].GetInt64() == 10);
    CHECK(r["usage"]["input_tokens_details"]["cached_tokens"].GetInt64() == 4);
    CHECK(r["usage"]["output_tokens"].GetInt64() == 3);
    CHECK(r["usage"]["total_tokens"].GetInt64() == 13);
    CHECK(json::to_string(r["output"]) == t.output_items);
}

TEST_CASE("responses response: tool calls map back, length is incomplete", "[responses]") {
    auto ctx = context();
    ctx.tools.add("ns", "tool", ResponsesToolKind::Function);
    ctx.tools.add("", "apply_patch", ResponsesToolKind::Custom);
    auto t = translate_chat_to_response(completion(R"({"role":"assistant","content":null,"tool_calls":[
        {"id":"c1","type":"function","function":{"name":"ns__tool","arguments":"{\"a\":1}"}},
        {"type":"function","function":{"name":"apply_patch","arguments":{"input":"patch"}}}]})", "tool_calls"), ctx);
    REQUIRE(t.ok());
    auto out = json_doc(t.output_items);
    REQUIRE(out.Size() == 2);
    CHECK(json::get_str(out[0], "type") == std::optional<std::string_view>("function_call"));
    CHECK(json::get_str(out[0], "name") == std::optional<std::string_view>("tool"));
    CHECK(json::get_str(out[0], "namespace") == std::optional<std::string_view>("ns"));
    CHECK(json::get_str(out[0], "call_id") == std::optional<std::string_view>("c1"));
    CHECK(json::get_str(out[1], "type") == std::optional<std::string_view>("custom_tool_call"));
    CHECK(json::get_str(out[1], "input") == std::optional<std::string_view>("patch"));
    CHECK(json::get_str(out[1], "call_id") == std::optional<std::string_view>("call_req7_1"));
    CHECK(json::get_str(out[1], "id") == std::optional<std::string_view>("ctc_req7_1"));

    auto cut = translate_chat_to_response(completion(R"({"role":"assistant","content":"trunc"})", "length"), context());
    CHECK(cut.status == "incomplete");
    auto r = json_doc(cut.body);
    CHECK(json::get_str(r["incomplete_details"], "reason") == std::optional<std::string_view>("max_output_tokens"));
    CHECK(json::get_str(r["output"][0], "status") == std::optional<std::string_view>("incomplete"));
}

TEST_CASE("responses response: the same response object as the stream's terminal event", "[responses]") {
    auto nonstream = translate_chat_to_response(
        completion(R"({"role":"assistant","content":"Hi"})", "stop", R"({"prompt_tokens":5,"completion_tokens":1})"), context());
    ResponsesStreamTranslator s(context());
    std::string out;
    s.feed(R"({"id":"x","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}],)"
           R"("usage":{"prompt_tokens":5,"completion_tokens":1}})", out);
    s.finish(out);
    CHECK(nonstream.body == s.response_json());
}

TEST_CASE("responses response: unusable upstream answers are errors, a failed response object", "[responses]") {
    auto bad = translate_chat_to_response("not json", context());
    REQUIRE(bad.error);
    CHECK(bad.error->status == 502);
    auto none = translate_chat_to_response(R"({"choices":[]})", context());
    REQUIRE(none.error);
    CHECK_THAT(none.error->message, Catch::Contains("no choices"));
    auto inband = translate_chat_to_response(R"({"error":{"message":"context too long","code":400}})", context());
    REQUIRE(inband.error);
    CHECK(inband.error->status == 400);
    auto failed = json_doc(failed_response_json(context(), ApiError::rate_limited("slow down")));
    CHECK(json::get_str(failed, "status") == std::optional<std::string_view>("failed"));
    CHECK(json::get_str(failed["error"], "code") == std::optional<std::string_view>("rate_limit_exceeded"));
    CHECK(json::get_str(failed["error"], "message") == std::optional<std::string_view>("slow down"));
}
