// The mock's prefix cache: cached_tokens is the common prefix with the previous prompt, in the
// mock's tokens, on token boundaries, and it reaches usage the way llama.cpp reports it.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <string>

#include "core/mock/mock_engine.h"
#include "core/mock/mock_prompt_cache.h"
#include "core/mock/mock_text.h"

using namespace llmgw;

TEST_CASE("mock prompt cache: the common prefix with the previous prompt, whole tokens only", "[mock][prompt-cache]") {
    mock::PromptCache c;
    CHECK(c.reuse("alpha beta gamma") == 0);                // nothing before it
    CHECK(c.reuse("alpha beta gamma delta") == 3);          // all of the last one
    CHECK(c.reuse("alpha beta gam") == 2);                  // "gam" is not the token "gamma"
    CHECK(c.reuse("alpha beta gamut") == 2);                // "gam" then differs: not shared
    CHECK(c.reuse("alpha, beta") == 1);                     // "alpha" then "," vs " "
    CHECK(c.reuse("zeta") == 0);
    c.reset();
    CHECK(c.reuse("zeta") == 0);                            // reset forgets the last prompt
    CHECK(c.reuse("zeta") == 1);
}

TEST_CASE("mock prompt cache: a long prompt is remembered up to the bound", "[mock][prompt-cache]") {
    mock::PromptCache c;
    std::string words;
    while (words.size() < mock::kMaxRememberedPromptBytes + 1000) words += "word ";
    c.reuse(words);
    int n = c.reuse(words);
    CHECK(n == mock::count_tokens(std::string_view(words).substr(0, mock::kMaxRememberedPromptBytes)));
    CHECK(n < mock::count_tokens(words));
}

TEST_CASE("mock prompt cache: usage reports cached_tokens, at most prompt_tokens - 1, and llama.cpp timings agree",
          "[mock][prompt-cache]") {
    mock::PromptCache cache;
    mock::Options o;
    o.profile = BackendKind::LlamaCpp;
    o.prompt_cache = &cache;
    mock::Engine e(o);
    const std::string sys = R"({"role":"system","content":"You are terse."})";
    const std::string tools = R"("tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}])";
    auto usage = [&](const std::string& messages) {
        auto r = e.chat_completions(R"({"model":"m",)" + tools + R"(,"messages":)" + messages + "}");
        REQUIRE(r.status == 200);
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        REQUIRE(d.IsObject());
        const auto& u = d["usage"];
        int cached = u["prompt_tokens_details"]["cached_tokens"].GetInt();
        CHECK(d["timings"]["cache_n"].GetInt() == cached);
        CHECK(d["timings"]["prompt_n"].GetInt() == u["prompt_tokens"].GetInt() - cached);
        return std::pair<int, int>{cached, u["prompt_tokens"].GetInt()};
    };
    auto [c1, p1] = usage("[" + sys + R"(,{"role":"user","content":"Hi"}])");
    CHECK(c1 == 0);
    auto [c2, p2] = usage("[" + sys + R"(,{"role":"user","content":"Hi"},{"role":"assistant","content":"Yes."},{"role":"user","content":"More"}])");
    CHECK(c2 > 0);
    CHECK(c2 < p2);
    CHECK(c2 >= p1 - 1);  // all of the first prompt (its generation prompt included) is reused
    auto [c3, p3] = usage("[" + sys + R"(,{"role":"user","content":"Hi"},{"role":"assistant","content":"Yes."},{"role":"user","content":"More"}])");
    CHECK(c3 == p3 - 1);  // the same prompt again: all but the last token, as llama.cpp
    // A change in the system text comes before the tools: nearly nothing is reused.
    auto [c4, p4] = usage(R"([{"role":"system","content":"You are verbose."},{"role":"user","content":"Hi"}])");
    CHECK(c4 < p4 / 4);
}
