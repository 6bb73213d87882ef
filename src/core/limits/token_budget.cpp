#include "core/limits/token_budget.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "core/json/json_parse.h"
#include "core/limits/limit_script_prelude.h"
#include "core/limits/redis_command.h"
#include "core/limits/shared_rate_limit.h"
#include "core/ops/rate_limiter.h"

namespace llmgw {

namespace {

constexpr double kMinuteUs = 60e6;  // the budget's size in time: one minute of refill

}  // namespace

int64_t token_reservation(int64_t prompt_estimate, std::optional<int64_t> requested_output, int64_t cap,
                          bool generates) {
    int64_t out = 0;
    if (generates) {
        if (requested_output) out = cap > 0 ? std::min(*requested_output, cap) : *requested_output;
        else out = cap > 0 ? cap : kDefaultOutputReservation;
    }
    return std::clamp<int64_t>(prompt_estimate, 0, kMaxCountedTokens) + std::clamp<int64_t>(out, 0, kMaxCountedTokens);
}

int64_t settle_delta(int64_t reserved, int64_t prompt_estimate, const ChargedTokens& used) {
    // Each part within its bound (token_reservation's and charged_usage's), so the sum cannot overflow.
    reserved = std::clamp<int64_t>(reserved, 0, 2 * kMaxCountedTokens);
    prompt_estimate = std::clamp<int64_t>(prompt_estimate, 0, kMaxCountedTokens);
    const int64_t prompt = used.prompt >= 0 ? std::min(used.prompt, kMaxCountedTokens) : prompt_estimate;
    const int64_t completion =
        used.completion >= 0 ? std::min(used.completion, kMaxCountedTokens) : std::max<int64_t>(0, reserved - prompt_estimate);
    return prompt + completion - reserved;
}

ChargedTokens charged_usage(bool answered_ok, bool client_left, int64_t prompt, int64_t completion,
                         int64_t generated_events) {
    if (!answered_ok && !client_left) return {0, 0};
    const int64_t output = completion >= 0 ? completion : std::max<int64_t>(0, generated_events);
    return {prompt >= 0 ? std::min(prompt, kMaxCountedTokens) : -1, std::min(output, kMaxCountedTokens)};
}

double token_interval_us(double tpm) { return kMinuteUs / std::max(1e-9, tpm); }

GcraStep gcra_reserve(double tat, double now, double n, double tpm) {
    const double from = std::max(tat, now);
    const double next = from + n * token_interval_us(tpm);
    if (next - now > kMinuteUs) return {false, tat};
    return {true, next};
}

double gcra_settle(double tat, double now, double delta, double tpm) {
    return std::max(tat, now) + delta * token_interval_us(tpm);
}

TokenDecision token_decision(bool allowed, double tat_before, double new_tat, double now, double n, double tpm) {
    const double interval = token_interval_us(tpm);
    TokenDecision d;
    d.allowed = allowed;
    d.limit = static_cast<int64_t>(tpm);
    const double tat = allowed ? new_tat : std::max(tat_before, now);
    d.remaining = static_cast<int64_t>(std::floor(std::max(0.0, kMinuteUs - (tat - now)) / interval));
    d.reset_s = std::max(0.0, tat - now) / 1e6;
    d.retry_after_s = allowed ? 0 : std::max(0.0, tat + n * interval - kMinuteUs - now) / 1e6;
    d.reserved = allowed ? static_cast<int64_t>(n) : 0;
    return d;
}

LocalTokenBudgets::LocalTokenBudgets(size_t max_identities) : max_identities_(std::max<size_t>(1, max_identities)) {}

TokenDecision LocalTokenBudgets::reserve(const std::string& identity, int64_t n, double now_s,
                                         const TokenBudgetConfig& budget) {
    const double now = now_s * 1e6;
    auto it = tat_.find(identity);
    const double tat = it == tat_.end() ? now : it->second;
    GcraStep s = gcra_reserve(tat, now, static_cast<double>(n), budget.tpm);
    if (s.allowed) {
        if (it != tat_.end()) it->second = s.new_tat;
        else {
            make_room(now);
            tat_.emplace(identity, s.new_tat);
        }
    }
    return token_decision(s.allowed, tat, s.new_tat, now, static_cast<double>(n), budget.tpm);
}

void LocalTokenBudgets::settle(const std::string& identity, int64_t delta, double now_s,
                               const TokenBudgetConfig& budget) {
    const double now = now_s * 1e6;
    auto it = tat_.find(identity);
    const double next = gcra_settle(it == tat_.end() ? now : it->second, now, static_cast<double>(delta), budget.tpm);
    if (next <= now) {
        if (it != tat_.end()) tat_.erase(it);  // full again
        return;
    }
    if (it != tat_.end()) it->second = next;
    else {
        make_room(now);
        tat_.emplace(identity, next);
    }
}

void LocalTokenBudgets::make_room(double now_us) {
    if (tat_.size() < max_identities_) return;
    std::erase_if(tat_, [now_us](const auto& e) { return e.second <= now_us; });
    if (tat_.size() < max_identities_) return;
    // Every budget is in use: forget the one closest to full (the least owed).
    auto fullest = std::min_element(tat_.begin(), tat_.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    tat_.erase(fullest);
}

// ARGV[1]: 'r' (reserve n, refused when it does not fit) or 's' (settle: n more or, negative,
// fewer). ARGV[2]: microseconds a token refills (a fraction for budgets over a million a
// minute). ARGV[3]: the budget's size in microseconds (one minute). ARGV[4]: n. ARGV[5]: a
// settle carried by a reservation, applied (and kept) before it is decided. The same arithmetic
// as gcra_reserve / gcra_settle. A budget that is full again is deleted.
const std::string kTokenBudgetScript = std::string(kLimitScriptPrelude) + R"lua(local interval = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local tat = tat_of(KEYS[1])
local carried = tonumber(ARGV[5])
if carried ~= 0 then tat = settle_tat(KEYS[1], tat, carried, interval) end
local new_tat = tat + n * interval
if ARGV[1] == 'r' and new_tat - now > tau then
  return {0, math.floor(math.max(0, tau - (tat - now)) / interval), math.ceil(new_tat - tau - now), math.floor(tat - now)}
end
new_tat = settle_tat(KEYS[1], tat, n, interval)
return {1, math.floor(math.max(0, tau - (new_tat - now)) / interval), 0, math.floor(new_tat - now)}
)lua";

const std::string& token_budget_script_sha1() {
    static const std::string hex = redis_script_sha1(kTokenBudgetScript);
    return hex;
}

std::string token_budget_key(std::string_view identity) {
    return identity_key_prefix(identity).append(kTokenBudgetKeySuffix);
}

namespace {

std::string token_command(const char* op, std::string_view identity, int64_t n, int64_t carried,
                          const TokenBudgetConfig& cfg) {
    return RedisCommand(9).arg("EVALSHA").arg(token_budget_script_sha1()).arg("1").arg(token_budget_key(identity))
        .arg(op).arg_fixed6(token_interval_us(cfg.tpm)).arg(static_cast<int64_t>(kMinuteUs)).arg(n).arg(carried).take();
}

}  // namespace

std::string token_reserve_command(std::string_view identity, int64_t n, const TokenBudgetConfig& cfg,
                                  int64_t carried_settle) {
    return token_command("r", identity, n, carried_settle, cfg);
}

std::string token_settle_command(std::string_view identity, int64_t delta, const TokenBudgetConfig& cfg) {
    return token_command("s", identity, delta, 0, cfg);
}

std::optional<TokenDecision> token_reply_decision(std::span<const RedisValue> e, int64_t n, const TokenBudgetConfig& cfg) {
    auto r = read_limit_reply(e);
    if (!r) return std::nullopt;
    TokenDecision d;
    d.allowed = r->allowed;
    d.limit = static_cast<int64_t>(cfg.tpm);
    d.remaining = r->remaining;
    d.retry_after_s = d.allowed ? 0 : static_cast<double>(r->retry_after_us) / 1e6;
    d.reset_s = static_cast<double>(r->reset_us) / 1e6;
    d.reserved = d.allowed ? n : 0;
    return d;
}

std::optional<TokenDecision> parse_token_reply(const RedisValue& reply, int64_t n, const TokenBudgetConfig& cfg) {
    if (reply.type != RedisValue::Type::Array) return std::nullopt;
    return token_reply_decision(reply.elements, n, cfg);
}

// KEYS[1]: the request limit's TAT, KEYS[2]: the token budget's. ARGV[1], ARGV[2]: the GCRA's
// interval and tolerance (as kGcraScript); ARGV[3]: microseconds a token refills; ARGV[4]: the
// budget in microseconds; ARGV[5]: tokens to reserve; ARGV[6]: a settle of the budget carried by
// this call, applied (and kept) first. Then both limits are checked before either is written.
const std::string kAdmitScript = std::string(kLimitScriptPrelude) + R"lua(local interval = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tinterval = tonumber(ARGV[3])
local ttau = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local ttat = tat_of(KEYS[2])
local carried = tonumber(ARGV[6])
if carried ~= 0 then ttat = settle_tat(KEYS[2], ttat, carried, tinterval) end
local tat = tat_of(KEYS[1])
local new_tat = tat + interval
if new_tat - now > tau then
  return {0, 0, new_tat - tau - now, tat - now, 0, 0, 0, 0}
end
local new_ttat = ttat + n * tinterval
local remaining = math.floor((tau - (new_tat - now)) / interval)
if new_ttat - now > ttau then
  return {1, remaining, 0, new_tat - now, 0, math.floor(math.max(0, ttau - (ttat - now)) / tinterval), math.ceil(new_ttat - ttau - now), math.floor(ttat - now)}
end
set_tat(KEYS[1], new_tat)
if new_ttat > now then set_tat(KEYS[2], new_ttat) end
return {1, remaining, 0, new_tat - now, 1, math.floor(math.max(0, ttau - (new_ttat - now)) / tinterval), 0, math.floor(new_ttat - now)}
)lua";

