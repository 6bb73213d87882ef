#include "core/responses/responses_output.h"

#include "core/base/request_id.h"

namespace llmgw {

namespace {
// The seed's id characters without the prefix a seed made by us may already carry.
std::string seed_chars(std::string_view seed) {
    std::string s = id_safe_chars(seed);
    for (std::string_view p : {"resp_", "chatcmpl-"})
        if (s.rfind(p, 0) == 0) s.erase(0, p.size());
    return s.empty() ? "0" : s;
}
}  // namespace

std::string make_response_id(std::string_view seed) { return "resp_" + seed_chars(seed); }

std::string make_item_id(std::string_view prefix, std::string_view seed, size_t n) {
    return std::string(prefix) + "_" + seed_chars(seed) + "_" + std::to_string(n);
}

}  // namespace llmgw
