// The query of a request URL as the client meant it (integer_in_range, in text_util.h, reads a
// number parameter). One reader for every route that takes query
// parameters (GET /v1/models?limit=, /v1/responses/{id}/input_items?after=, /admin/usage?since=),
// so each decodes and bounds them the same way.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/text_util.h"

namespace llmgw {

struct QueryParam {
    std::string name;   // as sent
    std::string value;  // percent-decoded
};

// "limit=5&after_id=a%2Fb" -> {"limit", "5"}, {"after_id", "a/b"}; empty items are skipped, a name
// without '=' has an empty value. nullopt, with the parameter's name in *bad_name (cut to
// kMaxQueryNameEcho bytes), when a value is not valid percent-encoding.
std::optional<std::vector<QueryParam>> parse_query(std::string_view query, std::string* bad_name);

// How much of a client's parameter name an error message quotes.
inline constexpr size_t kMaxQueryNameEcho = 100;

}  // namespace llmgw
