// Reading a client's JSON request field by field, for the translators of whole request bodies
// (Anthropic Messages, Responses): each reader throws reqfield::Invalid naming the field's path
// ("input.2.content.0.type: expected a string, got number"), which the translator's entry point
// turns into one 400 with that path as its `param`.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "core/json/json_value.h"

namespace llmgw::reqfield {

using json::Value;

struct Invalid {
    std::string path;
    std::string message;  // "path: what", or just "what" for the body itself
};

[[noreturn]] void fail(const std::string& path, const std::string& what);
// "base.key" / "base.i" ("key" at the top level).
std::string at(const std::string& base, std::string_view key);
std::string at(const std::string& base, size_t i);

// A present (non-null) member, else "field required".
const Value& need(const Value& obj, const std::string& base, std::string_view key);
std::string_view need_str(const Value& obj, const std::string& base, std::string_view key);
std::optional<std::string_view> opt_str(const Value& obj, const std::string& base, std::string_view key);
std::optional<bool> opt_bool(const Value& obj, const std::string& base, std::string_view key);
const Value& need_obj(const Value& v, const std::string& path);
const Value& need_array(const Value& v, const std::string& path);

// The 400 for a caught Invalid.
ApiError to_api_error(const Invalid& e);

}  // namespace llmgw::reqfield
