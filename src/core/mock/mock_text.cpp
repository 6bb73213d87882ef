#include "core/mock/mock_text.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace llmgw::mock {

uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hash64(std::string_view s, uint64_t seed) {
    uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

namespace {
bool word_byte(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
bool space_byte(unsigned char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Plain, short, lowercase words: readable in a demo, and each one token for count_tokens.
constexpr std::array<std::string_view, 64> kWords{
    "the",    "quick", "model",  "answers", "with",   "tokens",  "from",   "a",
    "mock",   "river", "stone",  "light",   "cloud",  "signal",  "paper",  "garden",
    "blue",   "green", "small",  "bright",  "quiet",  "north",   "south",  "winter",
    "summer", "apple", "orange", "window",  "bridge", "forest",  "ocean",  "mountain",
    "city",   "road",  "music",  "number",  "letter", "story",   "water",  "fire",
    "earth",  "wind",  "time",   "day",     "night",  "morning", "evening", "table",
    "chair",  "house", "door",   "field",   "flower", "tree",    "bird",   "song",
    "dream",  "path",  "stream", "echo",    "lantern", "harbor", "meadow", "comet",
};
}  // namespace

std::vector<std::string_view> split_tokens(std::string_view text) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (space_byte(c)) { ++i; continue; }
        size_t j = i + 1;
        if (word_byte(c))
            while (j < text.size() && word_byte(static_cast<unsigned char>(text[j]))) ++j;
        out.push_back(text.substr(i, j - i));
        i = j;
    }
    return out;
}

int count_tokens(std::string_view text) { return static_cast<int>(split_tokens(text).size()); }

int token_id(std::string_view token) { return 100 + static_cast<int>(hash64(token, 7) % 50000); }

std::vector<std::string> generate_words(uint64_t seed, int n) {
    std::vector<std::string> out;
    out.reserve(n > 0 ? n : 0);
    for (int i = 0; i < n; ++i) {
        auto w = kWords[mix64(seed + static_cast<uint64_t>(i)) % kWords.size()];
        out.push_back(i == 0 ? std::string(w) : std::string(" ").append(w));
    }
    return out;
}

std::string alnum_id(uint64_t seed, size_t len) {
    static constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (size_t i = 0; i < len; ++i) out += kAlnum[mix64(seed ^ (i * 0x2545f4914f6cdd1dULL)) % kAlnum.size()];
    return out;
}

std::string hex_id(uint64_t seed, size_t len) {
    static constexpr std::string_view kHex = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < len; ++i) out += kHex[mix64(seed ^ (i * 0x2545f4914f6cdd1dULL)) % 16];
    return out;
}

std::vector<std::string> fragment(std::string_view text, uint64_t seed) {
    std::vector<std::string> out;
    size_t i = 0;
    for (uint64_t k = 0; i < text.size(); ++k) {
        size_t j = std::min(text.size(), i + 1 + mix64(seed + k) % 4);
        // Never end a piece inside a UTF-8 sequence: each piece is sent as a JSON string.
        while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
        out.emplace_back(text.substr(i, j - i));
        i = j;
    }
    return out;
}

std::vector<float> embedding_vector(std::string_view text, int dim) {
    std::vector<double> v(dim > 0 ? dim : 0);
    double norm = 0;
    uint64_t h = hash64(text, 11);
    for (auto& x : v) {
        h = mix64(h);
        x = static_cast<double>(h >> 11) / static_cast<double>(1ULL << 53) * 2.0 - 1.0;  // [-1, 1)
        norm += x * x;
    }
    norm = std::sqrt(norm);
    std::vector<float> out;
    out.reserve(v.size());
    for (double x : v) out.push_back(static_cast<float>(norm > 0 ? x / norm : 0));
    return out;
}

std::string base64_encode(std::string_view in) {
    static constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += kB64[n >> 18];
        out += kB64[(n >> 12) & 63];
        out += kB64[(n >> 6) & 63];
        out += kB64[n & 63];
    }
    if (i < in.size()) {
        uint32_t n = uint8_t(in[i]) << 16;
        if (i + 1 < in.size()) n |= uint8_t(in[i + 1]) << 8;
        out += kB64[n >> 18];
        out += kB64[(n >> 12) & 63];
        out += i + 1 < in.size() ? kB64[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace llmgw::mock
