// Small helpers over RapidJSON's Writer for the mock's hand-written JSON (internal).
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "core/json/json_value.h"

namespace llmgw::mock::jw {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
inline void key(Writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
inline void kv(Writer& w, std::string_view k, std::string_view v) { key(w, k); str(w, v); }
inline void kv(Writer& w, std::string_view k, int64_t v) { key(w, k); w.Int64(v); }
// Raw JSON text (already valid) as a value.
inline void raw(Writer& w, std::string_view json, rapidjson::Type t = rapidjson::kObjectType) {
    w.RawValue(json.data(), json.size(), t);
}
inline std::string text(const rapidjson::StringBuffer& sb) { return {sb.GetString(), sb.GetSize()}; }
inline std::string serialize(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    v.Accept(w);
    return text(sb);
}
// Member lookup that tolerates non-objects; nullptr when absent.
inline const rapidjson::Value* get(const rapidjson::Value& v, const char* name) { return json::get(v, name); }

}  // namespace llmgw::mock::jw
