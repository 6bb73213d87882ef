// The runtime's GET /v1/models answer, read once so the gateway can answer GET /v1/models/{id}
// from it (most runtimes have no such route) and re-render it in the Anthropic Models API shape.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// A runtime's list is read up to this many entries: a runtime with more is serving a catalogue, and
// what the gateway keeps and re-renders stays a bounded size.
inline constexpr size_t kMaxListedModels = 4096;

struct ListedModel {
    std::string id;
    int64_t created = 0;      // Unix seconds; 0 when the runtime gave none
    std::string object_json;  // the entry as the runtime listed it, re-serialised
};

// nullopt when `body` is not an OpenAI model list ({"data":[...]}); entries without a string id
// are skipped, and entries past kMaxListedModels are dropped. Untrusted: parsed under the JSON policy.
std::optional<std::vector<ListedModel>> parse_model_list(std::string_view body);

// Just the ids of such a list, in its order; nullopt when it is not one.
std::optional<std::vector<std::string>> listed_model_ids(std::string_view body);

// The entry whose id is `id`, or nullptr.
const ListedModel* find_listed_model(const std::vector<ListedModel>& models, std::string_view id);

}  // namespace llmgw
