#include "core/ops/config.h"

#include <arpa/inet.h>

#include <charconv>
#include <initializer_list>
#include <cmath>
#include <cstring>

namespace llmgw {

const std::vector<ConfigVar>& config_vars() {
    static const std::vector<ConfigVar> vars = {
        {"API_HOST", "ADDRESS", "--host", "127.0.0.1", "address to listen on (0.0.0.0 or :: to expose beyond loopback)"},
        {"API_PORT", "PORT", "--port", "8000", "TCP port to listen on (0 picks a free one)"},
        {"API_KEYS", "LIST", "--api-keys", "", "comma-separated client API keys; empty disables auth"},
        {"API_KEYS_FILE", "FILE", "--api-keys-file", "", "file with one API key a line (# comments); reloaded on SIGHUP"},
        {"ADMIN_KEYS", "LIST", "--admin-keys", "", "comma-separated operator keys for /admin/* (client API keys never open it); empty: /admin/* answers 404"},
        {"BACKEND_KIND", "KIND", "--backend-kind", "vllm", "runtime behind the gateway: vllm | ollama | llamacpp | tgi | sglang | localai | lmstudio | openai"},
        {"BACKEND_BASE_URL", "URL", "--backend-url", "", "runtime base URL (default: the runtime's usual local address); a trailing /v1 is accepted"},
        {"BACKEND_API_KEY", "KEY", "--backend-api-key", "", "key sent upstream as Authorization: Bearer (client keys never are)"},
        {"BACKENDS_FILE", "FILE", "--backends-file", "", "YAML file of pools of replicas, models and fallbacks (docs/ROUTING.md); replaces the BACKEND_* variables; reloaded on SIGHUP"},
        {"MODEL_NAME", "NAME", "--model", "", "default model: used when a request names none, and checked by probe"},
        {"REQUEST_TIMEOUT_S", "SECONDS", "--request-timeout", "600", "upper bound on one upstream request, streams included (seconds)"},
        {"CONNECT_TIMEOUT_S", "SECONDS", "--connect-timeout", "10", "upstream connect timeout (seconds)"},
        {"LOG_LEVEL", "LEVEL", "--log-level", "INFO", "TRACE | DEBUG | INFO | WARNING | ERROR | CRITICAL | OFF"},
        {"LOG_JSON", "BOOL", "--log-json", "true", "one JSON object per log line (false: human text)"},
        {"LOG_PROMPTS", "BOOL", "--log-prompts", "false", "log prompt and completion bodies at DEBUG (never on by default)"},
        {"WORKERS", "INT", "--workers", "0", "worker threads, each with its own loop and listening socket (0: one per core)"},
        {"MAX_BODY_BYTES", "BYTES", "--max-body-bytes", "33554432", "largest request body accepted, in bytes (413 above)"},
        {"HEADER_TIMEOUT_S", "SECONDS", "--header-timeout", "10", "time a client has to send a complete request head, slow-loris guard (seconds)"},
        {"IDLE_TIMEOUT_S", "SECONDS", "--idle-timeout", "60", "keep-alive connection idle timeout (seconds)"},
        {"DRAIN_TIMEOUT_S", "SECONDS", "--drain-timeout", "30", "on SIGTERM, how long in-flight requests may finish (seconds)"},
        {"METRICS_ENABLED", "BOOL", "--metrics", "true", "serve Prometheus metrics at GET /metrics (--metrics=false turns it off)"},
        {"RATE_LIMIT_ENABLED", "BOOL", "--rate-limit", "false", "token-bucket rate limit per API key (or client address) on /v1/* (a bare --rate-limit turns it on)"},
        {"RATE_LIMIT_RPM", "NUMBER", "--rate-limit-rpm", "120", "sustained requests per minute per identity"},
        {"RATE_LIMIT_BURST", "NUMBER", "--rate-limit-burst", "30", "bucket size: requests allowed at once per identity"},
        {"REDIS_URL", "URL", "--redis-url", "", "redis://[:password@]host:port/db: the rate limit is shared by every replica using this Redis (unset: each process limits alone)"},
        {"REDIS_PASSWORD", "KEY", "--redis-password", "", "Redis password (AUTH), when not in REDIS_URL"},
        {"REDIS_TIMEOUT_MS", "MILLISECONDS", "--redis-timeout-ms", "20", "deadline of one Redis call; past it the request is decided by RATE_LIMIT_FAILURE_MODE"},
        {"RATE_LIMIT_FAILURE_MODE", "MODE", "--rate-limit-failure-mode", "local", "while Redis is slow or down: local (in-process limit divided by RATE_LIMIT_REPLICAS) | open (admit) | closed (refuse with 503)"},
        {"RATE_LIMIT_REPLICAS", "INT", "--rate-limit-replicas", "1", "replicas sharing the limit: the local fallback allows RATE_LIMIT_RPM and RATE_LIMIT_BURST divided by this"},
        {"TOKEN_LIMIT_TPM", "NUMBER", "--token-limit-tpm", "0", "token budget per identity a minute: a request reserves its prompt estimate plus its capped max_tokens before it is forwarded and settles with the reported usage (0: no budget); shared through REDIS_URL"},
        {"CORS_ORIGINS", "LIST", "--cors-origins", "*", "comma-separated allowed origins, or *"},
        {"CORS_ALLOW_CREDENTIALS", "BOOL", "--cors-allow-credentials", "false", "send Access-Control-Allow-Credentials (not allowed with *)"},
        {"TRUSTED_PROXIES", "LIST", "--trusted-proxies", "", "comma-separated CIDRs whose X-Forwarded-For / X-Real-IP are believed"},
        {"ANTHROPIC_MODE", "MODE", "--anthropic-mode", "translate", "translate | native | auto: how /v1/messages reaches the runtime"},
        {"RESPONSES_MODE", "MODE", "--responses-mode", "translate", "translate | native | auto: how /v1/responses reaches the runtime"},
        {"RESPONSES_STORE_MAX_ENTRIES", "INT", "--responses-store-max-entries", "10000", "stored responses (store: true) kept at most; 0 stores none"},
        {"RESPONSES_STORE_MAX_BYTES", "BYTES", "--responses-store-max-bytes", "134217728", "memory the stored responses may take at most, in bytes; the oldest go first"},
        {"RESPONSES_STORE_TTL_S", "SECONDS", "--responses-store-ttl", "86400", "how long a stored response is kept (seconds)"},
        {"RESPONSES_SEAL_KEY", "KEY", "--responses-seal-key", "", "256-bit key (64 hex digits or base64) sealing reasoning.encrypted_content; share it between replicas (unset: random per process)"},
        {"ANTHROPIC_KEEP_BILLING_HEADER", "BOOL", "--anthropic-keep-billing-header", "false", "keep Claude Code's x-anthropic-billing-header system block in the prompt (dropped by default: its per-request nonce defeats the runtime's prefix cache)"},
        {"MAX_TOKENS_CAP", "INT", "--max-tokens-cap", "0", "clamp max_tokens on /v1/messages and max_output_tokens on /v1/responses to this, also the limit of a Responses request without one (0: the runtime's reported context, if known)"},
        {"READINESS_CACHE_S", "SECONDS", "--readiness-cache", "2", "how long a backend readiness result is reused (seconds)"},
        {"HEALTH_CHECK_INTERVAL_S", "SECONDS", "--health-check-interval", "10", "BACKENDS_FILE: seconds between active health checks of each replica (0: passive ejection only)"},
        {"READYZ_POOLS", "MODE", "--readyz-pools", "all", "BACKENDS_FILE: /readyz is 200 while all pools (or any pool) have a replica in rotation: all | any"},
    };
    return vars;
}

bool parse_bool(std::string_view s, bool* out) {
    const std::string v = to_lower(s);
    if (v == "1" || v == "true" || v == "yes" || v == "on") { *out = true; return true; }
    if (v == "0" || v == "false" || v == "no" || v == "off") { *out = false; return true; }
    return false;
}

const char* failure_mode_name(LimitFailureMode m) {
    switch (m) {
        case LimitFailureMode::Local: return "local";
        case LimitFailureMode::Open: return "open";
        case LimitFailureMode::Closed: return "closed";
    }
    return "local";
}

std::string Url::origin() const { return scheme + "://" + host + ":" + std::to_string(port); }

std::optional<Url> parse_url(std::string_view s) {
    Url u;
    auto sep = s.find("://");
    if (sep == std::string_view::npos) return std::nullopt;
    u.scheme = std::string(s.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https") return std::nullopt;
    std::string_view rest = s.substr(sep + 3);
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string_view hostpart = authority, portpart;
    if (authority.front() == '[') {  // [::1]:8000
        auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        hostpart = authority.substr(0, close + 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            portpart = after.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        if (colon != std::string_view::npos) {
            hostpart = authority.substr(0, colon);
            portpart = authority.substr(colon + 1);
        }
    }
    if (hostpart.empty()) return std::nullopt;
    for (char c : hostpart)
        if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']'))
            return std::nullopt;
    u.host = std::string(hostpart);
    if (!portpart.empty()) {
        auto p = integer_in_range(portpart, 1, 65535);
        if (!p) return std::nullopt;
        u.port = static_cast<int>(*p);
    } else {
        u.port = u.scheme == "https" ? 443 : 80;
    }
    if (path.find_first_of("?# ") != std::string_view::npos) return std::nullopt;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    u.path = std::string(path);
    return u;
}

std::optional<Cidr> parse_cidr(std::string_view s) {
    Cidr c;
    std::string addr(s);
    int prefix = -1;
    auto slash = addr.find('/');
    if (slash != std::string::npos) {
        // 0..128 here (a negative prefix is refused, not read as "none"); the family bounds it below.
        auto p = integer_in_range(std::string_view(addr).substr(slash + 1), 0, 128);
        if (!p) return std::nullopt;
        prefix = static_cast<int>(*p);
        addr.resize(slash);
    }
    if (inet_pton(AF_INET, addr.c_str(), c.addr) == 1) {
        c.family = 4;
        if (prefix < 0) prefix = 32;
        if (prefix > 32) return std::nullopt;
    } else if (inet_pton(AF_INET6, addr.c_str(), c.addr) == 1) {
        c.family = 6;
        if (prefix < 0) prefix = 128;
        if (prefix > 128) return std::nullopt;
    } else {
        return std::nullopt;
    }
    c.prefix = prefix;
    return c;
}

bool cidr_contains(const Cidr& net, std::string_view ip) {
    unsigned char a[16]{};
    std::string s(ip);
    int family;
    if (inet_pton(AF_INET, s.c_str(), a) == 1) {
        family = 4;
    } else if (inet_pton(AF_INET6, s.c_str(), a) == 1) {
        family = 6;
        // An IPv4-mapped IPv6 address matches IPv4 networks.
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (net.family == 4 && memcmp(a, mapped, 12) == 0) {
            memmove(a, a + 12, 4);
            family = 4;
        }
    } else {
        return false;
    }
    if (family != net.family) return false;
    int full = net.prefix / 8, rest = net.prefix % 8;
    if (memcmp(a, net.addr, full) != 0) return false;
    if (rest == 0) return true;
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a[full] & mask) == (net.addr[full] & mask);
}

