// Anthropic Messages routes. In translate mode the request becomes an OpenAI chat completion and
// the answer (whole or streamed) is translated back by the core translators; in native mode the
// runtime's own /v1/messages gets the body unchanged.
#include "core/anthropic/anthropic_fields.h"
#include "core/anthropic/anthropic_request.h"
#include "core/anthropic/anthropic_response.h"
#include "core/anthropic/anthropic_stream.h"
#include "core/backend/backend_facts.h"
#include "core/api/request_body.h"
#include "core/anthropic/token_count.h"
#include "gateway/forward.h"
#include "gateway/log.h"
#include "gateway/routes.h"
#include "gateway/token_limits.h"

namespace llmgw::gw {

namespace {

// A tokenizer's answer is kept up to this size; a bigger one is not a token list we can use.

class AnthropicAdapter : public ResponseAdapter {
public:
    AnthropicAdapter(std::string model, bool thinking, std::string id_seed)
        : model_(std::move(model)), thinking_(thinking), id_seed_(std::move(id_seed)),
          stream_(AnthropicStreamOptions{model_, thinking_, id_seed_}) {}

    void stream_event(const StreamChunk& chunk, std::string& out) override { stream_.feed(chunk, out); }
    void stream_end(std::string& out) override { stream_.finish(out); }
    void stream_fail(const ApiError& e, std::string& out) override { stream_.fail(e, out); }
    bool stream_over() const override { return stream_.done(); }
    std::string whole_body(std::string_view body, ApiError* err) override {
        auto t = translate_openai_response(body, AnthropicResponseContext{model_, thinking_, id_seed_});
        if (t.error) {
            *err = *t.error;
            return {};
        }
        output_tokens_ = t.usage.completion_tokens;
        return std::move(t.body);
    }
    int64_t output_tokens() const override { return output_tokens_ ? output_tokens_ : stream_.output_tokens(); }

private:
    std::string model_;
    bool thinking_;
    std::string id_seed_;
    AnthropicStreamTranslator stream_;
    int64_t output_tokens_ = 0;
};

bool use_native(const GatewayShared& s) {
    switch (s.cfg.anthropic_mode) {
        // Unless discovery found the runtime has no /v1/messages: then translation (warned at start).
        case AnthropicMode::Native: return !s.backend.native_messages_missing.load(std::memory_order_relaxed);
        case AnthropicMode::Auto: return s.backend.native_messages.load(std::memory_order_relaxed);
        default: return false;
    }
}

// Strips the "req_" prefix so message ids read "msg_<hex>".
std::string id_seed(const std::string& request_id) {
    return request_id.rfind("req_", 0) == 0 ? request_id.substr(4) : request_id;
}

// A small JSON call to the backend, answered whole (for count_tokens).
void backend_call(const RequestContext& ctx, std::string path, std::string body,
                  std::function<void(int status, std::string body)> done) {
    auto& w = ctx.worker;
    net::UpstreamRequest req;
    req.method = "POST";
    req.url = w.backend_url(path);
    w.set_upstream_headers(req, ctx.request_id, &ctx.ex->request());
    req.body = std::move(body);
    side_call(w, std::move(req), [done = std::move(done)](int status, std::string answer, const net::UpstreamResult&) {
        done(status, std::move(answer));
    });
}

void answer_count(const RequestContext& ctx, int64_t n, const char* source) {
    if (ctx.ex->detached()) return;
    ctx.ex->add_header("x-llmgw-token-count-source", source);
    ctx.respond_json(200, render_count_tokens(n));
}

// What the request carried that changes nothing here: ignored and unknown fields, and betas the
// field table ignores or does not know (never refused). At debug, for whoever wonders why a field
// had no effect.
void log_ignored(const RequestContext& ctx, const AnthropicRequestFacts& facts) {
    if (!log_enabled(spdlog::level::debug)) return;
    std::string betas;
    for (const auto& b : classify_betas(header_list(ctx.ex->request(), "anthropic-beta"))) {
        if (b.rule && b.rule->action == FieldAction::Mapped) continue;
        if (!betas.empty()) betas += ",";
        betas += b.name + (b.rule ? "" : " (unknown)");
    }
    std::string fields;
    for (const auto& f : facts.ignored) fields += (fields.empty() ? "" : ",") + f;
    if (fields.empty() && betas.empty()) return;
    log_event(spdlog::level::debug, "anthropic", "request parts ignored",
              {{"request_id", ctx.request_id}, {"fields", fields}, {"betas", betas}});
}

}  // namespace

void anthropic_messages(const RequestContext& ctx) {
    const auto& shared = ctx.worker.shared();
    auto& req = ctx.ex->request();
    if (use_native(shared)) {
        ForwardRequest fr = forward_request(ctx, "/v1/messages");
        auto facts = inspect_request_body(req.body, token_read_for(ctx, fr.upstream_path));
        if (!facts.ok) {
            ctx.fail(ApiError::bad_request(facts.error, facts.error_param));
            return;
        }
        fr.stream = facts.stream;
        fr.model = facts.model;
        fr.session = conversation_session(facts.conversation, req);
        fr.tokens = std::move(facts.tokens);
        fr.body = std::move(req.body);
        forward(ctx, std::move(fr));
        return;
    }
    // top_k and stream_options as discovery learned them (else as the BACKEND_KIND table says).
    BackendProfile profile = shared.profile_in_effect();
    AnthropicRequestOptions opts{profile, shared.cfg.max_tokens_cap, true, true};
    opts.keep_billing_header = shared.cfg.anthropic_keep_billing_header;
    opts.read_tokens = reserves_tokens(ctx);
    auto tr = translate_anthropic_request(req.body, opts);
    // The model is known once translated: a pool of another kind gets the request built for its
    // runtime (rare, so translated again rather than parsed twice every time).
    if (BackendProfile own = shared.profile_for(tr.facts.model); tr.ok() && own.kind != profile.kind) {
        profile = own;  // opts refers to it
        tr = translate_anthropic_request(req.body, opts);
    }
    // A max_tokens past what the context leaves after the prompt (an over-estimate) is clamped.
    if (int64_t cap = tr.ok() ? shared.output_cap_for(tr.body, tr.facts.model, tr.tokens) : 0; cap > 0 && tr.facts.max_tokens > cap) {
        opts.max_tokens_cap = cap;
        tr = translate_anthropic_request(req.body, opts);
    }
    if (!tr.ok()) {
        ctx.fail(*tr.error);
        return;
    }
    log_ignored(ctx, tr.facts);
    ForwardRequest fr = forward_request(ctx, "/v1/chat/completions");
    fr.stream = tr.facts.stream;
    fr.model = tr.facts.model;
    fr.session = conversation_session(tr.facts.conversation, req);
    fr.body = std::move(tr.body);
    fr.tokens = tr.tokens;
    if (tr.facts.stream && profile.stream_usage) {
        // Translated again only if the runtime refuses stream_options (rare, so not up front).
        // The profile by value: opts only refers to this function's copy.
        fr.body_without_stream_options = [client_body = std::move(req.body), profile,  // no longer needed here
                                          cap = opts.max_tokens_cap, keep = opts.keep_billing_header] {
            AnthropicRequestOptions o{profile, cap, false, true};
            o.keep_billing_header = keep;
            return translate_anthropic_request(client_body, o).body;
        };
    }
    fr.adapter = std::make_unique<AnthropicAdapter>(tr.facts.model, tr.facts.thinking_enabled, id_seed(ctx.request_id));
    forward(ctx, std::move(fr));
}

namespace {

// The runtime's tokenizer first; the estimate only when it cannot answer.
void count_with_tokenizer(const RequestContext& ctx, const TokenCountPlan& plan) {
    if (plan.style == TokenizeStyle::None) {
        answer_count(ctx, plan.estimate, "estimate");
        return;
    }
    auto estimate = plan.estimate;
    RequestContext c = ctx;
    if (plan.style == TokenizeStyle::ApplyTemplateTokenize) {
        backend_call(ctx, plan.path, plan.body, [c, estimate](int st, std::string answer) {
            auto tok = st == 200 ? tokenize_request_from_template(answer) : std::nullopt;
            if (!tok) {
                answer_count(c, estimate, "estimate");
                return;
            }
            backend_call(c, "/tokenize", *tok, [c, estimate](int st2, std::string a2) {
                auto n = st2 == 200 ? parse_tokenize_count(a2) : std::nullopt;
                if (n) answer_count(c, *n, "tokenizer");
                else answer_count(c, estimate, "estimate");
            });
        });
        return;
    }
    backend_call(ctx, plan.path, plan.body, [c, estimate](int st, std::string answer) {
        auto n = st == 200 ? parse_tokenize_count(answer) : std::nullopt;
        if (n) answer_count(c, *n, "tokenizer");
        else answer_count(c, estimate, "estimate");
    });
}

}  // namespace

void anthropic_count_tokens(const RequestContext& ctx) {
    const auto& shared = ctx.worker.shared();
    const std::string& body = ctx.ex->request().body;
    // A tokenizer discovery found absent is not asked each time: straight to the estimate.
    TokenCountPlan plan = plan_token_count(body, shared.profile_in_effect(), shared.cfg.model_name);
    if (!plan.ok()) {
        ctx.fail(*plan.error);
        return;
    }
    if (!use_native(shared)) {
        count_with_tokenizer(ctx, plan);
        return;
    }
    // The runtime counts with its own template: its /v1/messages/count_tokens, unchanged. A
    // runtime without that route (or any answer that is not a count) falls back to the tokenizer
    // or the estimate, and the source header says which answered.
    RequestContext c = ctx;
    backend_call(ctx, "/v1/messages/count_tokens", body, [c, plan = std::move(plan)](int st, std::string answer) {
        auto n = st == 200 ? parse_tokenize_count(answer) : std::nullopt;
        if (n) answer_count(c, *n, "runtime");
        else if (!c.ex->detached()) count_with_tokenizer(c, plan);
    });
}

}  // namespace llmgw::gw
