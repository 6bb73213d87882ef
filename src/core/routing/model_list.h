// The merged GET /v1/models: the declared public names of every pool plus what the replicas of
// pools without a model list say they serve, de-duplicated, in the OpenAI list shape.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// A runtime's list is read up to this many ids: a runtime with more is serving a catalogue, and
// the merged answer stays a bounded size.
inline constexpr size_t kMaxListedIdsPerReplica = 4096;

struct PoolModel {
    std::string id;
    std::string owned_by;  // the pool's name
};

// The ids of an OpenAI-shaped models list ({"data":[{"id":...}]}); untrusted, parsed under the
// JSON policy. Empty when it is not such a list.
std::vector<std::string> model_ids(std::string_view models_json);

// {"object":"list","data":[...]}: the first entry of each id wins (file order, declared first).
std::string render_model_list(const std::vector<PoolModel>& models);

}  // namespace llmgw
