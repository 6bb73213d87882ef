// Which pool serves a request's model, and under which name the runtime knows it. Built once per
// backends file; lookups are read-only, so every worker can share one router.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/routing/backends_file.h"

namespace llmgw {

struct ModelRoute {
    size_t pool = 0;
    std::string public_name;  // what the client sees in answers ("" when the request named none)
    std::string upstream;     // what the runtime is sent; equal to public_name when nothing is rewritten
    bool rewrites() const { return upstream != public_name; }
};

// The model ids the replicas of pools without a model list said they serve (their /v1/models,
// asked by the health checks), each with its pool; the first pool listing an id has it.
using ListedModels = std::unordered_map<std::string, size_t>;

class ModelRouter {
public:
    explicit ModelRouter(const BackendsConfig& config);

    // The route for a request's model: a declared name or alias, else the pool without a model
    // list whose replicas list it (`listed`, when known), else the first pool without a model
    // list (it serves any name, unchanged). nullopt: no pool serves it (404).
    std::optional<ModelRoute> resolve(std::string_view model, const ListedModels* listed = nullptr) const;
    // The route of the same model in `pool`'s fallback pool: the fallback's own entry for the
    // public name when it declares one, else the name unchanged when it serves any model.
    std::optional<ModelRoute> fallback(const ModelRoute& route) const;
    // Every declared public name, in file order (aliases are names clients may send, not listed).
    const std::vector<std::string>& public_names() const { return public_names_; }
    // Pools without a model list, whose replicas' /v1/models the merged list includes.
    const std::vector<size_t>& open_pools() const { return open_pools_; }
    const BackendsConfig& config() const { return config_; }

private:
    BackendsConfig config_;
    std::unordered_map<std::string, ModelRoute> by_name_;  // public names and aliases
    std::vector<std::string> public_names_;
    std::vector<size_t> open_pools_;
    std::vector<std::optional<size_t>> fallback_of_;
};

}  // namespace llmgw
