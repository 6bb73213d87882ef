#include "core/routing/model_router.h"

namespace llmgw {

ModelRouter::ModelRouter(const BackendsConfig& config) : config_(config) {
    const auto& pools = config_.pools;
    for (size_t i = 0; i < pools.size(); ++i) {
        if (pools[i].models.empty()) open_pools_.push_back(i);
        for (const auto& m : pools[i].models) {
            ModelRoute r{i, m.name, m.upstream};
            by_name_.emplace(m.name, r);
            for (const auto& a : m.aliases) by_name_.emplace(a, r);
            public_names_.push_back(m.name);
        }
    }
    fallback_of_.resize(pools.size());
    for (size_t i = 0; i < pools.size(); ++i)
        for (size_t j = 0; j < pools.size(); ++j)
            if (!pools[i].fallback.empty() && pools[j].name == pools[i].fallback) fallback_of_[i] = j;
}

std::optional<ModelRoute> ModelRouter::resolve(std::string_view model, const ListedModels* listed) const {
    const std::string name(model);
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    if (open_pools_.empty()) return std::nullopt;
    if (listed)
        if (auto it = listed->find(name); it != listed->end() && it->second < config_.pools.size() &&
                                          config_.pools[it->second].models.empty())
            return ModelRoute{it->second, name, name};
    return ModelRoute{open_pools_.front(), name, name};
}

std::optional<ModelRoute> ModelRouter::fallback(const ModelRoute& route) const {
    if (route.pool >= fallback_of_.size() || !fallback_of_[route.pool]) return std::nullopt;
    const size_t fb = *fallback_of_[route.pool];
    const auto& pool = config_.pools[fb];
    if (pool.models.empty()) return ModelRoute{fb, route.public_name, route.public_name};
    // The fallback pool's models are other public names: the client's model maps to the first
    // of them (a laptop runs one small model in place of whatever the main pool serves).
    return ModelRoute{fb, route.public_name, pool.models.front().upstream};
}

}  // namespace llmgw
