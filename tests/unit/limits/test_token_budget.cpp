// Token budgets (TOKEN_LIMIT_TPM) and the usage ledger: the pure parts (core/limits).
#include <catch2/catch.hpp>

#include <limits>

#include "core/json/json_parse.h"
#include "core/limits/redis_command.h"
#include "core/limits/token_budget.h"
#include "core/limits/usage_ledger.h"

using namespace llmgw;

TEST_CASE("token budget: the output a body asks for, under each API's name", "[limits]") {
    CHECK(requested_output_tokens(R"({"max_tokens":300})") == 300);
    CHECK(requested_output_tokens(R"({"max_completion_tokens":77})") == 77);
    CHECK(requested_output_tokens(R"({"max_output_tokens":12})") == 12);
    CHECK(requested_output_tokens(R"({"max_tokens":-5})") == 0);
    CHECK_FALSE(requested_output_tokens(R"({"model":"m"})"));
    CHECK_FALSE(requested_output_tokens("not json"));
    CHECK_FALSE(requested_output_tokens(std::string(300, '[')));  // past the nesting limit: refused, no crash
}

TEST_CASE("token budget: a reservation is the prompt plus the capped output", "[limits]") {
    CHECK(token_reservation(100, 50, 0, true) == 150);
    CHECK(token_reservation(100, 5000, 1000, true) == 1100);  // clamped to the cap
    CHECK(token_reservation(100, std::nullopt, 800, true) == 900);  // no max_tokens: the cap
    CHECK(token_reservation(100, std::nullopt, 0, true) == 100 + kDefaultOutputReservation);
    CHECK(token_reservation(100, 5000, 0, false) == 100);  // embeddings produce nothing
}

TEST_CASE("token budget: settling refunds the unused part and charges an overrun", "[limits]") {
    // Reserved 100 prompt + 400 output; used 80 + 20: 400 back.
    CHECK(settle_delta(500, 100, {80, 20}) == -400);
    // The runtime used more than estimated: charged the difference.
    CHECK(settle_delta(500, 100, {150, 400}) == 50);
    // Unknown counts keep their reserved parts: never a refund for what is not known.
    CHECK(settle_delta(500, 100, {-1, -1}) == 0);
    CHECK(settle_delta(500, 100, {-1, 10}) == -390);
}

TEST_CASE("token budget: what a finished request is charged", "[limits]") {
    // Answered with usage: the usage.
    auto a = charged_usage(true, false, 40, 9, 3);
    CHECK(a.prompt == 40);
    CHECK(a.completion == 9);
    // A stream without usage: its content events for output, the prompt left to the estimate.
    auto b = charged_usage(true, false, -1, -1, 17);
    CHECK(b.prompt == -1);
    CHECK(b.completion == 17);
    // The client hung up mid-stream: pays for what was relayed.
    auto c = charged_usage(false, true, -1, -1, 5);
    CHECK(c.prompt == -1);
    CHECK(c.completion == 5);
    // Refused or unreachable: nothing.
    auto d = charged_usage(false, false, -1, -1, 0);
    CHECK(d.prompt == 0);
    CHECK(d.completion == 0);
    CHECK(settle_delta(500, 100, d) == -500);
}

TEST_CASE("token budget: counts past a trillion are taken as a trillion, so no sum overflows", "[limits]") {
    const int64_t max = std::numeric_limits<int64_t>::max();
    CHECK(requested_output_tokens(R"({"max_tokens":9223372036854775807})") == kMaxCountedTokens);
    CHECK(requested_output_tokens(R"({"max_tokens":1e300})") == kMaxCountedTokens);
    // INT64_MAX once wrapped the reservation negative, which admitted the request at once.
    CHECK(token_reservation(10, max, 0, true) == 10 + kMaxCountedTokens);
    CHECK(token_reservation(max, max, 0, true) == 2 * kMaxCountedTokens);
    auto c = charged_usage(true, false, max, max, 0);
    CHECK(c.prompt == kMaxCountedTokens);
    CHECK(c.completion == kMaxCountedTokens);
    CHECK(charged_usage(false, true, -1, -1, max).completion == kMaxCountedTokens);
    CHECK(settle_delta(500, 100, {max, max}) == 2 * kMaxCountedTokens - 500);
    CHECK(settle_delta(max, max, {-1, -1}) == 0);
    CHECK(settle_delta(std::numeric_limits<int64_t>::min(), 0, {0, 0}) == 0);
    UsageBatch b;
    REQUIRE(b.add({"key:a", "m", max, max, max}, 60));
    REQUIRE(b.add({"key:a", "m", max, max, max}, 60));
    CHECK(b.take()[0].prompt_tokens == max);  // saturates
    LocalUsageLedger ledger;
    ledger.record({"key:a", "m", max, 1, 0}, 60);
    ledger.record({"key:a", "m", max, 1, 0}, 60);
    UsageQuery q;
    q.window = UsageWindow::Minute;
    q.since = q.until = 60;
    UsageReport report(q);
    ledger.read(report, UsageWindow::Minute, 60);
    ledger.read(report, UsageWindow::Minute, 60);  // the same bucket twice: the report's sums saturate too
    const std::string json = report.json("local");
    CHECK(json.find("\"prompt_tokens\":9223372036854775807") != std::string::npos);
    CHECK(json.find("\"total_tokens\":9223372036854775807") != std::string::npos);
    CHECK(json.find("\"requests\":4") != std::string::npos);
}

