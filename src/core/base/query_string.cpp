#include "core/base/query_string.h"

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

}  // namespace llmgw
