#include "core/responses/input_items_page.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <vector>

#include "core/base/query_string.h"
#include "core/json/json_parse.h"

namespace llmgw {

namespace {

// The id of an item, or "" when it has none.
std::string_view item_id(const rapidjson::Value& v) {
    if (!v.IsObject()) return {};
    auto it = v.FindMember("id");
    if (it == v.MemberEnd() || !it->value.IsString()) return {};
    return {it->value.GetString(), it->value.GetStringLength()};
}

}  // namespace

std::optional<ItemsPageQuery> parse_items_page_query(std::string_view query, ApiError* err) {
    std::string bad;
    auto params = parse_query(query, &bad);
    if (!params) {
        *err = ApiError::bad_request("query parameter " + bad + " is not valid percent-encoding", bad);
        return std::nullopt;
    }
    ItemsPageQuery q;
    for (auto& [name, value] : *params) {
        if (name == "limit") {
            auto n = integer_in_range(value, 1, kMaxItemsPageLimit);
            if (!n) {
                *err = ApiError::bad_request("limit must be an integer from 1 to " + std::to_string(kMaxItemsPageLimit),
                                             "limit");
                return std::nullopt;
            }
            q.limit = static_cast<int>(*n);
        } else if (name == "order") {
            if (value != "asc" && value != "desc") {
                *err = ApiError::bad_request("order must be 'asc' or 'desc'", "order");
                return std::nullopt;
            }
            q.ascending = value == "asc";
        } else if (name == "after") {
            q.after = std::move(value);
        }
    }
    return q;
}

std::string render_items_page(std::string_view items_json, const ItemsPageQuery& q, ApiError* err) {
    rapidjson::Document items;
    if (json::parse(items_json, items) || !items.IsArray()) items.SetArray();  // the store wrote it: never happens
    std::vector<const rapidjson::Value*> ordered;
    for (const auto& v : items.GetArray()) ordered.push_back(&v);
    if (!q.ascending) std::reverse(ordered.begin(), ordered.end());
    size_t start = 0;
    if (!q.after.empty()) {
        auto it = std::find_if(ordered.begin(), ordered.end(), [&](const rapidjson::Value* v) { return item_id(*v) == q.after; });
        if (it == ordered.end()) {
            *err = ApiError::bad_request("no input item with id '" + q.after.substr(0, 200) + "' in this response",
                                         "after");
            return {};
        }
        start = static_cast<size_t>(it - ordered.begin()) + 1;
    }
    const size_t end = std::min(ordered.size(), start + static_cast<size_t>(q.limit));
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("object");
    w.String("list");
    w.Key("data");
    w.StartArray();
    for (size_t i = start; i < end; ++i) ordered[i]->Accept(w);
    w.EndArray();
    auto id_or_null = [&w](const rapidjson::Value* v) {
        std::string_view id = v ? item_id(*v) : std::string_view{};
        if (id.empty()) w.Null();
        else w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
    };
    w.Key("first_id");
    id_or_null(start < end ? ordered[start] : nullptr);
    w.Key("last_id");
    id_or_null(start < end ? ordered[end - 1] : nullptr);
    w.Key("has_more");
    w.Bool(end < ordered.size());
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace llmgw