namespace {

struct Reader {
    const std::map<std::string, std::string>& values;
    ConfigError* err;
    bool ok = true;

    std::string get(std::string_view name) const {
        auto it = values.find(std::string(name));
        if (it != values.end()) return it->second;
        for (const auto& v : config_vars())
            if (v.env == name) return std::string(v.def);
        return {};
    }
    void fail(std::string_view var, std::string msg) {
        if (!ok) return;
        ok = false;
        if (err) *err = {std::string(var), std::string(var) + ": " + msg};
    }
    double number(std::string_view var, double lo, double hi) {
        std::string s = get(var);
        double v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) {
            fail(var, "'" + s + "' is not a number");
            return lo;
        }
        if (v < lo || v > hi) {
            fail(var, "'" + s + "' is out of range [" + trim_num(lo) + ", " + trim_num(hi) + "]");
            return lo;
        }
        return v;
    }
    int64_t integer(std::string_view var, int64_t lo, int64_t hi) {
        std::string s = get(var);
        int64_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
            fail(var, "'" + s + "' is not an integer");
            return lo;
        }
        if (v < lo || v > hi) {
            fail(var, "'" + s + "' is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
            return lo;
        }
        return v;
    }
    bool boolean(std::string_view var) {
        bool b = false;
        std::string s = get(var);
        if (!parse_bool(s, &b)) fail(var, "'" + s + "' is not a boolean (true/false)");
        return b;
    }
    // One of a few named values: {{"local", Mode::Local}, ...}; the error lists them.
    template <class T>
    T choice(std::string_view var, std::initializer_list<std::pair<std::string_view, T>> options) {
        std::string s = get(var);
        std::string msg = "'" + s + "' is not one of ";
        for (const auto& [name, value] : options) {
            if (s == name) return value;
            if (&name != &options.begin()->first) msg += ", ";
            msg += name;
        }
        fail(var, std::move(msg));
        return options.begin()->second;
    }
    static std::string trim_num(double d) {
        std::string s = std::to_string(d);
        while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
            bool dot = s.back() == '.';
            s.pop_back();
            if (dot) break;
        }
        return s;
    }
};

}  // namespace

