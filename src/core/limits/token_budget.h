// Token budgets per key (TOKEN_LIMIT_TPM): how many tokens a request reserves before it is
// forwarded, how the reservation is settled with the usage the runtime reports, and the budget
// itself as GCRA over tokens (the same algorithm as the request limit, shared_rate_limit.h): one
// number per identity, the time at which its budget is full again, so a reserve and a settle are
// each one read and one write. The budget holds one minute of tokens and refills continuously.
// The in-process budget (no REDIS_URL, or the `local` fallback) and the Redis script run the same
// arithmetic. See docs/LIMITS.md.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/api/token_facts.h"  // kMaxCountedTokens, requested_output_tokens
#include "core/limits/redis_value.h"
#include "core/ops/rate_limiter.h"

namespace llmgw {

// The output a request reserves when it names no max_tokens and no cap is known: what a long
// answer of a chat model takes; the settle refunds what was not used.
inline constexpr int64_t kDefaultOutputReservation = 4096;
struct TokenBudgetConfig {
    double tpm = 0;  // tokens a minute; also the budget's size (a fresh key may spend a minute's worth at once)
};

struct TokenDecision {
    bool allowed = true;
    int64_t limit = 0;         // the budget's size (TPM)
    int64_t remaining = 0;     // tokens left after this reservation
    double reset_s = 0;        // seconds until the budget is full again
    double retry_after_s = 0;  // refused: seconds until this reservation would fit
    int64_t reserved = 0;      // tokens taken (0 when refused)
};

// The reservation: the prompt's estimate plus the output the request may produce: what it asks
// for, clamped to `cap` (MAX_TOKENS_CAP or what the context leaves; 0: no cap), or the cap, or
// kDefaultOutputReservation when it asks for nothing. Embeddings produce no output (`generates`
// false).
int64_t token_reservation(int64_t prompt_estimate, std::optional<int64_t> requested_output, int64_t cap,
                          bool generates);

// What the budget is charged once the call ended, relative to the reservation: negative refunds.
// A count the gateway does not know (-1) is taken from the reservation's own part (the prompt's
// estimate, the reserved output), so an unknown count never refunds.
struct ChargedTokens {
    int64_t prompt = -1, completion = -1;
};
int64_t settle_delta(int64_t reserved, int64_t prompt_estimate, const ChargedTokens& used);

// What a finished request is charged. Answered (a 2xx from the backend) or left by its client
// (the runtime had started on it): the usage the runtime reported, and for output it did not
// report (a stream cut short, a runtime without stream usage) the content events relayed, about
// one token each; an unreported prompt stays unknown (-1: its estimate). Refused or never
// reached (4xx, 5xx, unreachable): nothing, the whole reservation is refunded. Counts are taken
// up to kMaxCountedTokens.
ChargedTokens charged_usage(bool answered_ok, bool client_left, int64_t prompt, int64_t completion,
                         int64_t generated_events);

// ---- The budget's arithmetic (GCRA over tokens), shared by the local store and the script ----
// Times in microseconds. `tat`: when the identity's budget is full again (<= now: full).
struct GcraStep {
    bool allowed = true;
    double new_tat = 0;  // to store (unchanged when refused)
};
double token_interval_us(double tpm);  // microseconds one token takes to refill
// Reserve `n` tokens: refused when the budget has less than n left.
GcraStep gcra_reserve(double tat, double now, double n, double tpm);
// Settle: `delta` tokens more (positive, may overdraw the budget) or fewer (negative, a refund:
// never fuller than full).
double gcra_settle(double tat, double now, double delta, double tpm);
TokenDecision token_decision(bool allowed, double tat_before, double new_tat, double now, double n, double tpm);

// The in-process budgets (no REDIS_URL, or its `local` fallback): one TAT per identity, at most
// `max_identities`; a full budget is the same as none, so full ones go first when the table is
// at its bound, then the one fullest. Each call names the identity's budget (TOKEN_LIMIT_TPM or
// its key's own); a settle names the one its reservation was made with. Not thread-safe (the
// gateway holds it behind a mutex).
class LocalTokenBudgets {
public:
    explicit LocalTokenBudgets(size_t max_identities);
    TokenDecision reserve(const std::string& identity, int64_t n, double now_s, const TokenBudgetConfig& budget);
    void settle(const std::string& identity, int64_t delta, double now_s, const TokenBudgetConfig& budget);
    size_t size() const { return tat_.size(); }

private:
    void make_room(double now_us);
    size_t max_identities_;
    std::unordered_map<std::string, double> tat_;
};

// ---- Redis ----
extern const std::string kTokenBudgetScript;
const std::string& token_budget_script_sha1();
std::string token_budget_key(std::string_view identity);  // "llmgw:{<identity>}:tok"
// The commands' bytes (redis_command.h).
// A reservation may carry the identity's pending settle (same budget): applied first, in the same
// call, so a finished request's refund is in Redis before the next reservation of its key is
// decided, without a call of its own.
std::string token_reserve_command(std::string_view identity, int64_t n, const TokenBudgetConfig& cfg,
                                  int64_t carried_settle = 0);
std::string token_settle_command(std::string_view identity, int64_t delta, const TokenBudgetConfig& cfg);
// The script's answer {allowed, remaining, retry_after_us, reset_us}; nullopt for anything else.
std::optional<TokenDecision> parse_token_reply(const RedisValue& reply, int64_t n, const TokenBudgetConfig& cfg);
std::optional<TokenDecision> token_reply_decision(std::span<const RedisValue> e, int64_t n, const TokenBudgetConfig& cfg);

// Both limits of one request in one call (REDIS_URL with RATE_LIMIT_ENABLED and TOKEN_LIMIT_TPM):
// the request limit's GCRA (shared_rate_limit.h) and the token reservation, atomically, in one
// round trip instead of two. KEYS: the identity's request and token keys (one hash tag, one
// slot). A request the token budget refuses does not use up a request of the request limit.
extern const std::string kAdmitScript;
const std::string& admit_script_sha1();
std::string admit_command(std::string_view identity, const RateLimitConfig& requests, int64_t n,
                          const TokenBudgetConfig& tokens, int64_t carried_settle = 0);
struct AdmitDecision {
    RateLimitDecision requests;
    TokenDecision tokens;  // refused without a look at the budget when the request limit refused
};
// The answer {8 integers: the request limit's four, then the token budget's four}.
std::optional<AdmitDecision> parse_admit_reply(const RedisValue& reply, const RateLimitConfig& requests, int64_t n,
                                               const TokenBudgetConfig& tokens);

// The budget divided by the replicas, for the `local` fallback.
TokenBudgetConfig local_fallback_budget(const TokenBudgetConfig& shared, int replicas);

// The response headers: OpenAI's x-ratelimit-{limit,remaining,reset}-tokens, or Anthropic's
// anthropic-ratelimit-tokens-{limit,remaining,reset} (reset as an RFC 3339 time: `now_unix_s` is
// the wall clock), plus Retry-After when refused.
std::vector<std::pair<std::string, std::string>> token_limit_headers(const TokenDecision& d, bool anthropic,
                                                                     double now_unix_s);

}  // namespace llmgw
