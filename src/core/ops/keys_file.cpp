#include "core/ops/keys_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "core/base/text_util.h"

namespace llmgw {

namespace {

// A field's name is quoted in an error only when it is short: a long word after a key is more
// likely a second key pasted on the line than a misspelt limit, and keys never reach a log.
constexpr size_t kMaxQuotedFieldName = 16;

// The next blank-separated word of `rest`, removed from it.
std::string_view next_word(std::string_view& rest) {
    rest = trim(rest, kBlanks);
    const size_t end = rest.find_first_of(kBlanks);
    std::string_view w = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    return w;
}

// One name=value field into `limits`; false with *why set.
bool read_field(std::string_view field, KeyLimits& limits, std::string* why) {
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) {
        *why = "unexpected text after the key (a key cannot contain blanks; limits are written name=value, "
               "e.g. tpm=50000)";
        return false;
    }
    const std::string_view name = field.substr(0, eq), value = field.substr(eq + 1);
    if (name != "tpm") {
        *why = (name.size() <= kMaxQuotedFieldName ? "unknown limit '" + std::string(name) + "'" : "unknown limit") +
               " (known: tpm=<tokens a minute>)";
        return false;
    }
    if (limits.tpm) {
        *why = "tpm given twice";
        return false;
    }
    auto n = integer_in_range(value, 0, kMaxKeyTpm);
    if (!n) {
        *why = "tpm must be a whole number of tokens a minute from 0 (no budget) to " + std::to_string(kMaxKeyTpm);
        return false;
    }
    limits.tpm = *n;
    return true;
}

}  // namespace

std::optional<std::vector<KeyEntry>> parse_keys_file(std::string_view text, std::string* err) {
    std::vector<KeyEntry> entries;
    struct FirstListed {
        size_t line, entry;
    };
    std::unordered_map<std::string, FirstListed> first_listed;
    size_t line_no = 0;
    auto fail = [&](const std::string& why) {
        *err = "line " + std::to_string(line_no) + ": " + why;
        return std::nullopt;
    };
    while (!text.empty()) {
        ++line_no;
        const size_t nl = text.find('\n');
        std::string_view rest = trim(text.substr(0, nl), kWhitespace);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (rest.empty() || rest.front() == '#') continue;
        KeyEntry e{std::string(next_word(rest)), {}};
        for (std::string_view field = next_word(rest); !field.empty(); field = next_word(rest)) {
            std::string why;
            if (!read_field(field, e.limits, &why)) return fail(why);
        }
        auto [seen, fresh] = first_listed.try_emplace(e.key, FirstListed{line_no, entries.size()});
        if (!fresh) {
            if (entries[seen->second.entry].limits != e.limits)
                return fail("the key of line " + std::to_string(seen->second.line) + " again, with other limits");
            continue;
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

std::optional<std::vector<KeyEntry>> read_keys_file(const std::string& path, std::string* err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *err = "cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
        *err = "cannot read " + path;
        return std::nullopt;
    }
    std::string why;
    auto entries = parse_keys_file(ss.str(), &why);
    if (!entries) *err = path + ": " + why;
    return entries;
}

}  // namespace llmgw
