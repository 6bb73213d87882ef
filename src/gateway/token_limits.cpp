#include "gateway/token_limits.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/api/token_facts.h"
#include "gateway/forward.h"
#include "gateway/local_usage.h"
#include "gateway/routes.h"

namespace llmgw::gw {

namespace {

// The prompt's tokens as count_tokens estimates them for a chat request (the translated body of
// /v1/messages and /v1/responses too); any other body (a native Anthropic or Responses body, a
// completion's prompt, embeddings input) at count_tokens' 3 bytes a token over the whole body.
// A chat request's prompt is estimated as count_tokens estimates it; the output cap uses the same.
bool chat_upstream(std::string_view upstream_path) { return upstream_path == "/v1/chat/completions"; }
bool chat_upstream(const ForwardRequest& fr) { return chat_upstream(fr.upstream_path); }

// The route's reading when it made one (the same values, from its own parse), else the body's. A
// body that is not a chat request counts at 3 bytes a token (the route read no estimate for it).
TokenFacts token_facts(const ForwardRequest& fr) {
    TokenFacts t;
    if (fr.tokens) t = *fr.tokens;
    else {
        if (chat_upstream(fr)) t.prompt_estimate = estimate_tokens_for_openai_request(fr.body);
        t.requested_output = requested_output_tokens(fr.body);
    }
    if (!chat_upstream(fr)) t.prompt_estimate = static_cast<int64_t>((fr.body.size() + 2) / 3);
    return t;
}

void add_headers(const RequestContext& ctx, const TokenDecision& d) {
    for (auto& [k, v] : token_limit_headers(d, ctx.route.style == ApiStyle::Anthropic, unix_now_s()))
        ctx.ex->add_header(std::move(k), std::move(v));
}

// Answers a verdict; true when the request may go on (and holds its reservation).
bool apply_token_verdict(const RequestContext& ctx, const TokenVerdict& v, const TokenBudgetConfig& budget, int64_t n,
                         int64_t prompt) {
    switch (v.source) {
        case LimitVerdict::Source::Open: return true;  // no budget known: nothing held, no headers
        case LimitVerdict::Source::Closed:
            ctx.ex->add_header("retry-after", "1");
            ctx.fail(ApiError::unavailable(
                "token budget store (Redis) unavailable and RATE_LIMIT_FAILURE_MODE=closed: retry after 1s"));
            return false;
        case LimitVerdict::Source::Redis:
        case LimitVerdict::Source::Local: break;
    }
    add_headers(ctx, v.decision);
    if (v.decision.allowed) {
        ctx.scope->token_hold = TokenHold{v.source, budget, n, prompt};
        return true;
    }
    ctx.worker.metrics().on_rate_limited(ctx.scope->identity);
    ctx.fail(ApiError::rate_limited("token budget exceeded for " + ctx.scope->identity + ": this request reserves " +
                                    std::to_string(n) + " tokens and " + std::to_string(v.decision.remaining) +
                                    " of " + std::to_string(v.decision.limit) +
                                    " a minute are left; retry after " +
                                    std::to_string(retry_after_seconds(v.decision.retry_after_s)) + "s"));
    return false;
}

// The client left while Redis decided: the reservation goes back where it was made.
void give_back(const RequestContext& ctx, const TokenVerdict& v, const TokenBudgetConfig& budget, int64_t n) {
    if (!v.decision.allowed) return;
    if (v.source == LimitVerdict::Source::Redis) ctx.worker.shared_limiter()->settle_tokens(ctx.scope->identity, -n, budget);
    else if (v.source == LimitVerdict::Source::Local)
        ctx.worker.shared().local_tokens.settle(ctx.scope->identity, -n, static_cast<double>(net::now_ns()) / 1e9,
                                                budget);
}

// A step run from a Redis answer, its exception answered with a 500 in the route's envelope.
void guarded_step(const RequestContext& ctx, const std::function<void()>& step) {
    try {
        step();
    } catch (const std::exception& e) {
        if (!ctx.ex->responded()) ctx.fail(ApiError::internal(std::string("internal error: ") + e.what()));
    }
}

}  // namespace

bool spends_tokens(Route r) {
    return r == Route::ChatCompletions || r == Route::Completions || r == Route::Embeddings || r == Route::Messages ||
           r == Route::Responses;
}

double token_limit_tpm(const ServeConfig& cfg, const KeyLimits& key) {
    return key.tpm ? static_cast<double>(*key.tpm) : cfg.token_limit_tpm;
}

double unix_now_s() {
    using namespace std::chrono;
    return static_cast<double>(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()) / 1e6;
}

bool reserves_tokens(const RequestContext& ctx) {
    return spends_tokens(ctx.route.route) && !ctx.scope->identity.empty() &&
           token_limit_tpm(ctx.worker.shared().cfg, ctx.scope->key_limits) > 0;
}

TokenRead token_read_for(const RequestContext& ctx, std::string_view upstream_path) {
    if (!reserves_tokens(ctx)) return TokenRead::None;
    return chat_upstream(upstream_path) ? TokenRead::ChatPrompt : TokenRead::OutputLimit;
}

void reserve_tokens_then(const RequestContext& ctx, const ForwardRequest& fr, std::function<void()> go) {
    if (!reserves_tokens(ctx)) {
        go();
        return;
    }
    const auto& shared = ctx.worker.shared();
    const double tpm = token_limit_tpm(shared.cfg, ctx.scope->key_limits);
    const TokenFacts facts = token_facts(fr);
    const int64_t prompt = facts.prompt_estimate;
    const int64_t cap = shared.cfg.max_tokens_cap > 0 ? shared.cfg.max_tokens_cap
                        : chat_upstream(fr)           ? shared.output_cap_for_prompt(prompt, fr.model)
                                                      : shared.output_cap_for(fr.body, fr.model);
    const int64_t n =
        token_reservation(prompt, facts.requested_output, cap, fr.route != Route::Embeddings);
    if (static_cast<double>(n) > tpm) {
        // It would never fit: waiting cannot help, so no Retry-After.
        ctx.fail(ApiError::rate_limited(
            "this request reserves " + std::to_string(n) + " tokens (prompt estimate " + std::to_string(prompt) +
            " plus its output limit), more than the whole budget of " + std::to_string(static_cast<int64_t>(tpm)) +
            " tokens a minute (" + (ctx.scope->key_limits.tpm ? "this key's tpm= in API_KEYS_FILE" : "TOKEN_LIMIT_TPM") +
            "): lower max_tokens or shorten the prompt"));
        return;
    }
    const TokenBudgetConfig budget{.tpm = tpm};
    SharedLimiter* shared_limiter = ctx.worker.shared_limiter();
    if (!shared_limiter) {
        TokenVerdict v{LimitVerdict::Source::Local,
                       ctx.worker.shared().local_tokens.reserve(ctx.scope->identity, n,
                                                                static_cast<double>(net::now_ns()) / 1e9, budget)};
        if (apply_token_verdict(ctx, v, budget, n, prompt)) go();
        return;
    }
    if (ctx.scope->request_limit_deferred) {
        shared_limiter->admit(
            ctx.scope->identity, n, budget,
            [ctx, budget, n, prompt, go = std::move(go)](const LimitVerdict& r, const TokenVerdict& v) {
                if (ctx.scope->finished()) {
                    if (r.decision.allowed) give_back(ctx, v, budget, n);
                    return;
                }
                guarded_step(ctx, [&] {
                    if (ctx.worker.apply_verdict(ctx, r) && apply_token_verdict(ctx, v, budget, n, prompt)) go();
                });
            });
        return;
    }
    shared_limiter->reserve_tokens(
        ctx.scope->identity, n, budget, [ctx, budget, n, prompt, go = std::move(go)](const TokenVerdict& v) {
            if (ctx.scope->finished()) {
                give_back(ctx, v, budget, n);
                return;
            }
            guarded_step(ctx, [&] {
                if (apply_token_verdict(ctx, v, budget, n, prompt)) go();
            });
        });
}

void settle_request(GatewayWorker& w, RequestScope& scope, bool client_left) {
    if (!scope.forwarded || scope.identity.empty() || !spends_tokens(scope.route.route)) return;
    const bool answered_ok = scope.backend_status >= 200 && scope.backend_status < 300;
    const ChargedTokens used =
        charged_usage(answered_ok, client_left, scope.prompt_tokens, scope.completion_tokens, scope.generated_events);
    SharedLimiter* shared_limiter = w.shared_limiter();
    int64_t prompt = used.prompt;
    if (const auto& hold = scope.token_hold) {
        if (prompt < 0) prompt = hold->prompt_estimate;
        const int64_t delta = settle_delta(hold->reserved, hold->prompt_estimate, used);
        if (hold->source == LimitVerdict::Source::Redis && shared_limiter)
            shared_limiter->settle_tokens(scope.identity, delta, hold->budget);
        else if (hold->source == LimitVerdict::Source::Local)
            w.shared().local_tokens.settle(scope.identity, delta, static_cast<double>(net::now_ns()) / 1e9, hold->budget);
    }
    if (prompt < 0) prompt = 0;  // no budget, no count: the ledger has the request without tokens
    // Cached tokens are part of the prompt the runtime reported; none for a request it refused.
    const int64_t cached = answered_ok || client_left ? std::clamp<int64_t>(scope.cached_tokens, 0, prompt) : 0;
    w.metrics().on_key_usage(scope.identity, static_cast<uint64_t>(prompt), static_cast<uint64_t>(used.completion),
                             static_cast<uint64_t>(cached));
    UsageRecord r{scope.identity, scope.model, prompt, used.completion, cached};
    const auto now = static_cast<int64_t>(unix_now_s());
    if (shared_limiter) shared_limiter->record_usage(r, now);
    else w.shared().ledger.record(r, now);
}

}  // namespace llmgw::gw
