// The rate limit shared through Redis (REDIS_URL): several `serve` replicas against one real
// redis-server on a loopback port admit exactly the burst between them; when Redis dies the
// failure mode decides, visibly (/health, /metrics), and the shared limit resumes when it returns.
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "core/limits/usage_ledger.h"
#include "core/ops/api_keys.h"
#include "harness.h"
#include "redis_server.h"

using namespace harness;

namespace {

const std::string kKey = "sk-shared-limit-0123456789";
const std::vector<std::string> kAuth{"Authorization: Bearer " + kKey};

std::map<std::string, std::string> limit_env(const std::string& redis_url, int burst,
                                             std::map<std::string, std::string> more = {}) {
    std::map<std::string, std::string> env{{"API_KEYS", kKey},
                                           {"RATE_LIMIT_ENABLED", "true"},
                                           {"RATE_LIMIT_RPM", "1"},  // one a minute: no refill during a test
                                           {"RATE_LIMIT_BURST", std::to_string(burst)},
                                           {"REDIS_URL", redis_url}};
    for (auto& [k, v] : more) env[k] = v;
    return env;
}

// /health's redis object.
rapidjson::Document redis_health(const Process& gw) {
    auto d = json(get(gw.url("/health")).body);
    rapidjson::Document r;
    if (d.IsObject() && d.HasMember("redis")) r.CopyFrom(d["redis"], r.GetAllocator());
    return r;
}

bool all_workers_up(const Process& gw) {
    auto r = redis_health(gw);
    return r.IsObject() && r["workers_up"].GetInt64() == r["workers"].GetInt();
}

bool none_up(const Process& gw) {
    auto r = redis_health(gw);
    return r.IsObject() && r["workers_up"].GetInt64() == 0;
}

// A counter's value from /metrics text ("name{labels} value" or "name value"), -1 when absent.
double metric(const Process& gw, const std::string& series) {
    std::string body = get(gw.url("/metrics")).body;
    auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(body.substr(at + series.size() + 2));
}

// `total` GET /v1/models requests from 64 concurrent clients, spread round-robin over `gws`.
std::map<long, int> storm(const std::vector<const Process*>& gws, int total) {
    constexpr int kClients = 64;
    std::atomic<int> next{0};
    std::mutex mu;
    std::map<long, int> statuses;
    std::vector<std::thread> threads;
    for (int c = 0; c < kClients; ++c)
        threads.emplace_back([&] {
            for (int i; (i = next.fetch_add(1)) < total;) {
                long s = get(gws[static_cast<size_t>(i) % gws.size()]->url("/v1/models"), kAuth).status;
                std::lock_guard lk(mu);
                ++statuses[s];
            }
        });
    for (auto& t : threads) t.join();
    return statuses;
}

}  // namespace

TEST_CASE("redis limits: three replicas and 64 clients admit exactly the burst between them", "[redis]") {
    if (!have_redis_server()) FAIL("redis-server is not installed: run scripts/install-deps.sh");
    RedisServer redis;
    auto mock = start_mock();
    // A generous deadline: this test is about exactness, not about the fallback.
    auto env = limit_env(redis.url(), 20, {{"REDIS_TIMEOUT_MS", "5000"}});
    auto a = start_serve(mock.url(), env), b = start_serve(mock.url(), env), c = start_serve(mock.url(), env);
    for (const Process* gw : {&a, &b, &c}) REQUIRE(wait_until([&] { return all_workers_up(*gw); }));

    auto statuses = storm({&a, &b, &c}, 150);
    CHECK(statuses[200] == 20);
    CHECK(statuses[429] == 130);
    CHECK(statuses.size() == 2);
    for (const Process* gw : {&a, &b, &c}) {
        auto h = redis_health(*gw);
        CHECK(h["fallbacks"].GetUint64() == 0);
        CHECK(std::string(h["state"].GetString()) == "up");
    }
    // What Redis holds: one hash-tagged key per identity, by fingerprint, never the key itself.
    std::string keys = redis.command("KEYS *");
    CHECK(keys.find("llmgw:{" + llmgw::key_fingerprint(kKey) + "}:rl") != std::string::npos);
    CHECK(keys.find(kKey) == std::string::npos);
    CHECK(metric(a, "llmgw_ratelimit_shared_total") + metric(b, "llmgw_ratelimit_shared_total") +
              metric(c, "llmgw_ratelimit_shared_total") ==
          150);
}

