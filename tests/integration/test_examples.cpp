// Every curl example in examples/curl/ runs against `llmgw serve` in front of `llmgw mock` and must
// exit 0 with sane output, so the examples in the docs cannot rot. A new script must be added to
// kExamples below (a test fails otherwise).
#include <catch2/catch.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace fs = std::filesystem;

namespace {

const fs::path kExamplesDir = fs::path(LLMGW_SOURCE_DIR) / "examples" / "curl";
constexpr const char* kKey = "sk-examples-test-key";

struct Example {
    std::string script;
    bool needs_jq;
    std::vector<std::string> must_contain;  // each a regex searched in stdout+stderr
};

// What each script must print against the mock. The mock (vLLM profile) answers deterministic
// words, embeddings, and a call to the first tool whenever tools are offered.
const std::vector<Example> kExamples = {
    {"openai_models.sh", false, {R"("mock-model")", R"("data")"}},
    {"openai_chat.sh", false, {R"("object":\s*"chat\.completion")", R"("content":\s*"[^"]+)", R"("usage")"}},
    {"openai_chat_stream.sh", false, {R"(data: \{)", R"(chat\.completion\.chunk)", R"("usage":\s*\{)", R"(data: \[DONE\])"}},
    {"openai_completions.sh", false, {R"("choices")", R"("text":\s*"[^"]+)"}},
    {"openai_embeddings.sh", false, {R"(vectors"?:\s*2|"embedding")"}},
    {"anthropic_messages.sh", false, {R"("type":\s*"message")", R"("type":\s*"text")", R"("stop_reason")"}},
    {"anthropic_messages_stream.sh", false,
     {"event: message_start", "event: content_block_delta", "event: message_delta", "event: message_stop"}},
    {"anthropic_tools.sh", false, {R"("type":\s*"tool_use")", R"("name":\s*"get_weather")", R"("stop_reason":\s*"tool_use")"}},
    {"anthropic_count_tokens.sh", false, {R"(HTTP/1\.1 200)", R"("input_tokens":\s*[1-9])", "x-llmgw-token-count-source"}},
    {"rag.sh", true, {"retrieved by embedding similarity", R"(\[1\]|\[2\]|\[3\]|\[4\])"}},
    {"json_extraction.sh", true, {R"(\S)"}},
    {"agent_tools.sh", true, {"turn 1: stop_reason=tool_use", R"(tool (get_weather|calculate)\()", R"(stop_reason=end_turn)"}},
};

struct RunResult {
    int status = -1;
    std::string output;  // stdout and stderr, interleaved
};

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

// Runs a script with a clean environment (PATH and HOME kept) plus `env`, bounded by `timeout`.
RunResult run_script(const fs::path& script, const std::map<std::string, std::string>& env) {
    std::string cmd = "env -i";
    for (const char* keep : {"PATH", "HOME"})
        if (const char* v = getenv(keep)) cmd += std::string(" ") + keep + "=" + shell_quote(v);
    for (const auto& [k, v] : env) cmd += " " + k + "=" + shell_quote(v);
    cmd += " timeout 60 bash " + shell_quote(script.string()) + " 2>&1 </dev/null";
    RunResult r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

bool have_program(const char* name) {
    std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
    return system(cmd.c_str()) == 0;
}

}  // namespace

TEST_CASE("every curl example is listed and strict", "[examples]") {
    std::set<std::string> listed;
    for (const auto& e : kExamples) listed.insert(e.script);
    std::set<std::string> present;
    for (const auto& entry : fs::directory_iterator(kExamplesDir))
        if (entry.path().extension() == ".sh" && entry.path().filename() != "common.sh")
            present.insert(entry.path().filename().string());
    CHECK(present == listed);
    for (const auto& name : present) {
        INFO(name);
        std::string text = harness::read_file(kExamplesDir / name);
        CHECK(text.rfind("#!/usr/bin/env bash\n", 0) == 0);
        CHECK(text.find("set -euo pipefail") != std::string::npos);
        CHECK(text.find("common.sh") != std::string::npos);
    }
}

TEST_CASE("curl examples run against llmgw serve in front of llmgw mock", "[examples]") {
    if (!have_program("curl") || !have_program("timeout")) {
        WARN("curl or timeout not installed: examples not run");
        return;
    }
    const bool jq = have_program("jq");
    auto mock = harness::start_mock({"--profile", "vllm"});
    auto gw = harness::start_serve("http://127.0.0.1:" + std::to_string(mock.port()),
                                   {{"BACKEND_KIND", "vllm"}, {"API_KEYS", kKey}, {"MODEL_NAME", "mock-model"}});
    const std::map<std::string, std::string> env = {{"LLMGW_URL", gw.url()}, {"LLMGW_API_KEY", kKey}};

    // One gateway for all scripts; each runs in turn (they are independent).
    for (const auto& ex : kExamples) {
        if (ex.needs_jq && !jq) {
            WARN(ex.script << " needs jq, which is not installed: skipped");
            continue;
        }
        RunResult r = run_script(kExamplesDir / ex.script, env);
        INFO("output of " << ex.script << ":\n" << r.output);
        CHECK(r.status == 0);
        CHECK_FALSE(r.output.empty());
        for (const auto& pattern : ex.must_contain) {
            INFO("expected /" << pattern << "/");
            CHECK(std::regex_search(r.output, std::regex(pattern)));
        }
        if (r.status != 0) WARN("gateway log:\n" << gw.log());
    }
}

TEST_CASE("curl examples fail loudly without the API key", "[examples]") {
    if (!have_program("curl") || !have_program("timeout")) {
        WARN("curl or timeout not installed: examples not run");
        return;
    }
    auto mock = harness::start_mock({"--profile", "vllm"});
    auto gw = harness::start_serve("http://127.0.0.1:" + std::to_string(mock.port()),
                                   {{"BACKEND_KIND", "vllm"}, {"API_KEYS", kKey}, {"MODEL_NAME", "mock-model"}});
    // No LLMGW_API_KEY: the gateway answers 401 and the script must exit non-zero, showing the
    // error envelope rather than failing silently.
    RunResult r = run_script(kExamplesDir / "openai_models.sh", {{"LLMGW_URL", gw.url()}});
    INFO(r.output);
    CHECK(r.status != 0);
    CHECK(r.output.find("authentication_error") != std::string::npos);
    // With LLMGW_MODEL set the scripts do not need /v1/models; a wrong key still fails.
    r = run_script(kExamplesDir / "anthropic_messages.sh",
                   {{"LLMGW_URL", gw.url()}, {"LLMGW_API_KEY", "wrong"}, {"LLMGW_MODEL", "mock-model"}});
    INFO(r.output);
    CHECK(r.status != 0);
    CHECK(r.output.find("authentication_error") != std::string::npos);
}

TEST_CASE("an example that gets an error prints the gateway's error body", "[examples]") {
    auto mock = harness::start_mock({"--profile", "tgi"});
    auto gw = harness::start_serve(mock.url(), {{"BACKEND_KIND", "tgi"}});
    auto r = run_script(kExamplesDir / "openai_embeddings.sh", {{"LLMGW_URL", gw.url()}, {"LLMGW_MODEL", "mock-model"}});
    INFO(r.output);
    CHECK(r.status == 22);  // curl's exit status for an HTTP error
    CHECK(r.output.find("does not serve embeddings") != std::string::npos);
}
