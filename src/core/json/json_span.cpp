#include "core/json/json_span.h"

#include "core/json/json_parse.h"
#include "core/json/stack_document.h"

namespace llmgw {

namespace {

size_t skip_ws(std::string_view t, size_t i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n')) ++i;
    return i;
}

// `t[i]` is an opening quote; returns the index after the closing one (t.size() + 1 when there
// is none). Quote to quote with find (memchr): a prompt is one long string, and a byte-at-a-time
// loop made renaming a 4 KB request's model cost 17 us. A quote after an odd run of backslashes
// is escaped.
size_t string_end(std::string_view t, size_t i) {
    for (size_t from = i + 1;;) {
        size_t q = t.find('"', from);
        if (q == std::string_view::npos) return t.size() + 1;
        size_t run = 0;
        while (q - run > from && t[q - run - 1] == '\\') ++run;
        if (run % 2 == 0) return q + 1;
        from = q + 1;
    }
}

// Index after the value starting at `t[i]`. A loop with a level counter, not recursion: the text
// is at most json::kMaxDepth deep, but the scan should not depend on that.
size_t value_end(std::string_view t, size_t i) {
    if (i >= t.size()) return t.size();
    if (t[i] == '"') return string_end(t, i);
    if (t[i] != '{' && t[i] != '[') {
        while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\t' &&
               t[i] != '\r' && t[i] != '\n')
            ++i;
        return i;
    }
    int level = 0;
    while (i < t.size()) {
        char c = t[i];
        if (c == '"') {
            i = string_end(t, i);
            continue;
        }
        if (c == '{' || c == '[') ++level;
        if ((c == '}' || c == ']') && --level == 0) return i + 1;
        ++i;
    }
    return t.size();
}

// `quoted` is a key with its quotes; escaped keys ("mod\u0065l") are decoded before comparing.
bool key_equals(std::string_view quoted, std::string_view key) {
    if (quoted.size() < 2) return false;
    std::string_view raw = quoted.substr(1, quoted.size() - 2);
    if (raw.find('\\') == std::string_view::npos) return raw == key;
    StackDocument d;
    return !json::parse(quoted, d) && d.IsString() && std::string_view(d.GetString(), d.GetStringLength()) == key;
}

}  // namespace

std::vector<ByteSpan> member_value_spans(std::string_view t, std::string_view key) {
    std::vector<ByteSpan> found;
    size_t i = skip_ws(t, t.substr(0, json::kUtf8Bom.size()) == json::kUtf8Bom ? json::kUtf8Bom.size() : 0);
    if (i >= t.size() || t[i] != '{') return found;
    ++i;
    while (true) {
        i = skip_ws(t, i);
        if (i >= t.size() || t[i] == '}') break;
        if (t[i] == ',') {
            ++i;
            continue;
        }
        if (t[i] != '"') break;  // not valid JSON: the caller broke the contract
        size_t key_end = string_end(t, i);
        bool match = key_equals(t.substr(i, key_end - i), key);
        i = skip_ws(t, skip_ws(t, key_end) + 1);  // past ':'
        size_t begin = i;
        i = value_end(t, i);
        if (match) found.push_back(ByteSpan{begin, i});
    }
    return found;
}

std::optional<ByteSpan> member_value_span(std::string_view t, std::string_view key) {
    auto all = member_value_spans(t, key);
    if (all.empty()) return std::nullopt;
    return all.back();
}

std::string splice(std::string_view text, ByteSpan span, std::string_view replacement) {
    std::string out;
    out.reserve(text.size() - (span.end - span.begin) + replacement.size());
    out.append(text.substr(0, span.begin)).append(replacement).append(text.substr(span.end));
    return out;
}

}  // namespace llmgw