TEST_CASE("redis limits: a 429 from the shared limit carries the headers in both envelopes", "[redis]") {
    if (!have_redis_server()) FAIL("redis-server is not installed: run scripts/install-deps.sh");
    RedisServer redis({"--requirepass", "s3cret"});
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), limit_env("redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/2", 2,
                                                {{"REDIS_TIMEOUT_MS", "5000"}}));
    REQUIRE(wait_until([&] { return all_workers_up(gw); }));
    for (int i = 0; i < 2; ++i) {
        auto r = get(gw.url("/v1/models"), kAuth);
        REQUIRE(r.status == 200);
        CHECK(r.header("x-ratelimit-limit-requests") == "2");
        CHECK(r.header("x-ratelimit-remaining-requests") == std::to_string(1 - i));
    }
    auto r = post(gw.url("/v1/chat/completions"), R"({"model":"mock-model","messages":[{"role":"user","content":"hi"}]})", kAuth);
    REQUIRE(r.status == 429);
    CHECK(std::stoi(r.header("retry-after")) >= 1);
    CHECK(json(r.body)["error"]["type"] == "rate_limit_error");
    auto m = post(gw.url("/v1/messages"), R"({"model":"mock-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})",
                  {"x-api-key: " + kKey});
    REQUIRE(m.status == 429);
    auto md = json(m.body);
    CHECK(md["type"] == "error");
    CHECK(md["error"]["type"] == "rate_limit_error");
    // Database 2 holds the key (REDIS_URL's /2), behind the password.
    CHECK(redis.command("AUTH s3cret\r\nSELECT 2\r\nKEYS *").find("llmgw:{") != std::string::npos);
}

TEST_CASE("redis limits: REDIS_URL may name the host: localhost is resolved and the limit is Redis's", "[redis]") {
    if (!have_redis_server()) FAIL("redis-server is not installed: run scripts/install-deps.sh");
    RedisServer redis;
    auto mock = start_mock();
    // localhost comes from /etc/hosts: no resolver traffic leaves the machine.
    auto gw = start_serve(mock.url(), limit_env("redis://localhost:" + std::to_string(redis.port()), 1,
                                                {{"REDIS_TIMEOUT_MS", "5000"}}));
    REQUIRE(wait_until([&] { return all_workers_up(gw); }));
    CHECK(get(gw.url("/v1/models"), kAuth).status == 200);
    CHECK(get(gw.url("/v1/models"), kAuth).status == 429);
    CHECK(metric(gw, "llmgw_ratelimit_shared_total") == 2);
    CHECK(redis.command("KEYS *").find(":rl") != std::string::npos);
}

TEST_CASE("redis limits: Redis killed mid-run falls back to the local share, then resumes when it returns", "[redis]") {
    if (!have_redis_server()) FAIL("redis-server is not installed: run scripts/install-deps.sh");
    RedisServer redis;
    auto mock = start_mock();
    // Two replicas share burst 4: each falls back to 4 / 2 = 2 while Redis is away.
    auto gw = start_serve(mock.url(), limit_env(redis.url(), 4, {{"RATE_LIMIT_REPLICAS", "2"}, {"REDIS_TIMEOUT_MS", "1000"}}));
    REQUIRE(wait_until([&] { return all_workers_up(gw); }));
    for (int i = 0; i < 4; ++i) CHECK(get(gw.url("/v1/models"), kAuth).status == 200);
    CHECK(get(gw.url("/v1/models"), kAuth).status == 429);

    redis.kill();
    REQUIRE(wait_until([&] { return none_up(gw); }));
    // Requests keep flowing under the local share: exactly 2 more, then 429.
    std::map<long, int> during;
    for (int i = 0; i < 6; ++i) {
        auto r = get(gw.url("/v1/models"), kAuth);
        ++during[r.status];
        CHECK(r.header("x-ratelimit-limit-requests") == "2");
    }
    CHECK(during[200] == 2);
    CHECK(during[429] == 4);
    auto h = redis_health(gw);
    CHECK(std::string(h["state"].GetString()) != "up");
    CHECK(std::string(h["failure_mode"].GetString()) == "local");
    CHECK(h["fallbacks"].GetUint64() == 6);
    CHECK(h["disconnects"].GetUint64() >= 1);
    CHECK(metric(gw, "llmgw_ratelimit_fallback_total{mode=\"local\",reason=\"down\"}") == 6);
    CHECK(metric(gw, "llmgw_redis_up") == 0);
    CHECK(gw.log().find("shared rate limit unavailable") != std::string::npos);

    // Back (empty, no persistence): every worker reconnects and the shared burst applies again.
    redis.restart();
    REQUIRE(wait_until([&] { return all_workers_up(gw); }, 20));
    std::map<long, int> after;
    for (int i = 0; i < 6; ++i) ++after[get(gw.url("/v1/models"), kAuth).status];
    CHECK(after[200] == 4);
    CHECK(after[429] == 2);
    CHECK(redis_health(gw)["fallbacks"].GetUint64() == 6);
}

