#include <catch2/catch.hpp>

#include "core/ops/sealed_blob.h"

using namespace llmgw;

namespace {
SealKey key_of(unsigned char b) {
    SealKey k;
    k.fill(b);
    return k;
}
}  // namespace

TEST_CASE("sealed blobs open with their key and context only", "[seal]") {
    Sealer s(key_of(1));
    std::string blob = s.seal("the model thought about Paris", "reasoning");
    CHECK(blob.find("Paris") == std::string::npos);
    auto back = s.open(blob, "reasoning");
    REQUIRE(back);
    CHECK(*back == "the model thought about Paris");
    // A fresh nonce each time: equal plaintexts do not give equal blobs.
    CHECK(s.seal("the model thought about Paris", "reasoning") != blob);
    CHECK_FALSE(s.open(blob, "other-context"));
    CHECK_FALSE(Sealer(key_of(2)).open(blob, "reasoning"));
    // Empty plaintext round-trips too.
    CHECK(s.open(s.seal("", "reasoning"), "reasoning") == std::string());
}

TEST_CASE("a tampered, truncated or foreign blob opens to nothing", "[seal]") {
    Sealer s(key_of(7));
    std::string blob = s.seal("secret reasoning", "reasoning");
    for (size_t i = 0; i < blob.size(); ++i) {
        std::string t = blob;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        INFO("changed char " << i);
        CHECK_FALSE(s.open(t, "reasoning"));
    }
    CHECK_FALSE(s.open(blob.substr(0, blob.size() - 4), "reasoning"));
    CHECK_FALSE(s.open("", "reasoning"));
    CHECK_FALSE(s.open("not base64 at all!", "reasoning"));
    CHECK_FALSE(s.open("gAAAAABo" + std::string(200, 'x'), "reasoning"));  // OpenAI-style foreign blob
    CHECK_FALSE(s.open(std::string(kMaxSealedBlobChars + 4, 'A'), "reasoning"));
}

TEST_CASE("seal keys parse from hex or base64 and nothing else", "[seal][config]") {
    std::string err;
    auto hex = parse_seal_key("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1F", &err);
    REQUIRE(hex);
    CHECK((*hex)[1] == 1);
    CHECK((*hex)[31] == 0x1f);
    auto b64 = parse_seal_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &err);
    REQUIRE(b64);
    CHECK(*b64 == *hex);
    CHECK_FALSE(parse_seal_key("abcd", &err));
    CHECK(err.find("64 hex digits") != std::string::npos);
    CHECK_FALSE(parse_seal_key(std::string(64, 'z'), &err));
    CHECK_FALSE(parse_seal_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", &err));  // 31 bytes
    CHECK(random_seal_key() != random_seal_key());
}
