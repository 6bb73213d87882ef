// GET /v1/responses/{id}/input_items: one page of a stored response's input items as OpenAI's
// list object ({"object":"list","data","first_id","last_id","has_more"}), with its query
// parameters `limit` (1..100, default 20), `order` (asc | desc, default desc) and `after` (an
// item id: the page starts past it). Other parameters (`include`) change nothing here.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"

namespace llmgw {

struct ItemsPageQuery {
    int limit = 20;
    bool ascending = false;
    std::string after;  // empty: from the first item in `order`
};

inline constexpr int kMaxItemsPageLimit = 100;  // OpenAI's own bound on `limit`

// The query of the request (the part after '?'); nullopt with *err (a 400 naming the parameter).
std::optional<ItemsPageQuery> parse_items_page_query(std::string_view query, ApiError* err);

// The page over `items_json` (a JSON array of objects with "id", as the store keeps them). An
// `after` id that is not among the items: *err is a 400 naming `after`, and "" is returned.
std::string render_items_page(std::string_view items_json, const ItemsPageQuery& q, ApiError* err);

}  // namespace llmgw
