#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "core/ops/access_log.h"

using namespace llmgw;

namespace {

std::chrono::system_clock::time_point at_ms(int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

AccessLogEntry sample() {
    AccessLogEntry e;
    e.ts = at_ms(1714566896789);  // 2024-05-01T12:34:56.789Z
    e.request_id = "req-1";
    e.method = "POST";
    e.path = "/v1/chat/completions";
    e.status = 200;
    e.duration_ms = 12.3456789;
    e.model = "llama";
    e.backend_status = 200;
    e.prompt_tokens = 10;
    e.completion_tokens = 20;
    e.client = "198.51.100.7";
    e.identity = "key:0123456789ab";
    return e;
}

}  // namespace

TEST_CASE("RFC 3339 timestamps in UTC with milliseconds", "[accesslog]") {
    CHECK(format_rfc3339_ms(at_ms(1714566896789)) == "2024-05-01T12:34:56.789Z");
    CHECK(format_rfc3339_ms(at_ms(0)) == "1970-01-01T00:00:00.000Z");
    CHECK(format_rfc3339_ms(at_ms(5)) == "1970-01-01T00:00:00.005Z");
}

TEST_CASE("the JSON access line carries every field", "[accesslog]") {
    const std::string line = access_log_json(sample());
    CHECK(line.find('\n') == std::string::npos);
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["ts"].GetString()) == "2024-05-01T12:34:56.789Z");
    CHECK(std::string(d["level"].GetString()) == "INFO");
    CHECK(std::string(d["logger"].GetString()) == "access");
    CHECK(std::string(d["msg"].GetString()) == "request");
    CHECK(std::string(d["request_id"].GetString()) == "req-1");
    CHECK(std::string(d["method"].GetString()) == "POST");
    CHECK(std::string(d["path"].GetString()) == "/v1/chat/completions");
    CHECK(d["status"].GetInt() == 200);
    CHECK(d["duration_ms"].GetDouble() == Approx(12.346));
    CHECK(std::string(d["model"].GetString()) == "llama");
    CHECK(d["backend_status"].GetInt() == 200);
    CHECK(d["prompt_tokens"].GetInt64() == 10);
    CHECK(d["completion_tokens"].GetInt64() == 20);
    CHECK(std::string(d["client"].GetString()) == "198.51.100.7");
    CHECK(std::string(d["identity"].GetString()) == "key:0123456789ab");
}

TEST_CASE("absent fields are omitted, not faked", "[accesslog]") {
    AccessLogEntry e;
    e.ts = at_ms(0);
    e.msg = "listening";
    e.logger = "serve";
    rapidjson::Document d;
    d.Parse(access_log_json(e).c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(d.MemberCount() == 4);  // ts, level, logger, msg
}

TEST_CASE("hostile values stay inside their JSON string", "[accesslog]") {
    AccessLogEntry e = sample();
    e.path = "/x\"}\n{\"level\":\"CRITICAL\"";
    e.model = "m\\\x01";
    const std::string line = access_log_json(e);
    CHECK(line.find('\n') == std::string::npos);
    rapidjson::Document d;
    d.Parse(line.c_str());
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["path"].GetString()) == e.path);
    CHECK(std::string(d["level"].GetString()) == "INFO");
}

TEST_CASE("the text line is readable and single-line", "[accesslog]") {
    const std::string line = access_log_text(sample());
    CHECK(line ==
          "2024-05-01T12:34:56.789Z INFO access: request POST /v1/chat/completions 200 12.3ms "
          "request_id=req-1 model=llama backend_status=200 prompt_tokens=10 completion_tokens=20 "
          "client=198.51.100.7 identity=key:0123456789ab");
    AccessLogEntry e = sample();
    e.path = "/a\nFAKE LINE";
    CHECK(access_log_text(e).find('\n') == std::string::npos);
}

TEST_CASE("redaction masks every credential shape", "[accesslog]") {
    CHECK(redact_secrets("Authorization: Bearer abc.def-123") == "Authorization: Bearer [REDACTED]");
    CHECK(redact_secrets("authorization: bearer abc") == "authorization: bearer [REDACTED]");
    CHECK(redact_secrets("x-api-key: s3cr3t-value and more") == "x-api-key: [REDACTED] and more");
    CHECK(redact_secrets(R"({"api_key": "s3cr3t"})") == R"({"api_key": "[REDACTED]"})");
    CHECK(redact_secrets("/v1/models?key=s3cr3t&x=1") == "/v1/models?key=[REDACTED]&x=1");
    CHECK(redact_secrets("/p?access_token=abc") == "/p?access_token=[REDACTED]");
    CHECK(redact_secrets("used sk-ant-api03-abcdefghijklmnop1234 here") == "used [REDACTED] here");
    CHECK(redact_secrets("sk-short stays") == "sk-short stays");
    CHECK(redact_secrets("monkey=1 risk-free bearer") == "monkey=1 risk-free bearer");
    CHECK(redact_secrets("nothing to see") == "nothing to see");
    // Exact secrets anywhere, even without a recognisable shape.
    CHECK(redact_secrets("model=hunter2hunter2!", {"hunter2hunter2"}) == "model=[REDACTED]!");
    CHECK(redact_secrets("Bearer zz-my-key", {"zz-my-key"}) == "Bearer [REDACTED]");
}

TEST_CASE("an API key never reaches an access line", "[accesslog]") {
    const std::string key = "k-9f8e7d6c5b4a";
    AccessLogEntry e = sample();
    const std::string path = "/v1/chat/completions?api_key=" + key;
    const std::string model = "model-" + key;
    const std::string msg = "auth with Bearer " + key;
    e.path = path;
    e.model = model;
    e.msg = msg;
    for (const std::string& line : {access_log_json(e, {key}), access_log_text(e, {key})}) {
        INFO(line);
        CHECK(line.find(key) == std::string::npos);
        CHECK(line.find("[REDACTED]") != std::string::npos);
    }
}
