#include <catch2/catch.hpp>

#include <set>

#include "core/ops/config.h"

using namespace llmgw;

namespace {
std::optional<ServeConfig> parse(std::map<std::string, std::string> v, ConfigError* e = nullptr) {
    ConfigError local;
    return parse_serve_config(v, e ? e : &local);
}
}  // namespace

TEST_CASE("config: defaults", "[config]") {
    auto c = parse({});
    REQUIRE(c);
    CHECK(c->host == "127.0.0.1");
    CHECK(c->port == 8000);
    CHECK(c->api_keys.empty());
    CHECK(c->backend_kind == BackendKind::VLLM);
    CHECK(c->backend_base_url == "http://127.0.0.1:8000");
    CHECK(c->request_timeout_s == 600);
    CHECK(c->connect_timeout_s == 10);
    CHECK(c->log_level == "info");
    CHECK(c->log_json);
    CHECK(c->max_body_bytes == 32u << 20);
    CHECK(c->metrics_enabled);
    CHECK(!c->rate_limit_enabled);
    CHECK(c->rate_limit_rpm == 120);
    CHECK(c->rate_limit_burst == 30);
    CHECK(c->cors_origins == std::vector<std::string>{"*"});
    CHECK(c->anthropic_mode == AnthropicMode::Translate);
    CHECK(c->responses_mode == ResponsesMode::Translate);
    CHECK(c->responses_store_max_entries == 10000);
    CHECK(c->responses_store_max_bytes == 128u << 20);
    CHECK(c->responses_store_ttl_s == 86400);
    CHECK_FALSE(c->responses_seal_key);
}

TEST_CASE("config: the Responses API's mode, store limits and seal key", "[config]") {
    auto c = parse({{"RESPONSES_MODE", "auto"}, {"RESPONSES_STORE_MAX_ENTRIES", "0"}, {"RESPONSES_STORE_TTL_S", "5"},
                    {"RESPONSES_SEAL_KEY", std::string(64, 'a')}});
    REQUIRE(c);
    CHECK(c->responses_mode == ResponsesMode::Auto);
    CHECK(c->responses_store_max_entries == 0);
    CHECK(c->responses_store_ttl_s == 5);
    REQUIRE(c->responses_seal_key);
    CHECK((*c->responses_seal_key)[0] == 0xaa);
}

TEST_CASE("config: each kind gets its runtime's usual address, /v1 and trailing slashes are accepted", "[config]") {
    CHECK(parse({{"BACKEND_KIND", "ollama"}})->backend_base_url == "http://127.0.0.1:11434");
    CHECK(parse({{"BACKEND_KIND", "LLAMACPP"}})->backend_base_url == "http://127.0.0.1:8080");
    CHECK(parse({{"BACKEND_KIND", "sglang"}})->backend_base_url == "http://127.0.0.1:30000");
    CHECK(parse({{"BACKEND_KIND", "lmstudio"}})->backend_base_url == "http://127.0.0.1:1234");
    CHECK(parse({{"BACKEND_BASE_URL", "http://gpu-box:8001/v1/"}})->backend_base_url == "http://gpu-box:8001");
    CHECK(parse({{"BACKEND_BASE_URL", "https://example.org/prefix/v1"}})->backend_base_url == "https://example.org:443/prefix");
    CHECK(parse({{"BACKEND_BASE_URL", "http://[::1]:9000"}})->backend_base_url == "http://[::1]:9000");
}

TEST_CASE("config: invalid values fail with one line naming the variable", "[config]") {
    struct Case { std::string var, value; };
    for (const auto& [var, value] : std::vector<Case>{
             {"API_PORT", "70000"}, {"API_PORT", "abc"}, {"API_PORT", "-1"}, {"API_HOST", "not an ip"},
             {"BACKEND_KIND", "nonsense"}, {"BACKEND_BASE_URL", "not-a-url"}, {"BACKEND_BASE_URL", "ftp://x"},
             {"BACKEND_BASE_URL", "http://host:99999"}, {"BACKEND_BASE_URL", "http://user@host"},
             {"REQUEST_TIMEOUT_S", "0"}, {"REQUEST_TIMEOUT_S", "nan"}, {"CONNECT_TIMEOUT_S", "1e9"},
             {"LOG_LEVEL", "LOUD"}, {"LOG_JSON", "maybe"}, {"WORKERS", "1000"}, {"MAX_BODY_BYTES", "10"},
             {"RATE_LIMIT_RPM", "0"}, {"RATE_LIMIT_BURST", "0.5"}, {"TRUSTED_PROXIES", "10.0.0.0/33"},
             {"TRUSTED_PROXIES", "bogus"}, {"ANTHROPIC_MODE", "sometimes"}, {"MAX_TOKENS_CAP", "-3"},
             {"RESPONSES_MODE", "maybe"}, {"RESPONSES_STORE_MAX_ENTRIES", "-1"}, {"RESPONSES_STORE_TTL_S", "0"},
             {"RESPONSES_SEAL_KEY", "short"}, {"RESPONSES_SEAL_KEY", std::string(64, 'g')}}) {
        INFO(var << "=" << value);
        ConfigError e;
        CHECK_FALSE(parse({{var, value}}, &e));
        CHECK(e.var == var);
        CHECK(e.message.rfind(var + ":", 0) == 0);
        CHECK(e.message.find('\n') == std::string::npos);
    }
    ConfigError e;
    CHECK_FALSE(parse({{"CORS_ALLOW_CREDENTIALS", "true"}}, &e));
    CHECK(e.var == "CORS_ALLOW_CREDENTIALS");
    CHECK(parse({{"CORS_ALLOW_CREDENTIALS", "true"}, {"CORS_ORIGINS", "https://a.example, https://b.example"}}));
}

