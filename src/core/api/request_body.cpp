#include "core/api/request_body.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_value.h"
#include "core/json/json_parse.h"
#include "core/json/json_span.h"
#include "core/json/stack_document.h"

namespace llmgw {

RequestFacts inspect_request_body(std::string_view body, TokenRead read_tokens) {
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
    f.conversation = read_conversation(d);
    if (read_tokens != TokenRead::None) f.tokens = read_token_facts(d, read_tokens);
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

namespace {

// `text` with every span replaced by what `replace` makes of its bytes; spans in order, disjoint.
template <typename Replace>
std::string splice_all(std::string_view text, const std::vector<ByteSpan>& spans, Replace replace) {
    std::string out;
    size_t at = 0;
    for (const ByteSpan& span : spans) {
        out.append(text.substr(at, span.begin - at)).append(replace(text.substr(span.begin, span.end - span.begin)));
        at = span.end;
    }
    return out.append(text.substr(at));
}

// One stream_options value with usage on: an object gets include_usage set (every occurrence) or
// added; anything else (null, a string) is replaced.
std::string usage_on(std::string_view options) {
    if (options.empty() || options.front() != '{') return R"({"include_usage":true})";
    auto flags = member_value_spans(options, "include_usage");
    if (flags.empty()) return insert_member(options, "include_usage", "true");
    return splice_all(options, flags, [](std::string_view) { return std::string_view("true"); });
}

}  // namespace

std::string with_include_usage(std::string_view body, const RequestFacts& facts) {
    if (facts.include_usage) return std::string(body);
    // Every occurrence is edited, so a body that repeats the key reads the same to first-key-wins
    // and last-key-wins parsers; none is ever added beside an existing one.
    auto options = member_value_spans(body, "stream_options");
    if (options.empty()) return insert_member(body, "stream_options", R"({"include_usage":true})");
    return splice_all(body, options, usage_on);
}

std::string json_quote(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    return {sb.GetString(), sb.GetSize()};
}

}  // namespace llmgw
