#include "gateway/backend_discovery.h"

#include <map>
#include <memory>

#include "core/backend_facts.h"
#include "core/probe_checks.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {

struct Discovery : std::enable_shared_from_this<Discovery> {
    net::UpstreamClient& client;
    const ServeConfig& cfg;
    const BackendProfile& profile;
    BackendFacts& facts;
    std::function<void()> done;
    std::map<std::string, ProbeReply> replies;
    int pending = 0;

    Discovery(net::UpstreamClient& c, const ServeConfig& cf, const BackendProfile& p, BackendFacts& f,
              std::function<void()> d)
        : client(c), cfg(cf), profile(p), facts(f), done(std::move(d)) {}

    // A request whose answer lands in replies[key].
    void fetch(const std::string& key, const std::string& path, std::string body, std::function<void()> then) {
        net::UpstreamRequest req;
        req.url = cfg.backend_base_url + path;
        if (!body.empty()) {
            req.method = "POST";
            req.body = std::move(body);
            req.headers.push_back("Content-Type: application/json");
            req.headers.push_back("anthropic-version: 2023-06-01");
        }
        if (!cfg.backend_api_key.empty()) req.headers.push_back("Authorization: Bearer " + cfg.backend_api_key);
        req.timeout_ms = static_cast<long>(std::min(cfg.connect_timeout_s, 5.0) * 1000);
        req.connect_timeout_ms = req.timeout_ms;
        if (!req.body.empty()) req.timeout_ms = static_cast<long>(std::min(cfg.request_timeout_s, 60.0) * 1000);
        auto reply = std::make_shared<ProbeReply>();
        req.on_head = [reply](int status, const net::Headers& h) {
            reply->status = status;
            for (const auto& kv : h) reply->headers.push_back(kv);
        };
        req.on_body = [reply](std::string_view b) {
            if (reply->body.size() < (1u << 20)) reply->body.append(b);
        };
        auto self = shared_from_this();
        req.on_done = [self, reply, key, then = std::move(then)](const net::UpstreamResult& r) {
            if (r.failure != net::UpstreamFailure::None) {
                reply->status = 0;
                reply->error = r.message;
            }
            reply->latency_ms = r.total_s * 1000;
            self->replies[key] = std::move(*reply);
            then();
        };
        client.start(std::move(req));
    }

    // In auto mode: does the runtime answer Anthropic's API itself?
    void check_native_messages() {
        std::string model = cfg.model_name;
        if (auto it = replies.find("/v1/models"); model.empty() && it != replies.end()) first_model(it->second.body, &model);
        auto self = shared_from_this();
        fetch("POST /v1/messages", "/v1/messages", probe_messages_body(model), [self] {
            auto r = check_messages(self->replies["POST /v1/messages"]);
            self->facts.native_messages.store(r.status == CheckStatus::Pass, std::memory_order_relaxed);
            log_event(spdlog::level::info, "backend", "native /v1/messages check (ANTHROPIC_MODE=auto)",
                      {{"native", r.status == CheckStatus::Pass ? "yes" : "no"}, {"detail", r.detail}});
            self->report();
        });
    }

    static void first_model(std::string_view models_body, std::string* out) {
        ProbeReply r;
        r.status = 200;
        r.body = std::string(models_body);
        check_models(r, "", out);
    }

    void finish() {
        bool answered = false;
        for (const auto& [path, r] : replies) answered |= r.status > 0;
        if (answered && cfg.anthropic_mode == AnthropicMode::Auto) {
            check_native_messages();
            return;
        }
        report();
    }

    void report() {
        Identification id = identify_runtime(replies);
        int64_t ctx = 0;
        if (auto it = replies.find("/v1/models"); it != replies.end() && it->second.status == 200)
            ctx = context_length_from_models(it->second.body, cfg.model_name);
        if (auto it = replies.find("/props"); ctx == 0 && it != replies.end() && it->second.status == 200)
            ctx = context_length_from_props(it->second.body);
        bool answered = false;
        for (const auto& [path, r] : replies) answered |= r.status > 0;
        if (ctx > 0) facts.context_length.store(ctx, std::memory_order_relaxed);
        if (id.kind) facts.detected_kind.store(static_cast<int>(*id.kind), std::memory_order_relaxed);
        facts.discovered.store(answered, std::memory_order_release);
        facts.attempted.store(true, std::memory_order_release);
        if (!answered) {
            log_event(spdlog::level::warn, "llmgw.backend", "backend not reachable yet; will learn its capabilities once it answers",
                      {{"backend_url", cfg.backend_base_url}});
        } else {
            log_event(spdlog::level::info, "llmgw.backend", "backend discovered",
                      {{"configured_kind", std::string(profile.name)}, {"detected", id.display},
                       {"evidence", id.evidence}, {"context_length", static_cast<long long>(ctx)}});
            if (id.kind && *id.kind != profile.kind && !id.gateway)
                log_event(spdlog::level::warn, "llmgw.backend",
                          "BACKEND_KIND does not match the runtime that answers; its quirks may be handled wrongly",
                          {{"configured_kind", std::string(profile.name)}, {"detected", id.display}});
        }
        if (done) done();
    }
};

}  // namespace

void discover_backend(net::UpstreamClient& client, const ServeConfig& cfg, const BackendProfile& profile,
                      BackendFacts& facts, std::function<void()> done) {
    auto d = std::make_shared<Discovery>(client, cfg, profile, facts, std::move(done));
    std::vector<std::string> paths = identification_paths();
    paths.emplace_back(profile.health_path);
    paths.emplace_back("/v1/models");
    d->pending = static_cast<int>(paths.size());
    for (const auto& path : paths)
        d->fetch(path, path, {}, [d] {
            if (--d->pending == 0) d->finish();
        });
}

}  // namespace llmgw::gw
