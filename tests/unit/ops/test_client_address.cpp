#include <catch2/catch.hpp>

#include "core/ops/client_address.h"

using namespace llmgw;

namespace {

std::vector<Cidr> nets(std::initializer_list<const char*> list) {
    std::vector<Cidr> out;
    for (auto s : list) {
        auto c = parse_cidr(s);
        REQUIRE(c);
        out.push_back(*c);
    }
    return out;
}

}  // namespace

TEST_CASE("normalize_ip strips ports and brackets and unwraps mapped IPv4", "[clientaddr]") {
    CHECK(normalize_ip("1.2.3.4") == "1.2.3.4");
    CHECK(normalize_ip(" 1.2.3.4:8080 ") == "1.2.3.4");
    CHECK(normalize_ip("[2001:db8::1]:443") == "2001:db8::1");
    CHECK(normalize_ip("[2001:db8::1]") == "2001:db8::1");
    CHECK(normalize_ip("2001:DB8:0::1") == "2001:db8::1");
    CHECK(normalize_ip("::ffff:10.0.0.1") == "10.0.0.1");
    CHECK(normalize_ip("unknown") == "");
    CHECK(normalize_ip("") == "");
    CHECK(normalize_ip("1.2.3.4.5") == "");
    CHECK(normalize_ip("[::1") == "");
}

TEST_CASE("without trusted proxies the peer is the client, whatever the headers say", "[clientaddr]") {
    CHECK(client_address("203.0.113.9", "1.1.1.1", "2.2.2.2", {}) == "203.0.113.9");
}

TEST_CASE("forwarding headers from an untrusted peer are ignored", "[clientaddr]") {
    auto trusted = nets({"10.0.0.0/8"});
    CHECK(client_address("203.0.113.9", "1.1.1.1", "2.2.2.2", trusted) == "203.0.113.9");
    CHECK(client_address("::ffff:203.0.113.9", "1.1.1.1", "", trusted) == "203.0.113.9");
}

TEST_CASE("from a trusted peer: the right-most untrusted X-Forwarded-For entry", "[clientaddr]") {
    auto trusted = nets({"10.0.0.0/8", "fd00::/8"});
    CHECK(client_address("10.0.0.1", "198.51.100.7", "", trusted) == "198.51.100.7");
    // The client spoofed the first entry; our proxies appended the real one and themselves.
    CHECK(client_address("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", "", trusted) == "198.51.100.7");
    CHECK(client_address("10.0.0.1", "6.6.6.6,198.51.100.7:5555,  10.0.0.2 ", "", trusted) == "198.51.100.7");
    CHECK(client_address("fd00::1", "[2001:db8::7]:1234, fd00::2", "", trusted) == "2001:db8::7");
    // Every hop trusted: the left-most is where the request came from.
    CHECK(client_address("10.0.0.1", "10.0.0.3, 10.0.0.2", "", trusted) == "10.0.0.3");
    // Garbage injected where an address should be: the nearest known hop.
    CHECK(client_address("10.0.0.1", "1.1.1.1, not-an-ip, 10.0.0.2", "", trusted) == "10.0.0.2");
    CHECK(client_address("10.0.0.1", "not-an-ip", "", trusted) == "10.0.0.1");
}

TEST_CASE("from a trusted peer without X-Forwarded-For: X-Real-IP, else the peer", "[clientaddr]") {
    auto trusted = nets({"127.0.0.1/32"});
    CHECK(client_address("127.0.0.1", "", "198.51.100.7", trusted) == "198.51.100.7");
    CHECK(client_address("127.0.0.1", " , ", "198.51.100.7", trusted) == "198.51.100.7");
    CHECK(client_address("127.0.0.1", "", "bogus", trusted) == "127.0.0.1");
    CHECK(client_address("127.0.0.1", "", "", trusted) == "127.0.0.1");
}
