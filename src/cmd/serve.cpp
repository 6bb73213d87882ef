// `llmgw serve`: configuration from the environment (each variable overridable by a flag), then
// one worker per core, each with its own loop, listening socket and upstream client.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <thread>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <memory>

#include "cmd/commands.h"
#include "core/ops/config.h"
#include "core/ops/cors.h"
#include "core/ops/own_listener.h"
#include "gateway/gateway.h"
#include "gateway/backends_source.h"
#include "gateway/key_source.h"
#include "gateway/log.h"
#include "net/http_server.h"
#include "net/port_file.h"
#include "net/worker_pool.h"

namespace llmgw::cmd {

namespace {

struct ServeFlags {
    std::map<std::string, std::string> values;  // env name -> flag value (then the environment's)
    std::set<std::string> from_command_line;    // env names whose value came from a flag
    std::string port_file;
};

// The environment fills what no flag set. Read here rather than by CLI11, so an error can name
// what the user typed: the flag or the variable.
void add_environment(ServeFlags& flags) {
    for (const auto& v : config_vars()) {
        std::string env(v.env);
        if (flags.from_command_line.count(env)) continue;
        if (const char* e = getenv(env.c_str())) flags.values[env] = e;
    }
}

// "API_PORT: '70000' is out of range" as "--port: ..." when the value came from --port.
std::string config_error_text(const ServeFlags& flags, const ConfigError& err) {
    if (!flags.from_command_line.count(err.var) || err.message.rfind(err.var, 0) != 0) return err.message;
    for (const auto& v : config_vars())
        if (v.env == err.var) return std::string(v.flag) + err.message.substr(err.var.size());
    return err.message;
}

int run_serve(ServeFlags& flags) {
    add_environment(flags);
    ConfigError err;
    auto cfg = parse_serve_config(flags.values, &err);
    if (!cfg) {
        fprintf(stderr, "llmgw serve: invalid configuration: %s\n", config_error_text(flags, err).c_str());
        return 2;
    }
    std::optional<BackendsConfig> backends;
    if (!cfg->backends_file.empty()) {
        std::string why;
        backends = gw::load_backends_file(cfg->backends_file, &why);
        if (!backends) {
            fprintf(stderr, "llmgw serve: invalid configuration: %s\n", why.c_str());
            return 2;
        }
        // Start-up discovery, readiness and the summary at / look at the first pool's first
        // replica: the BACKEND_* variables are replaced by the file.
        cfg->backend_kind = backends->pools.front().kind;
        cfg->backend_base_url = backends->pools.front().replicas.front().url;
        cfg->backend_api_key = backends->pools.front().api_key;
    }
    gw::log_init(cfg->log_level, cfg->log_json, cfg->backend_api_key);

    std::string why;
    auto cors = make_cors_policy(cfg->cors_origins, cfg->cors_allow_credentials, &why);
    if (!cors) {
        fprintf(stderr, "llmgw serve: invalid configuration: CORS_ORIGINS: %s\n", why.c_str());
        return 2;
    }
    auto keys = gw::load_key_set(*cfg, &why);
    if (!keys) {
        fprintf(stderr, "llmgw serve: invalid configuration: %s\n", why.c_str());
        return 2;
    }

    int workers = cfg->workers > 0 ? cfg->workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string bind_err;
    std::vector<int> fds;
    int port = net::bind_listeners(cfg->host, cfg->port, workers, &fds, &bind_err);
    if (port < 0) {
        gw::log_event(spdlog::level::critical, "serve", "cannot listen", {{"error", bind_err}});
        fprintf(stderr, "llmgw serve: %s\n", bind_err.c_str());
        return 1;
    }
    // Checked against the bound port, so API_PORT=0 is covered too.
    std::vector<std::string> upstreams{cfg->backend_base_url};
    if (backends)
        for (const auto& p : backends->pools)
            for (const auto& r : p.replicas) upstreams.push_back(r.url);
    for (const auto& url : upstreams) {
        auto backend = parse_url(url);
        if (!backend || !reaches_own_listener(*backend, cfg->host, port)) continue;
        for (int fd : fds) ::close(fd);
        fprintf(stderr,
                "llmgw serve: invalid configuration: %s (%s) is this gateway's own listener "
                "(API_HOST=%s, API_PORT=%d): every request would call itself; set it to the "
                "runtime's address or API_PORT to another port\n",
                backends ? "a replica in BACKENDS_FILE" : "BACKEND_BASE_URL", url.c_str(), cfg->host.c_str(), port);
        return 2;
    }

    auto shared = std::make_unique<gw::GatewayShared>(*cfg, std::move(*cors), std::move(keys), workers, backends);
    if (!shared->auth_required)
        gw::log_event(spdlog::level::warn, "serve",
                      "API_KEYS and API_KEYS_FILE are unset: authentication is disabled, anyone who can reach this port can use the backend");
    else if (shared->keys.get()->empty())
        gw::log_event(spdlog::level::warn, "serve", "API_KEYS_FILE holds no keys: every /v1 request will get 401",
                      {{"file", cfg->api_keys_file}});

    if (cfg->redis && !cfg->rate_limit_enabled && cfg->token_limit_tpm <= 0)
        gw::log_event(spdlog::level::warn, "serve",
                      "REDIS_URL is set but RATE_LIMIT_ENABLED=false and TOKEN_LIMIT_TPM=0: no global limit to share, "
                      "Redis keeps the usage ledger and the budgets of keys with their own tpm= (API_KEYS_FILE)");

    net::WorkerPoolOptions opts;
    opts.workers = workers;
    opts.drain_timeout_s = cfg->drain_timeout_s;
    gw::GatewayShared& sh = *shared;
    opts.on_reload = [&sh] {
        gw::reload_key_set(sh);
        gw::reload_backends(sh);
    };
    opts.on_shutdown = [](int signum) {
        gw::log_event(spdlog::level::info, "serve", "shutting down: draining in-flight requests",
                      {{"signal", signum}});
    };
    int rc = net::run_worker_pool(opts, [&](uv_loop_t* loop, int index) -> std::unique_ptr<net::WorkerApp> {
        auto w = std::make_unique<gw::GatewayWorker>(loop, fds[static_cast<size_t>(index)], sh, index);
        if (int e = w->listen(); e != 0) {
            gw::log_event(spdlog::level::critical, "serve", "listen failed", {{"error", uv_strerror(e)}});
            return nullptr;
        }
        if (index == workers - 1) {
            gw::log_event(spdlog::level::info, "serve", "listening",
                          {{"host", cfg->host}, {"port", port}, {"workers", workers},
                           {"backend_kind", std::string(sh.profile->name)}, {"backend_url", cfg->backend_base_url}});
            // Written last, so a reader that sees the port can connect.
            if (!flags.port_file.empty()) net::write_port_file(flags.port_file, port);
        }
        return w;
    });
    gw::log_event(spdlog::level::info, "serve", "stopped");
    return rc;
}

}  // namespace

void add_serve(CLI::App& app) {
    auto flags = std::make_shared<ServeFlags>();
    auto* sub = app.add_subcommand("serve", "Run the gateway: OpenAI- and Anthropic-compatible API in front of a runtime");
    sub->footer(
        "Every option can also be set by the environment variable named in its help; a flag wins over the "
        "variable. A BOOL option given bare means true (--rate-limit); --option=false turns it off.\n"
        "Signals: SIGTERM/SIGINT drain in-flight requests (DRAIN_TIMEOUT_S) and exit 0; SIGHUP reloads "
        "API_KEYS_FILE and BACKENDS_FILE.");
    for (const auto& v : config_vars()) {
        std::string env(v.env);
        const bool is_bool = v.type == "BOOL";
        std::string help(v.help);
        help += " [env: " + env;
        if (!v.def.empty()) help += ", default: " + std::string(v.def);
        help += "]";
        auto* opt = sub->add_option_function<std::string>(
            std::string(v.flag),
            [flags, env, is_bool](const std::string& s) {
                flags->values[env] = is_bool && s.empty() ? "true" : s;
                flags->from_command_line.insert(env);
            },
            help);
        opt->type_name(std::string(v.type));
        if (is_bool) opt->expected(0, 1);
    }
    sub->add_option("--port-file", flags->port_file,
                    "write the bound port to this file once listening (for tests and scripts using --port 0)")
        ->type_name("FILE");
    sub->callback([flags] {
        int rc = run_serve(*flags);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace llmgw::cmd
