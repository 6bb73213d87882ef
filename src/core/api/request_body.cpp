#include "core/api/request_body.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_value.h"
#include "core/json/json_parse.h"
#include "core/json/json_span.h"
#include "core/json/stack_document.h"

namespace llmgw {

RequestFacts inspect_request_body(std::string_view body) {
    RequestFacts f;
    StackDocument d;
    if (auto e = json::parse(body, d)) {
        f.error = "request body: " + json::describe(*e);
        return f;
    }
    if (!d.IsObject()) {
        f.error = "the request body must be a JSON object";
        return f;
    }
    auto m = d.FindMember("model");
    if (m != d.MemberEnd()) {
        // A default model is inserted only when the member is absent; any other type is the
        // client's mistake, refused rather than shadowed.
        if (!m->value.IsString()) {
            f.error = "model: expected a string, got " + std::string(json::type_name(m->value));
            f.error_param = "model";
            return f;
        }
        f.model.assign(m->value.GetString(), m->value.GetStringLength());
        f.has_model = true;
    }
    f.ok = true;
    auto s = d.FindMember("stream");
    f.stream = s != d.MemberEnd() && s->value.IsBool() && s->value.GetBool();
    auto so = d.FindMember("stream_options");
    if (so != d.MemberEnd() && so->value.IsObject()) {
        f.has_stream_options = true;
        auto iu = so->value.FindMember("include_usage");
        f.include_usage = iu != so->value.MemberEnd() && iu->value.IsBool() && iu->value.GetBool();
    }
    return f;
}

std::string insert_member(std::string_view body, std::string_view key, std::string_view raw_value) {
    size_t brace = body.find('{');
    if (brace == std::string_view::npos) return std::string(body);
    size_t next = body.find_first_not_of(" \t\r\n", brace + 1);
    bool empty = next != std::string_view::npos && body[next] == '}';
    std::string out;
    out.reserve(body.size() + key.size() + raw_value.size() + 8);
    out.append(body.substr(0, brace + 1));
    out.append(json_quote(key)).push_back(':');
    out.append(raw_value);
    if (!empty) out.push_back(',');
    out.append(body.substr(brace + 1));
    return out;
}

std::string with_include_usage(std::string_view body, const RequestFacts& facts) {
    if (facts.include_usage) return std::string(body);
    constexpr std::string_view kUsageOn = R"({"include_usage":true})";
    auto so = member_value_span(body, "stream_options");
    if (!so) return insert_member(body, "stream_options", kUsageOn);
    std::string_view value = body.substr(so->begin, so->end - so->begin);
    if (value.empty() || value.front() != '{') return splice(body, *so, kUsageOn);  // null (valid) or another type
    auto iu = member_value_span(value, "include_usage");
    return splice(body, *so, iu ? splice(value, *iu, "true") : insert_member(value, "include_usage", "true"));
}

std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace llmgw
