// `llmgw probe [URL]`: is the runtime (or gateway) up, which runtime is it, and what can it do?
// Runs each check of core/probe_checks.h over the gateway's libcurl-multi client on one libuv
// loop, prints an aligned table or JSON, and exits 0 when every required check passed. --wait
// retries with backoff (a container waiting for a runtime that is still loading weights);
// --live/--ready send one request, for health checks.
#include <CLI/CLI.hpp>
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "cmd/commands.h"
#include "core/ops/config.h"
#include "core/backend/probe_checks.h"
#include "net/upstream_client.h"
#include "core/base/text_util.h"

namespace llmgw::cmd {

namespace {

// What probe keeps of an answer: enough for any model list or check reply.
constexpr size_t kMaxProbeBodyBytes = 4u << 20;

struct ProbeFlags {
    std::string url, kind, model, key, require;
    double wait_s = 0, timeout_s = 30;
    bool live = false, ready = false, json = false;
};

// Where to probe and how, resolved from the flags and the serve environment.
struct Target {
    std::string base;  // origin plus optional prefix, no trailing "/" or "/v1"
    std::optional<BackendKind> configured_kind;
    bool runtime = true;  // false: probably a gateway (a URL given without a kind)
    std::string model, key;
    std::vector<std::string> required;
};

[[noreturn]] void usage_error(const std::string& msg) {
    std::cerr << "llmgw probe: " << msg << "\n";
    throw CLI::RuntimeError(2);
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

Target resolve_target(const ProbeFlags& f) {
    Target t;
    std::string kind = f.kind.empty() ? env("BACKEND_KIND") : f.kind;
    if (!kind.empty()) {
        kind = to_lower(kind);
        t.configured_kind = parse_backend_kind(kind);
        if (!t.configured_kind)
            usage_error((f.kind.empty() ? "BACKEND_KIND" : "--kind") + std::string(": unknown backend kind '") + kind +
                        "' (expected " + std::string(backend_kind_names()) + ")");
    }
    std::string url = f.url;
    if (url.empty()) {
        // The backend serve would use: same variables, same defaults.
        std::map<std::string, std::string> values;
        for (const char* v : {"BACKEND_KIND", "BACKEND_BASE_URL", "BACKEND_API_KEY", "MODEL_NAME"})
            if (!env(v).empty()) values[v] = env(v);
        ConfigError err;
        auto cfg = parse_serve_config(values, &err);
        if (!cfg) usage_error(err.message);
        url = cfg->backend_base_url;
        t.configured_kind = cfg->backend_kind;
    } else {
        // A URL is a gateway's unless --kind says which runtime it is; BACKEND_KIND from the
        // environment then only serves to compare with what answers.
        t.runtime = !f.kind.empty();
    }
    auto u = parse_url(url);
    if (!u) usage_error("'" + url + "' is not a valid http(s) URL");
    std::string path = u->path;
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0) path.resize(path.size() - 3);
    t.base = u->origin() + path;
    t.model = f.model.empty() ? env("MODEL_NAME") : f.model;
    // --key or LLMGW_API_KEY (the name every client tool reads); the upstream key only when
    // probing the backend serve would use, which is what that key is for.
    t.key = f.key;
    if (t.key.empty() && f.url.empty()) t.key = env("BACKEND_API_KEY");
    if (f.require.empty()) {
        t.required = default_required_checks();
    } else {
        std::string bad;
        auto req = parse_check_list(f.require, &bad);
        if (!req) {
            std::string names;
            for (auto n : probe_check_names()) names += (names.empty() ? "" : ", ") + std::string(n);
            usage_error("--require: unknown check '" + bad + "' (checks: " + names + ")");
        }
        t.required = *req;
    }
    return t;
}

// Runs a batch of requests concurrently on the loop and returns when all have answered.
class Batch {
public:
    Batch(uv_loop_t* loop, net::UpstreamClient& client, const Target& t, long timeout_ms)
        : loop_(loop), client_(client), target_(t), timeout_ms_(timeout_ms) {}

