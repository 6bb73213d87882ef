#include <catch2/catch.hpp>

#include "core/limits/redis_command.h"
#include "core/limits/shared_rate_limit.h"
#include "core/ops/config.h"
#include "core/ops/redis_url.h"

using namespace llmgw;

namespace {

RedisValue ints(std::vector<int64_t> v) {
    std::vector<RedisValue> e;
    for (auto i : v) e.push_back(RedisValue::of_integer(i));
    return RedisValue::of_array(std::move(e));
}

}  // namespace

TEST_CASE("REDIS_URL forms: host, port, db, password, user", "[limits]") {
    std::string err;
    auto a = parse_redis_url("redis://127.0.0.1:6380/2", &err);
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 6380);
    CHECK(a->db == 2);
    CHECK(a->password.empty());

    auto b = parse_redis_url("redis://redis", &err);
    REQUIRE(b);
    CHECK(b->host == "redis");
    CHECK(b->port == 6379);
    CHECK(b->db == 0);

    auto c = parse_redis_url("redis://:p%40ss@redis:6379/0", &err);
    REQUIRE(c);
    CHECK(c->username.empty());
    CHECK(c->password == "p@ss");

    auto d = parse_redis_url("redis://gw:secret@[::1]:7000", &err);
    REQUIRE(d);
    CHECK(d->username == "gw");
    CHECK(d->password == "secret");
    CHECK(d->host == "::1");
    CHECK(d->port == 7000);
}

TEST_CASE("REDIS_URL: rediss and malformed URLs are refused with a reason", "[limits]") {
    std::string err;
    CHECK_FALSE(parse_redis_url("rediss://redis:6380", &err));
    CHECK(err.find("TLS") != std::string::npos);
    CHECK_FALSE(parse_redis_url("http://redis:6379", &err));
    CHECK(err.find("redis://") != std::string::npos);
    CHECK_FALSE(parse_redis_url("redis://redis:0", &err));
    CHECK_FALSE(parse_redis_url("redis://redis:6379/x", &err));
    CHECK(err.find("database") != std::string::npos);
    CHECK_FALSE(parse_redis_url("redis://:%zz@redis", &err));
    CHECK_FALSE(parse_redis_url("redis://:%4@redis", &err));
    CHECK_FALSE(parse_redis_url("redis:///0", &err));
    CHECK_FALSE(parse_redis_url("redis://red is", &err));
}

TEST_CASE("serve config: REDIS_URL, REDIS_PASSWORD and the failure mode", "[limits][config]") {
    ConfigError err;
    auto c = parse_serve_config({{"REDIS_URL", "redis://127.0.0.1:7001/3"}, {"REDIS_PASSWORD", "pw"},
                                 {"RATE_LIMIT_FAILURE_MODE", "closed"}, {"RATE_LIMIT_REPLICAS", "3"}},
                                &err);
    REQUIRE(c);
    REQUIRE(c->redis);
    CHECK(c->redis->port == 7001);
    CHECK(c->redis->db == 3);
    CHECK(c->redis->password == "pw");
    CHECK(c->rate_limit_failure_mode == LimitFailureMode::Closed);
    CHECK(c->rate_limit_replicas == 3);
    CHECK(c->redis_timeout_ms == 20);

    auto none = parse_serve_config({}, &err);
    REQUIRE(none);
    CHECK_FALSE(none->redis);
    CHECK(none->rate_limit_failure_mode == LimitFailureMode::Local);

    CHECK_FALSE(parse_serve_config({{"RATE_LIMIT_FAILURE_MODE", "maybe"}}, &err));
    CHECK(err.var == "RATE_LIMIT_FAILURE_MODE");
    CHECK_FALSE(parse_serve_config({{"REDIS_URL", "rediss://r:6380"}}, &err));
    CHECK(err.var == "REDIS_URL");
    CHECK(err.message.find("TLS") != std::string::npos);
}

