// The reverse directions for `llmgw translate`: chat request -> Responses request, Responses
// response -> chat completion.
#include <catch2/catch.hpp>

#include "core/responses/responses_reverse.h"
#include "responses_test_util.h"

using namespace llmgw;
using test::json_doc;

TEST_CASE("responses reverse: a chat request becomes a Responses request", "[responses]") {
    auto t = translate_chat_request_to_responses(R"({"model":"m","max_tokens":50,"temperature":0.1,"stream":true,
        "reasoning_effort":"low","response_format":{"type":"json_schema","json_schema":{"name":"o","schema":{}}},
        "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
        "tool_choice":{"type":"function","function":{"name":"f"}},
        "messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"u"},
          {"type":"image_url","image_url":{"url":"data:x"}}]},
          {"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
          {"role":"tool","tool_call_id":"c","content":"out"}]})");
    REQUIRE(t.ok());
    auto r = json_doc(t.body);
    CHECK(r["max_output_tokens"].GetInt64() == 50);
    CHECK(json::get_str(r["reasoning"], "effort") == std::optional<std::string_view>("low"));
    CHECK(json::get_str(r["text"]["format"], "name") == std::optional<std::string_view>("o"));
    CHECK(json::to_string(r["tools"][0]) == R"({"type":"function","name":"f","parameters":{"type":"object"}})");
    CHECK(json::to_string(r["tool_choice"]) == R"({"type":"function","name":"f"})");
    auto in = r["input"].GetArray();
    REQUIRE(in.Size() == 5);
    CHECK(json::get_str(in[1]["content"][1], "type") == std::optional<std::string_view>("input_image"));
    CHECK(json::get_str(in[2], "type") == std::optional<std::string_view>("reasoning"));
    CHECK(json::get_str(in[3], "type") == std::optional<std::string_view>("function_call"));
    CHECK(json::get_str(in[4], "type") == std::optional<std::string_view>("function_call_output"));
    auto stop = translate_chat_request_to_responses(R"({"model":"m","messages":[],"stop":["x"]})");
    REQUIRE(stop.error);
    CHECK(stop.error->param == "stop");
    auto bad = translate_chat_request_to_responses(R"({"model":"m","messages":[{"role":"robot","content":""}]})");
    REQUIRE(bad.error);
    CHECK(bad.error->param == "messages.0.role");
}

TEST_CASE("responses reverse: a Responses response becomes a chat completion", "[responses]") {
    auto t = translate_response_to_chat(R"({"id":"resp_abc","object":"response","created_at":7,"model":"m",
        "status":"completed","output":[{"type":"reasoning","id":"rs","summary":[{"type":"summary_text","text":"why"}]},
          {"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"hi"}]},
          {"type":"function_call","id":"fc","call_id":"c1","name":"close_agent","namespace":"multi","arguments":"{}"},
          {"type":"custom_tool_call","id":"ctc","call_id":"c2","name":"apply_patch","input":"P"}],
        "usage":{"input_tokens":9,"output_tokens":4,"input_tokens_details":{"cached_tokens":2}}})");
    REQUIRE(t.ok());
    auto c = json_doc(t.body);
    CHECK(json::get_str(c, "id") == std::optional<std::string_view>("chatcmpl-abc"));
    const auto& m = c["choices"][0]["message"];
    CHECK(json::get_str(m, "content") == std::optional<std::string_view>("hi"));
    CHECK(json::get_str(m, "reasoning_content") == std::optional<std::string_view>("why"));
    CHECK(json::get_str(m["tool_calls"][0]["function"], "name") == std::optional<std::string_view>("multi__close_agent"));
    CHECK(json::get_str(m["tool_calls"][1]["function"], "arguments") == std::optional<std::string_view>(R"({"input":"P"})"));
    CHECK(json::get_str(c["choices"][0], "finish_reason") == std::optional<std::string_view>("tool_calls"));
    CHECK(c["usage"]["prompt_tokens"].GetInt64() == 9);
    CHECK(c["usage"]["prompt_tokens_details"]["cached_tokens"].GetInt64() == 2);

    auto cut = json_doc(translate_response_to_chat(R"({"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[]})").body);
    CHECK(json::get_str(cut["choices"][0], "finish_reason") == std::optional<std::string_view>("length"));
    auto failed = translate_response_to_chat(R"({"id":"r","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]})");
    REQUIRE(failed.ok());
    CHECK_THAT(failed.body, Catch::Contains(R"("message":"boom")"));
    auto envelope = translate_response_to_chat(R"({"error":{"message":"nope","type":"invalid_request_error"}})");
    CHECK(envelope.body == R"({"error":{"message":"nope","type":"invalid_request_error"}})");
    auto hosted = translate_response_to_chat(R"({"id":"r","output":[{"type":"web_search_call","id":"w"}]})");
    REQUIRE(hosted.error);
    CHECK(hosted.error->param == "output.0.type");
}
