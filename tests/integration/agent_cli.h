// Running the real coding-agent CLIs (installed from the npm registry into tests/agents by
// scripts/setup-sdk-tests.sh) against a gateway: a fresh home per run, their settings for a
// gateway URL, and nothing but loopback.
#pragma once
#include <map>
#include <string>
#include <utility>

namespace agent_cli {

// Path of an installed CLI (node_modules/.bin/NAME); the test fails with a hint when it is missing.
std::string cli(const std::string& name);
void require_installed(const std::string& name);

// A directory removed with everything in it when the test ends.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string sub(const std::string& name) const;  // creates path/name
};

// Runs `command` in `cwd` with only `env` (and a PATH with the shell tools an agent runs), stdin
// closed, stdout and stderr together; killed after timeout_s. Returns the exit status (-1 when
// killed by a signal) and the output.
std::pair<int, std::string> run_cli(const std::string& cwd, const std::map<std::string, std::string>& env,
                                    const std::string& command, int timeout_s);

// Variables every CLI gets: a fresh home, no colours.
std::map<std::string, std::string> fresh_env(const TempDir& dir);

// A proxy that does not exist, for anything but loopback: a request to another host fails instead
// of leaving the machine. Not for Claude Code: any proxy variable turns off its HEAD / preconnect,
// which the tests cover (its switches keep it on loopback: checked with strace, it connects to the
// base URL only).
void add_dead_proxy(std::map<std::string, std::string>& env);

// Claude Code's variables for a gateway at `origin` (no /v1) with `api_key`: telemetry, update
// checks and error reports off.
void add_claude_code_env(std::map<std::string, std::string>& env, const std::string& origin, const std::string& api_key);

// Writes CODEX_HOME/config.toml: `model` from a provider "llmgw" at `base_url` (ending in /v1)
// over the Responses API, the key in LLMGW_API_KEY, no approvals or sandbox (the tests run it
// unattended), no plugin catalogue sync or analytics. `top_extra` and `provider_extra` are TOML
// lines added to the top-level keys and to the provider's.
void write_codex_config(const std::string& codex_home, const std::string& model, const std::string& base_url,
                        const std::string& top_extra = "", const std::string& provider_extra = "");

}  // namespace agent_cli
