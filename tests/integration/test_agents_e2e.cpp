// The real coding-agent CLIs (from the npm registry, pinned by tests/agents/package-lock.json and
// installed by scripts/setup-sdk-tests.sh) complete a tool-using task through `llmgw serve` in
// front of `llmgw mock`, scripted per turn: turn 1 the runtime asks for a shell command, the CLI
// runs it, turn 2 the runtime answers with the scripted text. Nothing leaves loopback: each CLI
// gets a fresh HOME and its telemetry, update checks and catalogue syncs are off.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "agent_cli.h"
#include "harness.h"

using namespace harness;

namespace {

using namespace agent_cli;

constexpr int kCliTimeoutS = 180;  // a CLI that has not finished by then is hung, not slow

// The chat requests the runtime received (GET /mock/requests), and their text for failure messages.
rapidjson::Document runtime_requests(const Process& mock, std::string& text) {
    text = get(mock.url("/mock/requests")).body;
    return json(text);
}

// The `tool` message answering `call_id` in a chat request's messages, or nullptr.
const rapidjson::Value* tool_message(const rapidjson::Value& request, const std::string& call_id) {
    for (auto& m : request["messages"].GetArray())
        if (std::string(m["role"].GetString()) == "tool" && m.HasMember("tool_call_id") &&
            call_id == m["tool_call_id"].GetString())
            return &m;
    return nullptr;
}

std::string text_of(const rapidjson::Value& content) {
    if (content.IsString()) return content.GetString();
    std::string s;
    if (content.IsArray())
        for (auto& part : content.GetArray())
            if (part.HasMember("text") && part["text"].IsString()) s += part["text"].GetString();
    return s;
}

// Agents send 10-30k tokens of instructions and tool schemas before the user's first word; the
// mock's default (8192) would refuse them, as a runtime with a short context does.
constexpr int kAgentContext = 131072;

// Starts mock and gateway, waits for start-up discovery, then scripts the two turns.
struct Rig {
    Process mock, gw;
    Rig(const std::string& script) {
        mock = start_mock({"--context-length", std::to_string(kAgentContext)});
        gw = start_serve(mock.url(), {{"API_KEYS", "agent-key"}, {"LOG_LEVEL", "info"}});
        REQUIRE(post(mock.url("/mock/reset"), "").status == 200);
        auto r = post(mock.url("/mock/script"), script);
        INFO(r.body);
        REQUIRE(r.status == 200);
    }
};

}  // namespace

TEST_CASE("Claude Code runs a Bash tool through the gateway and ends with the scripted text", "[agents][anthropic]") {
    require_installed("claude");
    // $((6*7)) makes the output differ from the command: "cc-42" in the result proves it ran.
    Rig rig(R"J({"tool_call":{"name":"Bash","arguments":{"command":"echo cc-$((6*7))","description":"Print the token"},"id":"call_cc_1"}})J"
            "\n"
            R"({"text":"The command printed the token. Scripted end of turn."})");
    TempDir dir;
    auto env = fresh_env(dir);
    add_claude_code_env(env, rig.gw.url(), "agent-key");
    auto [rc, out] = run_cli(dir.sub("work"), env, cli("claude") + " -p 'Print the token with echo.' --allowedTools Bash", kCliTimeoutS);
    INFO(out);
    INFO(rig.gw.log());
    CHECK(rc == 0);
    CHECK(out.find("Scripted end of turn.") != std::string::npos);

    std::string seen_text;
    auto seen = runtime_requests(rig.mock, seen_text);
    INFO(seen_text.substr(seen_text.size() > 6000 ? seen_text.size() - 6000 : 0));
    REQUIRE(seen["requests"].Size() == 2);
    for (auto& r : seen["requests"].GetArray()) CHECK(r["stream"].GetBool());
    // Turn 2 carries the tool result as a tool message for the scripted call id, with the output.
    auto* result = tool_message(seen["requests"][1], "call_cc_1");
    REQUIRE(result);
    CHECK(text_of((*result)["content"]).find("cc-42") != std::string::npos);
    CHECK(get(rig.mock.url("/mock/script")).body == R"({"remaining":0})");

    // The gateway answered every request of the CLI (HEAD / first, then the two turns), none failed.
    std::string log = rig.gw.log();
    CHECK(log.find(R"("method":"HEAD","path":"/","status":200)") != std::string::npos);
    CHECK(log.find(R"("path":"/v1/messages","status":200)") != std::string::npos);
    CHECK(log.find(R"("status":4)") == std::string::npos);
    CHECK(log.find(R"("status":5)") == std::string::npos);
}

TEST_CASE("Codex CLI runs exec_command over /v1/responses and ends with the scripted text", "[agents][responses]") {
    require_installed("codex");
    Rig rig(R"J({"tool_call":{"name":"exec_command","arguments":{"cmd":"echo codex-$((6*7))"},"id":"call_codex_1"}})J"
            "\n"
            R"({"text":"The command printed the token. Scripted end of turn."})");
    TempDir dir;
    std::string codex_home = dir.sub("codex");
    write_codex_config(codex_home, "mock-model", rig.gw.url("/v1"));
    auto env = fresh_env(dir);
    add_dead_proxy(env);
    env.insert({{"CODEX_HOME", codex_home}, {"LLMGW_API_KEY", "agent-key"}});
    std::string last = dir.path + "/last-message.txt";
    auto [rc, out] = run_cli(dir.sub("work"), env,
                             cli("codex") + " exec --skip-git-repo-check --ephemeral -o '" + last +
                                 "' 'Print the token with echo.'", kCliTimeoutS);
    INFO(out);
    INFO(rig.gw.log());
    CHECK(rc == 0);
    CHECK(read_file(last).find("Scripted end of turn.") != std::string::npos);

    std::string seen_text;
    auto seen = runtime_requests(rig.mock, seen_text);
    INFO(seen_text.substr(seen_text.size() > 6000 ? seen_text.size() - 6000 : 0));
    REQUIRE(seen["requests"].Size() == 2);
    for (auto& r : seen["requests"].GetArray()) CHECK(r["stream"].GetBool());
    auto* result = tool_message(seen["requests"][1], "call_codex_1");
    REQUIRE(result);
    CHECK(text_of((*result)["content"]).find("codex-42") != std::string::npos);
    CHECK(get(rig.mock.url("/mock/script")).body == R"({"remaining":0})");

    std::string log = rig.gw.log();
    CHECK(log.find(R"("path":"/v1/responses","status":200)") != std::string::npos);
    CHECK(log.find(R"("status":4)") == std::string::npos);
    CHECK(log.find(R"("status":5)") == std::string::npos);
}