const std::string& admit_script_sha1() {
    static const std::string hex = redis_script_sha1(kAdmitScript);
    return hex;
}

std::string admit_command(std::string_view identity, const RateLimitConfig& requests, int64_t n,
                          const TokenBudgetConfig& tokens, int64_t carried_settle) {
    const GcraArgs g = gcra_args(requests);  // the GCRA's arguments as gcra_command sends them
    const std::string prefix = identity_key_prefix(identity);  // both keys share it (one hash tag)
    return RedisCommand(11).arg("EVALSHA").arg(admit_script_sha1()).arg("2").arg_joined(prefix, kRateLimitKeySuffix)
        .arg_joined(prefix, kTokenBudgetKeySuffix).arg(g.interval_us).arg(g.tolerance_us).arg_fixed6(token_interval_us(tokens.tpm))
        .arg(static_cast<int64_t>(kMinuteUs)).arg(n).arg(carried_settle).take();
}

std::optional<AdmitDecision> parse_admit_reply(const RedisValue& reply, const RateLimitConfig& requests, int64_t n,
                                               const TokenBudgetConfig& tokens) {
    if (reply.type != RedisValue::Type::Array || reply.elements.size() != 8) return std::nullopt;
    const std::span<const RedisValue> e(reply.elements);
    auto r = gcra_reply_decision(e.first(4), requests);
    auto t = token_reply_decision(e.last(4), n, tokens);
    if (!r || !t) return std::nullopt;
    return AdmitDecision{*r, *t};
}

