#include "core/anthropic_json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>

#include <vector>

namespace llmgw::ajson {

namespace {
// Explicit stack: the point is to never recurse on untrusted structure.
bool deeper_than(const Value& root, int max_depth) {
    std::vector<std::pair<const Value*, int>> stack{{&root, 1}};
    while (!stack.empty()) {
        auto [v, d] = stack.back();
        stack.pop_back();
        if (d > max_depth) return true;
        if (v->IsObject()) {
            for (auto& m : v->GetObject()) stack.push_back({&m.value, d + 1});
        } else if (v->IsArray()) {
            for (auto& e : v->GetArray()) stack.push_back({&e, d + 1});
        }
    }
    return false;
}
}  // namespace

std::optional<ParseFailure> parse(std::string_view text, Document& out) {
    out.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (out.HasParseError()) {
        ParseFailure f{out.GetErrorOffset(), rapidjson::GetParseError_En(out.GetParseError())};
        out.SetNull();
        return f;
    }
    if (deeper_than(out, kMaxDepth)) {
        out.SetNull();
        return ParseFailure{0, "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
    }
    return std::nullopt;
}

std::string describe(const ParseFailure& f) {
    return "invalid JSON at offset " + std::to_string(f.offset) + ": " + f.reason;
}

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

}  // namespace llmgw::ajson