TEST_CASE("rate limit keys: hash-tagged, fingerprints kept, anything else hashed", "[limits]") {
    CHECK(rate_limit_key("key:0123456789ab") == "llmgw:{key:0123456789ab}:rl");
    CHECK(rate_limit_key("ip:::1") == "llmgw:{ip:::1}:rl");
    // A brace would move the hash tag; a raw secret would sit in Redis in clear.
    std::string k = rate_limit_key("sk-secret}{x");
    CHECK(k.find("secret") == std::string::npos);
    CHECK(k.starts_with("llmgw:{h:"));
    CHECK(k.ends_with("}:rl"));
    CHECK(std::count(k.begin(), k.end(), '{') == 1);
    CHECK(std::count(k.begin(), k.end(), '}') == 1);
}

TEST_CASE("the GCRA command: EVALSHA of the script's SHA-1, one key, interval and tolerance", "[limits]") {
    // SHA-1 of the script text, as Redis computes it for SCRIPT LOAD.
    CHECK(gcra_script_sha1().size() == 40);
    const auto wire = redis_command_args(gcra_command("key:abc", {.rpm = 60, .burst = 5}));
    REQUIRE(wire);
    const auto& cmd = *wire;
    REQUIRE(cmd.size() == 6);
    CHECK(cmd[0] == "EVALSHA");
    CHECK(cmd[1] == gcra_script_sha1());
    CHECK(cmd[2] == "1");
    CHECK(cmd[3] == "llmgw:{key:abc}:rl");
    CHECK(cmd[4] == "1000000");  // 60 rpm: a request a second
    CHECK(cmd[5] == "5000000");  // burst 5: five seconds of tolerance
    // A rate too high for microseconds still moves time forward.
    CHECK(redis_command_args(gcra_command("k", {.rpm = 1e9, .burst = 1})).value()[4] == "1");
}

TEST_CASE("GCRA replies become the same decisions as the local limiter's", "[limits]") {
    const RateLimitConfig cfg{.rpm = 60, .burst = 5};
    auto ok = parse_gcra_reply(ints({1, 4, 0, 1000000}), cfg);
    REQUIRE(ok);
    CHECK(ok->allowed);
    CHECK(ok->limit == 5);
    CHECK(ok->remaining == 4);
    CHECK(ok->retry_after_s == 0);
    CHECK(ok->reset_s == Approx(1.0));
    auto no = parse_gcra_reply(ints({0, 0, 1500000, 5000000}), cfg);
    REQUIRE(no);
    CHECK_FALSE(no->allowed);
    CHECK(no->retry_after_s == Approx(1.5));
    CHECK(no->reset_s == Approx(5.0));
    auto h = rate_limit_headers(*no);
    CHECK(std::find(h.begin(), h.end(), std::pair<std::string, std::string>{"retry-after", "2"}) != h.end());
}

TEST_CASE("GCRA replies that are not the script's answer are refused", "[limits]") {
    const RateLimitConfig cfg{.rpm = 60, .burst = 5};
    CHECK_FALSE(parse_gcra_reply(RedisValue::of_error("ERR boom"), cfg));
    CHECK_FALSE(parse_gcra_reply(ints({1, 2, 3}), cfg));
    CHECK_FALSE(parse_gcra_reply(ints({2, 0, 0, 0}), cfg));
    CHECK_FALSE(parse_gcra_reply(ints({1, -1, 0, 0}), cfg));
    RedisValue mixed = ints({1, 0, 0, 0});
    mixed.elements[2] = RedisValue{RedisValue::Type::String, 0, "0", {}};
    CHECK_FALSE(parse_gcra_reply(mixed, cfg));
    CHECK_FALSE(parse_gcra_reply(RedisValue{}, cfg));
    CHECK(is_noscript_error(RedisValue::of_error("NOSCRIPT No matching script. Please use EVAL.")));
    CHECK_FALSE(is_noscript_error(RedisValue::of_error("ERR other")));
}

TEST_CASE("the local fallback divides the shared limit among the replicas", "[limits]") {
    auto c = local_fallback_limit({.rpm = 120, .burst = 30}, 3);
    CHECK(c.rpm == Approx(40));
    CHECK(c.burst == 10);
    auto one = local_fallback_limit({.rpm = 120, .burst = 2}, 5);
    CHECK(one.burst == 1);  // never zero: a replica alone still serves someone
    CHECK(local_fallback_limit({.rpm = 120, .burst = 30}, 1).burst == 30);
}
