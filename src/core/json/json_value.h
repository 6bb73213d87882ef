// Small RapidJSON helpers shared by the Anthropic <-> OpenAI translators: safe parsing (the
// json_parse.h policy), typed member lookup and string conversion.
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json/json_parse.h"

namespace llmgw::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Alloc = rapidjson::Document::AllocatorType;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Parsing is the project's one policy for untrusted JSON (iterative, nesting limited, offsets in
// errors): see core/json_parse.h.
using json::describe;
using json::parse;
using ParseFailure = json::ParseError;

inline std::string_view sv(const Value& v) { return {v.GetString(), v.GetStringLength()}; }
inline Value str(std::string_view s, Alloc& a) {
    // A default string_view has a null data(), which RapidJSON asserts on even for length 0.
    return Value(s.empty() ? "" : s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}
inline void write_str(Writer& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Member of an object, or nullptr when `obj` is not an object or lacks it. A JSON null counts as
// absent: several runtimes send `"field": null` where others omit the field.
const Value* get(const Value& obj, std::string_view key);
// The member as a string view if it is a string.
std::optional<std::string_view> get_str(const Value& obj, std::string_view key);
// Integral numbers only (42, 42.0); nullopt otherwise.
std::optional<int64_t> get_int(const Value& obj, std::string_view key);
std::optional<int64_t> as_int(const Value& v);

// "string", "number", "object", ... for "expected X, got Y" messages.
std::string_view type_name(const Value& v);

std::string to_string(const Value& v);
std::string to_pretty_string(const Value& v);
// Re-indents any JSON text; returns the input unchanged when it is not JSON.
std::string prettify(std::string_view json);

// Appends the member key/value to an object Value, copying strings.
void add(Value& obj, std::string_view key, Value v, Alloc& a);
void add_str(Value& obj, std::string_view key, std::string_view s, Alloc& a);

}  // namespace llmgw::json