TEST_CASE("redis limits: scripts flushed from Redis are sent again as EVAL, still decided by Redis", "[redis]") {
    if (!have_redis_server()) FAIL("redis-server is not installed: run scripts/install-deps.sh");
    RedisServer redis;
    auto mock = start_mock();
    // Both limits: each request is one admission call (carrying the settle of the one before), and
    // a ledger record.
    auto gw = start_serve(mock.url(), limit_env(redis.url(), 8, {{"TOKEN_LIMIT_TPM", "1000000"}, {"REDIS_TIMEOUT_MS", "5000"}}));
    REQUIRE(wait_until([&] { return all_workers_up(gw); }));
    const std::string chat = R"({"model":"mock-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})";
    auto ask = [&] { return post(gw.url("/v1/chat/completions"), chat, kAuth); };
    for (int i = 0; i < 2; ++i) {
        auto r = ask();
        REQUIRE(r.status == 200);
        CHECK(r.header("x-ratelimit-remaining-requests") == std::to_string(7 - i));
    }
    // What SCRIPT FLUSH (or a Redis restarted with its data) leaves: keys, but no scripts.
    CHECK(redis.command("SCRIPT FLUSH").find("OK") != std::string::npos);
    for (int i = 2; i < 5; ++i) {
        auto r = ask();
        REQUIRE(r.status == 200);
        // The count goes on from Redis's own state: Redis decided, not the fallback.
        CHECK(r.header("x-ratelimit-remaining-requests") == std::to_string(7 - i));
    }
    auto h = redis_health(gw);
    CHECK(h["fallbacks"].GetUint64() == 0);
    CHECK(metric(gw, "llmgw_ratelimit_shared_total") == 5);
    CHECK(metric(gw, "llmgw_tokenlimit_shared_total") == 5);
    // Settles and ledger records after the flush were taken too.
    REQUIRE(wait_until([&] { return redis.command("SCRIPT EXISTS " + llmgw::usage_ledger_script_sha1()).find(":1") != std::string::npos; }));
    CHECK(metric(gw, "llmgw_redis_lost_writes_total") == 0);
}

TEST_CASE("redis limits: RATE_LIMIT_FAILURE_MODE closed refuses with 503, open admits without headers", "[redis]") {
    auto mock = start_mock();
    const std::string nowhere = "redis://127.0.0.1:" + std::to_string(free_port());
    auto closed = start_serve(mock.url(), limit_env(nowhere, 5, {{"RATE_LIMIT_FAILURE_MODE", "closed"}}));
    auto r = get(closed.url("/v1/models"), kAuth);
    REQUIRE(r.status == 503);
    CHECK(r.header("retry-after") == "1");
    CHECK(std::string(json(r.body)["error"]["message"].GetString()).find("RATE_LIMIT_FAILURE_MODE=closed") != std::string::npos);
    auto m = post(closed.url("/v1/messages"), R"({"model":"mock-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})", kAuth);
    REQUIRE(m.status == 503);
    CHECK(json(m.body)["type"] == "error");
    // Unlimited routes do not ask Redis.
    CHECK(get(closed.url("/livez")).status == 200);
    CHECK(std::string(redis_health(closed)["failure_mode"].GetString()) == "closed");

    auto open = start_serve(mock.url(), limit_env(nowhere, 1, {{"RATE_LIMIT_FAILURE_MODE", "open"}}));
    for (int i = 0; i < 3; ++i) {
        auto o = get(open.url("/v1/models"), kAuth);
        CHECK(o.status == 200);
        CHECK(o.header("x-ratelimit-limit-requests").empty());
    }
    CHECK(metric(open, "llmgw_ratelimit_fallback_total{mode=\"open\",reason=\"down\"}") == 3);
}

TEST_CASE("redis limits: a Redis that accepts and never answers does not hold requests", "[redis]") {
    // A listener whose backlog completes the handshake and nothing ever reads.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd, 64) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    auto mock = start_mock();
    auto gw = start_serve(mock.url(), limit_env("redis://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), 3));
    std::map<long, int> statuses;
    for (int i = 0; i < 5; ++i) ++statuses[get(gw.url("/v1/models"), kAuth).status];
    // The local fallback decided (RATE_LIMIT_REPLICAS=1: the whole burst).
    CHECK(statuses[200] == 3);
    CHECK(statuses[429] == 2);
    CHECK(std::string(redis_health(gw)["state"].GetString()) != "up");
    CHECK(redis_health(gw)["fallbacks"].GetUint64() == 5);
    ::close(fd);
}

TEST_CASE("redis limits: REDIS_URL with rediss or garbage is refused at start-up", "[redis]") {
    auto r = run_llmgw({"serve"}, {{"REDIS_URL", "rediss://127.0.0.1:6380"}});
    CHECK(r.exit == 2);
    CHECK(r.err.find("REDIS_URL") != std::string::npos);
    CHECK(r.err.find("TLS") != std::string::npos);
    auto m = run_llmgw({"serve"}, {{"RATE_LIMIT_FAILURE_MODE", "sometimes"}});
    CHECK(m.exit == 2);
    CHECK(m.err.find("RATE_LIMIT_FAILURE_MODE") != std::string::npos);
}
