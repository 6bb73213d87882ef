// TOKEN_LIMIT_TPM and the usage ledger on a request's path: before forward() starts a request, its
// tokens are reserved (prompt estimate plus capped output) in the shared budget (REDIS_URL) or the
// process's own; when the request's scope finishes, the reservation is settled with what the
// runtime reported (or what the gateway counted) and the request is added to the usage ledger and
// the per-identity counters. See docs/LIMITS.md.
#pragma once
#include <cstdint>
#include <functional>

#include "gateway/gateway.h"
#include "gateway/shared_limiter.h"

namespace llmgw::gw {

struct ForwardRequest;
struct RequestContext;
class RequestScope;
class GatewayWorker;

// A request's reservation: where it was made and in which budget (settled there), how much, and
// its prompt part.
struct TokenHold {
    LimitVerdict::Source source = LimitVerdict::Source::Local;
    TokenBudgetConfig budget;
    int64_t reserved = 0;
    int64_t prompt_estimate = 0;
};

// The routes that spend tokens (budgeted, and counted in the ledger).
bool spends_tokens(Route r);

// The token budget a minute of a request whose key has `key` limits: the key's own tpm= (keys
// file) or TOKEN_LIMIT_TPM; 0: no budget.
double token_limit_tpm(const ServeConfig& cfg, const KeyLimits& key);

// Whether ctx's request reserves tokens: its route spends them and its identity has a budget. A
// route that parses the body reads ForwardRequest::tokens in that parse when this is true.
bool reserves_tokens(const RequestContext& ctx);
// What a route that parses the client's body and sends it to `upstream_path` reads for the budget.
TokenRead token_read_for(const RequestContext& ctx, std::string_view upstream_path);

// Runs `go` once the request's tokens are reserved (at once when no budget applies to it), from
// the loop; otherwise answers 429 (over budget) or 503 (RATE_LIMIT_FAILURE_MODE=closed) itself.
void reserve_tokens_then(const RequestContext& ctx, const ForwardRequest& fr, std::function<void()> go);

// From RequestScope::finish, once: settles the hold and records the request's usage.
void settle_request(GatewayWorker& w, RequestScope& scope, bool client_left);

// Unix seconds of the wall clock (ledger buckets, Anthropic's reset times).
double unix_now_s();

}  // namespace llmgw::gw
