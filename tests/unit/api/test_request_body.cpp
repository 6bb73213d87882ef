#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/request_body.h"
#include "core/base/request_id.h"
#include "core/api/stream_observer.h"

using namespace llmgw;

TEST_CASE("request body: the few fields the gateway reads", "[request_body]") {
    auto f = inspect_request_body(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"x":[1]})");
    CHECK(f.ok);
    CHECK(f.model == "m");
    CHECK(f.stream);
    CHECK(f.include_usage);
    auto g = inspect_request_body(R"({"stream":"yes"})");
    CHECK(g.ok);
    CHECK_FALSE(g.has_model);
    CHECK_FALSE(g.stream);
    auto bad = inspect_request_body("{\"a\":");
    CHECK_FALSE(bad.ok);
    CHECK(bad.error.find("offset") != std::string::npos);
    CHECK_FALSE(inspect_request_body("[]").ok);
    CHECK_FALSE(inspect_request_body("").ok);
}

TEST_CASE("request body: surgical edits keep every other byte", "[request_body]") {
    std::string body = R"({ "messages" : [ ], "weird":  1.50 })";
    std::string out = insert_member(body, "model", json_quote("m\"x"));
    CHECK(out == R"({"model":"m\"x", "messages" : [ ], "weird":  1.50 })");
    CHECK(insert_member("{}", "a", "1") == R"({"a":1})");
    CHECK(insert_member("{ }", "a", "1") == R"({"a":1 })");

    auto f = inspect_request_body(body);
    std::string with = with_include_usage(body, f);
    rapidjson::Document d;
    d.Parse(with.c_str());
    REQUIRE(d.IsObject());
    CHECK(d["stream_options"]["include_usage"].GetBool());
    CHECK(with.find(R"("weird":  1.50)") != std::string::npos);

    std::string own = R"({"stream":true,"stream_options":{"other":1}})";
    std::string w2 = with_include_usage(own, inspect_request_body(own));
    d.Parse(w2.c_str());
    CHECK(d["stream_options"]["include_usage"].GetBool());
    CHECK(d["stream_options"]["other"].GetInt() == 1);
}

TEST_CASE("stream observer: a payload padded with what JSON does not call whitespace is not JSON", "[stream_observer]") {
    // Found by fuzz_stream_observer: trimmed of \v, the event was read as an in-band error that
    // json::parse, reading the same bytes, refuses.
    CHECK(inspect_stream_event("{\"error\":{\"message\":\"x\"}}").error);
    CHECK_FALSE(inspect_stream_event("{\"error\":{\"message\":\"x\"}}\v\v").error);
    CHECK(inspect_stream_event(" {\"error\":{\"message\":\"x\"}}\r\n").error);
    CHECK(inspect_stream_event("\v[DONE]\f").done);
}

TEST_CASE("stream observer: a BOM counts only as the payload's first bytes, as json::parse says", "[stream_observer]") {
    // Found by fuzz_stream_observer: trimming the whitespace in front of a BOM made it the text's
    // start, so a payload json::parse refuses was read as an event with content.
    const std::string event = R"({"choices":[{"delta":{"content":"hi"}}]})";
    CHECK(inspect_stream_event("\xEF\xBB\xBF" + event).content);
    CHECK_FALSE(inspect_stream_event("\n\xEF\xBB\xBF" + event).content);
    CHECK_FALSE(inspect_stream_event(" \xEF\xBB\xBF\n" + event).content);
    json::ReusedDocument doc;
    CHECK(read_stream_chunk("\xEF\xBB\xBF" + event, doc).json != nullptr);
    CHECK(read_stream_chunk("\n\xEF\xBB\xBF" + event, doc).json == nullptr);
}

