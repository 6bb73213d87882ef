// What /v1/responses keeps between requests, shared by every worker: the response store
// (core/responses/response_store.h) behind one mutex, and the sealer of encrypted reasoning. A
// store operation is a hash lookup or an append plus evictions, so one lock is not contended;
// entries are handed out as shared pointers, so nothing is copied under it.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/ops/config.h"
#include "core/ops/sealed_blob.h"
#include "core/responses/response_store.h"

namespace llmgw::gw {

class ResponsesState {
public:
    explicit ResponsesState(const ServeConfig& cfg);

    bool put(const std::string& id, StoredResponse r);
    std::shared_ptr<const StoredResponse> get(std::string_view id, std::string_view owner);
    bool erase(std::string_view id, std::string_view owner);

    // Seals reasoning for `owner` (the context binds a blob to the key that got it); opens only
    // what this process (or a replica with the same RESPONSES_SEAL_KEY) sealed for that owner.
    std::string seal_reasoning(std::string_view owner, std::string_view reasoning) const;
    std::optional<std::string> open_reasoning(std::string_view owner, std::string_view blob) const;

private:
    std::mutex mu_;
    ResponseStore store_;
    const Sealer sealer_;  // immutable: used without the lock
};

}  // namespace llmgw::gw
