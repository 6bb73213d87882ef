#include "core/backend/backend_facts.h"

#include <rapidjson/document.h>

#include "core/json/json_parse.h"

#include <algorithm>

namespace llmgw {

namespace {

int64_t int_member(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject()) return 0;
    auto it = v.FindMember(key);
    if (it == v.MemberEnd() || !it->value.IsNumber()) return 0;
    double d = it->value.GetDouble();
    return d > 0 && d < 1e12 ? static_cast<int64_t>(d) : 0;
}

int64_t model_context(const rapidjson::Value& m) {
    if (int64_t n = int_member(m, "max_model_len")) return n;
    if (int64_t n = int_member(m, "max_context_length")) return n;
    if (int64_t n = int_member(m, "context_length")) return n;
    auto meta = m.FindMember("meta");
    if (meta != m.MemberEnd()) return int_member(meta->value, "n_ctx");
    return 0;
}

}  // namespace

int64_t context_length_from_models(std::string_view body, std::string_view model) {
    rapidjson::Document d;
    if (json::parse(body, d) || !d.IsObject()) return 0;
    auto data = d.FindMember("data");
    if (data == d.MemberEnd() || !data->value.IsArray() || data->value.Empty()) return 0;
    const auto& list = data->value;
    for (const auto& m : list.GetArray()) {
        if (!m.IsObject()) continue;
        auto id = m.FindMember("id");
        if (!model.empty() && id != m.MemberEnd() && id->value.IsString() &&
            std::string_view(id->value.GetString(), id->value.GetStringLength()) == model)
            return model_context(m);
    }
    return list[0].IsObject() ? model_context(list[0]) : 0;
}

int64_t context_length_from_props(std::string_view body) {
    rapidjson::Document d;
    if (json::parse(body, d) || !d.IsObject()) return 0;
    auto gs = d.FindMember("default_generation_settings");
    if (gs != d.MemberEnd())
        if (int64_t n = int_member(gs->value, "n_ctx")) return n;
    return int_member(d, "n_ctx");
}

int64_t max_tokens_cap(int64_t configured_cap, int64_t context_length, int64_t prompt_estimate) {
    if (configured_cap > 0) return configured_cap;
    if (context_length <= 0) return 0;
    return std::max<int64_t>(1, context_length - std::max<int64_t>(0, prompt_estimate));
}

}  // namespace llmgw
