// The query of a request URL as the client meant it. One reader for every route that takes query
// parameters (GET /v1/models?limit=, /v1/responses/{id}/input_items?after=, /admin/usage?since=),
// so each decodes and bounds them the same way.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A whole decimal number from `min` to `max` and nothing else ("12", not "12x", " 12" or "1e3").
std::optional<int64_t> integer_in_range(std::string_view s, int64_t min, int64_t max);

}  // namespace llmgw
