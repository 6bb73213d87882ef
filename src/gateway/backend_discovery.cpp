#include "gateway/backend_discovery.h"

#include <algorithm>
#include <map>
#include <memory>

#include "core/api/model_list.h"
#include "core/backend/backend_facts.h"
#include "core/backend/probe_checks.h"
#include "core/ops/upstream_timeouts.h"
#include "gateway/log.h"

namespace llmgw::gw {

namespace {

// Discovery reads model lists and one-token answers; past this an answer is not one of those.
constexpr size_t kMaxProbeAnswerBytes = 1u << 20;

struct Discovery : std::enable_shared_from_this<Discovery> {
    net::UpstreamClient& client;
    const ServeConfig& cfg;
    const BackendProfile& profile;
    DiscoveredBackend& facts;
    std::function<void()> done;
    std::map<std::string, ProbeReply> replies;  // the GETs of the first phase, by path
    int pending = 0;
    // The second phase: the model asked about, and one answer per check.
    std::string model;
    ProbeReply messages, responses, baseline, usage, top_k, tokenize;
    LearnedCapabilities learned;  // this round's verdicts

    Discovery(net::UpstreamClient& c, const ServeConfig& cf, const BackendProfile& p, DiscoveredBackend& f,
              std::function<void()> d)
        : client(c), cfg(cf), profile(p), facts(f), done(std::move(d)) {}

    // A request whose answer lands in *out (kept alive by this Discovery).
    void fetch(const std::string& path, std::string body, ProbeReply* out, std::function<void()> then) {
        net::UpstreamRequest req;
        req.url = cfg.backend_base_url + path;
        if (!body.empty()) {
            req.method = "POST";
            req.body = std::move(body);
            req.headers.push_back("Content-Type: application/json");
            req.headers.push_back("anthropic-version: 2023-06-01");
        }
        if (!cfg.backend_api_key.empty()) req.headers.push_back("Authorization: Bearer " + cfg.backend_api_key);
        const auto t = upstream_timeouts(cfg, req.body.empty() ? UpstreamPurpose::Check : UpstreamPurpose::CheckWithBody);
        req.timeout_ms = t.total_ms;
        req.connect_timeout_ms = t.connect_ms;
        auto reply = std::make_shared<ProbeReply>();
        req.on_head = [reply](int status, const net::Headers& h) {
            reply->status = status;
            for (const auto& kv : h) reply->headers.push_back(kv);
        };
        req.on_body = [reply](std::string_view b) {
            if (reply->body.size() < kMaxProbeAnswerBytes) reply->body.append(b);
        };
        auto self = shared_from_this();
        req.on_done = [self, reply, out, then = std::move(then)](const net::UpstreamResult& r) {
            if (r.failure != net::UpstreamFailure::None) {
                reply->status = 0;
                reply->error = r.message;
            }
            reply->latency_ms = r.total_s * 1000;
            *out = std::move(*reply);
            then();
        };
        client.start(std::move(req));
    }

    bool answered() const {
        for (const auto& [path, r] : replies)
            if (r.status > 0) return true;
        return false;
    }

    // First phase over: if the backend answered, ask about what it supports, all at once.
    void finish() {
        if (!answered()) return report();
        model = cfg.model_name;
        if (auto it = replies.find("/v1/models"); model.empty() && it != replies.end() && it->second.status == 200)
            if (auto ids = listed_model_ids(it->second.body); ids && !ids->empty()) model = ids->front();
        struct Ask {
            const char* path;
            std::string body;
            ProbeReply* out;
        };
        std::vector<Ask> asks;
        if (cfg.anthropic_mode != AnthropicMode::Translate)
            asks.push_back({"/v1/messages", probe_messages_body(model), &messages});
        if (!model.empty()) {  // without a model the chat checks could only fail: the table stays in effect
            if (cfg.responses_mode == ResponsesMode::Auto)
                asks.push_back({"/v1/responses", probe_responses_body(model), &responses});
            asks.push_back({"/v1/chat/completions", baseline_chat_body(model), &baseline});
            asks.push_back({"/v1/chat/completions", stream_usage_chat_body(model), &usage});
            asks.push_back({"/v1/chat/completions", top_k_chat_body(model), &top_k});
            asks.push_back({"/tokenize", probe_tokenize_body(tokenize_style_to_try(profile), model), &tokenize});
        }
        if (asks.empty()) return report();
        pending = static_cast<int>(asks.size());
        auto self = shared_from_this();
        for (auto& a : asks)
            fetch(a.path, std::move(a.body), a.out, [self] {
                if (--self->pending == 0) self->judge();
            });
    }

