#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/ops/keys_file.h"

using namespace llmgw;

namespace {

std::vector<std::string> keys_of(const std::vector<KeyEntry>& entries) {
    std::vector<std::string> keys;
    for (const auto& e : entries) keys.push_back(e.key);
    return keys;
}

// The error of a text the parser refuses ("" when it accepts it).
std::string error_of(std::string_view text) {
    std::string err;
    return parse_keys_file(text, &err) ? std::string() : err;
}

}  // namespace

TEST_CASE("keys file: one key a line, comments, blanks, whitespace, CRLF", "[apikeys]") {
    std::string err;
    const auto entries = parse_keys_file("# team keys\n\n  sk-one  \r\nsk-two\n\t# indented comment\nsk-#three\nlast", &err);
    REQUIRE(entries);
    CHECK(keys_of(*entries) == std::vector<std::string>{"sk-one", "sk-two", "sk-#three", "last"});
    for (const auto& e : *entries) CHECK(e.limits == KeyLimits{});
    CHECK(parse_keys_file("", &err)->empty());
    CHECK(parse_keys_file("# only\n   \n", &err)->empty());
    // The same key twice, alike: kept once, as before limits existed.
    CHECK(keys_of(*parse_keys_file("sk-a\nsk-a\n", &err)) == std::vector<std::string>{"sk-a"});
}

TEST_CASE("keys file: a key's own token budget", "[apikeys]") {
    std::string err;
    const auto entries = parse_keys_file("sk-plain\nsk-small \t tpm=500\r\n  sk-free tpm=0  \nsk-small tpm=500\n", &err);
    REQUIRE(entries);
    REQUIRE(entries->size() == 3);
    CHECK_FALSE((*entries)[0].limits.tpm);
    CHECK((*entries)[1].key == "sk-small");
    CHECK((*entries)[1].limits.tpm == 500);
    CHECK((*entries)[2].key == "sk-free");
    CHECK((*entries)[2].limits.tpm == 0);
    CHECK(parse_keys_file("sk-big tpm=1000000000000", &err)->front().limits.tpm == kMaxKeyTpm);
}

TEST_CASE("keys file: a malformed line fails the file, naming the line and never the key", "[apikeys]") {
    CHECK(error_of("sk-a\n\nsk-secret tmp=5\n") == "line 3: unknown limit 'tmp' (known: tpm=<tokens a minute>)");
    CHECK(error_of("sk-a tpm=lots") ==
          "line 1: tpm must be a whole number of tokens a minute from 0 (no budget) to 1000000000000");
    CHECK(error_of("sk-a tpm=-1").rfind("line 1: tpm must be", 0) == 0);
    CHECK(error_of("sk-a tpm=").rfind("line 1: tpm must be", 0) == 0);
    CHECK(error_of("sk-a tpm=1000000000001").rfind("line 1: tpm must be", 0) == 0);
    CHECK(error_of("sk-a tpm=10 tpm=20") == "line 1: tpm given twice");
    // Two keys pasted on one line: neither is quoted.
    const std::string two = error_of("# c\nsk-secret-one sk-secret-two\n");
    CHECK(two.rfind("line 2: unexpected text after the key", 0) == 0);
    CHECK(two.find("secret") == std::string::npos);
    CHECK(error_of("sk-a sk-secret-long-key=1") == "line 1: unknown limit (known: tpm=<tokens a minute>)");
    // What was once one key with a blank in it is refused, not read as a shorter key.
    CHECK(error_of("sk-x # old").rfind("line 1: unexpected text after the key", 0) == 0);
    // The same key with two different budgets: which one was meant cannot be told.
    CHECK(error_of("sk-a tpm=5\nsk-b\nsk-a tpm=6\n") == "line 3: the key of line 1 again, with other limits");
    CHECK(error_of("sk-a\nsk-a tpm=6\n") == "line 2: the key of line 1 again, with other limits");
}

TEST_CASE("read_keys_file reads a file and names it when it cannot", "[apikeys]") {
    const std::string path = "/tmp/llmgw_test_keys_" + std::to_string(::getpid());
    {
        std::ofstream(path) << "k1\n# c\nk2 tpm=7\n";
    }
    std::string err;
    auto keys = read_keys_file(path, &err);
    REQUIRE(keys);
    CHECK(keys_of(*keys) == std::vector<std::string>{"k1", "k2"});
    CHECK((*keys)[1].limits.tpm == 7);
    {
        std::ofstream(path) << "k1\nk2 rpm=7\n";
    }
    CHECK_FALSE(read_keys_file(path, &err));
    CHECK(err == path + ": line 2: unknown limit 'rpm' (known: tpm=<tokens a minute>)");
    std::remove(path.c_str());
    CHECK_FALSE(read_keys_file(path, &err));
    CHECK(err.find(path) != std::string::npos);
}

TEST_CASE("a key set carries each key's limits, the keys file's over those of API_KEYS", "[apikeys]") {
    auto set = KeySet::from_entries({{"sk-env", {}}, {"sk-both", {}}, {"sk-env", {}}, {"sk-file", {.tpm = 900}},
                                     {"sk-both", {.tpm = 50}}});
    CHECK(set->size() == 3);
    CHECK_FALSE(set->match("sk-env").limits.tpm);
    CHECK(set->match("sk-file").limits.tpm == 900);
    CHECK(set->match("sk-both").limits.tpm == 50);
    CHECK(set->match("sk-both").fingerprint == key_fingerprint("sk-both"));
    CHECK_FALSE(set->match("sk-other").ok);
    CHECK_FALSE(set->match("sk-other").limits.tpm);
}
