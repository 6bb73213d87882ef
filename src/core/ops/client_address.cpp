#include "core/ops/client_address.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/base/text_util.h"

namespace llmgw {

namespace {

bool is_trusted(const std::vector<Cidr>& trusted, const std::string& ip) {
    for (const auto& net : trusted)
        if (cidr_contains(net, ip)) return true;
    return false;
}

}  // namespace

std::string normalize_ip(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 64) return {};
    std::string host(s);
    if (host.front() == '[') {  // "[v6]" or "[v6]:port"
        const size_t close = host.find(']');
        if (close == std::string::npos) return {};
        host = host.substr(1, close - 1);
    } else if (host.find(':') == host.rfind(':') && host.find(':') != std::string::npos) {
        host.resize(host.find(':'));  // exactly one colon: "v4:port"
    }
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
        inet_ntop(AF_INET, buf, text, sizeof text);
        return text;
    }
    if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(mapped, mapped + 12, buf)) {
            inet_ntop(AF_INET, buf + 12, text, sizeof text);
            return text;
        }
        inet_ntop(AF_INET6, buf, text, sizeof text);
        return text;
    }
    return {};
}

std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           std::string_view x_real_ip, const std::vector<Cidr>& trusted_proxies) {
    std::string peer_ip = normalize_ip(peer);
    if (peer_ip.empty()) peer_ip = std::string(peer);  // unix socket or odd peer: keep as seen
    if (trusted_proxies.empty() || !is_trusted(trusted_proxies, peer_ip)) return peer_ip;

    // Right to left. `nearest` is the last address known good: the hop we came through.
    std::string nearest;
    std::string_view rest = x_forwarded_for;
    while (!trim(rest).empty()) {
        const size_t comma = rest.rfind(',');
        std::string_view item = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
        if (trim(item).empty()) continue;
        std::string ip = normalize_ip(item);
        // Garbage where an address should be was written by someone we cannot trust; the hop
        // that handed it to us is the best we know.
        if (ip.empty()) return nearest.empty() ? peer_ip : nearest;
        if (!is_trusted(trusted_proxies, ip)) return ip;
        nearest = std::move(ip);
    }
    if (!nearest.empty()) return nearest;  // every hop trusted: the left-most is the origin

    std::string real = normalize_ip(x_real_ip);
    return real.empty() ? peer_ip : real;
}

}  // namespace llmgw