std::optional<ServeConfig> parse_serve_config(const std::map<std::string, std::string>& values,
                                              ConfigError* err) {
    Reader r{values, err};
    ServeConfig c;
    c.host = r.get("API_HOST");
    {
        unsigned char buf[16];
        if (inet_pton(AF_INET, c.host.c_str(), buf) != 1 && inet_pton(AF_INET6, c.host.c_str(), buf) != 1 &&
            c.host != "localhost")
            r.fail("API_HOST", "'" + c.host + "' is not an IP address");
        if (c.host == "localhost") c.host = "127.0.0.1";
    }
    c.port = static_cast<int>(r.integer("API_PORT", 0, 65535));
    c.api_keys = split_list(r.get("API_KEYS"));
    c.api_keys_file = r.get("API_KEYS_FILE");
    c.admin_keys = split_list(r.get("ADMIN_KEYS"));

    const std::string kind = to_lower(r.get("BACKEND_KIND"));
    if (auto k = parse_backend_kind(kind)) c.backend_kind = *k;
    else r.fail("BACKEND_KIND", "unknown backend kind '" + kind + "' (expected " + std::string(backend_kind_names()) + ")");

    std::string url = r.get("BACKEND_BASE_URL");
    if (url.empty()) url = std::string(backend_profile(c.backend_kind).default_base_url);
    if (auto u = parse_url(url)) {
        std::string path = u->path;
        if (path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0) path.resize(path.size() - 3);
        c.backend_base_url = u->scheme + "://" + u->host + ":" + std::to_string(u->port) + path;
    } else {
        r.fail("BACKEND_BASE_URL", "'" + url + "' is not a valid http(s) URL");
    }
    c.backend_api_key = r.get("BACKEND_API_KEY");
    c.backends_file = r.get("BACKENDS_FILE");
    c.model_name = r.get("MODEL_NAME");
    c.request_timeout_s = r.number("REQUEST_TIMEOUT_S", 0.001, 86400);
    c.connect_timeout_s = r.number("CONNECT_TIMEOUT_S", 0.001, 3600);

    std::string level = to_lower(r.get("LOG_LEVEL"));
    if (level == "warn") level = "warning";
    if (level == "trace" || level == "debug" || level == "info" || level == "warning" || level == "error" ||
        level == "critical" || level == "off")
        c.log_level = level;
    else
        r.fail("LOG_LEVEL", "'" + r.get("LOG_LEVEL") + "' is not a log level (TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL, OFF)");
    c.log_json = r.boolean("LOG_JSON");
    c.log_prompts = r.boolean("LOG_PROMPTS");
    c.workers = static_cast<int>(r.integer("WORKERS", 0, 256));
    c.max_body_bytes = static_cast<size_t>(r.integer("MAX_BODY_BYTES", 1024, int64_t{1} << 32));
    c.header_timeout_s = r.number("HEADER_TIMEOUT_S", 0.01, 3600);
    c.idle_timeout_s = r.number("IDLE_TIMEOUT_S", 0.01, 86400);
    c.drain_timeout_s = r.number("DRAIN_TIMEOUT_S", 0, 86400);
    c.metrics_enabled = r.boolean("METRICS_ENABLED");
    c.rate_limit_enabled = r.boolean("RATE_LIMIT_ENABLED");
    c.rate_limit_rpm = r.number("RATE_LIMIT_RPM", 0.001, 1e9);
    c.rate_limit_burst = r.number("RATE_LIMIT_BURST", 1, 1e9);
    if (std::string url = r.get("REDIS_URL"); !url.empty()) {
        std::string why;
        c.redis = parse_redis_url(url, &why);
        if (!c.redis) r.fail("REDIS_URL", why);
        else if (c.redis->password.empty()) c.redis->password = r.get("REDIS_PASSWORD");
    }
    c.redis_timeout_ms = r.number("REDIS_TIMEOUT_MS", 1, 60'000);
    c.rate_limit_failure_mode = r.choice<LimitFailureMode>(
        "RATE_LIMIT_FAILURE_MODE",
        {{"local", LimitFailureMode::Local}, {"open", LimitFailureMode::Open}, {"closed", LimitFailureMode::Closed}});
    c.rate_limit_replicas = static_cast<int>(r.integer("RATE_LIMIT_REPLICAS", 1, 10'000));
    c.token_limit_tpm = r.number("TOKEN_LIMIT_TPM", 0, 1e12);
    c.cors_origins = split_list(r.get("CORS_ORIGINS"));
    c.cors_allow_credentials = r.boolean("CORS_ALLOW_CREDENTIALS");
    if (r.ok && c.cors_allow_credentials) {
        for (const auto& o : c.cors_origins)
            if (o == "*") r.fail("CORS_ALLOW_CREDENTIALS", "true is not allowed with CORS_ORIGINS=* (list the origins)");
    }
    for (const auto& item : split_list(r.get("TRUSTED_PROXIES"))) {
        if (auto cidr = parse_cidr(item)) c.trusted_proxies.push_back(*cidr);
        else r.fail("TRUSTED_PROXIES", "'" + item + "' is not an IP address or CIDR");
    }
    c.anthropic_mode = r.choice<AnthropicMode>(
        "ANTHROPIC_MODE",
        {{"translate", AnthropicMode::Translate}, {"native", AnthropicMode::Native}, {"auto", AnthropicMode::Auto}});
    c.responses_mode = r.choice<ResponsesMode>(
        "RESPONSES_MODE",
        {{"translate", ResponsesMode::Translate}, {"native", ResponsesMode::Native}, {"auto", ResponsesMode::Auto}});
    c.responses_store_max_entries = static_cast<size_t>(r.integer("RESPONSES_STORE_MAX_ENTRIES", 0, 100'000'000));
    c.responses_store_max_bytes = static_cast<size_t>(r.integer("RESPONSES_STORE_MAX_BYTES", 0, int64_t{1} << 40));
    c.responses_store_ttl_s = r.number("RESPONSES_STORE_TTL_S", 1, 365.0 * 86400);
    if (std::string key = r.get("RESPONSES_SEAL_KEY"); !key.empty()) {
        std::string why;
        c.responses_seal_key = parse_seal_key(key, &why);
        if (!c.responses_seal_key) r.fail("RESPONSES_SEAL_KEY", why);
    }
    c.anthropic_keep_billing_header = r.boolean("ANTHROPIC_KEEP_BILLING_HEADER");
    c.max_tokens_cap = r.integer("MAX_TOKENS_CAP", 0, int64_t{1} << 40);
    c.readiness_cache_s = r.number("READINESS_CACHE_S", 0, 3600);
    c.health_check_interval_s = r.number("HEALTH_CHECK_INTERVAL_S", 0, 3600);
    if (std::string mode = to_lower(r.get("READYZ_POOLS")); mode == "any") c.readyz_any_pool = true;
    else if (mode != "all") r.fail("READYZ_POOLS", "'" + r.get("READYZ_POOLS") + "' is not all or any");
    if (!r.ok) return std::nullopt;
    return c;
}

}  // namespace llmgw
