#include <catch2/catch.hpp>

#include "core/limits/redis_command.h"
#include "core/limits/usage_ledger.h"

using namespace llmgw;

TEST_CASE("Redis commands are written as RESP arrays of bulk strings, and read back", "[limits]") {
    const std::string wire = RedisCommand(5).arg("EVALSHA").arg("").arg(int64_t{-42}).arg_fixed6(1000.0 / 3).arg("a\r\nb").take();
    CHECK(wire == "*5\r\n$7\r\nEVALSHA\r\n$0\r\n\r\n$3\r\n-42\r\n$10\r\n333.333333\r\n$4\r\na\r\nb\r\n");
    auto args = redis_command_args(wire);
    REQUIRE(args);
    CHECK(*args == std::vector<std::string>{"EVALSHA", "", "-42", "333.333333", "a\r\nb"});
    CHECK(redis_command({"PING"}) == "*1\r\n$4\r\nPING\r\n");
    // Two pieces written as one argument (a key's prefix and suffix), the length their sum.
    CHECK(RedisCommand(2).arg_joined("llmgw:{k}", ":rl").arg_joined("", "").take() == "*2\r\n$12\r\nllmgw:{k}:rl\r\n$0\r\n\r\n");
    CHECK(redis_command_args(redis_command({"SCRIPT", "LOAD", std::string(5000, 'x')})).value()[2].size() == 5000);
    // What printf's "%.6f" writes, which the scripts' tonumber() reads.
    CHECK(redis_command_args(RedisCommand(1).arg_fixed6(0.1).take()).value()[0] == "0.100000");
    CHECK(redis_command_args(RedisCommand(1).arg_fixed6(6e-7).take()).value()[0] == "0.000001");
}

TEST_CASE("Redis command bytes that are not exactly one array of bulk strings are not read", "[limits]") {
    for (std::string bad : {"", "*", "*1\r\n", "*1\r\n$4\r\nPIN\r\n", "*1\r\n$4\r\nPINGG\r\n", "*1\r\n$4\r\nPING\r\nX",
                            "*2\r\n$4\r\nPING\r\n", "*1\r\n:4\r\n", "*-1\r\n", "*1\r\n$99999999999999999999\r\n",
                            "*9999\r\n$1\r\nx\r\n", "PING\r\n"}) {
        INFO(bad);
        CHECK_FALSE(redis_command_args(bad));
    }
}

TEST_CASE("usage batch: a minute's records summed per key and model, bounded, sent as one command", "[limits]") {
    UsageBatch b;
    CHECK(b.empty());
    REQUIRE(b.add({"key:a", "m1", 10, 5, 2}, 7325));
    REQUIRE(b.add({"key:a", "m1", 20, 7, 0}, 7330));
    REQUIRE(b.add({"key:b", "m1", 1, 1, 0}, 7379));
    REQUIRE(b.add({"key:a", "m2", -5, -1, -1}, 7321));  // unknown counts add nothing
    CHECK(b.minute() == 7320);
    CHECK_FALSE(b.add({"key:a", "m1", 1, 1, 0}, 7380));  // the next minute: send first
    const std::vector<UsageRecord> held = b.take();
    CHECK(b.empty());
    REQUIRE(held.size() == 3);
    CHECK(held[0].identity == "key:a");
    CHECK(held[0].requests == 2);
    CHECK(held[0].prompt_tokens == 30);
    CHECK(held[0].completion_tokens == 12);
    CHECK(held[0].cached_tokens == 2);
    CHECK(held[1].requests == 1);
    CHECK(held[2].prompt_tokens == 0);

    const auto c = redis_command_args(usage_record_command(held, 7325)).value();
    REQUIRE(c.size() == 3 + 3 + 3 + 1 + 8 * 3);
    CHECK(c[3] == "llmgw:{usage}:m:7320");
    CHECK(c[10] == "key:a|m1|r");
    CHECK(c[11] == "2");
    CHECK(c[13] == "30");
    CHECK(c[18] == "key:b|m1|r");
    CHECK(c[26] == "key:a|m2|r");

    for (size_t i = 0; i < kMaxUsageBatchPairs; ++i) REQUIRE(b.add({"key:" + std::to_string(i), "m", 1, 1, 0}, 60));
    CHECK(b.add({"key:0", "m", 1, 1, 0}, 60));         // a pair it holds still adds
    CHECK_FALSE(b.add({"key:new", "m", 1, 1, 0}, 60));  // full: send first
    CHECK(b.take().size() == kMaxUsageBatchPairs);
}