TokenBudgetConfig local_fallback_budget(const TokenBudgetConfig& shared, int replicas) {
    return TokenBudgetConfig{.tpm = shared.tpm / std::max(1, replicas)};
}

std::vector<std::pair<std::string, std::string>> token_limit_headers(const TokenDecision& d, bool anthropic,
                                                                     double now_unix_s) {
    std::vector<std::pair<std::string, std::string>> h;
    if (anthropic) {
        const auto reset = static_cast<time_t>(std::ceil(now_unix_s + d.reset_s));
        std::tm tm{};
        gmtime_r(&reset, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        h.emplace_back("anthropic-ratelimit-tokens-limit", std::to_string(d.limit));
        h.emplace_back("anthropic-ratelimit-tokens-remaining", std::to_string(d.remaining));
        h.emplace_back("anthropic-ratelimit-tokens-reset", buf);
    } else {
        h.emplace_back("x-ratelimit-limit-tokens", std::to_string(d.limit));
        h.emplace_back("x-ratelimit-remaining-tokens", std::to_string(d.remaining));
        h.emplace_back("x-ratelimit-reset-tokens", format_openai_duration(d.reset_s));
    }
    if (!d.allowed) h.emplace_back("retry-after", std::to_string(retry_after_seconds(d.retry_after_s)));
    return h;
}

}  // namespace llmgw
