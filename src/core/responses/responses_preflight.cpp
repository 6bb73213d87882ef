#include "core/responses/responses_preflight.h"

#include "core/base/text_util.h"
#include "core/json/json_parse.h"
#include "core/responses/responses_request.h"

namespace llmgw {

namespace {

const rapidjson::Value* member(const rapidjson::Value& o, const char* name) {
    auto it = o.FindMember(name);
    return it == o.MemberEnd() ? nullptr : &it->value;
}

bool asks_encrypted_reasoning(const rapidjson::Value& d) {
    if (const auto* inc = member(d, "include"); inc && inc->IsArray())
        for (const auto& v : inc->GetArray())
            if (v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == kIncludeEncryptedReasoning)
                return true;
    if (const auto* input = member(d, "input"); input && input->IsArray())
        for (const auto& item : input->GetArray())
            if (item.IsObject() && member(item, "encrypted_content")) return true;
    return false;
}

// The body of a JSON array without its brackets (trimmed); "" for an empty array.
std::string_view array_body(std::string_view a) {
    a = trim(a, kWhitespace);
    if (a.size() < 2 || a.front() != '[' || a.back() != ']') return {};
    return trim(a.substr(1, a.size() - 2), kWhitespace);
}

}  // namespace

ResponsesPreflight preflight_responses_request(std::string_view body) {
    ResponsesPreflight p;
    rapidjson::Document d;
    if (json::parse(body, d) || !d.IsObject()) return p;
    p.conversation = read_conversation(d);
    p.ok = true;
    if (const auto* m = member(d, "model"); m && m->IsString()) p.model = m->GetString();
    if (const auto* s = member(d, "stream"); s && s->IsBool()) p.stream = s->GetBool();
    if (const auto* prev = member(d, "previous_response_id"); prev && prev->IsString())
        p.previous_response_id.assign(prev->GetString(), prev->GetStringLength());
    const auto* store = member(d, "store");
    bool stored = !(store && store->IsBool() && !store->GetBool());  // the API's default is true
    p.stateless = !stored && !member(d, "previous_response_id") && !asks_encrypted_reasoning(d);
    return p;
}

std::string conversation_items(const StoredResponse& r) {
    std::string_view in = array_body(r.input_items), out = array_body(r.output_items);
    std::string joined = "[";
    joined.append(in);
    if (!in.empty() && !out.empty()) joined += ',';
    joined.append(out);
    joined += ']';
    return joined;
}

}  // namespace llmgw
