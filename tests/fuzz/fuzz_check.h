// What the fuzz targets assert beyond "does not crash". A violated property prints what failed
// and traps, so libFuzzer saves the input like any other crash.
#pragma once
#include <rapidjson/document.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "core/json/json_parse.h"
#include "core/json/stack_document.h"  // the checks parse into these: no 64 KiB heap chunk per check

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            __builtin_trap();                                                                 \
        }                                                                                     \
    } while (0)

namespace llmgw::fuzz {

// Strict syntax check, as the clients and runtimes downstream parse (no BOM; iterative, as the
// outputs checked here may nest deeper than the gateway's own parse limit).
inline bool parses(std::string_view text, rapidjson::Document& d) {
    // RapidJSON stops at a NUL as at the end; JSON text never holds a raw NUL.
    if (text.find('\0') != std::string_view::npos) return false;
    // Not Parse(data, size): that reads through EncodedInputStream, which skips stray BOM bytes.
    std::string terminated(text);
    d.Parse<rapidjson::kParseIterativeFlag>(terminated.c_str());
    return !d.HasParseError();
}

inline bool is_json(std::string_view text) {
    llmgw::StackDocument d;
    return parses(text, d);
}

inline bool is_json_object(std::string_view text) {
    llmgw::StackDocument d;
    return parses(text, d) && d.IsObject();
}

// What the gateway itself takes for a JSON object (json::parse: depth limit, a BOM skipped).
inline bool accepted_object(std::string_view text) {
    llmgw::StackDocument d;
    return !llmgw::json::parse(text, d) && d.IsObject();
}

// obj[key], or a null value when `obj` is not an object or lacks it (RapidJSON's operator[]
// asserts instead).
inline const rapidjson::Value& member(const rapidjson::Value& obj, const char* key) {
    static const rapidjson::Value kNull;
    if (!obj.IsObject()) return kNull;
    auto it = obj.FindMember(key);
    return it == obj.MemberEnd() ? kNull : it->value;
}

// obj[key] as a string view, or empty when absent or not a string.
inline std::string_view str_member(const rapidjson::Value& obj, const char* key) {
    if (!obj.IsObject()) return {};
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

// How many members of the object are named `key` (RapidJSON keeps duplicates).
inline int count_members(const rapidjson::Value& obj, std::string_view key) {
    int n = 0;
    if (obj.IsObject())
        for (auto& m : obj.GetObject())
            if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == key) ++n;
    return n;
}

}  // namespace llmgw::fuzz
