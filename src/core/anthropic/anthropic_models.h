// GET /v1/models and /v1/models/{id} in the Anthropic Models API shape (what a client sending
// anthropic-version expects), rendered from the runtime's OpenAI model list.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/model_list.h"

namespace llmgw {

// Anthropic's page size bounds for limit (default 20, at most 1000).
inline constexpr int kAnthropicModelsDefaultLimit = 20;
inline constexpr int kAnthropicModelsMaxLimit = 1000;

struct AnthropicModelsQuery {
    std::string after_id;
    std::string before_id;
    int limit = kAnthropicModelsDefaultLimit;
};

// The query string of GET /v1/models (limit, after_id, before_id); nullopt with *err set when a
// value is bad.
std::optional<AnthropicModelsQuery> parse_anthropic_models_query(std::string_view query, ApiError* err);

// {"type":"model","id":...,"display_name":...,"created_at":"<RFC 3339>"}; created_at is the
// Unix epoch when the runtime gave no creation time.
std::string render_anthropic_model(const ListedModel& m);

// {"data":[...],"has_more":...,"first_id":...,"last_id":...}; an after_id/before_id the list does
// not hold is a 400 in *err.
std::string render_anthropic_models_page(const std::vector<ListedModel>& models, const AnthropicModelsQuery& q,
                                         ApiError* err);

}  // namespace llmgw
