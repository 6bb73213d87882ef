#include "core/routing/model_list.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unordered_set>

namespace llmgw {

std::string render_model_list(const std::vector<PoolModel>& models) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    std::unordered_set<std::string> seen;
    w.StartObject();
    w.Key("object"); w.String("list");
    w.Key("data"); w.StartArray();
    for (const auto& m : models) {
        if (!seen.insert(m.id).second) continue;
        w.StartObject();
        w.Key("id"); w.String(m.id);
        w.Key("object"); w.String("model");
        w.Key("created"); w.Int(0);
        w.Key("owned_by"); w.String(m.owned_by);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace llmgw
