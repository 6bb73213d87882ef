#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "core/backend/backend_facts.h"

using namespace llmgw;

namespace {
// The body of a raw HTTP capture (after the blank line).
std::string fixture_body(const std::string& name) {
    std::ifstream f(std::string(LLMGW_FIXTURES_DIR) + "/llamacpp/" + name);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string s = ss.str();
    auto p = s.find("\r\n\r\n");
    return p == std::string::npos ? s : s.substr(p + 4);
}
}  // namespace

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
