// The backends file (BACKENDS_FILE): pools of replicas, the models each pool serves under public
// names and aliases, and an optional fallback pool. Parsed from YAML into a validated config, or
// an error naming the line, so serve can refuse a bad file at start and keep the old one on reload.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend_profile.h"

namespace llmgw {

struct ServeConfig;

// A backends file is a few KB; 1 MiB leaves room for thousands of model entries and keeps a
// wrong path (a log file, a model's weights) from being read into memory.
inline constexpr size_t kMaxBackendsFileBytes = 1u << 20;
// Bounds on what one file may declare: the replica picker keeps a bitmask of the replicas a
// request has tried (64 bits), and the per-replica metrics labels stay a bounded set.
inline constexpr size_t kMaxPools = 64;
inline constexpr size_t kMaxReplicasPerPool = 64;
inline constexpr size_t kMaxModelsPerPool = 1024;
// A weight is a share of a pool's traffic; 1000 to 1 is finer than any real pair of GPUs.
inline constexpr uint32_t kMaxReplicaWeight = 1000;

struct ReplicaConfig {
    std::string url;  // origin plus optional prefix, never ending in "/v1" or "/" (like BACKEND_BASE_URL)
    uint32_t weight = 1;
};

struct ModelEntry {
    std::string name;      // the public name clients send and see
    std::string upstream;  // the runtime's name for it (defaults to `name`)
    std::vector<std::string> aliases;  // more public names, answered under `name`
};

// How the active health check asks a replica whether it serves.
enum class HealthProbe {
    Completion,  // a one-token chat completion of the pool's first model: a wedged runtime fails it
    Path,        // a GET of the runtime's health path (embeddings pools, pools without a model list)
};

// What the replica picker weighs a replica's load by.
enum class Balance {
    Outstanding,  // this gateway's requests in flight to it (the default)
    Queue,        // those plus the queue its runtime reports in /metrics (runtime_queue.h), polled
                  // every second: requests other gateways or clients sent it count too
};

struct PoolConfig {
    std::string name;
    BackendKind kind = BackendKind::VLLM;
    std::vector<ReplicaConfig> replicas;
    std::string api_key;  // sent upstream as a bearer token when not empty
    std::vector<ModelEntry> models;  // empty: the pool serves whatever model a request names
    std::string fallback;            // another pool's name, or empty
    HealthProbe health = HealthProbe::Path;  // default: Completion when models are declared
    Balance balance = Balance::Outstanding;
};

struct BackendsConfig {
    std::vector<PoolConfig> pools;
};

struct BackendsFileError {
    int line = 0;  // 1-based; 0 when the error has no place in the file
    std::string message;
    // "line 7: ..." (or the message alone without a line).
    std::string describe() const;
};

// Looks up an environment variable (api_key_env); nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Parses and validates the file's text. nullopt with *err set on the first problem.
std::optional<BackendsConfig> parse_backends_file(std::string_view yaml, const EnvLookup& env, BackendsFileError* err);

// Today's single-backend variables as a config: one pool ("default") with one replica and no
// model list, so every request goes where it went before the backends file existed.
BackendsConfig single_backend_config(const ServeConfig& cfg);

}  // namespace llmgw
