#include "agent_cli.h"

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace agent_cli {

namespace {
std::string agents_dir() { return std::string(LLMGW_SOURCE_DIR) + "/tests/agents"; }
}  // namespace

std::string cli(const std::string& name) { return agents_dir() + "/node_modules/.bin/" + name; }

void require_installed(const std::string& name) {
    INFO("run scripts/setup-sdk-tests.sh (make test does) to install the agent CLIs");
    REQUIRE(access(cli(name).c_str(), X_OK) == 0);
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/llmgw-agent-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

std::string TempDir::sub(const std::string& name) const {
    std::filesystem::create_directories(path + "/" + name);
    return path + "/" + name;
}

std::pair<int, std::string> run_cli(const std::string& cwd, const std::map<std::string, std::string>& env,
                                    const std::string& command, int timeout_s) {
    std::string cmd = "cd '" + cwd + "' && env -i PATH=/usr/local/bin:/usr/bin:/bin";
    for (auto& [k, v] : env) cmd += " " + k + "='" + v + "'";
    cmd += " timeout -k 5 " + std::to_string(timeout_s) + " " + command + " </dev/null 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int st = pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::map<std::string, std::string> fresh_env(const TempDir& dir) { return {{"HOME", dir.sub("home")}, {"NO_COLOR", "1"}}; }

void add_dead_proxy(std::map<std::string, std::string>& env) {
    env.insert({{"HTTPS_PROXY", "http://127.0.0.1:9"}, {"HTTP_PROXY", "http://127.0.0.1:9"}, {"NO_PROXY", "127.0.0.1,localhost"}});
}

void add_claude_code_env(std::map<std::string, std::string>& env, const std::string& origin, const std::string& api_key) {
    env.insert({{"ANTHROPIC_BASE_URL", origin},
                {"ANTHROPIC_API_KEY", api_key},
                {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"},
                {"DISABLE_TELEMETRY", "1"},
                {"DISABLE_AUTOUPDATER", "1"},
                {"DISABLE_ERROR_REPORTING", "1"}});
}

void write_codex_config(const std::string& codex_home, const std::string& model, const std::string& base_url,
                        const std::string& top_extra, const std::string& provider_extra) {
    std::ofstream(codex_home + "/config.toml")
        << "model = \"" << model << "\"\n"
        << "model_provider = \"llmgw\"\n"
           "approval_policy = \"never\"\n"
           "sandbox_mode = \"danger-full-access\"\n"
           "check_for_update_on_startup = false\n"
        << top_extra
        << "\n"
           "[features]\n"
           "plugins = false  # else it syncs a plugin catalogue from the internet at start-up\n"
           "\n"
           "[analytics]\n"
           "enabled = false\n"
           "\n"
           "[model_providers.llmgw]\n"
           "name = \"llmgw\"\n"
           "base_url = \"" << base_url << "\"\n"
           "wire_api = \"responses\"\n"
           "env_key = \"LLMGW_API_KEY\"\n"
        << provider_extra;
}

}  // namespace agent_cli
