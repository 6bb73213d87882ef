// The client address used in logs and rate limiting. Forwarding headers are believed only when
// the socket peer is a trusted proxy (TRUSTED_PROXIES); otherwise anyone could claim any address
// and dodge the rate limiter or forge log lines.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/config.h"

namespace llmgw {

// From a trusted peer: walk X-Forwarded-For right to left (the right-most entries were appended
// by our own proxies) and take the first address that is not itself a trusted proxy; when every
// entry is trusted, the left-most one. Without a usable X-Forwarded-For, a valid X-Real-IP.
// Otherwise, and always for an untrusted peer, the peer. Entries may carry a port
// ("1.2.3.4:80", "[::1]:80"); IPv4-mapped IPv6 ("::ffff:1.2.3.4") is written as IPv4.
// Pass header values as received (empty when absent; several X-Forwarded-For headers joined
// with ',').
std::string client_address(std::string_view peer, std::string_view x_forwarded_for,
                           std::string_view x_real_ip, const std::vector<Cidr>& trusted_proxies);

// `s` as a bare IP address (port and brackets removed, mapped IPv4 unwrapped), or "" when it is
// not an IP address.
std::string normalize_ip(std::string_view s);

}  // namespace llmgw