TEST_CASE("token budget: the local budget admits a minute's worth, refills, and takes refunds", "[limits]") {
    LocalTokenBudgets b(100);
    const TokenBudgetConfig k{.tpm = 1000};
    auto first = b.reserve("key:a", 600, 100.0, k);
    CHECK(first.allowed);
    CHECK(first.limit == 1000);
    CHECK(first.remaining == 400);
    auto second = b.reserve("key:a", 600, 100.0, k);
    CHECK_FALSE(second.allowed);
    CHECK(second.remaining == 400);
    CHECK(second.retry_after_s == Approx(12.0).margin(1e-6));  // 200 tokens at 1000 a minute
    // Another identity has its own budget.
    CHECK(b.reserve("key:b", 1000, 100.0, k).allowed);
    // Refund 500 of the first reservation: the second now fits.
    b.settle("key:a", -500, 100.0, k);
    CHECK(b.reserve("key:a", 600, 100.0, k).allowed);
    CHECK_FALSE(b.reserve("key:a", 301, 100.0, k).allowed);  // 700 of 1000 in use
    // Six seconds refill 100 tokens.
    auto later = b.reserve("key:a", 100, 106.0, k);
    CHECK(later.allowed);
    // An overrun overdraws: nothing fits until it is paid back.
    b.settle("key:b", 300, 100.0, k);
    CHECK_FALSE(b.reserve("key:b", 1, 110.0, k).allowed);
    CHECK(b.reserve("key:b", 1, 118.1, k).allowed);
}

TEST_CASE("token budget: a refund never makes a budget fuller than full", "[limits]") {
    LocalTokenBudgets b(100);
    const TokenBudgetConfig k{.tpm = 1000};
    CHECK(b.reserve("key:a", 100, 0.0, k).allowed);
    b.settle("key:a", -5000, 0.0, k);
    CHECK(b.size() == 0);  // full again: forgotten
    CHECK(b.reserve("key:a", 1000, 0.0, k).allowed);
    CHECK_FALSE(b.reserve("key:a", 1, 0.0, k).allowed);
}

TEST_CASE("token budget: each identity's own budget in one local store", "[limits]") {
    LocalTokenBudgets b(100);
    const TokenBudgetConfig small{.tpm = 300}, large{.tpm = 3000};
    auto s = b.reserve("key:small", 250, 0.0, small);
    CHECK(s.allowed);
    CHECK(s.limit == 300);
    CHECK(s.remaining == 50);
    auto refused = b.reserve("key:small", 100, 0.0, small);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.limit == 300);
    CHECK(refused.retry_after_s == Approx(10.0).margin(1e-6));  // 50 tokens at 300 a minute
    auto l = b.reserve("key:large", 2500, 0.0, large);
    CHECK(l.allowed);
    CHECK(l.remaining == 500);
    // A refund in the budget it was reserved with: 200 of 300 back.
    b.settle("key:small", -200, 0.0, small);
    CHECK(b.reserve("key:small", 250, 0.0, small).allowed);
}

TEST_CASE("token budget: the local store stays within its bound", "[limits]") {
    LocalTokenBudgets b(3);
    const TokenBudgetConfig k{.tpm = 1000};
    for (int i = 0; i < 10; ++i) CHECK(b.reserve("key:" + std::to_string(i), 10 + i, 0.0, k).allowed);
    CHECK(b.size() == 3);
}

