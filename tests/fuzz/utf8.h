// UTF-8 validation as the SDKs' decoders apply it to what the gateway sends (RFC 3629: no
// truncated or overlong forms, nothing above U+10FFFF). Encoded surrogates are let through: a
// JSON "\udc00" escape from upstream can only come out that way, and Python's json (bytes are
// decoded with surrogatepass) and Node (replacement character) both read it.
#pragma once
#include <string_view>

namespace llmgw::fuzz {

inline bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n;
        unsigned cp;
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return false;
        if (s.size() - i <= n) return false;
        for (size_t k = 1; k <= n; ++k) {
            unsigned char cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF)
            return false;
        i += n + 1;
    }
    return true;
}

}  // namespace llmgw::fuzz
