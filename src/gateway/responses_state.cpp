#include "gateway/responses_state.h"

#include "net/http_server.h"

namespace llmgw::gw {

namespace {
double now_s() { return static_cast<double>(net::now_ns()) / 1e9; }
std::string reasoning_context(std::string_view owner) { return "llmgw.responses.reasoning/" + std::string(owner); }
}  // namespace

ResponsesState::ResponsesState(const ServeConfig& cfg)
    : store_(ResponseStoreLimits{.max_entries = cfg.responses_store_max_entries,
                                 .max_bytes = cfg.responses_store_max_bytes,
                                 .ttl_s = cfg.responses_store_ttl_s}),
      sealer_(cfg.responses_seal_key ? *cfg.responses_seal_key : random_seal_key()) {}

bool ResponsesState::put(const std::string& id, StoredResponse r) {
    std::lock_guard lock(mu_);
    return store_.put(id, std::move(r), now_s());
}

std::shared_ptr<const StoredResponse> ResponsesState::get(std::string_view id, std::string_view owner) {
    std::lock_guard lock(mu_);
    return store_.get(id, owner, now_s());
}

bool ResponsesState::erase(std::string_view id, std::string_view owner) {
    std::lock_guard lock(mu_);
    return store_.erase(id, owner, now_s());
}

std::string ResponsesState::seal_reasoning(std::string_view owner, std::string_view reasoning) const {
    return sealer_.seal(reasoning, reasoning_context(owner));
}

std::optional<std::string> ResponsesState::open_reasoning(std::string_view owner, std::string_view blob) const {
    return sealer_.open(blob, reasoning_context(owner));
}

}  // namespace llmgw::gw