    void get(const std::string& path, ProbeReply* out) { add("GET", path, "", out, false); }
    void post(const std::string& path, const std::string& body, ProbeReply* out, bool anthropic = false) {
        add("POST", path, body, out, anthropic);
    }
    void run() {
        if (pending_ > 0) uv_run(loop_, UV_RUN_DEFAULT);
        calls_.clear();
    }

private:
    void add(const std::string& method, const std::string& path, const std::string& body, ProbeReply* out, bool anthropic) {
        net::UpstreamRequest req;
        req.method = method;
        req.url = target_.base + path;
        req.body = body;
        req.timeout_ms = timeout_ms_;
        req.connect_timeout_ms = std::min(timeout_ms_, 10'000L);
        if (method == "POST") req.headers.push_back("Content-Type: application/json");
        if (anthropic) {
            req.headers.push_back("anthropic-version: 2023-06-01");
            if (!target_.key.empty()) req.headers.push_back("x-api-key: " + target_.key);
        } else if (!target_.key.empty()) {
            req.headers.push_back("Authorization: Bearer " + target_.key);
        }
        uint64_t t0 = uv_hrtime();
        req.on_head = [out](int status, const net::Headers& h) {
            out->status = status;
            out->headers = h;
        };
        req.on_body = [out](std::string_view b) {
            if (out->body.size() < kMaxProbeBodyBytes) out->body.append(b);
        };
        req.on_done = [this, out, t0](const net::UpstreamResult& r) {
            out->latency_ms = double(uv_hrtime() - t0) / 1e6;
            if (r.failure != net::UpstreamFailure::None) {
                out->error = r.message.empty() ? "transfer failed" : r.message;
                // A stream cut short still answered: keep its status, but say what happened.
                if (out->status == 0) out->body.clear();
            }
            if (out->status == 0) out->status = r.status;
            if (--pending_ == 0) uv_stop(loop_);
        };
        ++pending_;
        calls_.push_back(client_.start(std::move(req)));
    }

    uv_loop_t* loop_;
    net::UpstreamClient& client_;
    const Target& target_;
    long timeout_ms_;
    int pending_ = 0;
    std::vector<std::shared_ptr<net::UpstreamCall>> calls_;
};

std::string health_path(const Target& t) {
    return t.configured_kind && t.runtime ? std::string(backend_profile(*t.configured_kind).health_path) : "/health";
}

ProbeOutcome probe_once(uv_loop_t* loop, net::UpstreamClient& client, const Target& t, long timeout_ms) {
    ProbeOutcome o;
    o.url = t.base;
    o.configured_kind = t.configured_kind;
    o.model = t.model;
    o.required = t.required;

    // Phase 1: health, identification, models.
    std::string hpath = health_path(t);
    std::map<std::string, ProbeReply> replies;
    {
        Batch b(loop, client, t, timeout_ms);
        b.get(hpath, &replies[hpath]);
        b.get("/v1/models", &replies["/v1/models"]);
        for (const auto& p : identification_paths())
            if (p != hpath) b.get(p, &replies[p]);
        b.run();
    }
    ProbeReply health = replies[hpath];
    // A URL of unknown kind with no /health may still be up: its model list answers.
    if (!t.runtime && health.status == 404) {
        health = replies["/v1/models"];
        hpath = "/v1/models";
    }
    o.checks.push_back(check_reachable(health, hpath));
    o.runtime = identify_runtime(replies);
    if (health.status == 0) {
        for (size_t i = 1; i < probe_check_names().size(); ++i)
            o.checks.push_back(skipped(probe_check_names()[i], "not reachable"));
        mark_required(o);
        return o;
    }
    std::string first_model;
    o.checks.push_back(check_models(replies["/v1/models"], t.model, &first_model));
    std::string model = t.model.empty() ? first_model : t.model;
    if (o.model.empty()) o.model = model;

    // Phase 2: the capability checks, all at once.
    std::optional<BackendKind> kind = o.runtime.kind ? o.runtime.kind : t.configured_kind;
    const BackendProfile* prof = kind ? &backend_profile(*kind) : nullptr;
    bool thinking_kwargs = prof && prof->thinking == ThinkingStyle::ChatTemplateKwargs;
    ProbeReply chat, stream, usage, tools, emb, tok, reasoning, messages;
    {
        Batch b(loop, client, t, timeout_ms);
        b.post("/v1/chat/completions", probe_chat_body(model, false, false), &chat);
        b.post("/v1/chat/completions", probe_chat_body(model, true, false), &stream);
        b.post("/v1/chat/completions", probe_chat_body(model, true, true), &usage);
        b.post("/v1/chat/completions", probe_tools_body(model), &tools);
        b.post("/v1/embeddings", probe_embeddings_body(model), &emb);
        b.post("/tokenize", probe_tokenize_body(prof ? prof->tokenize : TokenizeStyle::None, model), &tok);
        if (thinking_kwargs) b.post("/v1/chat/completions", probe_chat_body(model, false, false, true), &reasoning);
        b.post("/v1/messages", probe_messages_body(model), &messages, true);
        b.run();
    }
    if (!thinking_kwargs) reasoning = chat;
    o.checks.push_back(check_chat(chat));
    o.checks.push_back(check_stream(stream));
    o.checks.push_back(check_stream_usage(usage));
    o.checks.push_back(check_tools(tools));
    o.checks.push_back(check_embeddings(emb));
    if (o.runtime.gateway && tok.status == 404) o.checks.push_back(skipped("tokenize", "the gateway does not expose /tokenize"));
    else o.checks.push_back(check_tokenize(tok));
    o.checks.push_back(check_reasoning(reasoning));
    o.checks.push_back(check_messages(messages));
    mark_required(o);
    return o;
}

// --live / --ready: one GET.
ProbeOutcome probe_health_once(uv_loop_t* loop, net::UpstreamClient& client, const Target& t, long timeout_ms, bool live) {
    ProbeOutcome o;
    o.url = t.base;
    o.configured_kind = t.configured_kind;
    o.model = t.model;
    std::string path = t.runtime ? health_path(t) : live ? "/livez" : "/readyz";
    ProbeReply r;
    Batch b(loop, client, t, timeout_ms);
    b.get(path, &r);
    b.run();
    auto c = check_reachable(r, path);
    c.name = live ? "live" : "ready";
    o.checks.push_back(c);
    o.required = {c.name};
    o.runtime.display = t.runtime ? "runtime health path" : "gateway";
    o.runtime.evidence = "one request";
    mark_required(o);
    return o;
}

// "0.3 s", "12 s": tenths below 10 s, so a short --wait never reads "0 s".
std::string seconds_text(double s) {
    char buf[32];
    snprintf(buf, sizeof buf, s < 10 ? "%.1f s" : "%.0f s", s);
    return buf;
}

void sleep_on_loop(uv_loop_t* loop, double seconds) {
    net::UvHandle<uv_timer_t> timer;
    timer.init(uv_timer_init, loop, nullptr);
    uv_timer_start(timer.get(), [](uv_timer_t* h) { uv_stop(h->loop); }, uint64_t(seconds * 1000), 0);
    uv_run(loop, UV_RUN_DEFAULT);
    timer.close();
}

int run_probe(const ProbeFlags& f) {
    if (f.live && f.ready) usage_error("--live and --ready are exclusive");
    if (f.timeout_s <= 0) usage_error("--timeout must be positive");
    if (f.wait_s < 0) usage_error("--wait must not be negative");
    Target t = resolve_target(f);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    uv_loop_t loop;
    uv_loop_init(&loop);
    ProbeOutcome o;
    {
        net::UpstreamClient client(&loop);
        uint64_t start = uv_hrtime();
        auto elapsed = [&] { return double(uv_hrtime() - start) / 1e9; };
        double backoff = 0.25;
        int attempts = 0;
        while (true) {
            ++attempts;
            double left = f.wait_s > 0 ? f.wait_s - elapsed() : f.timeout_s;
            long timeout_ms = long(std::max(0.05, std::min(f.timeout_s, left)) * 1000);
            o = (f.live || f.ready) ? probe_health_once(&loop, client, t, timeout_ms, f.live)
                                    : probe_once(&loop, client, t, timeout_ms);
            if (probe_ready(o) || f.wait_s <= 0) break;
            left = f.wait_s - elapsed();
            if (left <= 0) break;
            std::string why;
            for (const auto& c : o.checks)
                if (c.required && c.status != CheckStatus::Pass) { why = c.name + ": " + c.detail; break; }
            const double pause = std::min(backoff, left);
            std::cerr << "llmgw probe: attempt " << attempts << " not ready (" << why << "); next in "
                      << seconds_text(pause) << ", giving up in " << seconds_text(left) << "\n";
            sleep_on_loop(&loop, pause);
            backoff = std::min(backoff * 2, 2.0);
        }
        o.attempts = attempts;
        o.elapsed_ms = elapsed() * 1000;
        client.close();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);

    if (f.json) std::cout << render_probe_json(o);
    else std::cout << render_probe_table(o);
    return probe_ready(o) ? 0 : 1;
}

}  // namespace

void add_probe(CLI::App& app) {
    auto f = std::make_shared<ProbeFlags>();
    auto* sub = app.add_subcommand("probe", "Check that a runtime or gateway is ready and what it supports");
    sub->add_option("url", f->url,
                    "Runtime or gateway base URL [default: the backend serve would use: BACKEND_KIND, BACKEND_BASE_URL]")
        ->type_name("URL");
    sub->add_option("--kind", f->kind, "Runtime kind of URL, for its health path (" + std::string(backend_kind_names()) + ")")
        ->type_name("KIND");
    sub->add_option("--model", f->model, "Model for the checks; must be listed (without one: the first listed)")
        ->envname("MODEL_NAME")
        ->type_name("NAME");
    sub->add_option("--key", f->key,
                    "API key (Bearer, or x-api-key for /v1/messages); without a URL, BACKEND_API_KEY when unset")
        ->envname("LLMGW_API_KEY")
        ->type_name("KEY");
    std::string names;
    for (auto n : probe_check_names()) names += (names.empty() ? "" : ",") + std::string(n);
    sub->add_option("--require", f->require, "Checks that must pass, comma-separated, from: " + names +
                                                  " [default: reachable,models,chat]")
        ->type_name("LIST");
    sub->add_option("--wait", f->wait_s, "Retry with backoff for up to this long until ready (seconds; 0: one try)")
        ->type_name("SECONDS")
        ->capture_default_str();
    sub->add_option("--timeout", f->timeout_s, "Per-request timeout (seconds)")->type_name("SECONDS")->capture_default_str();
    sub->add_flag("--live", f->live, "One request: GET /livez of a gateway (or the runtime's health path with --kind)");
    sub->add_flag("--ready", f->ready, "One request: GET /readyz of a gateway (or the runtime's health path with --kind)");
    sub->add_flag("--json", f->json, "Print JSON (schema llmgw.probe/1) instead of the table");
    sub->footer("Exit status: 0 ready (every required check passed), 1 not ready, 2 usage error.");
    sub->callback([f] {
        int rc = run_probe(*f);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace llmgw::cmd
