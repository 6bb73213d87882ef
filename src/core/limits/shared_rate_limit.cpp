#include "core/limits/shared_rate_limit.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cmath>

#include "core/ops/api_keys.h"

namespace llmgw {

// KEYS[1]: the identity's TAT key. ARGV[1]: emission interval (microseconds a request),
// ARGV[2]: tolerance (burst x interval, microseconds). Answers {allowed, remaining,
// retry_after_us, reset_us}. The TAT is written with %d: tostring() would print a number this
// large in exponent form, losing microseconds. Its expiry is when the bucket is full again, so an
// idle identity costs Redis nothing. replicate_commands: Redis before 5 must be told that a
// script reading TIME replicates its effects, not itself.
const std::string_view kGcraScript = R"lua(if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now) or now
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > tau then
  return {0, 0, new_tat - tau - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, math.floor((tau - (new_tat - now)) / interval), 0, new_tat - now}
)lua";

std::string redis_script_sha1(std::string_view script) {
    unsigned char d[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), d);
    static const char* digits = "0123456789abcdef";
    std::string h;
    for (unsigned char c : d) {
        h.push_back(digits[c >> 4]);
        h.push_back(digits[c & 15]);
    }
    return h;
}

const std::string& gcra_script_sha1() {
    static const std::string hex = redis_script_sha1(kGcraScript);
    return hex;
}

namespace {

bool plain_identity(std::string_view id) {
    return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '.' || c == '_' || c == '-';
    });
}

// Microseconds, whole and at least one: what the script's arithmetic runs on.
int64_t interval_us(const RateLimitConfig& cfg) {
    return std::max<int64_t>(1, std::llround(60e6 / std::max(1e-9, cfg.rpm)));
}

std::vector<std::string> command(std::string_view verb, std::string script_or_sha, std::string_view identity,
                                 const RateLimitConfig& cfg) {
    const int64_t t = interval_us(cfg);
    const int64_t tau = std::llround(std::max(1.0, cfg.burst) * static_cast<double>(t));
    return {std::string(verb), std::move(script_or_sha), "1", rate_limit_key(identity), std::to_string(t),
            std::to_string(tau)};
}

}  // namespace

std::string identity_key_prefix(std::string_view identity) {
    std::string id = plain_identity(identity) ? std::string(identity) : "h:" + sha256_hex(identity);
    return "llmgw:{" + id + "}";
}

std::string rate_limit_key(std::string_view identity) { return identity_key_prefix(identity) + ":rl"; }

std::vector<std::string> gcra_command(std::string_view identity, const RateLimitConfig& cfg) {
    return command("EVALSHA", gcra_script_sha1(), identity, cfg);
}

std::vector<std::string> gcra_eval_command(std::string_view identity, const RateLimitConfig& cfg) {
    return command("EVAL", std::string(kGcraScript), identity, cfg);
}

std::optional<RateLimitDecision> parse_gcra_reply(const RedisValue& reply, const RateLimitConfig& cfg) {
    if (reply.type != RedisValue::Type::Array || reply.elements.size() != 4) return std::nullopt;
    for (const auto& e : reply.elements)
        if (e.type != RedisValue::Type::Integer || e.integer < 0) return std::nullopt;
    const int64_t allowed = reply.elements[0].integer;
    if (allowed != 0 && allowed != 1) return std::nullopt;
    RateLimitDecision d;
    d.allowed = allowed == 1;
    d.limit = static_cast<int64_t>(std::max(1.0, cfg.burst));
    d.remaining = reply.elements[1].integer;
    d.retry_after_s = d.allowed ? 0 : static_cast<double>(reply.elements[2].integer) / 1e6;
    d.reset_s = static_cast<double>(reply.elements[3].integer) / 1e6;
    return d;
}

bool is_noscript_error(const RedisValue& reply) {
    return reply.is_error() && reply.str.starts_with("NOSCRIPT");
}

RateLimitConfig local_fallback_limit(const RateLimitConfig& shared, int replicas) {
    RateLimitConfig c = shared;
    const double n = std::max(1, replicas);
    c.rpm = shared.rpm / n;
    c.burst = std::max(1.0, std::floor(shared.burst / n));
    return c;
}

}  // namespace llmgw