TEST_CASE("token budget: the Redis commands and replies", "[limits]") {
    TokenBudgetConfig cfg{.tpm = 60000};
    const auto r = redis_command_args(token_reserve_command("key:abc", 250, cfg)).value();
    REQUIRE(r.size() == 9);
    CHECK(r[0] == "EVALSHA");
    CHECK(r[1] == token_budget_script_sha1());
    CHECK(r[3] == "llmgw:{key:abc}:tok");
    CHECK(r[4] == "r");
    CHECK(r[5] == "1000.000000");  // a token a millisecond
    CHECK(r[7] == "250");
    CHECK(r[8] == "0");  // no settle carried
    CHECK(redis_command_args(token_reserve_command("key:abc", 250, cfg, -900)).value()[8] == "-900");
    const auto s = redis_command_args(token_settle_command("key:abc", -40, cfg)).value();
    CHECK(s[1] == r[1]);
    CHECK(s[4] == "s");
    CHECK(s[7] == "-40");
    CHECK(s[8] == "0");
    // A secret-looking identity never reaches a key in clear.
    CHECK(token_budget_key("sk-live{x}").find("sk-live") == std::string::npos);

    std::vector<RedisValue> ok{RedisValue::of_integer(1), RedisValue::of_integer(59750), RedisValue::of_integer(0),
                               RedisValue::of_integer(250000)};
    auto d = parse_token_reply(RedisValue::of_array(ok), 250, cfg);
    REQUIRE(d);
    CHECK(d->allowed);
    CHECK(d->remaining == 59750);
    CHECK(d->reserved == 250);
    CHECK(d->limit == 60000);
    CHECK(d->reset_s == Approx(0.25));
    std::vector<RedisValue> no{RedisValue::of_integer(0), RedisValue::of_integer(3), RedisValue::of_integer(2'500'000),
                               RedisValue::of_integer(59'000'000)};
    auto n = parse_token_reply(RedisValue::of_array(no), 250, cfg);
    REQUIRE(n);
    CHECK_FALSE(n->allowed);
    CHECK(n->reserved == 0);
    CHECK(n->retry_after_s == Approx(2.5));
    CHECK_FALSE(parse_token_reply(RedisValue::of_error("ERR"), 1, cfg));
    CHECK_FALSE(parse_token_reply(RedisValue::of_array({RedisValue::of_integer(1)}), 1, cfg));
    CHECK(local_fallback_budget(cfg, 3).tpm == 20000);
}

