#include "core/backend/backend_capabilities.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_parse.h"

namespace llmgw {

namespace {

bool ok(const ProbeReply& r) { return r.status >= 200 && r.status < 300; }

// A 4xx about the request itself, not about who sent it or how often.
bool refused(const ProbeReply& r) {
    return r.status >= 400 && r.status < 500 && r.status != 401 && r.status != 403 && r.status != 408 && r.status != 429;
}

// The feature request was refused and the same request without the feature was not.
bool refused_for_feature(const ProbeReply& r, const ProbeReply& baseline) {
    return refused(r) && ok(baseline) && check_chat(baseline).status == CheckStatus::Pass;
}

ProbeChatOptions one_token() {
    ProbeChatOptions o;
    o.max_tokens = 1;
    return o;
}

bool override_with(bool table, Learned l) { return l == Learned::Unknown ? table : l == Learned::Yes; }

}  // namespace

std::string_view learned_name(Learned l) {
    switch (l) {
        case Learned::Yes: return "yes";
        case Learned::No: return "no";
        case Learned::Unknown: break;
    }
    return "unknown";
}

TokenizeStyle tokenize_style_to_try(const BackendProfile& table) {
    return table.tokenize == TokenizeStyle::None ? TokenizeStyle::ChatTokenize : table.tokenize;
}

BackendProfile effective_profile(const BackendProfile& table, const LearnedCapabilities& learned) {
    BackendProfile p = table;
    p.stream_usage = override_with(table.stream_usage, learned.stream_usage);
    p.top_k = override_with(table.top_k, learned.top_k);
    if (learned.tokenizer == Learned::Yes) p.tokenize = tokenize_style_to_try(table);
    if (learned.tokenizer == Learned::No) p.tokenize = TokenizeStyle::None;
    return p;
}

std::string baseline_chat_body(std::string_view model) { return probe_chat_body(model, one_token()); }

std::string stream_usage_chat_body(std::string_view model) {
    ProbeChatOptions o = one_token();
    o.stream = true;
    o.include_usage = true;
    return probe_chat_body(model, o);
}

std::string top_k_chat_body(std::string_view model) {
    ProbeChatOptions o = one_token();
    o.top_k = 1;
    return probe_chat_body(model, o);
}

Learned learn_stream_usage(const ProbeReply& with_usage, const ProbeReply& baseline) {
    if (check_stream_usage(with_usage).status == CheckStatus::Pass) return Learned::Yes;
    // A 2xx stream without usage (accepted but ignored, or zero tokens) says nothing for sure.
    return refused_for_feature(with_usage, baseline) ? Learned::No : Learned::Unknown;
}

Learned learn_top_k(const ProbeReply& with_top_k, const ProbeReply& baseline) {
    if (check_chat(with_top_k).status == CheckStatus::Pass) return Learned::Yes;
    return refused_for_feature(with_top_k, baseline) ? Learned::No : Learned::Unknown;
}

Learned learn_tokenizer(const ProbeReply& tokenize) {
    if (check_tokenize(tokenize).status == CheckStatus::Pass) return Learned::Yes;
    if (ok(tokenize) || refused(tokenize)) return Learned::No;
    return Learned::Unknown;
}

std::string probe_responses_body(std::string_view model) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("model");
    w.String(model.data(), static_cast<rapidjson::SizeType>(model.size()));
    w.Key("input");
    w.String("Say hello.");
    w.Key("max_output_tokens");
    w.Int(16);
    w.Key("store");
    w.Bool(false);
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

bool answers_responses(const ProbeReply& r) {
    if (!ok(r)) return false;
    rapidjson::Document d;
    if (json::parse(r.body, d) || !d.IsObject()) return false;
    auto object = d.FindMember("object");
    auto output = d.FindMember("output");
    return object != d.MemberEnd() && object->value.IsString() && std::string_view(object->value.GetString()) == "response" &&
           output != d.MemberEnd() && output->value.IsArray();
}

}  // namespace llmgw
