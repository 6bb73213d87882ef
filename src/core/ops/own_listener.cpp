#include "core/ops/own_listener.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <optional>
#include <vector>

namespace llmgw {

namespace {

// An address as 16 bytes, IPv4 as IPv4-mapped IPv6, so both families compare alike.
using Addr = std::array<unsigned char, 16>;

Addr mapped_v4(const in_addr& a) {
    Addr r{};
    r[10] = r[11] = 0xff;
    memcpy(&r[12], &a, 4);
    return r;
}

std::optional<Addr> from_sockaddr(const sockaddr* sa) {
    if (!sa) return std::nullopt;
    if (sa->sa_family == AF_INET) return mapped_v4(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr);
    if (sa->sa_family == AF_INET6) {
        Addr r;
        memcpy(r.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
        return r;
    }
    return std::nullopt;
}

bool is_v4(const Addr& a) {
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a.data(), prefix, 12) == 0;
}
bool is_any(const Addr& a) {
    if (is_v4(a)) return a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0;
    return a == Addr{};
}
bool is_loopback(const Addr& a) {
    if (is_v4(a)) return a[12] == 127;
    Addr one{};
    one[15] = 1;
    return a == one;
}

// Every address `host` (a name or a literal, IPv6 perhaps in brackets) resolves to.
std::vector<Addr> resolve(std::string host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::vector<Addr> out;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* p = res; p; p = p->ai_next)
        if (auto a = from_sockaddr(p->ai_addr)) out.push_back(*a);
    freeaddrinfo(res);
    return out;
}

std::vector<Addr> interface_addresses() {
    std::vector<Addr> out;
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) != 0) return out;
    for (ifaddrs* p = ifs; p; p = p->ifa_next)
        if (auto a = from_sockaddr(p->ifa_addr)) out.push_back(*a);
    freeifaddrs(ifs);
    return out;
}

bool contains(const std::vector<Addr>& v, const Addr& a) {
    for (const auto& x : v)
        if (x == a) return true;
    return false;
}

}  // namespace

bool reaches_own_listener(const Url& backend, const std::string& listen_host, int listen_port) {
    if (backend.port != listen_port) return false;
    std::vector<Addr> listen = resolve(listen_host);
    if (listen.empty()) return false;
    const Addr& l = listen.front();
    const bool listen_any = is_any(l);
    std::vector<Addr> local;  // looked up only when needed
    for (Addr a : resolve(backend.host)) {
        // Linux takes a connection to the any-address as one to loopback.
        if (is_any(a)) {
            if (is_v4(a)) a = mapped_v4(in_addr{htonl(INADDR_LOOPBACK)});
            else a[15] = 1;
        }
        if (a == l) return true;
        if (!listen_any) continue;
        // 0.0.0.0 takes IPv4 only; :: takes both (Linux's default dual-stack socket).
        if (is_v4(l) && !is_v4(a)) continue;
        if (is_loopback(a)) return true;
        if (local.empty()) local = interface_addresses();
        if (contains(local, a)) return true;
    }
    return false;
}

}  // namespace llmgw
