#include "core/base/url_path.h"

#include "core/base/text_util.h"

namespace llmgw {

namespace {

// The segment as the backend would see it after percent-decoding dots.
bool is_dot_segment(std::string_view seg) {
    std::string s = to_lower(seg);
    for (std::string_view dots : {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."})
        if (s == dots) return true;
    return false;
}

}  // namespace

bool is_safe_forward_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return false;
    for (unsigned char c : path)
        if (c < 0x21 || c == 0x7f || c == '\\') return false;
    std::string lower = to_lower(path);
    if (lower.find("%2f") != std::string::npos || lower.find("%5c") != std::string::npos ||
        lower.find("%00") != std::string::npos)
        return false;
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view seg = path.substr(start, end - start);
        if (seg.empty() && end != path.size()) return false;  // "//"
        if (is_dot_segment(seg)) return false;
        start = end + 1;
    }
    return true;
}

}  // namespace llmgw
