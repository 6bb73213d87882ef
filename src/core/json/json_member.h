// Member lookup over RapidJSON values that tolerates non-objects (internal). A JSON null is
// returned as a value here; ajson::get (anthropic_json.h) is the variant that treats null as absent.
#pragma once
#include <rapidjson/document.h>

namespace llmgw {

// v[name], or nullptr when `v` is not an object or has no such member.
inline const rapidjson::Value* json_member(const rapidjson::Value& v, const char* name) {
    if (!v.IsObject()) return nullptr;
    auto it = v.FindMember(name);
    return it == v.MemberEnd() ? nullptr : &it->value;
}

}  // namespace llmgw