TEST_CASE("config: lists, booleans and log level spellings", "[config]") {
    auto c = parse({{"API_KEYS", " a, b ,,c "}, {"LOG_JSON", "off"}, {"LOG_LEVEL", "WARN"},
                    {"TRUSTED_PROXIES", "10.0.0.0/8, ::1"}, {"API_HOST", "localhost"}, {"ADMIN_KEYS", "op1 , op2"}});
    REQUIRE(c);
    CHECK(c->api_keys == std::vector<std::string>{"a", "b", "c"});
    CHECK(c->admin_keys == std::vector<std::string>{"op1", "op2"});  // a set of its own
    CHECK_FALSE(c->readyz_any_pool);
    auto any = parse({{"READYZ_POOLS", "ANY"}});
    REQUIRE(any);
    CHECK(any->readyz_any_pool);
    ConfigError e;
    CHECK_FALSE(parse({{"READYZ_POOLS", "some"}}, &e));
    CHECK(e.var == "READYZ_POOLS");
    CHECK_FALSE(c->log_json);
    CHECK(c->log_level == "warning");
    CHECK(c->trusted_proxies.size() == 2);
    CHECK(c->host == "127.0.0.1");
}

TEST_CASE("config: every variable has a flag and help, names are unique", "[config]") {
    std::set<std::string_view> envs, flags;
    for (const auto& v : config_vars()) {
        CHECK(envs.insert(v.env).second);
        CHECK(flags.insert(v.flag).second);
        CHECK(v.flag.rfind("--", 0) == 0);
        CHECK(!v.help.empty());
        // --help shows the value's type; booleans have a boolean default (a bare flag means true),
        // and a variable in seconds says so by its name and its type.
        INFO(v.env);
        CHECK(!v.type.empty());
        if (v.type == "BOOL") CHECK((v.def == "true" || v.def == "false"));
        CHECK((v.type == "SECONDS") == v.env.ends_with("_S"));
    }
    CHECK(envs.size() >= 28);
}

TEST_CASE("CIDR matching, IPv4, IPv6 and IPv4-mapped", "[config]") {
    auto net = parse_cidr("192.168.0.0/16");
    REQUIRE(net);
    CHECK(cidr_contains(*net, "192.168.3.4"));
    CHECK_FALSE(cidr_contains(*net, "192.169.0.1"));
    CHECK(cidr_contains(*net, "::ffff:192.168.1.1"));
    CHECK_FALSE(cidr_contains(*net, "not-an-ip"));
    // A prefix is 0..32 (IPv4) or 0..128 (IPv6), whole digits only: "/-1" once read as no prefix.
    for (auto bad : {"10.0.0.0/-1", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8x", "::1/129", "::1/+1"}) {
        INFO(bad);
        CHECK_FALSE(parse_cidr(bad));
    }
    auto odd = parse_cidr("10.1.2.3/23");
    REQUIRE(odd);
    CHECK(cidr_contains(*odd, "10.1.3.255"));
    CHECK_FALSE(cidr_contains(*odd, "10.1.4.0"));
    auto host = parse_cidr("127.0.0.1");
    REQUIRE(host);
    CHECK(cidr_contains(*host, "127.0.0.1"));
    CHECK_FALSE(cidr_contains(*host, "127.0.0.2"));
    auto v6 = parse_cidr("fd00::/8");
    REQUIRE(v6);
    CHECK(cidr_contains(*v6, "fd12:3456::1"));
    CHECK_FALSE(cidr_contains(*v6, "fe80::1"));
    CHECK_FALSE(cidr_contains(*v6, "10.0.0.1"));
    CHECK_FALSE(parse_cidr("1.2.3.4/"));
    CHECK_FALSE(parse_cidr("::1/129"));
}
