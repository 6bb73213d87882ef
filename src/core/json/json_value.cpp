#include "core/json/json_value.h"

#include <rapidjson/prettywriter.h>

namespace llmgw::json {

const Value* get(const Value& obj, std::string_view key) {
    if (!obj.IsObject()) return nullptr;
    auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::optional<std::string_view> get_str(const Value& obj, std::string_view key) {
    const Value* v = get(obj, key);
    if (!v || !v->IsString()) return std::nullopt;
    return sv(*v);
}

std::optional<int64_t> as_int(const Value& v) {
    if (v.IsInt64()) return v.GetInt64();
    if (v.IsUint64()) return static_cast<int64_t>(std::min<uint64_t>(v.GetUint64(), INT64_MAX));
    if (v.IsDouble()) {
        double d = v.GetDouble();
        if (d >= -9.2e18 && d <= 9.2e18 && static_cast<double>(static_cast<int64_t>(d)) == d)
            return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

std::optional<int64_t> get_int(const Value& obj, std::string_view key) {
    const Value* v = get(obj, key);
    if (!v) return std::nullopt;
    return as_int(*v);
}

std::string_view type_name(const Value& v) {
    switch (v.GetType()) {
        case rapidjson::kNullType: return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType: return "boolean";
        case rapidjson::kObjectType: return "object";
        case rapidjson::kArrayType: return "array";
        case rapidjson::kStringType: return "string";
        case rapidjson::kNumberType: return "number";
    }
    return "unknown";
}

std::string to_string(const Value& v) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

std::string to_pretty_string(const Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

std::string prettify(std::string_view json) {
    Document d;
    if (parse(json, d)) return std::string(json);
    return to_pretty_string(d);
}

void add(Value& obj, std::string_view key, Value v, Alloc& a) {
    obj.AddMember(str(key, a), v, a);
}

void add_str(Value& obj, std::string_view key, std::string_view s, Alloc& a) {
    obj.AddMember(str(key, a), str(s, a), a);
}

}  // namespace llmgw::json
