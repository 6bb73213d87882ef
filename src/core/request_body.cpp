#include "core/request_body.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/stack_document.h"

namespace llmgw {

RequestFacts inspect_request_body(std::string_view body) {
    RequestFacts f;
    StackDocument d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError()) {
        f.error = std::string("invalid JSON body: ") + rapidjson::GetParseError_En(d.GetParseError()) +
                  " at offset " + std::to_string(d.GetErrorOffset());
        return f;
    }
    if (!d.IsObject()) {
        f.error = "the request body must be a JSON object";
        return f;
    }
    f.ok = true;
    auto m = d.FindMember("model");
    if (m != d.MemberEnd() && m->value.IsString()) {
        f.model.assign(m->value.GetString(), m->value.GetStringLength());
        f.has_model = true;
    }
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
    if (!facts.has_stream_options) return insert_member(body, "stream_options", R"({"include_usage":true})");
    // Rare: the client sent stream_options without include_usage; rewrite that one object.
    StackDocument d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject()) return std::string(body);
    auto& so = d["stream_options"];
    if (so.HasMember("include_usage")) so["include_usage"].SetBool(true);
    else so.AddMember("include_usage", true, d.GetAllocator());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    return {sb.GetString(), sb.GetSize()};
}

std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace llmgw
