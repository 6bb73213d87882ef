#include "core/base/query_string.h"

#include <charconv>

#include "core/base/text_util.h"
#include "core/base/url_path.h"

namespace llmgw {

std::optional<std::vector<QueryParam>> parse_query(std::string_view query, std::string* bad_name) {
    std::vector<QueryParam> params;
    for (const auto& pair : split_list(query, '&')) {
        const size_t eq = pair.find('=');
        std::string_view name = std::string_view(pair).substr(0, eq);
        auto value = percent_decode(eq == std::string::npos ? std::string_view{} : std::string_view(pair).substr(eq + 1));
        if (!value) {
            *bad_name = std::string(name.substr(0, kMaxQueryNameEcho));
            return std::nullopt;
        }
        params.push_back({std::string(name), std::move(*value)});
    }
    return params;
}

std::optional<int64_t> integer_in_range(std::string_view s, int64_t min, int64_t max) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || n < min || n > max) return std::nullopt;
    return n;
}

}  // namespace llmgw
