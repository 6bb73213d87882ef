// Reading captures for `llmgw translate`: heads, comments, chunked bodies.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/api/translate_capture.h"

using namespace llmgw;

TEST_CASE("capture: bare bodies pass unchanged", "[translate]") {
    auto c = extract_capture_body("{\"a\":1}\n");
    CHECK(c.body == "{\"a\":1}\n");
    CHECK_FALSE(c.had_head);
    CHECK(c.body_line == 1);
    CHECK(extract_capture_body("data: {}\n\n").body == "data: {}\n\n");
}

TEST_CASE("capture: fixture request and response heads are stripped, fixture bodies are not chunked", "[translate]") {
    auto req = extract_capture_body(test::llamacpp_fixture("messages_nonstream.request"));
    CHECK(req.had_head);
    CHECK(req.body.rfind("{\"model\"", 0) == 0);
    CHECK(req.body_line == 6);
    auto resp = extract_capture_body(test::llamacpp_fixture("chat_stream.response"));
    CHECK(resp.had_head);
    CHECK_FALSE(resp.dechunked);  // header says chunked, body was stored de-chunked
    CHECK(resp.body.rfind("data: {", 0) == 0);
}

TEST_CASE("capture: chunked bodies are de-chunked", "[translate]") {
    std::string in = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "7\r\ndata: {\r\n3;ext=1\r\n}\n\n\r\n0\r\n\r\n";
    auto c = extract_capture_body(in);
    REQUIRE_FALSE(c.error);
    CHECK(c.dechunked);
    CHECK(c.body == "data: {}\n\n");
    auto bad = extract_capture_body("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab\r\nzz\r\n");
    REQUIRE(bad.error);
    CHECK_THAT(*bad.error, Catch::Contains("line"));
}

TEST_CASE("capture: positions", "[translate]") {
    CHECK(describe_position("ab\ncd", 4) == "line 2, column 2");
    CHECK(describe_position("ab", 99) == "line 1, column 3");
}