    void judge() {
        if (cfg.anthropic_mode == AnthropicMode::Auto) {  // does the runtime answer Anthropic's API itself?
            auto r = check_messages(messages);
            facts.native_messages.store(r.status == CheckStatus::Pass, std::memory_order_relaxed);
            log_event(spdlog::level::info, "backend", "native /v1/messages check (ANTHROPIC_MODE=auto)",
                      {{"native", r.status == CheckStatus::Pass ? "yes" : "no"}, {"detail", r.detail}});
        }
        if (cfg.anthropic_mode == AnthropicMode::Native) judge_native_messages();
        if (cfg.responses_mode == ResponsesMode::Auto && !model.empty()) {
            bool native = answers_responses(responses);
            facts.native_responses.store(native, std::memory_order_relaxed);
            log_event(spdlog::level::info, "backend", "native /v1/responses check (RESPONSES_MODE=auto)",
                      {{"native", native ? "yes" : "no"}, {"status", responses.status}});
        }
        if (!model.empty()) {
            learned = {learn_stream_usage(usage, baseline), learn_top_k(top_k, baseline), learn_tokenizer(tokenize)};
            auto keep = [](std::atomic<Learned>& fact, Learned l) {
                if (l != Learned::Unknown) fact.store(l, std::memory_order_relaxed);
            };
            keep(facts.stream_usage, learned.stream_usage);
            keep(facts.top_k, learned.top_k);
            keep(facts.tokenizer, learned.tokenizer);
        }
        report();
    }

    // ANTHROPIC_MODE=native: a runtime without the route would answer every /v1/messages with a
    // 404, so serve translates instead until a later round finds the route.
    void judge_native_messages() const {
        const int st = messages.status;
        const bool missing = st == 404 || st == 405 || st == 501;
        facts.native_messages_missing.store(missing, std::memory_order_relaxed);
        facts.native_messages.store(check_messages(messages).status == CheckStatus::Pass, std::memory_order_relaxed);
        if (missing)
            log_event(spdlog::level::warn, "llmgw.backend",
                      "ANTHROPIC_MODE=native but the runtime has no /v1/messages: translating /v1/messages to "
                      "/v1/chat/completions instead, and counting tokens with its tokenizer or the estimate",
                      {{"status", st}, {"backend_url", cfg.backend_base_url}});
    }

    // The runtime as BACKEND_KIND and /health name it ("vllm"), or what identification says of an
    // unknown one.
    static std::string runtime_name(const Identification& id) {
        return id.kind ? std::string(backend_profile(*id.kind).name) : id.display;
    }

    // MODEL_NAME the runtime does not list: requests without a model would fail one by one.
    void warn_unlisted_model() const {
        auto it = replies.find("/v1/models");
        if (cfg.model_name.empty() || it == replies.end() || it->second.status != 200) return;
        auto ids = listed_model_ids(it->second.body);
        if (!ids || std::find(ids->begin(), ids->end(), cfg.model_name) != ids->end()) return;
        std::string listed;
        for (const auto& m : *ids) listed += (listed.empty() ? "" : ", ") + m;
        log_event(spdlog::level::warn, "llmgw.backend", "MODEL_NAME is not a model the runtime lists",
                  {{"model_name", cfg.model_name}, {"listed", listed}});
    }

    void report() {
        Identification id = identify_runtime(replies);
        int64_t ctx = 0;
        if (auto it = replies.find("/v1/models"); it != replies.end() && it->second.status == 200)
            ctx = context_length_from_models(it->second.body, cfg.model_name);
        if (auto it = replies.find("/props"); ctx == 0 && it != replies.end() && it->second.status == 200)
            ctx = context_length_from_props(it->second.body);
        bool ok = answered();
        if (ctx > 0) facts.context_length.store(ctx, std::memory_order_relaxed);
        if (id.kind) facts.detected_kind.store(static_cast<int>(*id.kind), std::memory_order_relaxed);
        facts.discovered.store(ok, std::memory_order_release);
        facts.attempted.store(true, std::memory_order_release);
        if (!ok) {
            log_event(spdlog::level::warn, "llmgw.backend", "backend not reachable yet; will learn its capabilities once it answers",
                      {{"backend_url", cfg.backend_base_url}});
        } else {
            log_event(spdlog::level::info, "llmgw.backend", "backend discovered",
                      {{"configured_kind", std::string(profile.name)}, {"detected", runtime_name(id)},
                       {"evidence", id.evidence}, {"context_length", static_cast<long long>(ctx)}, {"model", model},
                       {"stream_usage", learned_name(learned.stream_usage)}, {"top_k", learned_name(learned.top_k)},
                       {"tokenizer", learned_name(learned.tokenizer)}});
            warn_unlisted_model();
            if (id.kind && *id.kind != profile.kind && !id.gateway)
                log_event(spdlog::level::warn, "llmgw.backend",
                          "BACKEND_KIND does not match the runtime that answers; its quirks may be handled wrongly",
                          {{"configured_kind", std::string(profile.name)}, {"detected", runtime_name(id)}});
        }
        if (done) done();
    }
};

}  // namespace

void discover_backend(net::UpstreamClient& client, const ServeConfig& cfg, const BackendProfile& profile,
                      DiscoveredBackend& facts, std::function<void()> done) {
    auto d = std::make_shared<Discovery>(client, cfg, profile, facts, std::move(done));
    std::vector<std::string> paths = identification_paths();
    paths.emplace_back(profile.health_path);
    paths.emplace_back("/v1/models");
    for (const auto& path : paths) d->replies[path];  // every answer's slot exists before any arrives
    d->pending = static_cast<int>(d->replies.size());
    for (auto& [path, reply] : d->replies)
        d->fetch(path, {}, &reply, [d] {
            if (--d->pending == 0) d->finish();
        });
}

}  // namespace llmgw::gw
