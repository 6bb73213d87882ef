// REDIS_URL: where the shared rate limits live (docs/LIMITS.md). Parsing is pure so every form
// an operator may write is unit-tested; the gateway connects with what comes out.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

struct RedisEndpoint {
    std::string host;
    int port = 6379;
    int db = 0;
    std::string username;  // ACL user (Redis 6+); empty: AUTH with the password alone
    std::string password;  // empty: no AUTH
};

// redis://[[user]:password@]host[:port][/db]. rediss:// (TLS) is refused with a message that says
// so: the gateway is built without hiredis_ssl. On failure returns nullopt and sets *err.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* err);

}  // namespace llmgw
