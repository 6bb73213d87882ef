#include "core/api/request_fields.h"

namespace llmgw::reqfield {

namespace {
std::string got(const Value& v) { return ", got " + std::string(json::type_name(v)); }
}  // namespace

void fail(const std::string& path, const std::string& what) {
    throw Invalid{path, path.empty() ? what : path + ": " + what};
}

std::string at(const std::string& base, std::string_view key) {
    return base.empty() ? std::string(key) : base + "." + std::string(key);
}
std::string at(const std::string& base, size_t i) { return base + "." + std::to_string(i); }

const Value& need(const Value& obj, const std::string& base, std::string_view key) {
    const Value* v = json::get(obj, key);
    if (!v) fail(at(base, key), "field required");
    return *v;
}

std::string_view need_str(const Value& obj, const std::string& base, std::string_view key) {
    const Value& v = need(obj, base, key);
    if (!v.IsString()) fail(at(base, key), "expected a string" + got(v));
    return json::sv(v);
}

std::optional<std::string_view> opt_str(const Value& obj, const std::string& base, std::string_view key) {
    const Value* v = json::get(obj, key);
    if (!v) return std::nullopt;
    if (!v->IsString()) fail(at(base, key), "expected a string" + got(*v));
    return json::sv(*v);
}

std::optional<bool> opt_bool(const Value& obj, const std::string& base, std::string_view key) {
    const Value* v = json::get(obj, key);
    if (!v) return std::nullopt;
    if (!v->IsBool()) fail(at(base, key), "expected a boolean" + got(*v));
    return v->GetBool();
}

const Value& need_obj(const Value& v, const std::string& path) {
    if (!v.IsObject()) fail(path, "expected an object" + got(v));
    return v;
}

const Value& need_array(const Value& v, const std::string& path) {
    if (!v.IsArray()) fail(path, "expected an array" + got(v));
    return v;
}

ApiError to_api_error(const Invalid& e) { return ApiError::bad_request(e.message, e.path); }

}  // namespace llmgw::reqfield
