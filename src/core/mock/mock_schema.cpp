#include "core/mock/mock_schema.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

#include "core/json/json_value.h"
#include "core/mock/mock_text.h"

namespace llmgw::mock {

namespace {
using Alloc = rapidjson::Document::AllocatorType;
constexpr int kMaxDepth = 8;  // recursive schemas ($ref to itself) end here

const rapidjson::Value* member(const rapidjson::Value* v, const char* name) {
    return v ? json::get(*v, name) : nullptr;
}

// "#/$defs/Name" or "#/definitions/Name" against the root schema.
const rapidjson::Value* resolve_ref(const rapidjson::Value& ref, const rapidjson::Value* root) {
    if (!ref.IsString() || !root) return nullptr;
    std::string_view r(ref.GetString(), ref.GetStringLength());
    for (std::string_view prefix : {"#/$defs/", "#/definitions/"}) {
        if (r.substr(0, prefix.size()) != prefix) continue;
        std::string bucket(prefix.substr(2, prefix.size() - 3));
        std::string name(r.substr(prefix.size()));
        return member(member(root, bucket.c_str()), name.c_str());
    }
    return r == "#" ? root : nullptr;
}

std::string_view schema_type(const rapidjson::Value& s) {
    auto* t = member(&s, "type");
    if (t && t->IsString()) return {t->GetString(), t->GetStringLength()};
    if (t && t->IsArray())  // ["string","null"]: the first non-null type
        for (auto& x : t->GetArray())
            if (x.IsString() && std::string_view(x.GetString()) != "null") return {x.GetString(), x.GetStringLength()};
    if (member(&s, "properties")) return "object";
    if (member(&s, "items")) return "array";
    return "";
}

std::string string_for(const rapidjson::Value& s, uint64_t seed) {
    if (auto* f = member(&s, "format"); f && f->IsString()) {
        std::string_view fmt = f->GetString();
        if (fmt == "date-time") return "2025-01-01T00:00:00Z";
        if (fmt == "date") return "2025-01-01";
        if (fmt == "time") return "12:00:00";
        if (fmt == "email") return "mock@example.com";
        if (fmt == "uri" || fmt == "url") return "https://example.com/mock";
        if (fmt == "uuid") return hex_id(seed, 8) + "-" + hex_id(seed + 1, 4) + "-4" + hex_id(seed + 2, 3) + "-8" +
                                  hex_id(seed + 3, 3) + "-" + hex_id(seed + 4, 12);
    }
    std::string out = generate_words(seed, 1).front();
    if (auto* m = member(&s, "minLength"); m && m->IsUint())
        while (out.size() < m->GetUint()) out += 'x';
    if (auto* m = member(&s, "maxLength"); m && m->IsUint() && out.size() > m->GetUint()) out.resize(m->GetUint());
    return out;
}

rapidjson::Value example(const rapidjson::Value* s, const rapidjson::Value* root, uint64_t seed, Alloc& a, int depth) {
    using rapidjson::Value;
    if (!s || !s->IsObject() || depth > kMaxDepth) return Value(rapidjson::kObjectType);
    if (auto* ref = member(s, "$ref")) {
        if (auto* target = resolve_ref(*ref, root)) return example(target, root, seed, a, depth + 1);
    }
    if (auto* c = member(s, "const")) return Value(*c, a);
    if (auto* e = member(s, "enum"); e && e->IsArray() && !e->Empty()) return Value((*e)[0], a);
    if (auto* d = member(s, "default")) return Value(*d, a);
    for (const char* k : {"anyOf", "oneOf", "allOf"}) {
        auto* alts = member(s, k);
        if (!alts || !alts->IsArray() || alts->Empty()) continue;
        for (auto& alt : alts->GetArray())  // first branch that is not {"type":"null"}
            if (schema_type(alt) != "null") return example(&alt, root, seed, a, depth + 1);
    }
    auto type = schema_type(*s);
    if (type == "object") {
        Value obj(rapidjson::kObjectType);
        auto* props = member(s, "properties");
        if (!props || !props->IsObject()) return obj;
        auto* req = member(s, "required");
        bool any_required = req && req->IsArray() && !req->Empty();
        uint64_t i = 0;
        for (auto& p : props->GetObject()) {
            ++i;
            bool wanted = !any_required;
            if (any_required)
                for (auto& r : req->GetArray()) wanted = wanted || (r.IsString() && r == p.name);
            if (!wanted) continue;
            uint64_t child_seed = hash64({p.name.GetString(), p.name.GetStringLength()}, seed + i);
            obj.AddMember(Value(p.name, a), example(&p.value, root, child_seed, a, depth + 1), a);
        }
        return obj;
    }
    if (type == "array") {
        Value arr(rapidjson::kArrayType);
        unsigned n = 1;
        if (auto* m = member(s, "minItems"); m && m->IsUint()) n = std::max(n, m->GetUint());
        if (auto* m = member(s, "maxItems"); m && m->IsUint()) n = std::min(n, m->GetUint());
        for (unsigned k = 0; k < n; ++k) arr.PushBack(example(member(s, "items"), root, mix64(seed + k), a, depth + 1), a);
        return arr;
    }
    if (type == "integer" || type == "number") {
        auto* lo = member(s, "minimum");
        auto* hi = member(s, "maximum");
        double v = type == "integer" ? double(seed % 100) : double(seed % 1000) / 10.0 + 0.5;
        if (lo && lo->IsNumber() && v < lo->GetDouble()) v = lo->GetDouble();
        if (hi && hi->IsNumber() && v > hi->GetDouble()) v = hi->GetDouble();
        if (type == "integer") return Value(static_cast<int64_t>(v));
        return Value(v);
    }
    if (type == "boolean") return Value(true);
    if (type == "null") return Value(rapidjson::kNullType);
    return Value(string_for(*s, seed), a);  // "string" or an untyped schema
}
}  // namespace

rapidjson::Value schema_example(const rapidjson::Value* schema, const rapidjson::Value* root, uint64_t seed, Alloc& alloc) {
    return example(schema, root ? root : schema, seed, alloc, 0);
}

std::string schema_example_json(const rapidjson::Value* schema, uint64_t seed) {
    rapidjson::Document doc;
    rapidjson::Value v = schema_example(schema, schema, seed, doc.GetAllocator());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace llmgw::mock
