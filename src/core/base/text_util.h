// Small ASCII string helpers shared across core (locale-independent: header values, config
// values and key files are ASCII by contract).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

// Spaces and tabs: HTTP's optional whitespace around header values and list items.
inline constexpr std::string_view kBlanks = " \t";
// Every ASCII whitespace character, as std::isspace in the C locale.
inline constexpr std::string_view kWhitespace = " \t\r\n\v\f";
// What JSON (RFC 8259) counts as whitespace: a payload padded with anything else is not JSON.
inline constexpr std::string_view kJsonWhitespace = " \t\r\n";

// `s` without leading and trailing characters from `chars`.
std::string_view trim(std::string_view s, std::string_view chars = kBlanks);
// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
// A whole decimal number from `min` to `max` and nothing else ("12", not "12x", " 12" or "1e3").
std::optional<int64_t> integer_in_range(std::string_view s, int64_t min, int64_t max);
// "a, b,,c" -> {"a", "b", "c"}: items trimmed of whitespace, empty ones dropped.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
// Text for HTML/SVG content and quoted attributes: & < > " escaped, control characters other
// than newline and tab (not allowed in XML 1.0) become spaces.
std::string html_escape(std::string_view s);

}  // namespace llmgw
