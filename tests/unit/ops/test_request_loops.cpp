#include <catch2/catch.hpp>

#include "core/ops/config.h"
#include "core/ops/own_listener.h"
#include "core/base/via.h"

using namespace llmgw;

TEST_CASE("Via: our pseudonym is found among the entries, and only as a received-by", "[loops]") {
    const std::string me = via_pseudonym(0xabcdef0123456789ULL);
    CHECK(me == "llmgw-abcdef0123456789");
    CHECK(via_pseudonym(1) != via_pseudonym(2));
    CHECK(via_names("1.1 " + me, me));
    CHECK(via_names("1.0 fred, 1.1 p.example.net (Apache/1.1), HTTP/1.1 " + me + " (comment)", me));
    CHECK(via_names("1.1 llmgw-0000000000000001,1.1 " + me, me));
    CHECK_FALSE(via_names("", me));
    CHECK_FALSE(via_names("1.1 llmgw-0000000000000001", me));
    CHECK_FALSE(via_names(me, me));                    // no protocol: not a Via entry
    CHECK_FALSE(via_names("1.1 x (" + me + ")", me));  // in a comment only
    CHECK_FALSE(via_names("1.1 " + me + "0", me));
}

TEST_CASE("Via: a forwarded request keeps the entries it came with, ours last", "[loops]") {
    CHECK(forwarded_via("", "llmgw-a") == "1.1 llmgw-a");
    CHECK(forwarded_via("1.1 llmgw-b", "llmgw-a") == "1.1 llmgw-b, 1.1 llmgw-a");
    // Gateway A -> B -> A: B passes A's entry on, so A recognises its own request.
    std::string from_b = forwarded_via(forwarded_via("", "llmgw-a"), "llmgw-b");
    CHECK(via_names(from_b, "llmgw-a"));
}

TEST_CASE("BACKEND_BASE_URL naming serve's own listener is recognised", "[loops][config]") {
    auto url = [](const char* s) { return *parse_url(s); };
    // The defaults: serve on 127.0.0.1:8000, the vLLM backend at 127.0.0.1:8000.
    CHECK(reaches_own_listener(url("http://127.0.0.1:8000"), "127.0.0.1", 8000));
    CHECK(reaches_own_listener(url("http://localhost:8000"), "127.0.0.1", 8000));
    CHECK(reaches_own_listener(url("http://0.0.0.0:8000"), "127.0.0.1", 8000));
    CHECK(reaches_own_listener(url("http://[::1]:8000"), "::1", 8000));
    // Listening on every address: loopback of the family it takes reaches it.
    CHECK(reaches_own_listener(url("http://127.0.0.1:8000"), "0.0.0.0", 8000));
    CHECK(reaches_own_listener(url("http://127.0.0.1:8000"), "::", 8000));
    CHECK(reaches_own_listener(url("http://[::1]:8000"), "::", 8000));
    CHECK(reaches_own_listener(url("http://127.0.0.1"), "0.0.0.0", 80));

    CHECK_FALSE(reaches_own_listener(url("http://127.0.0.1:8001"), "127.0.0.1", 8000));
    CHECK_FALSE(reaches_own_listener(url("http://127.0.0.1:8000"), "127.0.0.1", 8001));
    CHECK_FALSE(reaches_own_listener(url("http://127.0.0.2:8000"), "127.0.0.1", 8000));  // another loopback address
    CHECK_FALSE(reaches_own_listener(url("http://127.0.0.1:8000"), "::1", 8000));
    CHECK_FALSE(reaches_own_listener(url("http://[::1]:8000"), "0.0.0.0", 8000));        // IPv4-only listener
    CHECK_FALSE(reaches_own_listener(url("http://192.0.2.1:8000"), "0.0.0.0", 8000));    // not this machine
}
