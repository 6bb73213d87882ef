// The one way to parse JSON bytes that came from a client or a backend. RapidJSON's default
// Parse recurses once per nesting level, so a body of 300 KB of '[' overflows the stack; and
// RapidJSON's copy, Accept and Writer recurse too, so a deep document that parsed would crash
// later. This parser never recurses on the input (kParseIterativeFlag) and stops at the first
// level past kMaxDepth, before building it, so everything it returns is safe to copy and write.
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace llmgw::json {

// Nesting limit: open arrays and objects, the root included ("[]" is 1 level). Real requests and
// answers (tool schemas included) stay far below 32; 128 leaves room for them while bounding the
// recursion of RapidJSON's serialisation to a few KB of stack.
inline constexpr int kMaxDepth = 128;

// Skipped before parsing; json_span's edits skip it too.
inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct ParseError {
    size_t offset = 0;      // byte offset in the input where parsing stopped
    std::string reason;     // RapidJSON's English message, or the nesting limit
    bool too_deep = false;  // refused for nesting past kMaxDepth (the text may be valid JSON)
};

// Parses `text` into `out` (nullopt on success). On failure `out` is null. A NUL byte inside the
// text is an error, not an end. A StackDocument binds here too (it is a rapidjson::Document) and
// keeps its values in its inline pool, so the hot paths stay allocation-cheap.
std::optional<ParseError> parse(std::string_view text, rapidjson::Document& out);

// In-situ variant for hot paths: strings in `out` point into `text`, which the parse rewrites
// (unescaping). `text[size]` must be '\0'; `text` must outlive `out`.
std::optional<ParseError> parse_insitu(char* text, size_t size, rapidjson::Document& out);
// The same with the caller's reader, whose work stack is kept between parses (ReusedDocument).
std::optional<ParseError> parse_insitu(char* text, size_t size, rapidjson::Document& out, rapidjson::Reader& reader);

// "invalid JSON at offset 12: Missing a comma or '}' after an object member." or
// "JSON nesting deeper than 128 levels", for error messages.
std::string describe(const ParseError& e);

}  // namespace llmgw::json
