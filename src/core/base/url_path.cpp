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

std::optional<std::string> percent_decode(std::string_view s) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (s.size() - i < 3) return std::nullopt;
        int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

}  // namespace llmgw
