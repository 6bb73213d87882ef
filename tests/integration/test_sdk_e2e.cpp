// The official Anthropic and OpenAI TypeScript SDKs and the OpenAI Agents SDK (from the npm
// registry, installed by scripts/setup-sdk-tests.sh) drive `llmgw serve` in front of `llmgw mock`,
// unchanged. The scripts that need multi-turn answers script the mock (LLMGW_MOCK_URL).
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

using namespace harness;

namespace {

std::string sdk_dir() { return std::string(LLMGW_SOURCE_DIR) + "/tests/sdk"; }

std::pair<int, std::string> run_node(const std::string& script, const Process& gw, const std::string& key,
                                     const Process& mock) {
    std::string cmd = "cd '" + sdk_dir() + "' && LLMGW_URL='" + gw.url() + "' LLMGW_API_KEY='" + key +
                      "' LLMGW_MOCK_URL='" + mock.url() + "' node " + script + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[1024];
    while (fgets(buf, sizeof buf, p)) out += buf;
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST_CASE("the official SDKs work unchanged against the gateway", "[sdk][anthropic]") {
    REQUIRE(system("command -v node >/dev/null 2>&1") == 0);
    INFO("run scripts/setup-sdk-tests.sh (make test does) to install the SDKs");
    REQUIRE(access((sdk_dir() + "/node_modules/@anthropic-ai/sdk/package.json").c_str(), R_OK) == 0);
    REQUIRE(access((sdk_dir() + "/node_modules/openai/package.json").c_str(), R_OK) == 0);
    REQUIRE(access((sdk_dir() + "/node_modules/@openai/agents/package.json").c_str(), R_OK) == 0);

    auto mock = start_mock();
    auto gw = start_serve(mock.url(), {{"API_KEYS", "sdk-key"}});
    SECTION("Anthropic: create, stream, streamed tool call via finalMessage(), count_tokens, errors") {
        auto [rc, out] = run_node("anthropic_e2e.mjs", gw, "sdk-key", mock);
        INFO(out);
        CHECK(rc == 0);
        CHECK(out.find("anthropic sdk e2e: ok") != std::string::npos);
    }
    SECTION("OpenAI: models, chat, stream, tools, embeddings, errors") {
        auto [rc, out] = run_node("openai_e2e.mjs", gw, "sdk-key", mock);
        INFO(out);
        CHECK(rc == 0);
        CHECK(out.find("openai sdk e2e: ok") != std::string::npos);
    }
    SECTION("OpenAI Responses and the Agents SDK: create, stream, tool loop, previous_response_id, structured output") {
        auto [rc, out] = run_node("responses_e2e.mjs", gw, "sdk-key", mock);
        INFO(out);
        CHECK(rc == 0);
        CHECK(out.find("responses sdk e2e: ok") != std::string::npos);
    }
}
