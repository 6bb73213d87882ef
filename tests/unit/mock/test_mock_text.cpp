// The mock's building blocks: tokenizer, fragments, schema examples, fault schedule.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>

#include "core/mock/mock_faults.h"
#include "core/mock/mock_schema.h"
#include "core/mock/mock_text.h"

using namespace llmgw::mock;

TEST_CASE("mock tokenizer: words, punctuation, UTF-8", "[mock]") {
    CHECK(count_tokens("Hello, world!") == 4);
    CHECK(count_tokens("  ") == 0);
    CHECK(count_tokens("<|im_start|>user\n") == 8);  // < | im _ start | > user
    CHECK(count_tokens("Zürich café") == 2);
    auto words = generate_words(42, 12);
    std::string text;
    for (auto& w : words) text += w;
    CHECK(count_tokens(text) == 12);
    CHECK(generate_words(42, 12) == words);
    CHECK(token_id("hello") == token_id("hello"));
}

TEST_CASE("mock fragments rebuild the text and never split UTF-8", "[mock]") {
    std::string text = R"({"city":"Zürich","note":"naïve – ok"})";
    auto parts = fragment(text, 7);
    std::string joined;
    for (auto& p : parts) {
        CHECK_FALSE(p.empty());
        CHECK((static_cast<unsigned char>(p[0]) & 0xC0) != 0x80);  // never starts mid-sequence
        joined += p;
    }
    CHECK(joined == text);
    CHECK(parts.size() > 5);
}

TEST_CASE("mock schema examples satisfy common schemas", "[mock]") {
    rapidjson::Document schema;
    schema.Parse(R"({
      "type":"object",
      "properties":{
        "name":{"type":"string","minLength":12},
        "count":{"type":"integer","minimum":500},
        "ratio":{"type":["number","null"],"maximum":0.25},
        "tags":{"type":"array","items":{"type":"string","enum":["a","b"]},"minItems":2},
        "mode":{"const":"fast"},
        "when":{"type":"string","format":"date-time"},
        "where":{"$ref":"#/$defs/Place"},
        "either":{"anyOf":[{"type":"null"},{"type":"boolean"}]},
        "optional":{"type":"string"}
      },
      "required":["name","count","ratio","tags","mode","when","where","either"],
      "$defs":{"Place":{"type":"object","properties":{"lat":{"type":"number"},"lon":{"type":"number"}}}}
    })");
    REQUIRE_FALSE(schema.HasParseError());
    rapidjson::Document v;
    v.Parse(schema_example_json(&schema, 1).c_str());
    REQUIRE_FALSE(v.HasParseError());
    CHECK(v["name"].GetStringLength() >= 12);
    CHECK(v["count"].GetInt64() >= 500);
    CHECK(v["ratio"].GetDouble() <= 0.25);
    CHECK(v["tags"].Size() == 2);
    CHECK(std::string(v["tags"][0].GetString()) == "a");
    CHECK(std::string(v["mode"].GetString()) == "fast");
    CHECK(std::string(v["when"].GetString()) == "2025-01-01T00:00:00Z");
    CHECK(v["where"]["lat"].IsNumber());
    CHECK(v["where"]["lon"].IsNumber());
    CHECK(v["either"].IsBool());
    CHECK_FALSE(v.HasMember("optional"));
    CHECK(schema_example_json(&schema, 1) == schema_example_json(&schema, 1));
    CHECK(schema_example_json(nullptr, 1) == "{}");
}

TEST_CASE("mock fault schedule", "[mock]") {
    int fails = 0;
    for (uint64_t k = 1; k <= 100; ++k) fails += injected_failure(0.25, 0, k);
    CHECK(fails == 25);
    CHECK_FALSE(injected_failure(0.5, 0, 1));
    CHECK(injected_failure(0.5, 0, 2));
    CHECK(injected_failure(1.0, 0, 1));
    CHECK_FALSE(injected_failure(0.0, 0, 1));
    fails = 0;
    for (uint64_t k = 1; k <= 10; ++k) fails += injected_failure(0.1, 0, k);
    CHECK(fails == 1);
    fails = 0;
    for (uint64_t k = 1; k <= 10000; ++k) {
        CHECK(injected_failure(0.3, 99, k) == injected_failure(0.3, 99, k));
        fails += injected_failure(0.3, 99, k);
    }
    CHECK(fails > 2700);
    CHECK(fails < 3300);
}

TEST_CASE("mock embeddings and base64", "[mock]") {
    auto v = embedding_vector("x", 8);
    double n = 0;
    for (float x : v) n += double(x) * x;
    CHECK(n == Approx(1.0).epsilon(1e-6));
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}
