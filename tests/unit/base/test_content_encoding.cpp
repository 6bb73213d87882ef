// Content-Encoding request bodies: gzip and zstd decoded within the limit; unknown codings,
// corrupt and truncated streams, and bombs each get their own status.
#include <catch2/catch.hpp>

#include "compress.h"

#include <string>

#include "core/base/content_encoding.h"

using namespace llmgw;
using test::gzip;
using test::zstd;

namespace {
const std::string kBody = R"({"model":"m","messages":[{"role":"user","content":")" + std::string(5000, 'a') + R"("}]})";
}  // namespace

TEST_CASE("content encoding: gzip, x-gzip and zstd bodies decode to the original", "[encoding]") {
    for (auto [enc, data] : {std::pair<std::string, std::string>{"gzip", gzip(kBody)}, {"x-gzip", gzip(kBody)},
                             {"ZSTD", zstd(kBody)}, {"identity", kBody}}) {
        INFO(enc);
        auto d = decode_content(enc, data, 1 << 20);
        REQUIRE(d.status == DecodeStatus::Ok);
        CHECK(d.body == kBody);
    }
}

TEST_CASE("content encoding: stacked codings are undone from the last, concatenated gzip members join", "[encoding]") {
    auto d = decode_content("gzip, zstd", zstd(gzip(kBody)), 1 << 20);
    REQUIRE(d.status == DecodeStatus::Ok);
    CHECK(d.body == kBody);
    auto two = decode_content("gzip", gzip("abc") + gzip("def"), 1 << 20);
    REQUIRE(two.status == DecodeStatus::Ok);
    CHECK(two.body == "abcdef");
    auto frames = decode_content("zstd", zstd("abc") + zstd("def"), 1 << 20);
    REQUIRE(frames.status == DecodeStatus::Ok);
    CHECK(frames.body == "abcdef");
}

TEST_CASE("content encoding: unknown codings are unsupported, naming the coding", "[encoding]") {
    for (std::string enc : {"br", "deflate", "gzip, compress", "identity,identity,gzip,gzip,gzip,gzip,gzip"}) {
        INFO(enc);
        auto d = decode_content(enc, "x", 1 << 20);
        CHECK(d.status == DecodeStatus::Unsupported);
        CHECK_FALSE(d.detail.empty());
    }
    CHECK(decode_content("br", "x", 100).detail.find("'br'") != std::string::npos);
}

TEST_CASE("content encoding: corrupt, truncated and trailing bytes are corrupt", "[encoding]") {
    const std::string gz = gzip(kBody), zs = zstd(kBody);
    CHECK(decode_content("gzip", "not gzip at all", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("zstd", "not zstd at all", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("gzip", gz.substr(0, gz.size() / 2), 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("zstd", zs.substr(0, zs.size() / 2), 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("gzip", gz + "junk", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("zstd", zs + "junk", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("gzip", "", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("zstd", "", 1 << 20).status == DecodeStatus::Corrupt);
    CHECK(decode_content("zstd", zs, 1 << 20).detail.empty());
}

TEST_CASE("content encoding: a bomb stops at the limit, the decoded size is what counts", "[encoding]") {
    const std::string big(8u << 20, '0');  // 8 MiB of zeros: a few KiB compressed
    const size_t limit = 1u << 20;
    for (auto [enc, data] : {std::pair<std::string, std::string>{"gzip", gzip(big)}, {"zstd", zstd(big)}}) {
        INFO(enc);
        REQUIRE(data.size() < limit / 16);
        auto d = decode_content(enc, data, limit);
        CHECK(d.status == DecodeStatus::TooLarge);
        CHECK(d.body.empty());
        CHECK(d.detail.find(std::to_string(limit)) != std::string::npos);
    }
    // The bound holds without a coding too.
    CHECK(decode_content("identity", std::string(limit + 1, 'x'), limit).status == DecodeStatus::TooLarge);
    // Exactly at the limit is fine.
    auto at = decode_content("gzip", gzip(std::string(limit, 'x')), limit);
    CHECK(at.status == DecodeStatus::Ok);
    CHECK(at.body.size() == limit);
}
