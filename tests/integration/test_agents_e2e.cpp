// The real coding-agent CLIs (from the npm registry, pinned by tests/agents/package-lock.json and
// installed by scripts/setup-sdk-tests.sh) complete a tool-using task through `llmgw serve` in
// front of `llmgw mock`, scripted per turn: turn 1 the runtime asks for a shell command, the CLI
// runs it, turn 2 the runtime answers with the scripted text. Nothing leaves loopback: each CLI
// gets a fresh HOME and its telemetry, update checks and catalogue syncs are off.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "harness.h"

using namespace harness;

namespace {

std::string agents_dir() { return std::string(LLMGW_SOURCE_DIR) + "/tests/agents"; }
std::string cli(const std::string& name) { return agents_dir() + "/node_modules/.bin/" + name; }

// A directory removed with everything in it when the test ends.
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/llmgw-agent-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string sub(const std::string& name) const {
        std::filesystem::create_directories(path + "/" + name);
        return path + "/" + name;
    }
};

// Runs `command` in `cwd` with only `env` (and a PATH with the shell tools an agent runs), stdin
// closed, stdout and stderr together; killed after kCliTimeoutS.
constexpr int kCliTimeoutS = 180;  // a CLI that has not finished by then is hung, not slow
std::pair<int, std::string> run_cli(const std::string& cwd, const std::map<std::string, std::string>& env,
                                    const std::string& command) {
    std::string cmd = "cd '" + cwd + "' && env -i PATH=/usr/local/bin:/usr/bin:/bin";
    for (auto& [k, v] : env) cmd += " " + k + "='" + v + "'";
    cmd += " timeout -k 5 " + std::to_string(kCliTimeoutS) + " " + command + " </dev/null 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Variables every CLI gets: a fresh home, no colours.
std::map<std::string, std::string> fresh_env(const TempDir& dir) { return {{"HOME", dir.sub("home")}, {"NO_COLOR", "1"}}; }

// A proxy that does not exist, for anything but loopback: a request to another host fails instead
// of leaving the machine. Not for Claude Code: any proxy variable turns off its HEAD / preconnect,
// which the test covers (its switches below keep it on loopback: checked with strace, it connects
// to the base URL only).
void add_dead_proxy(std::map<std::string, std::string>& env) {
    env.insert({{"HTTPS_PROXY", "http://127.0.0.1:9"}, {"HTTP_PROXY", "http://127.0.0.1:9"}, {"NO_PROXY", "127.0.0.1,localhost"}});
}

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

void require_installed(const std::string& name) {
    INFO("run scripts/setup-sdk-tests.sh (make test does) to install the agent CLIs");
    REQUIRE(access(cli(name).c_str(), X_OK) == 0);
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
    env.insert({{"ANTHROPIC_BASE_URL", rig.gw.url()},
                {"ANTHROPIC_API_KEY", "agent-key"},
                {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"},
                {"DISABLE_TELEMETRY", "1"},
                {"DISABLE_AUTOUPDATER", "1"},
                {"DISABLE_ERROR_REPORTING", "1"}});
    auto [rc, out] = run_cli(dir.sub("work"), env, cli("claude") + " -p 'Print the token with echo.' --allowedTools Bash");
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
    std::ofstream(codex_home + "/config.toml")
        << "model = \"mock-model\"\n"
           "model_provider = \"llmgw\"\n"
           "approval_policy = \"never\"\n"
           "sandbox_mode = \"danger-full-access\"\n"
           "check_for_update_on_startup = false\n"
           "\n"
           "[features]\n"
           "plugins = false  # else it syncs a plugin catalogue from the internet at start-up\n"
           "\n"
           "[analytics]\n"
           "enabled = false\n"
           "\n"
           "[model_providers.llmgw]\n"
           "name = \"llmgw\"\n"
           "base_url = \"" << rig.gw.url("/v1") << "\"\n"
           "wire_api = \"responses\"\n"
           "env_key = \"LLMGW_API_KEY\"\n";
    auto env = fresh_env(dir);
    add_dead_proxy(env);
    env.insert({{"CODEX_HOME", codex_home}, {"LLMGW_API_KEY", "agent-key"}});
    std::string last = dir.path + "/last-message.txt";
    auto [rc, out] = run_cli(dir.sub("work"), env,
                             cli("codex") + " exec --skip-git-repo-check --ephemeral -o '" + last +
                                 "' 'Print the token with echo.'");
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
