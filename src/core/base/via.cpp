#include "core/base/via.h"

#include <cstdio>

#include "core/base/text_util.h"

namespace llmgw {

std::string via_pseudonym(uint64_t random) {
    char buf[32];
    snprintf(buf, sizeof buf, "llmgw-%016llx", static_cast<unsigned long long>(random));
    return buf;
}

bool via_names(std::string_view via, std::string_view pseudonym) {
    for (std::string_view entry : split_list(via)) {
        // received-protocol RWS received-by [ RWS comment ]
        auto sp = entry.find_first_of(" \t");
        if (sp == std::string_view::npos) continue;
        std::string_view by = trim(entry.substr(sp + 1), " \t");
        by = by.substr(0, by.find_first_of(" \t"));
        if (by == pseudonym) return true;
    }
    return false;
}

std::string forwarded_via(std::string_view incoming, std::string_view pseudonym) {
    std::string v(incoming);
    if (!v.empty()) v += ", ";
    v += "1.1 ";
    v += pseudonym;
    return v;
}

}  // namespace llmgw