TEST_CASE("stream observer: content, usage-only chunks, errors, DONE", "[stream_observer]") {
    CHECK(inspect_stream_event("[DONE]").done);
    auto role = inspect_stream_event(R"({"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]})");
    CHECK_FALSE(role.content);
    CHECK(inspect_stream_event(R"({"choices":[{"delta":{"content":""}}]})").content == false);
    CHECK(inspect_stream_event(R"({"choices":[{"delta":{"content":"hi"}}]})").content);
    CHECK(inspect_stream_event(R"({"choices":[{"delta":{"reasoning_content":"hm"}}]})").content);
    CHECK(inspect_stream_event(R"({"choices":[{"delta":{"reasoning":"hm"}}]})").content);
    CHECK(inspect_stream_event(R"({"choices":[{"delta":{"tool_calls":[{"index":0}]}}]})").content);
    CHECK_FALSE(inspect_stream_event(R"({"choices":[{"delta":{"tool_calls":[]}}]})").content);
    CHECK(inspect_stream_event(R"({"choices":[{"text":"x"}]})").content);
    auto usage = inspect_stream_event(
        R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":17,"prompt_tokens_details":{"cached_tokens":10}}})");
    CHECK(usage.usage_only);
    CHECK(usage.prompt_tokens == 11);
    CHECK(usage.completion_tokens == 17);
    CHECK(usage.cached_tokens == 10);
    auto fin = inspect_stream_event(R"({"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}})");
    CHECK(fin.finished);
    CHECK(fin.has_usage);
    CHECK_FALSE(fin.usage_only);
    CHECK(inspect_stream_event(R"({"error":{"message":"boom"}})").error);
    auto junk = inspect_stream_event("not json");
    CHECK_FALSE(junk.content);
    CHECK_FALSE(junk.done);
    int64_t p = 0, c = 0, k = -1;
    CHECK(read_usage(R"({"usage":{"prompt_tokens":3,"completion_tokens":4}})", &p, &c, &k) == UsageRead::Found);
    CHECK(p == 3);
    CHECK(c == 4);
    CHECK(k == 0);
    CHECK(read_usage(R"({"usage":{"prompt_tokens":30,"completion_tokens":4,"prompt_tokens_details":{"cached_tokens":24}}})",
                     &p, &c, &k) == UsageRead::Found);
    CHECK(p == 30);
    CHECK(k == 24);
    CHECK(read_usage("{}", &p, &c, &k) == UsageRead::Absent);
    CHECK(read_usage("{", &p, &c, &k) == UsageRead::NotJson);
}

