#include "core/base/request_id.h"

#include <cctype>
#include <cstdio>

namespace llmgw {

bool is_sane_request_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxRequestIdLength) return false;
    for (unsigned char c : id)
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return false;
    return true;
}

std::string make_request_id(uint64_t a, uint64_t b) {
    char buf[32];
    snprintf(buf, sizeof buf, "req_%016llx%08llx", static_cast<unsigned long long>(a),
             static_cast<unsigned long long>(b & 0xffffffffull));
    return buf;
}

std::string id_safe_chars(std::string_view seed) {
    std::string out;
    for (char c : seed)
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') out.push_back(c);
    return out;
}

}  // namespace llmgw
