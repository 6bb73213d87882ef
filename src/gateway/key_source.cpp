#include "gateway/key_source.h"

#include "core/ops/keys_file.h"
#include "gateway/log.h"

namespace llmgw::gw {

std::shared_ptr<const KeySet> load_key_set(const ServeConfig& cfg, std::string* err) {
    std::vector<KeyEntry> keys;
    for (const auto& k : cfg.api_keys) keys.push_back({k, {}});
    if (!cfg.api_keys_file.empty()) {
        std::string why;
        auto from_file = read_keys_file(cfg.api_keys_file, &why);
        if (!from_file) {
            *err = "API_KEYS_FILE: " + why;
            return nullptr;
        }
        keys.insert(keys.end(), from_file->begin(), from_file->end());
    }
    return KeySet::from_entries(keys);
}

void reload_key_set(GatewayShared& shared) {
    if (shared.cfg.api_keys_file.empty()) {
        log_event(spdlog::level::info, "serve", "SIGHUP: no API_KEYS_FILE configured, nothing to reload");
        return;
    }
    std::string err;
    auto next = load_key_set(shared.cfg, &err);
    if (!next) {
        log_event(spdlog::level::err, "serve", "SIGHUP: API keys not reloaded, the previous set stays in use",
                  {{"error", err}});
        return;
    }
    size_t n = next->size();
    shared.keys.set(std::move(next));
    if (n == 0)
        log_event(spdlog::level::warn, "serve", "SIGHUP: API key set is now empty: every /v1 request will get 401",
                  {{"file", shared.cfg.api_keys_file}});
    else
        log_event(spdlog::level::info, "serve", "SIGHUP: API keys reloaded",
                  {{"keys", static_cast<unsigned long>(n)}, {"file", shared.cfg.api_keys_file}});
}

}  // namespace llmgw::gw
