// The request limit shared by every replica through Redis: GCRA (the generic cell rate
// algorithm) in one Lua script, run with EVALSHA. GCRA keeps one number per identity, the
// "theoretical arrival time" (TAT) of its next request, so a check is one key read and one write
// in one atomic script: the same burst/refill semantics as the in-process token bucket
// (rate_limiter.h), exactly, whatever the number of replicas. The clock is the Redis server's
// (TIME), so replica clocks do not matter.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits/redis_value.h"
#include "core/ops/rate_limiter.h"

namespace llmgw {

// The script's text and its SHA-1 (what EVALSHA names; computed here, so the first call needs no
// SCRIPT LOAD round trip to learn it).
extern const std::string kGcraScript;
const std::string& gcra_script_sha1();

// The SHA-1 of a script's text, in hex: what EVALSHA names it by.
std::string redis_script_sha1(std::string_view script);

// "llmgw:{<identity>}": the prefix of every key of one identity (rate limit, token budget).
std::string identity_key_prefix(std::string_view identity);
// The key suffixes after the prefix: the request limit's and the token budget's.
inline constexpr std::string_view kRateLimitKeySuffix = ":rl";
inline constexpr std::string_view kTokenBudgetKeySuffix = ":tok";

// "llmgw:{<identity>}:rl". The braces are a Redis Cluster hash tag: every key of one identity
// lands on one slot. An identity that is not a plain fingerprint or address (anything outside
// [A-Za-z0-9:._-]) is replaced by the hex SHA-256 of it, so a key never carries a brace or a
// secret in clear.
std::string rate_limit_key(std::string_view identity);

// The script's two numbers for `cfg`: microseconds a request takes to refill (at least one) and
// the burst's tolerance.
struct GcraArgs {
    int64_t interval_us = 0, tolerance_us = 0;
};
GcraArgs gcra_args(const RateLimitConfig& cfg);

// The EVALSHA command (its bytes, redis_command.h) for one request of `identity` under `cfg`.
// (A NOSCRIPT answer is retried as EVAL with the script's text by the client: redis_client.h.)
std::string gcra_command(std::string_view identity, const RateLimitConfig& cfg);

// One limit's part of a script's answer: four non-negative integers {allowed (0 or 1), remaining,
// retry_after_us, reset_us}. nullopt when `e` is anything else (an error, another script version).
struct LimitReply {
    bool allowed = false;
    int64_t remaining = 0, retry_after_us = 0, reset_us = 0;
};
std::optional<LimitReply> read_limit_reply(std::span<const RedisValue> e);

// The script's answer {allowed, remaining, retry_after_us, reset_us} as a decision; nullopt
// when the reply is anything else (an error, a script from another version).
std::optional<RateLimitDecision> parse_gcra_reply(const RedisValue& reply, const RateLimitConfig& cfg);
std::optional<RateLimitDecision> gcra_reply_decision(std::span<const RedisValue> e, const RateLimitConfig& cfg);

// True when the reply is Redis saying it does not know the script (EVALSHA after a restart).
bool is_noscript_error(const RedisValue& reply);

// The in-process limit a replica falls back to while Redis is unreachable: the shared rate and
// burst divided by the replica count (at least one request of burst), so the replicas together
// stay near the shared limit.
RateLimitConfig local_fallback_limit(const RateLimitConfig& shared, int replicas);

}  // namespace llmgw
