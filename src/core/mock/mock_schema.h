// A JSON value that satisfies a tool's JSON schema, for the mock's tool calls. Covers the subset
// tool definitions use in practice: type (or a type list), properties/required, items/minItems,
// enum, const, default, anyOf/oneOf/allOf (first branch), minimum/maximum, minLength, common
// string formats, and local $ref into $defs/definitions.
#pragma once
#include <rapidjson/document.h>

#include <cstdint>
#include <string>

namespace llmgw::mock {

// Value for `schema` (which may be null: then an empty object). `root` resolves "$ref"s.
// Objects carry their required properties, or every property when nothing is required.
// Strings and numbers are derived from `seed`; enums take their first value.
rapidjson::Value schema_example(const rapidjson::Value* schema, const rapidjson::Value* root, uint64_t seed,
                                rapidjson::Document::AllocatorType& alloc);

// The same, rendered as compact JSON text (tool-call "arguments").
std::string schema_example_json(const rapidjson::Value* schema, uint64_t seed);

}  // namespace llmgw::mock
