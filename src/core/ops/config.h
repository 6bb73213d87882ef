// Gateway configuration: every variable `llmgw serve` reads, its flag, default and meaning, in one
// table; parsing and validation are pure (a name -> value map in, a config or one error out).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend_profile.h"
#include "core/base/text_util.h"  // split_list, used with these values
#include "core/ops/redis_url.h"
#include "core/ops/sealed_blob.h"

namespace llmgw {

struct ConfigVar {
    std::string_view env;   // API_PORT
    std::string_view type;  // what the value is, as --help shows it: BOOL, SECONDS, BYTES, INT, URL...
    std::string_view flag;  // --port
    std::string_view def;   // default as text ("" = unset)
    std::string_view help;
};

// Every variable serve reads, in documentation order.
const std::vector<ConfigVar>& config_vars();

struct Cidr {
    unsigned char addr[16]{};
    int family = 4;  // 4 or 6
    int prefix = 0;
};

enum class AnthropicMode { Translate, Native, Auto };
// How /v1/responses reaches the runtime: translated to chat completions, passed to its own
// /v1/responses, or natively only where start-up discovery found one that does what a request needs.
enum class ResponsesMode { Translate, Native, Auto };

// What a request gets while the shared limit's Redis is slow or unreachable (docs/LIMITS.md).
enum class LimitFailureMode { Local, Open, Closed };
const char* failure_mode_name(LimitFailureMode m);

struct Url {
    std::string scheme, host, path;  // path without trailing '/', may be empty
    int port = 0;
    std::string origin() const;      // scheme://host:port
};
std::optional<Url> parse_url(std::string_view s);

struct ServeConfig {
    std::string host = "127.0.0.1";
    int port = 8000;
    std::vector<std::string> api_keys;
    std::string api_keys_file;
    std::vector<std::string> admin_keys;  // ADMIN_KEYS: /admin/* only, a set apart from the client keys
    BackendKind backend_kind = BackendKind::VLLM;
    std::string backend_base_url;  // origin plus optional prefix, never ending in "/v1" or "/"
    std::string backend_api_key;
    std::string backends_file;  // BACKENDS_FILE: pools of replicas (core/routing); empty: the BACKEND_* variables
    std::string model_name;
    double request_timeout_s = 600;
    double connect_timeout_s = 10;
    std::string log_level = "info";
    bool log_json = true;
    bool log_prompts = false;
    int workers = 0;  // 0 = number of cores
    size_t max_body_bytes = 32u << 20;
    double header_timeout_s = 10;
    double idle_timeout_s = 60;
    double drain_timeout_s = 30;
    bool metrics_enabled = true;
    bool rate_limit_enabled = false;
    double rate_limit_rpm = 120;
    double rate_limit_burst = 30;
    std::optional<RedisEndpoint> redis;  // REDIS_URL: limits shared through Redis
    double redis_timeout_ms = 20;
    LimitFailureMode rate_limit_failure_mode = LimitFailureMode::Local;
    int rate_limit_replicas = 1;
    double token_limit_tpm = 0;  // TOKEN_LIMIT_TPM: tokens a minute per identity; 0: no budget
    std::vector<std::string> cors_origins{"*"};
    bool cors_allow_credentials = false;
    std::vector<Cidr> trusted_proxies;
    AnthropicMode anthropic_mode = AnthropicMode::Translate;
    bool anthropic_keep_billing_header = false;
    int64_t max_tokens_cap = 0;  // 0 = unknown / no cap
    ResponsesMode responses_mode = ResponsesMode::Translate;
    size_t responses_store_max_entries = 10000;  // 0: store nothing
    size_t responses_store_max_bytes = 128u << 20;
    double responses_store_ttl_s = 86400;
    std::optional<SealKey> responses_seal_key;  // unset: a random key per process
    double readiness_cache_s = 2;
    double health_check_interval_s = 10;  // BACKENDS_FILE's active checks; 0: off
    // READYZ_POOLS=any: ready while one pool serves (a fallback pool that is often off, a laptop,
    // then does not take the gateway out of a load balancer); all (default): every pool must.
    bool readyz_any_pool = false;
};

struct ConfigError {
    std::string var;      // the variable at fault
    std::string message;  // one line, names the variable
};

// `values` maps env names (API_PORT, ...) to raw text; absent names take their defaults.
// Returns the config, or sets *err and returns nullopt.
std::optional<ServeConfig> parse_serve_config(const std::map<std::string, std::string>& values,
                                              ConfigError* err);

std::optional<Cidr> parse_cidr(std::string_view s);
bool cidr_contains(const Cidr& net, std::string_view ip);
bool parse_bool(std::string_view s, bool* out);

}  // namespace llmgw
