#include "core/ops/redis_url.h"

#include <charconv>

#include "core/base/text_util.h"

namespace llmgw {

namespace {

// Redis allows 16 databases by default; a larger configured count is the operator's business,
// but a number beyond this is a typo.
constexpr int kMaxRedisDb = 1 << 16;

bool parse_int(std::string_view s, int lo, int hi, int* out) {
    auto v = integer_in_range(s, lo, hi);
    if (v) *out = static_cast<int>(*v);
    return v.has_value();
}

// %XX escapes in the user-info part (a password may hold '@' or ':').
bool percent_decode(std::string_view s, std::string* out) {
    out->clear();
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out->push_back(s[i]);
            continue;
        }
        int v = 0;
        if (i + 2 >= s.size()) return false;
        auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec != std::errc() || p != s.data() + i + 3) return false;
        out->push_back(static_cast<char>(v));
        i += 2;
    }
    return true;
}

}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url, std::string* err) {
    auto fail = [&](std::string why) -> std::optional<RedisEndpoint> {
        if (err) {
            // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "'" + string.
            err->assign(1, '\'');
            err->append(url.substr(0, 200)).append("': ").append(why);
        }
        return std::nullopt;
    };
    if (url.starts_with("rediss://"))
        return fail("TLS (rediss://) is not available in this build (hiredis without SSL); reach Redis over a "
                    "private network or a TLS sidecar with redis://");
    constexpr std::string_view kScheme = "redis://";
    if (!url.starts_with(kScheme)) return fail("expected redis://host:port/db");
    std::string_view rest = url.substr(kScheme.size());
    if (rest.find_first_of("?# ") != std::string_view::npos) return fail("query strings and spaces are not supported");

    RedisEndpoint ep;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        std::string_view info = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = info.find(':');
        std::string_view user = colon == std::string_view::npos ? std::string_view{} : info.substr(0, colon);
        std::string_view pass = colon == std::string_view::npos ? info : info.substr(colon + 1);
        if (!percent_decode(user, &ep.username) || !percent_decode(pass, &ep.password))
            return fail("bad %-escape in the user or password");
    }
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view db = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    std::string_view host = authority, port;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return fail("unclosed '[' in the host");
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return fail("expected ':port' after ']'");
        if (!after.empty()) port = after.substr(1);
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return fail("no host");
    for (char c : host)
        if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':'))
            return fail("the host holds '" + std::string(1, c) + "'");
    ep.host = std::string(host);
    if (!port.empty() && !parse_int(port, 1, 65535, &ep.port)) return fail("the port is not a number in [1, 65535]");
    if (!db.empty() && !parse_int(db, 0, kMaxRedisDb, &ep.db)) return fail("the database is not a number (redis://host:port/0)");
    return ep;
}

}  // namespace llmgw