namespace {
std::string nested(int levels, std::string_view inner = "") {
    return std::string(levels, '[') + std::string(inner) + std::string(levels, ']');
}
size_t count_of(std::string_view text, std::string_view needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("request body: nesting past 128 levels is refused, at 128 accepted", "[request_body][deepjson]") {
    auto flood = inspect_request_body(std::string(300 * 1024, '['));
    CHECK_FALSE(flood.ok);
    CHECK(flood.error.find("nesting deeper than 128") != std::string::npos);
    auto in_field = [](int levels) {
        return inspect_request_body(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"x":)" +
                                    nested(levels) + "}");
    };
    CHECK(in_field(127).ok);  // + the body's own object = 128 levels
    CHECK_FALSE(in_field(128).ok);
    CHECK_FALSE(in_field(100000).ok);
}

TEST_CASE("request body: model must be a string, never shadowed", "[request_body]") {
    for (const char* body : {R"({"model":1})", R"({"model":null})", R"({"model":["m"]})"}) {
        auto f = inspect_request_body(body);
        CHECK_FALSE(f.ok);
        CHECK(f.error_param == "model");
        CHECK(f.error.find("model") != std::string::npos);
    }
}

TEST_CASE("request body: a stream_options that is not an object is replaced in place", "[request_body]") {
    for (const char* so : {"null", "\"x\"", "3", "[1]"}) {
        std::string body = std::string(R"({"model":"m", "stream":true, "stream_options": )") + so + R"(, "z": 1.50})";
        auto f = inspect_request_body(body);
        REQUIRE(f.ok);
        std::string out = with_include_usage(body, f);
        CHECK(out == R"({"model":"m", "stream":true, "stream_options": {"include_usage":true}, "z": 1.50})");
        CHECK(count_of(out, "stream_options") == 1);
    }
    // An object is edited inside, its other members and spacing kept.
    std::string off = R"({"stream":true,"stream_options":{ "include_usage" : false, "k": 1.0 }})";
    CHECK(with_include_usage(off, inspect_request_body(off)) ==
          R"({"stream":true,"stream_options":{ "include_usage" : true, "k": 1.0 }})");
    std::string escaped = R"({"stream":true,"stream\u005foptions":null})";
    CHECK(with_include_usage(escaped, inspect_request_body(escaped)) ==
          R"({"stream":true,"stream\u005foptions":{"include_usage":true}})");
}

TEST_CASE("request body: a repeated stream_options or include_usage is set in every occurrence", "[request_body]") {
    // First-key-wins (this gateway) and last-key-wins (most runtimes) readers both see usage on.
    std::string twice = R"({"stream":true,"stream_options":null,"stream_options":{"include_usage":false}})";
    CHECK(with_include_usage(twice, inspect_request_body(twice)) ==
          R"({"stream":true,"stream_options":{"include_usage":true},"stream_options":{"include_usage":true}})");
    // Found by fuzz_request_body: the first include_usage was read, the last was edited.
    std::string inner = R"({"stream":true,"stream_options":{"include_usage":"m","x":1,"include_usage":"m"}})";
    std::string out = with_include_usage(inner, inspect_request_body(inner));
    CHECK(out == R"({"stream":true,"stream_options":{"include_usage":true,"x":1,"include_usage":true}})");
    CHECK(inspect_request_body(out).include_usage);
    CHECK(count_of(out, "stream_options") == 1);
}

TEST_CASE("stream observer: a too-deep event or answer is flagged, not read", "[stream_observer][deepjson]") {
    auto ev = inspect_stream_event(R"({"choices":[{"delta":{"content":"x"}}],"x":)" + nested(200) + "}");
    CHECK(ev.too_deep);
    CHECK_FALSE(ev.content);
    CHECK_FALSE(inspect_stream_event(R"({"choices":[]})").too_deep);
    int64_t p = -1, c = -1, k = -1;
    CHECK(read_usage(R"({"usage":{"prompt_tokens":3},"x":)" + nested(5000) + "}", &p, &c, &k) == UsageRead::TooDeep);
    CHECK(p == -1);
}

TEST_CASE("errors: one type, two envelopes, one status table each", "[errors]") {
    ApiError e = ApiError::rate_limited("slow down");
    rapidjson::Document d;
    d.Parse(render_openai_error(e).c_str());
    CHECK(std::string(d["error"]["message"].GetString()) == "slow down");
    CHECK(std::string(d["error"]["type"].GetString()) == "rate_limit_error");
    CHECK(d["error"]["param"].IsNull());
    CHECK(std::string(d["error"]["code"].GetString()) == "rate_limit_exceeded");
    d.Parse(render_anthropic_error(e).c_str());
    CHECK(std::string(d["type"].GetString()) == "error");
    CHECK(std::string(d["error"]["type"].GetString()) == "rate_limit_error");
    struct Row { int status; const char* openai; const char* anthropic; };
    for (auto [status, o, a] : std::vector<Row>{{400, "invalid_request_error", "invalid_request_error"},
                                                {401, "authentication_error", "authentication_error"},
                                                {403, "permission_error", "permission_error"},
                                                {404, "not_found_error", "not_found_error"},
                                                {413, "invalid_request_error", "request_too_large"},
                                                {429, "rate_limit_error", "rate_limit_error"},
                                                {500, "server_error", "api_error"},
                                                {502, "upstream_error", "api_error"},
                                                {503, "upstream_error", "overloaded_error"},
                                                {504, "upstream_error", "api_error"}}) {
        INFO(status);
        CHECK(openai_error_type(status) == o);
        CHECK(anthropic_error_type(status) == a);
    }
}

TEST_CASE("errors: upstream bodies in any shape are wrapped", "[errors]") {
    std::string envelope = R"({"error":{"message":"m","type":"invalid_request_error","param":null,"code":null}})";
    CHECK(wrap_upstream_error(ApiStyle::OpenAI, 400, envelope) == envelope);
    rapidjson::Document d;
    d.Parse(wrap_upstream_error(ApiStyle::OpenAI, 422, R"({"error":"Input validation error","error_type":"validation"})").c_str());
    CHECK(std::string(d["error"]["message"].GetString()) == "Input validation error");
    d.Parse(wrap_upstream_error(ApiStyle::Anthropic, 500, R"({"error":{"code":500,"message":"boom","type":"server_error"}})").c_str());
    CHECK(std::string(d["error"]["message"].GetString()) == "boom");
    CHECK(std::string(d["error"]["type"].GetString()) == "api_error");
    d.Parse(wrap_upstream_error(ApiStyle::OpenAI, 502, "<html>Bad gateway</html>\n").c_str());
    CHECK(std::string(d["error"]["message"].GetString()) == "<html>Bad gateway</html>");
    d.Parse(wrap_upstream_error(ApiStyle::OpenAI, 500, "").c_str());
    CHECK(std::string(d["error"]["message"].GetString()).find("empty") != std::string::npos);
    d.Parse(wrap_upstream_error(ApiStyle::OpenAI, 400, R"({"detail":"Not Found"})").c_str());
    CHECK(std::string(d["error"]["message"].GetString()) == "Not Found");
}

TEST_CASE("errors: an empty message in an upstream error is passed over, never relayed empty", "[errors]") {
    // fuzz_api_error found {"error":""}: the client got an envelope with an empty message.
    CHECK(upstream_error_message(R"({"error":""})") == R"({"error":""})");
    CHECK(upstream_error_message(R"({"error":"","message":"overloaded"})") == "overloaded");
    CHECK(upstream_error_message(R"({"error":{"message":""},"detail":"busy"})") == "busy");
    CHECK(upstream_error_message(R"({"message":"","detail":""})") == R"({"message":"","detail":""})");
    CHECK(upstream_error_message(R"({"error":"a\u0000b"})") == std::string("a\0b", 3));  // all of it
}

TEST_CASE("errors: a too-deep upstream error body is described, never relayed as is", "[errors][deepjson]") {
    // A valid OpenAI envelope with one member nested past the limit.
    std::string deep = R"({"error":{"message":"m","type":"server_error","x":)" + nested(200) + "}}";
    std::string wrapped = wrap_upstream_error(ApiStyle::OpenAI, 500, deep);
    CHECK(wrapped != deep);
    rapidjson::Document d;
    d.Parse(wrapped.c_str());
    REQUIRE(d.IsObject());
    CHECK(std::string(d["error"]["message"].GetString()).find("nesting deeper than 128") != std::string::npos);
    CHECK(upstream_error_message(std::string(300 * 1024, '[')).find("nesting deeper than 128") != std::string::npos);
}

TEST_CASE("request ids: sane ones pass, others are refused", "[request_id]") {
    CHECK(is_sane_request_id("abc-123_XYZ.:/"));
    CHECK_FALSE(is_sane_request_id(""));
    CHECK_FALSE(is_sane_request_id(std::string(129, 'a')));
    CHECK(is_sane_request_id(std::string(128, 'a')));
    CHECK_FALSE(is_sane_request_id("has space"));
    CHECK_FALSE(is_sane_request_id("quote\""));
    CHECK_FALSE(is_sane_request_id("new\nline"));
    CHECK_FALSE(is_sane_request_id("caf\xc3\xa9"));
    std::string id = make_request_id(0x0123456789abcdefull, 0xfedcba98ull);
    CHECK(id == "req_0123456789abcdeffedcba98");
    CHECK(is_sane_request_id(id));
}

#include "core/base/url_path.h"

TEST_CASE("forwarded paths cannot climb out of their route", "[url_path]") {
    CHECK(is_safe_forward_path("/v1/models/llama3"));
    CHECK(is_safe_forward_path("/v1/models/meta-llama/Llama-3.1-8B-Instruct"));
    CHECK(is_safe_forward_path("/v1/models/qwen2.5:7b"));
    CHECK(is_safe_forward_path("/v1/models/a..b"));
    for (const char* bad : {"/v1/models/../../admin", "/v1/models/..", "/v1/models/./x", "/v1/models/%2e%2e/x",
                            "/v1/models/%2E./slots", "/v1/models/.%2e", "/v1/models/a%2fb", "/v1/models/a%5Cb",
                            "/v1/models/a\\b", "/v1/models//x", "/v1/models/a b", "/v1/models/\x01", "v1/models/x", ""}) {
        INFO(bad);
        CHECK_FALSE(is_safe_forward_path(bad));
    }
}

TEST_CASE("stream observer: the scan of a relayed event and the walk of a parsed one agree", "[stream_observer]") {
    const std::vector<std::string> payloads = {
        R"({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]})",
        R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":3}}})",
        R"({"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":9}})",
        R"({"choices":[{"delta":{"tool_calls":{"name":"f"}}}]})",
        R"({"choices":[{"delta":{"x":{"content":"deeper, not a delta's"}}},{"text":""}],"usage":"no"})",
        R"({"usage":{"prompt_tokens":-1,"completion_tokens":18446744073709551615,"x":{"prompt_tokens":7}}})",
        R"({"choices":[{"delta":{"content":"x"}}],"error":{"message":"late"}})",
        R"([{"choices":[{"delta":{"content":"x"}}]}])",
        R"({"choices":[{"delta":{"content":"x"}}]} trailing)",
        R"({"choices":[{"delta":{"content":"x"}}],"a":)" + std::string(200, '[') + std::string(200, ']') + "}",
        "[DONE]", " \r\n", "\v{\"choices\":[{\"text\":\"x\"}]}",
    };
    json::Scanner scanner;
    json::ReusedDocument doc;
    for (const std::string& p : payloads) {
        CAPTURE(p.substr(0, 60));
        StreamEventInfo scanned = inspect_stream_event(p, scanner);
        StreamEventInfo walked = inspect_stream_event(read_stream_chunk(p, doc));
        CHECK(scanned.done == walked.done);
        CHECK(scanned.content == walked.content);
        CHECK(scanned.usage_only == walked.usage_only);
        CHECK(scanned.has_usage == walked.has_usage);
        CHECK(scanned.error == walked.error);
        CHECK(scanned.finished == walked.finished);
        CHECK(scanned.too_deep == walked.too_deep);
        CHECK(scanned.prompt_tokens == walked.prompt_tokens);
        CHECK(scanned.completion_tokens == walked.completion_tokens);
        CHECK(scanned.cached_tokens == walked.cached_tokens);
    }
    // What the scan reads from them.
    auto fin = inspect_stream_event(payloads[1], scanner);
    CHECK((fin.finished && fin.has_usage && !fin.usage_only && !fin.content));
    CHECK((fin.prompt_tokens == 5 && fin.completion_tokens == 9 && fin.cached_tokens == 3));
    CHECK(inspect_stream_event(payloads[2], scanner).usage_only);
    CHECK(inspect_stream_event(payloads[3], scanner).content);
    auto nested = inspect_stream_event(payloads[4], scanner);
    CHECK_FALSE(nested.content);  // a "content" below delta.x, and an empty "text"
    CHECK_FALSE(nested.has_usage);
    auto odd = inspect_stream_event(payloads[5], scanner);
    CHECK(odd.has_usage);
    CHECK(odd.prompt_tokens == -1);
    CHECK(odd.completion_tokens == 0);  // past int64: not read
    auto late_error = inspect_stream_event(payloads[6], scanner);
    CHECK(late_error.error);
    CHECK_FALSE(late_error.content);  // an error event reports nothing else
    CHECK_FALSE(inspect_stream_event(payloads[7], scanner).content);  // not an object
    CHECK_FALSE(inspect_stream_event(payloads[8], scanner).content);  // not JSON: nothing half-read
    CHECK(inspect_stream_event(payloads[9], scanner).too_deep);
    CHECK_FALSE(inspect_stream_event(payloads[12], scanner).content);  // \v is not JSON whitespace
}

TEST_CASE("request body: the token facts come from the same parse, equal to reading the body again", "[request_body]") {
    const std::string body =
        R"({"model":"m","max_tokens":50,"messages":[{"role":"user","content":"abcdef"},)"
        R"({"role":"assistant","content":[{"type":"text","text":"xyz"},{"type":"image_url","image_url":{"url":"u"}}],)"
        R"("tool_calls":[{"id":"c1","function":{"name":"f","arguments":"{}"}}]}],)"
        R"("tools":[{"type":"function","function":{"name":"f"}}]})";
    CHECK_FALSE(inspect_request_body(body).tokens);  // only when asked: the estimate walks every tool
    auto f = inspect_request_body(body, TokenRead::ChatPrompt);
    REQUIRE(f.tokens);
    // Text 6 + 3 + tool call 2 + 1 + 2 = 14 bytes -> 5; overhead 8 + 2 messages x 8 + tools 150 + 16;
    // the tool's schema, 43 bytes of JSON -> 22; one image 1600.
    CHECK(f.tokens->prompt_estimate == 5 + 190 + 22 + 1600);
    CHECK(f.tokens->requested_output == 50);
    CHECK(f.tokens->prompt_estimate == estimate_tokens_for_openai_request(body));
    CHECK(f.tokens->requested_output == requested_output_tokens(body));
    // A body that is not a chat request (a native Messages body, a completion) is counted by its
    // bytes: only its output limit is read, not the estimate that walks every tool.
    auto output_only = inspect_request_body(body, TokenRead::OutputLimit);
    REQUIRE(output_only.tokens);
    CHECK(output_only.tokens->prompt_estimate == 0);
    CHECK(output_only.tokens->requested_output == 50);

    auto plain = inspect_request_body(R"({"model":"m","max_completion_tokens":7.9,"messages":[{"role":"user","content":"hi"}]})", TokenRead::ChatPrompt);
    REQUIRE(plain.tokens);
    CHECK(plain.tokens->prompt_estimate == 1 + 8 + 8);
    CHECK(plain.tokens->requested_output == 7);
    auto none = inspect_request_body(R"({"model":"m"})", TokenRead::ChatPrompt);
    REQUIRE(none.tokens);
    CHECK(none.tokens->prompt_estimate == 8);
    CHECK_FALSE(none.tokens->requested_output);
    CHECK_FALSE(inspect_request_body("{\"a\":", TokenRead::ChatPrompt).tokens);  // not JSON: no facts, the route answers 400
    CHECK(estimate_tokens_for_openai_request("not json at all") == 5);  // 15 bytes at 3 a token
}
