#include "core/anthropic/anthropic_models.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <ctime>

#include "core/base/query_string.h"

namespace llmgw {

namespace {

std::string rfc3339(int64_t unix_s) {
    std::time_t t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf, n);
}

void write_model(rapidjson::Writer<rapidjson::StringBuffer>& w, const ListedModel& m) {
    auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    w.StartObject();
    w.Key("type"); w.String("model");
    w.Key("id"); str(m.id);
    // Runtimes list no display name; the id is the name a person would recognise.
    w.Key("display_name"); str(m.id);
    w.Key("created_at"); str(rfc3339(m.created));
    w.EndObject();
}

}  // namespace

std::optional<AnthropicModelsQuery> parse_anthropic_models_query(std::string_view query, ApiError* err) {
    std::string bad;
    auto params = parse_query(query, &bad);
    if (!params) {
        *err = ApiError::bad_request("query parameter " + bad + " is not valid percent-encoding", bad);
        return std::nullopt;
    }
    AnthropicModelsQuery q;
    for (auto& [name, value] : *params) {
        if (name == "limit") {
            auto n = integer_in_range(value, 1, kAnthropicModelsMaxLimit);
            if (!n) {
                *err = ApiError::bad_request("limit must be an integer from 1 to " + std::to_string(kAnthropicModelsMaxLimit),
                                             "limit");
                return std::nullopt;
            }
            q.limit = static_cast<int>(*n);
        } else if (name == "after_id") {
            q.after_id = std::move(value);
        } else if (name == "before_id") {
            q.before_id = std::move(value);
        }
    }
    return q;
}

std::string render_anthropic_model(const ListedModel& m) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    write_model(w, m);
    return std::string(sb.GetString(), sb.GetSize());
}

std::string render_anthropic_models_page(const std::vector<ListedModel>& models, const AnthropicModelsQuery& q,
                                         ApiError* err) {
    auto index_of = [&models](const std::string& id) -> std::optional<size_t> {
        for (size_t i = 0; i < models.size(); ++i)
            if (models[i].id == id) return i;
        return std::nullopt;
    };
    const size_t limit = static_cast<size_t>(q.limit);
    size_t begin = 0, end = models.size();
    bool has_more = false;
    if (!q.before_id.empty()) {  // the page just before before_id
        auto i = index_of(q.before_id);
        if (!i) {
            *err = ApiError::bad_request("before_id '" + q.before_id.substr(0, 200) + "' is not a listed model", "before_id");
            return {};
        }
        end = *i;
        begin = end > limit ? end - limit : 0;
        has_more = begin > 0;
    } else {
        if (!q.after_id.empty()) {
            auto i = index_of(q.after_id);
            if (!i) {
                *err = ApiError::bad_request("after_id '" + q.after_id.substr(0, 200) + "' is not a listed model", "after_id");
                return {};
            }
            begin = *i + 1;
        }
        end = std::min(models.size(), begin + limit);
        has_more = end < models.size();
    }
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto id_or_null = [&](size_t i, bool any) {
        if (!any) w.Null();
        else w.String(models[i].id.data(), static_cast<rapidjson::SizeType>(models[i].id.size()));
    };
    w.StartObject();
    w.Key("data");
    w.StartArray();
    for (size_t i = begin; i < end; ++i) write_model(w, models[i]);
    w.EndArray();
    w.Key("has_more"); w.Bool(has_more);
    w.Key("first_id"); id_or_null(begin, begin < end);
    w.Key("last_id"); id_or_null(end - (end > 0 ? 1 : 0), begin < end);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace llmgw
