// The merged GET /v1/models: the declared public names of every pool plus what the replicas of
// pools without a model list say they serve, de-duplicated, in the OpenAI list shape.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

struct PoolModel {
    std::string id;
    std::string owned_by;  // the pool's name
};

// {"object":"list","data":[...]}: the first entry of each id wins (file order, declared first).
std::string render_model_list(const std::vector<PoolModel>& models);

}  // namespace llmgw
