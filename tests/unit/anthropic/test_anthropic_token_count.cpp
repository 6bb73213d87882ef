// count_tokens: tokenizer requests per runtime, answer parsing, the estimate.
#include <catch2/catch.hpp>

#include "anthropic_test_util.h"
#include "core/anthropic/token_count.h"

using namespace llmgw;

namespace {
const std::string kToolsBody = R"({"model":"claude-x","system":"You are terse.","messages":[
  {"role":"user","content":"What is the weather in Paris?"},
  {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get_weather","input":{"city":"Paris"}}]},
  {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"21C and sunny"}]}],
  "tools":[{"name":"get_weather","description":"Get the current weather for a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]})";
}

TEST_CASE("count_tokens: vLLM/SGLang tokenize the chat messages with tools", "[anthropic]") {
    auto plan = plan_token_count(kToolsBody, backend_profile(BackendKind::VLLM), "Qwen/Qwen3-8B");
    REQUIRE(plan.ok());
    CHECK(plan.style == TokenizeStyle::ChatTokenize);
    CHECK(plan.path == "/tokenize");
    json::Document d;
    REQUIRE_FALSE(json::parse(plan.body, d));
    CHECK(d["model"] == "Qwen/Qwen3-8B");
    REQUIRE(d["messages"].Size() == 4);
    CHECK(d["messages"][0]["role"] == "system");
    CHECK(d["messages"][2]["tool_calls"][0]["function"]["arguments"] == R"({"city":"Paris"})");
    CHECK(d["messages"][3]["content"] == "21C and sunny");
    CHECK(d["tools"][0]["function"]["name"] == "get_weather");
    CHECK(d["add_generation_prompt"].IsTrue());
    CHECK(d["chat_template_kwargs"]["enable_thinking"].IsFalse());
    CHECK_FALSE(d.HasMember("max_tokens"));
    auto own = plan_token_count(kToolsBody, backend_profile(BackendKind::SGLang));
    CHECK(own.body.find(R"("model":"claude-x")") != std::string::npos);
}

TEST_CASE("count_tokens: llama.cpp apply-template then tokenize, fixture shapes", "[anthropic]") {
    auto plan = plan_token_count(test::fixture_body("messages_count_tokens_tools.request"), backend_profile(BackendKind::LlamaCpp));
    REQUIRE(plan.ok());
    CHECK(plan.path == "/apply-template");
    json::Document d;
    REQUIRE_FALSE(json::parse(plan.body, d));
    CHECK(d["messages"][0]["content"] == "What is the weather in Paris?");
    CHECK(d["tools"][0]["function"]["name"] == "get_weather");
    CHECK_FALSE(d.HasMember("model"));

    auto second = tokenize_request_from_template(test::fixture_body("apply_template.response"));
    REQUIRE(second);
    json::Document t;
    REQUIRE_FALSE(json::parse(*second, t));
    CHECK(t["content"] == "<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n");
    CHECK(t["add_special"].IsTrue());
    CHECK_FALSE(tokenize_request_from_template(R"({"nope":1})"));
    CHECK_FALSE(tokenize_request_from_template("<html>"));

    CHECK(parse_tokenize_count(test::fixture_body("tokenize.response")) == 5);
    CHECK(parse_tokenize_count(test::fixture_body("tokenize_with_pieces.response")) == 5);
    CHECK(parse_tokenize_count(test::fixture_body("messages_count_tokens.response")) == 11);
}

TEST_CASE("count_tokens: answer shapes", "[anthropic]") {
    CHECK(parse_tokenize_count(R"({"count":12,"max_model_len":4096,"tokens":[1,2]})") == 12);
    CHECK(parse_tokenize_count(R"([{"id":1,"text":"a"},{"id":2,"text":"b"}])") == 2);
    CHECK(parse_tokenize_count(R"({"input_tokens":7})") == 7);
    CHECK_FALSE(parse_tokenize_count(R"({"error":"x"})"));
    CHECK_FALSE(parse_tokenize_count("garbage"));
    CHECK(render_count_tokens(42) == R"({"input_tokens":42})");
}

TEST_CASE("count_tokens: TGI text tokenize and no-tokenizer runtimes", "[anthropic]") {
    auto tgi = plan_token_count(kToolsBody, backend_profile(BackendKind::TGI));
    REQUIRE(tgi.ok());
    CHECK(tgi.path == "/tokenize");
    CHECK(tgi.body.find("21C and sunny") != std::string::npos);
    CHECK(tgi.body.find("get_weather") != std::string::npos);
    auto none = plan_token_count(kToolsBody, backend_profile(BackendKind::Ollama));
    REQUIRE(none.ok());
    CHECK(none.style == TokenizeStyle::None);
    CHECK(none.path.empty());
    CHECK(none.estimate > 0);
}

TEST_CASE("count_tokens: invalid bodies are 400s naming the field", "[anthropic]") {
    auto p = plan_token_count(R"({"model":"m","messages":[{"role":"user","content":[{"type":"foo"}]}]})", backend_profile(BackendKind::VLLM));
    REQUIRE(p.error);
    CHECK(p.error->status == 400);
    CHECK_THAT(p.error->message, Catch::Contains("messages.0.content.0.type"));
}

TEST_CASE("count_tokens: the estimate never undercounts the real tokenizer", "[anthropic]") {
    // llama.cpp counted these exact requests: 11 and 199 tokens (fixtures).
    auto plain = plan_token_count(test::fixture_body("messages_count_tokens.request"), backend_profile(BackendKind::Ollama));
    auto tools = plan_token_count(test::fixture_body("messages_count_tokens_tools.request"), backend_profile(BackendKind::Ollama));
    CHECK(plain.estimate >= 11);
    CHECK(tools.estimate >= 199);
    // every part counts: adding tool results, tools or system raises the estimate
    auto base = plan_token_count(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})", backend_profile(BackendKind::Ollama)).estimate;
    auto with_all = plan_token_count(kToolsBody, backend_profile(BackendKind::Ollama)).estimate;
    CHECK(with_all > base + 40);
    std::string big(30000, 'a');
    auto large = plan_token_count(R"({"model":"m","messages":[{"role":"user","content":")" + big + R"("}]})", backend_profile(BackendKind::Ollama));
    CHECK(large.estimate >= 10000);
}
