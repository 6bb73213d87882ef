#include "core/limits/shared_rate_limit.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cmath>

#include "core/limits/limit_script_prelude.h"
#include "core/limits/redis_command.h"
#include "core/ops/api_keys.h"

namespace llmgw {

// KEYS[1]: the identity's TAT key. ARGV[1]: emission interval (microseconds a request),
// ARGV[2]: tolerance (burst x interval, microseconds). Answers {allowed, remaining,
// retry_after_us, reset_us}.
const std::string kGcraScript = std::string(kLimitScriptPrelude) + R"lua(local interval = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local tat = tat_of(KEYS[1])
local new_tat = tat + interval
if new_tat - now > tau then
  return {0, 0, new_tat - tau - now, tat - now}
end
set_tat(KEYS[1], new_tat)
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

}  // namespace

GcraArgs gcra_args(const RateLimitConfig& cfg) {
    const int64_t t = interval_us(cfg);
    return {t, std::llround(std::max(1.0, cfg.burst) * static_cast<double>(t))};
}

std::string identity_key_prefix(std::string_view identity) {
    std::string id = plain_identity(identity) ? std::string(identity) : "h:" + sha256_hex(identity);
    return "llmgw:{" + id + "}";
}

std::string rate_limit_key(std::string_view identity) {
    return identity_key_prefix(identity).append(kRateLimitKeySuffix);
}

std::string gcra_command(std::string_view identity, const RateLimitConfig& cfg) {
    const GcraArgs g = gcra_args(cfg);
    return RedisCommand(6).arg("EVALSHA").arg(gcra_script_sha1()).arg("1").arg(rate_limit_key(identity))
        .arg(g.interval_us).arg(g.tolerance_us).take();
}

std::optional<LimitReply> read_limit_reply(std::span<const RedisValue> e) {
    if (e.size() != 4) return std::nullopt;
    for (const auto& v : e)
        if (v.type != RedisValue::Type::Integer || v.integer < 0) return std::nullopt;
    if (e[0].integer != 0 && e[0].integer != 1) return std::nullopt;
    return LimitReply{e[0].integer == 1, e[1].integer, e[2].integer, e[3].integer};
}

std::optional<RateLimitDecision> gcra_reply_decision(std::span<const RedisValue> e, const RateLimitConfig& cfg) {
    auto r = read_limit_reply(e);
    if (!r) return std::nullopt;
    RateLimitDecision d;
    d.allowed = r->allowed;
    d.limit = static_cast<int64_t>(std::max(1.0, cfg.burst));
    d.remaining = r->remaining;
    d.retry_after_s = d.allowed ? 0 : static_cast<double>(r->retry_after_us) / 1e6;
    d.reset_s = static_cast<double>(r->reset_us) / 1e6;
    return d;
}

std::optional<RateLimitDecision> parse_gcra_reply(const RedisValue& reply, const RateLimitConfig& cfg) {
    if (reply.type != RedisValue::Type::Array) return std::nullopt;
    return gcra_reply_decision(reply.elements, cfg);
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
