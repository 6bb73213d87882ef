#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "core/ops/api_keys.h"

using namespace llmgw;

TEST_CASE("sha256 and fingerprints", "[apikeys]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(key_fingerprint("abc") == "key:ba7816bf8f01");
    CHECK(key_fingerprint("sk-secret").find("secret") == std::string::npos);
}

TEST_CASE("the presented key comes from Bearer or x-api-key", "[apikeys]") {
    CHECK(presented_api_key("Bearer sk-1", "") == "sk-1");
    CHECK(presented_api_key("bearer   sk-1  ", "") == "sk-1");
    CHECK(presented_api_key("BEARER sk-1", "other") == "sk-1");
    CHECK(presented_api_key("", "sk-2") == "sk-2");
    CHECK(presented_api_key("", "  sk-2 ") == "sk-2");
    CHECK(presented_api_key("Basic dXNlcjpwYXNz", "sk-2") == "sk-2");
    CHECK(presented_api_key("Bearer", "") == "");
    CHECK(presented_api_key("Bearer ", "") == "");
    CHECK(presented_api_key("", "") == "");
}

TEST_CASE("a KeySet matches exactly its keys and reports their fingerprints", "[apikeys]") {
    auto set = KeySet::from_keys({"sk-alpha", "sk-beta", "", "sk-alpha"});
    CHECK(set->size() == 2);
    CHECK_FALSE(set->empty());
    auto m = set->match("sk-beta");
    CHECK(m.ok);
    CHECK(m.fingerprint == key_fingerprint("sk-beta"));
    CHECK(set->match("sk-alpha").fingerprint == key_fingerprint("sk-alpha"));
    CHECK_FALSE(set->contains("sk-alph"));
    CHECK_FALSE(set->contains("sk-alphaa"));
    CHECK_FALSE(set->contains("SK-ALPHA"));
    CHECK_FALSE(set->contains(""));
    CHECK(set->match("nope").fingerprint.empty());
    CHECK(KeySet::from_keys({})->empty());
    // The last key of a set matches too (no early exit is not an off-by-one).
    auto many = KeySet::from_keys({"a", "b", "c", "d"});
    CHECK(many->match("d").fingerprint == key_fingerprint("d"));
    CHECK(many->match("a").fingerprint == key_fingerprint("a"));
}

TEST_CASE("KeyStore swaps sets atomically, caches follow the generation", "[apikeys]") {
    KeyStore store(KeySet::from_keys({"old"}));
    KeySetCache cache(store);
    CHECK(cache.current().contains("old"));
    auto held = store.get();  // a request in flight keeps its set
    const auto gen = store.generation();
    store.set(KeySet::from_keys({"new"}));
    CHECK(store.generation() == gen + 1);
    CHECK(held->contains("old"));
    CHECK(cache.current().contains("new"));
    CHECK_FALSE(cache.current().contains("old"));
    store.set(nullptr);  // treated as an empty set, never a null one
    CHECK(cache.current().empty());
    CHECK(KeyStore().get()->empty());
}

TEST_CASE("KeyStore is safe to read while another thread swaps", "[apikeys]") {
    KeyStore store(KeySet::from_keys({"k0"}));
    std::thread writer([&] {
        for (int i = 1; i < 200; ++i) store.set(KeySet::from_keys({std::string("k").append(std::to_string(i))}));
    });
    KeySetCache cache(store);
    bool always_one = true;
    for (int i = 0; i < 20000; ++i) always_one &= cache.current().size() == 1;
    writer.join();
    CHECK(always_one);
    CHECK(cache.current().contains("k199"));
}
