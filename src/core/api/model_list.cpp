#include "core/api/model_list.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_parse.h"

namespace llmgw {

std::optional<std::vector<ListedModel>> parse_model_list(std::string_view body) {
    rapidjson::Document d;
    if (json::parse(body, d) || !d.IsObject()) return std::nullopt;
    auto data = d.FindMember("data");
    if (data == d.MemberEnd() || !data->value.IsArray()) return std::nullopt;
    std::vector<ListedModel> models;
    for (const auto& m : data->value.GetArray()) {
        if (models.size() >= kMaxListedModels) break;
        if (!m.IsObject()) continue;
        auto id = m.FindMember("id");
        if (id == m.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0) continue;
        ListedModel lm;
        lm.id.assign(id->value.GetString(), id->value.GetStringLength());
        if (auto c = m.FindMember("created"); c != m.MemberEnd() && c->value.IsInt64() && c->value.GetInt64() > 0)
            lm.created = c->value.GetInt64();
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        m.Accept(w);
        lm.object_json.assign(sb.GetString(), sb.GetSize());
        models.push_back(std::move(lm));
    }
    return models;
}

std::optional<std::vector<std::string>> listed_model_ids(std::string_view body) {
    auto listed = parse_model_list(body);
    if (!listed) return std::nullopt;
    std::vector<std::string> ids;
    ids.reserve(listed->size());
    for (auto& m : *listed) ids.push_back(std::move(m.id));
    return ids;
}

const ListedModel* find_listed_model(const std::vector<ListedModel>& models, std::string_view id) {
    for (const auto& m : models)
        if (m.id == id) return &m;
    return nullptr;
}

}  // namespace llmgw