TEST_CASE("token budget: the rate-limit headers of both envelopes", "[limits]") {
    TokenDecision d;
    d.allowed = false;
    d.limit = 1000;
    d.remaining = 10;
    d.reset_s = 30;
    d.retry_after_s = 2.2;
    auto openai = token_limit_headers(d, false, 0);
    CHECK(openai == std::vector<std::pair<std::string, std::string>>{{"x-ratelimit-limit-tokens", "1000"},
                                                                      {"x-ratelimit-remaining-tokens", "10"},
                                                                      {"x-ratelimit-reset-tokens", "30s"},
                                                                      {"retry-after", "3"}});
    auto anthropic = token_limit_headers(d, true, 1'700'000'000);
    CHECK(anthropic == std::vector<std::pair<std::string, std::string>>{
                           {"anthropic-ratelimit-tokens-limit", "1000"},
                           {"anthropic-ratelimit-tokens-remaining", "10"},
                           {"anthropic-ratelimit-tokens-reset", "2023-11-14T22:13:50Z"},
                           {"retry-after", "3"}});
}

TEST_CASE("usage ledger: buckets, keys and the Redis command", "[limits]") {
    CHECK(usage_bucket_start(UsageWindow::Minute, 125) == 120);
    CHECK(usage_bucket_start(UsageWindow::Hour, 7300) == 7200);
    CHECK(usage_bucket_start(UsageWindow::Day, 90000) == 86400);
    CHECK(usage_bucket_key(UsageWindow::Hour, 7200) == "llmgw:{usage}:h:7200");
    UsageRecord r{"key:abc", "my|model\n", 10, 3, 4};
    auto inc = usage_increments(r);
    REQUIRE(inc.size() == 4);
    CHECK(inc[0] == std::pair<std::string, int64_t>{"key:abc|my_model_|r", 1});
    CHECK(inc[1] == std::pair<std::string, int64_t>{"key:abc|my_model_|p", 10});
    CHECK(inc[2] == std::pair<std::string, int64_t>{"key:abc|my_model_|c", 3});
    CHECK(inc[3] == std::pair<std::string, int64_t>{"key:abc|my_model_|k", 4});
    const auto c = redis_command_args(usage_record_command({r}, 7325)).value();
    REQUIRE(c.size() == 3 + 3 + 3 + 1 + 8);
    CHECK(c[16] == "key:abc|my_model_|k");
    CHECK(c[17] == "4");
    CHECK(c[2] == "3");
    CHECK(c[3] == "llmgw:{usage}:m:7320");
    CHECK(c[4] == "llmgw:{usage}:h:7200");
    CHECK(c[5] == "llmgw:{usage}:d:0");
    CHECK(c[9] == std::to_string(kMaxUsageFieldsPerBucket));
}

TEST_CASE("usage ledger: the query's defaults, bounds and errors", "[limits]") {
    std::string err, param;
    auto d = parse_usage_query("", 7325, &err, &param);
    REQUIRE(d);
    CHECK(d->window == UsageWindow::Hour);
    CHECK(d->since == 7200);
    CHECK(d->until == 7200);
    auto m = parse_usage_query("window=minute&since=7000&key=key%3Aabc", 7325, &err, &param);
    REQUIRE(m);
    CHECK(m->since == 6960);
    CHECK(m->until == 7320);
    CHECK(m->buckets().size() == 7);
    CHECK(m->key == "key:abc");
    CHECK_FALSE(parse_usage_query("window=week", 7325, &err, &param));
    CHECK(param == "window");
    CHECK_FALSE(parse_usage_query("since=abc", 7325, &err, &param));
    CHECK(param == "since");
    CHECK_FALSE(parse_usage_query("window=minute&since=9000&until=8000", 100000, &err, &param));
    CHECK_FALSE(parse_usage_query("window=minute&since=0", 100000, &err, &param));  // too many buckets
    CHECK(err.find("at most") != std::string::npos);
    CHECK_FALSE(parse_usage_query("limit=3", 7325, &err, &param));
    CHECK(param == "limit");
}

TEST_CASE("usage ledger: the local ledger sums per key and model, filters, and forgets old buckets", "[limits]") {
    LocalUsageLedger l;
    l.record({"key:a", "m1", 10, 5, 0}, 7200);
    l.record({"key:a", "m1", 20, 1, 16}, 7230);
    l.record({"key:a", "m2", 1, 1}, 7240);
    l.record({"key:b", "m1", 7, 0}, 7250);
    std::string err, param;
    auto q = *parse_usage_query("window=minute&since=7200", 7260, &err, &param);
    UsageReport all(q);
    for (int64_t s : q.buckets()) l.read(all, q.window, s);
    rapidjson::Document d;
    REQUIRE_FALSE(json::parse(all.json("local"), d));
    CHECK(d["source"] == "local");
    REQUIRE(d["data"].Size() == 3);
    CHECK(d["data"][0]["key"] == "key:a");
    CHECK(d["data"][0]["model"] == "m1");
    CHECK(d["data"][0]["requests"].GetInt64() == 2);
    CHECK(d["data"][0]["prompt_tokens"].GetInt64() == 30);
    CHECK(d["data"][0]["completion_tokens"].GetInt64() == 6);
    CHECK(d["data"][0]["cached_tokens"].GetInt64() == 16);
    CHECK(d["data"][1]["cached_tokens"].GetInt64() == 0);
    CHECK(d["totals"]["requests"].GetInt64() == 4);
    CHECK(d["totals"]["cached_tokens"].GetInt64() == 16);
    CHECK(d["totals"]["total_tokens"].GetInt64() == 45);  // cached tokens are part of the prompt's

    auto only_b = *parse_usage_query("window=day&key=key:b", 7260, &err, &param);
    UsageReport b(only_b);
    for (int64_t s : only_b.buckets()) l.read(b, only_b.window, s);
    REQUIRE_FALSE(json::parse(b.json("local"), d));
    REQUIRE(d["data"].Size() == 1);
    CHECK(d["data"][0]["prompt_tokens"].GetInt64() == 7);

    // Three hours on, the minute buckets are gone (2 hours kept); the day bucket stays.
    l.record({"key:c", "m1", 1, 1}, 7200 + 3 * 3600);
    UsageReport old(q);
    for (int64_t s : q.buckets()) l.read(old, q.window, s);
    REQUIRE_FALSE(json::parse(old.json("local"), d));
    CHECK(d["data"].Size() == 0);
}

TEST_CASE("usage ledger: an HGETALL reply is read, anything else refused", "[limits]") {
    std::string err, param;
    UsageReport r(*parse_usage_query("", 7200, &err, &param));
    auto s = [](std::string v) { return RedisValue{RedisValue::Type::String, 0, std::move(v), {}}; };
    CHECK(r.add_hgetall(RedisValue::of_array({s("key:a|m|r"), s("2"), s("key:a|m|p"), s("40"), s("key:a|m|k"), s("32"),
                                               s("junk"), s("1")})));
    CHECK(r.add_hgetall(RedisValue{}));  // a bucket nobody wrote
    CHECK_FALSE(r.add_hgetall(RedisValue::of_array({s("key:a|m|r")})));
    CHECK_FALSE(r.add_hgetall(RedisValue::of_array({s("key:a|m|r"), s("x")})));
    CHECK_FALSE(r.add_hgetall(RedisValue::of_error("WRONGTYPE")));
    rapidjson::Document d;
    REQUIRE_FALSE(json::parse(r.json("redis"), d));
    REQUIRE(d["data"].Size() == 1);
    CHECK(d["data"][0]["requests"].GetInt64() == 2);
    CHECK(d["data"][0]["prompt_tokens"].GetInt64() == 40);
    CHECK(d["data"][0]["cached_tokens"].GetInt64() == 32);
}

TEST_CASE("token budget: both limits in one call, and its answer", "[limits]") {
    RateLimitConfig rl{.rpm = 60, .burst = 5};
    TokenBudgetConfig tok{.tpm = 60000};
    const auto c = redis_command_args(admit_command("key:abc", rl, 300, tok, -120)).value();
    REQUIRE(c.size() == 11);
    CHECK(c[0] == "EVALSHA");
    CHECK(c[1] == admit_script_sha1());
    CHECK(c[2] == "2");
    CHECK(c[3] == "llmgw:{key:abc}:rl");
    CHECK(c[4] == "llmgw:{key:abc}:tok");
    CHECK(c[5] == "1000000");  // a request a second
    CHECK(c[6] == "5000000");  // burst 5
    CHECK(c[9] == "300");
    CHECK(c[10] == "-120");  // the settle it carries
    auto ints = [](std::vector<int64_t> v) {
        std::vector<RedisValue> e;
        for (auto i : v) e.push_back(RedisValue::of_integer(i));
        return RedisValue::of_array(std::move(e));
    };
    auto both = parse_admit_reply(ints({1, 4, 0, 1000000, 1, 59700, 0, 300000}), rl, 300, tok);
    REQUIRE(both);
    CHECK(both->requests.allowed);
    CHECK(both->requests.remaining == 4);
    CHECK(both->tokens.allowed);
    CHECK(both->tokens.remaining == 59700);
    CHECK(both->tokens.reserved == 300);
    auto no_tokens = parse_admit_reply(ints({1, 4, 0, 1000000, 0, 10, 2000000, 59000000}), rl, 300, tok);
    REQUIRE(no_tokens);
    CHECK(no_tokens->requests.allowed);
    CHECK_FALSE(no_tokens->tokens.allowed);
    CHECK(no_tokens->tokens.retry_after_s == Approx(2.0));
    CHECK_FALSE(parse_admit_reply(ints({1, 4, 0, 1000000}), rl, 300, tok));
    CHECK_FALSE(parse_admit_reply(ints({1, 4, 0, 1000000, 3, 0, 0, 0}), rl, 300, tok));
    CHECK_FALSE(parse_admit_reply(ints({1, 4, 0, 1000000, 1, -1, 0, 0}), rl, 300, tok));  // each half read in full
    CHECK_FALSE(parse_admit_reply(ints({1, 4, -5, 1000000, 1, 0, 0, 0}), rl, 300, tok));
    CHECK_FALSE(parse_admit_reply(ints({1, 4, 0, 1000000, 1, 0, 0, 0, 0}), rl, 300, tok));
}
