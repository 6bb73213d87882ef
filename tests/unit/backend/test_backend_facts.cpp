#include <catch2/catch.hpp>


#include "core/api/model_list.h"
#include "core/backend/backend_facts.h"
#include "fixtures.h"

using namespace llmgw;

using test::fixture_body;

TEST_CASE("context length from /v1/models in each runtime's shape", "[backend_facts]") {
    CHECK(context_length_from_models(fixture_body("models.response"), "models/tiny-chain.gguf") == 2048);
    CHECK(context_length_from_models(fixture_body("v1_models.response"), "") == 2048);
    const char* vllm = R"({"object":"list","data":[{"id":"a","max_model_len":4096},{"id":"b","max_model_len":32768}]})";
    CHECK(context_length_from_models(vllm, "b") == 32768);
    CHECK(context_length_from_models(vllm, "unknown") == 4096);  // first model
    CHECK(context_length_from_models(R"({"data":[{"id":"x","max_context_length":8192}]})", "x") == 8192);
    CHECK(context_length_from_models(R"({"data":[{"id":"x"}]})", "x") == 0);
    CHECK(context_length_from_models("not json", "x") == 0);
    CHECK(context_length_from_models(R"({"data":[]})", "") == 0);
    CHECK(context_length_from_models(R"({"data":[{"id":"x","max_model_len":-5}]})", "x") == 0);
}

TEST_CASE("context length from llama.cpp /props", "[backend_facts]") {
    CHECK(context_length_from_props(fixture_body("props.response")) == 2048);
    CHECK(context_length_from_props(R"({"n_ctx":512})") == 512);
    CHECK(context_length_from_props("{}") == 0);
}

TEST_CASE("max_tokens cap: configured wins, else context less prompt", "[backend_facts]") {
    CHECK(max_tokens_cap(1000, 4096, 100) == 1000);
    CHECK(max_tokens_cap(0, 4096, 96) == 4000);
    CHECK(max_tokens_cap(0, 4096, 5000) == 1);
    CHECK(max_tokens_cap(0, 0, 10) == 0);
}

TEST_CASE("model ids in the order a GET /v1/models answer lists them", "[backend_facts]") {
    auto llama = listed_model_ids(fixture_body("v1_models.response"));
    REQUIRE(llama);
    REQUIRE(llama->size() == 1);
    CHECK(llama->front() == "models/tiny-chain.gguf");
    auto two = listed_model_ids(R"({"data":[{"id":"b"},{"object":"model"},{"id":7},{"id":"a"}]})");
    REQUIRE(two);
    CHECK(*two == std::vector<std::string>{"b", "a"});
    CHECK(listed_model_ids(R"({"data":[]})")->empty());
    CHECK_FALSE(listed_model_ids(R"({"models":[]})"));
    CHECK_FALSE(listed_model_ids("[1,2]"));
    CHECK_FALSE(listed_model_ids("not json"));
}
