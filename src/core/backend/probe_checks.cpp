#include "core/backend/probe_checks.h"

#include "core/backend/backend_facts.h"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/api/model_list.h"
#include "core/json/json_value.h"
#include "core/json/json_parse.h"
#include "core/base/sse.h"
#include "core/base/text_util.h"

namespace llmgw {

namespace {
using Value = rapidjson::Value;

std::string str_member(const Value* v, const char* name) {
    if (!v) return {};
    const Value* m = json::get(*v, name);
    return m && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : std::string();
}

bool contains_ci(std::string_view hay, std::string_view needle) {
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return std::tolower((unsigned char)a) == std::tolower((unsigned char)b); });
    return it != hay.end();
}

std::string clip(std::string_view s, size_t n = 80) {
    std::string out;
    for (char c : s.substr(0, n)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    if (s.size() > n) out += "...";
    return out;
}

CheckResult result(std::string_view name, CheckStatus st, const ProbeReply& r, std::string detail) {
    return CheckResult{std::string(name), st, r.latency_ms, std::move(detail), false};
}

// A failure line for an answer that was not a 2xx.
CheckResult http_failure(std::string_view name, const ProbeReply& r) {
    if (r.status == 0) return result(name, CheckStatus::Fail, r, "no answer: " + (r.error.empty() ? "unknown error" : r.error));
    std::string msg;
    rapidjson::Document d;
    if (!json::parse(r.body, d) && d.IsObject()) {
        const Value* e = json::get(d, "error");
        if (e && e->IsObject()) msg = str_member(e, "message");
        else if (e && e->IsString()) msg = e->GetString();
        if (msg.empty()) msg = str_member(&d, "message");
        if (msg.empty()) msg = str_member(&d, "detail");
    }
    if (msg.empty()) msg = clip(r.body, 60);
    return result(name, CheckStatus::Fail, r, "HTTP " + std::to_string(r.status) + (msg.empty() ? "" : ": " + clip(msg)));
}

bool ok(const ProbeReply& r) { return r.status >= 200 && r.status < 300; }

bool parse_object(const ProbeReply& r, rapidjson::Document& d) {
    return !json::parse(r.body, d) && d.IsObject();
}

std::vector<SseEvent> sse_events(std::string_view body) {
    std::vector<SseEvent> events;
    SseParser p([&](const SseEvent& e) { events.push_back(e); });
    p.feed(body);
    p.finish();
    return events;
}

std::string fmt_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.1f ms" : "%.0f ms", ms);
    return buf;
}
}  // namespace

std::string ProbeReply::header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
        if (k == lower_name) return v;
    return {};
}

std::string_view check_status_name(CheckStatus s) {
    switch (s) {
        case CheckStatus::Pass: return "pass";
        case CheckStatus::Fail: return "fail";
        case CheckStatus::Skip: return "skip";
    }
    return "skip";
}

const std::vector<std::string_view>& probe_check_names() {
    static const std::vector<std::string_view> names{"reachable", "models", "chat", "stream", "usage",
                                                     "tools", "embeddings", "tokenize", "reasoning", "messages"};
    return names;
}

std::optional<std::vector<std::string>> parse_check_list(std::string_view s, std::string* bad) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string_view item = s.substr(start, comma == std::string_view::npos ? comma : comma - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) {
            const auto& names = probe_check_names();
            if (std::find(names.begin(), names.end(), item) == names.end()) {
                if (bad) *bad = std::string(item);
                return std::nullopt;
            }
            if (std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<std::string> default_required_checks() { return {"reachable", "models", "chat"}; }

// ---- request bodies ----

namespace {
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
void model_field(Writer& w, std::string_view model) {
    w.Key("model");
    w.String(model.data(), rapidjson::SizeType(model.size()));
}
void user_message(Writer& w, const char* text) {
    w.Key("messages");
    w.StartArray();
    w.StartObject();
    w.Key("role"); w.String("user");
    w.Key("content"); w.String(text);
    w.EndObject();
    w.EndArray();
}
std::string done(rapidjson::StringBuffer& sb) { return std::string(sb.GetString(), sb.GetSize()); }
}  // namespace

std::string probe_chat_body(std::string_view model, const ProbeChatOptions& o) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    model_field(w, model);
    user_message(w, "Say hello.");
    w.Key("max_tokens"); w.Int(o.max_tokens > 0 ? o.max_tokens : o.enable_thinking ? 32 : 8);
    w.Key("stream"); w.Bool(o.stream);
    if (o.stream && o.include_usage) {
        w.Key("stream_options"); w.StartObject();
        w.Key("include_usage"); w.Bool(true);
        w.EndObject();
    }
    if (o.top_k) {
        w.Key("top_k"); w.Int(*o.top_k);
    }
    if (o.enable_thinking) {
        w.Key("chat_template_kwargs"); w.StartObject();
        w.Key("enable_thinking"); w.Bool(true);
        w.EndObject();
    }
    w.EndObject();
    return done(sb);
}

std::string probe_chat_body(std::string_view model, bool stream, bool include_usage, bool enable_thinking) {
    ProbeChatOptions o;
    o.stream = stream;
    o.include_usage = include_usage;
    o.enable_thinking = enable_thinking;
    return probe_chat_body(model, o);
}

std::string probe_tools_body(std::string_view model) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    model_field(w, model);
    user_message(w, "What is the weather in Paris?");
    w.Key("max_tokens"); w.Int(128);
    w.Key("stream"); w.Bool(false);
    w.Key("tools"); w.StartArray();
    w.StartObject();
    w.Key("type"); w.String("function");
    w.Key("function"); w.StartObject();
    w.Key("name"); w.String(kProbeToolName.data(), rapidjson::SizeType(kProbeToolName.size()));
    w.Key("description"); w.String("Current weather for a city");
    w.Key("parameters"); w.StartObject();
    w.Key("type"); w.String("object");
    w.Key("properties"); w.StartObject();
    w.Key("city"); w.StartObject(); w.Key("type"); w.String("string"); w.EndObject();
    w.EndObject();
    w.Key("required"); w.StartArray(); w.String("city"); w.EndArray();
    w.EndObject();
    w.EndObject();
    w.EndObject();
    w.EndArray();
    // Forcing one named function is the most widely supported way to demand a call.
    w.Key("tool_choice"); w.StartObject();
    w.Key("type"); w.String("function");
    w.Key("function"); w.StartObject();
    w.Key("name"); w.String(kProbeToolName.data(), rapidjson::SizeType(kProbeToolName.size()));
    w.EndObject();
    w.EndObject();
    w.EndObject();
    return done(sb);
}

std::string probe_embeddings_body(std::string_view model) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    model_field(w, model);
    w.Key("input"); w.String("hello");
    w.EndObject();
    return done(sb);
}

std::string probe_messages_body(std::string_view model) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    model_field(w, model);
    w.Key("max_tokens"); w.Int(8);
    user_message(w, "Say hello.");
    w.EndObject();
    return done(sb);
}

std::string probe_tokenize_body(TokenizeStyle style, std::string_view model) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    switch (style) {
        case TokenizeStyle::ChatTokenize:
            model_field(w, model);
            w.Key("prompt"); w.String("Hello world");
            break;
        case TokenizeStyle::ApplyTemplateTokenize:
            w.Key("content"); w.String("Hello world");
            break;
        case TokenizeStyle::TextTokenize:
            w.Key("inputs"); w.String("Hello world");
            break;
        case TokenizeStyle::None:  // unknown runtime: the spellings runtimes accept, together
            model_field(w, model);
            w.Key("prompt"); w.String("Hello world");
            w.Key("content"); w.String("Hello world");
            break;
    }
    w.EndObject();
    return done(sb);
}

// ---- judging answers ----

CheckResult skipped(std::string_view name, std::string detail) {
    return CheckResult{std::string(name), CheckStatus::Skip, 0, std::move(detail), false};
}

CheckResult check_reachable(const ProbeReply& r, std::string_view path) {
    constexpr std::string_view n = "reachable";
    if (r.status == 0) return result(n, CheckStatus::Fail, r, "GET " + std::string(path) + ": " + r.error);
    if (ok(r)) return result(n, CheckStatus::Pass, r, "GET " + std::string(path) + " " + std::to_string(r.status));
    auto f = http_failure(n, r);
    if (r.status == 503) f.detail = "not ready (still loading?): " + f.detail;
    f.detail = "GET " + std::string(path) + " " + f.detail;
    return f;
}

CheckResult check_models(const ProbeReply& r, std::string_view model_name, std::string* first_model) {
    constexpr std::string_view n = "models";
    if (!ok(r)) return http_failure(n, r);
    auto listed_ids = listed_model_ids(r.body);
    if (!listed_ids) return result(n, CheckStatus::Fail, r, "no \"data\" list in the answer");
    const std::vector<std::string>& ids = *listed_ids;
    if (first_model && !ids.empty()) *first_model = ids.front();
    std::string listed;
    for (size_t i = 0; i < ids.size() && i < 5; ++i) listed += (i ? ", " : "") + ids[i];
    if (ids.size() > 5) listed += ", ...";
    if (ids.empty()) return result(n, CheckStatus::Fail, r, "no models listed");
    if (model_name.empty())
        return result(n, CheckStatus::Pass, r, std::to_string(ids.size()) + " listed: " + listed);
    if (std::find(ids.begin(), ids.end(), model_name) == ids.end())
        return result(n, CheckStatus::Fail, r, "MODEL_NAME '" + std::string(model_name) + "' not among: " + listed);
    return result(n, CheckStatus::Pass, r, "'" + std::string(model_name) + "' listed (" + std::to_string(ids.size()) + " models)");
}

CheckResult check_chat(const ProbeReply& r) {
    constexpr std::string_view n = "chat";
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    if (!parse_object(r, d)) return result(n, CheckStatus::Fail, r, "answer is not JSON: " + clip(r.body, 40));
    const Value* choices = json::get(d, "choices");
    if (!choices || !choices->IsArray() || choices->Empty() || !json::get((*choices)[0], "message"))
        return result(n, CheckStatus::Fail, r, "no choices[0].message in the answer");
    const Value& c = (*choices)[0];
    std::string content = str_member(json::get(c, "message"), "content");
    std::string finish = str_member(&c, "finish_reason");
    std::string detail = "finish " + (finish.empty() ? std::string("null") : finish);
    if (const Value* u = json::get(d, "usage"); u && json::get(*u, "completion_tokens") && (*u)["completion_tokens"].IsUint())
        detail += ", " + std::to_string((*u)["completion_tokens"].GetUint()) + " tokens";
    if (!content.empty()) detail += ": \"" + clip(content, 30) + "\"";
    return result(n, CheckStatus::Pass, r, detail);
}

CheckResult check_stream(const ProbeReply& r) {
    constexpr std::string_view n = "stream";
    if (!ok(r)) return http_failure(n, r);
    std::string ct = r.header("content-type");
    if (!contains_ci(ct, "text/event-stream"))
        return result(n, CheckStatus::Fail, r, "Content-Type is '" + ct + "', not text/event-stream");
    auto events = sse_events(r.body);
    bool done = !events.empty() && events.back().data == "[DONE]";
    if (events.size() < 2)
        return result(n, CheckStatus::Fail, r, std::to_string(events.size()) + " event(s): not incremental");
    return result(n, CheckStatus::Pass, r, std::to_string(events.size()) + " events" + (done ? ", ends with [DONE]" : ", no [DONE]"));
}

CheckResult check_stream_usage(const ProbeReply& r) {
    constexpr std::string_view n = "usage";
    if (!ok(r)) {
        auto f = http_failure(n, r);
        if (r.status == 400 || r.status == 422) f.detail = "stream_options rejected: " + f.detail;
        return f;
    }
    for (const auto& e : sse_events(r.body)) {
        rapidjson::Document d;
        if (json::parse(e.data, d) || !d.IsObject()) continue;
        const Value* u = json::get(d, "usage");
        if (!u || !u->IsObject()) continue;
        const Value* ct = json::get(*u, "completion_tokens");
        const Value* pt = json::get(*u, "prompt_tokens");
        if (ct && ct->IsUint() && ct->GetUint() > 0)
            return result(n, CheckStatus::Pass, r,
                          "prompt " + std::to_string(pt && pt->IsUint() ? pt->GetUint() : 0) + ", completion " +
                              std::to_string(ct->GetUint()) + " tokens");
    }
    return result(n, CheckStatus::Fail, r, "no usage chunk with stream_options.include_usage");
}

CheckResult check_tools(const ProbeReply& r) {
    constexpr std::string_view n = "tools";
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    if (!parse_object(r, d)) return result(n, CheckStatus::Fail, r, "answer is not JSON");
    const Value* choices = json::get(d, "choices");
    if (!choices || !choices->IsArray() || choices->Empty()) return result(n, CheckStatus::Fail, r, "no choices");
    const Value* msg = json::get((*choices)[0], "message");
    const Value* calls = msg ? json::get(*msg, "tool_calls") : nullptr;
    // TGI has sent a single object instead of an array.
    const Value* first = calls && calls->IsArray() && !calls->Empty() ? &(*calls)[0] : calls && calls->IsObject() ? calls : nullptr;
    if (!first) {
        std::string content = msg ? str_member(msg, "content") : "";
        return result(n, CheckStatus::Fail, r,
                      "no tool_calls in the answer" + (content.empty() ? std::string() : " (text: \"" + clip(content, 30) + "\")"));
    }
    const Value* fn = json::get(*first, "function");
    std::string name = str_member(fn, "name");
    if (name != kProbeToolName)
        return result(n, CheckStatus::Fail, r, "tool call names '" + name + "', expected " + std::string(kProbeToolName));
    const Value* args = fn ? json::get(*fn, "arguments") : nullptr;
    std::string note;
    if (args && args->IsObject()) note = " (arguments as an object, not a string)";
    std::string finish = str_member(&(*choices)[0], "finish_reason");
    return result(n, CheckStatus::Pass, r, "called " + name + ", finish " + (finish.empty() ? "null" : finish) + note);
}

CheckResult check_embeddings(const ProbeReply& r) {
    constexpr std::string_view n = "embeddings";
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    const Value* data = parse_object(r, d) ? json::get(d, "data") : nullptr;
    if (!data || !data->IsArray() || data->Empty()) return result(n, CheckStatus::Fail, r, "no data[] in the answer");
    const Value* emb = json::get((*data)[0], "embedding");
    if (emb && emb->IsArray() && !emb->Empty()) {
        for (const auto& x : emb->GetArray())
            if (!x.IsNumber()) return result(n, CheckStatus::Fail, r, "embedding holds non-numbers");
        return result(n, CheckStatus::Pass, r, "dimension " + std::to_string(emb->Size()));
    }
    if (emb && emb->IsString() && emb->GetStringLength() > 0) return result(n, CheckStatus::Pass, r, "base64 embedding");
    return result(n, CheckStatus::Fail, r, "data[0].embedding missing or empty");
}

CheckResult check_tokenize(const ProbeReply& r) {
    constexpr std::string_view n = "tokenize";
    if (r.status == 404) return result(n, CheckStatus::Fail, r, "no tokenizer endpoint (404)");
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    if (auto e = json::parse(r.body, d)) return result(n, CheckStatus::Fail, r, "answer: " + json::describe(*e));
    size_t count = 0;
    if (d.IsArray()) count = d.Size();  // TGI: [{"id","text",...}]
    else if (const Value* t = json::get(d, "tokens"); t && t->IsArray()) count = t->Size();
    else if (const Value* c = json::get(d, "count"); c && c->IsUint()) count = c->GetUint();
    if (count == 0) return result(n, CheckStatus::Fail, r, "no tokens in the answer");
    return result(n, CheckStatus::Pass, r, "\"Hello world\" = " + std::to_string(count) + " tokens");
}

CheckResult check_reasoning(const ProbeReply& r) {
    constexpr std::string_view n = "reasoning";
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    if (!parse_object(r, d)) return result(n, CheckStatus::Fail, r, "answer is not JSON");
    const Value* choices = json::get(d, "choices");
    const Value* msg = choices && choices->IsArray() && !choices->Empty() ? json::get((*choices)[0], "message") : nullptr;
    if (!msg) return result(n, CheckStatus::Fail, r, "no choices[0].message");
    for (const char* k : {"reasoning_content", "reasoning"}) {
        std::string v = str_member(msg, k);
        if (!v.empty()) return result(n, CheckStatus::Pass, r, std::string(k) + ": \"" + clip(v, 30) + "\"");
    }
    if (str_member(msg, "content").find("<think>") != std::string::npos)
        return result(n, CheckStatus::Pass, r, "inline <think> in content (no reasoning parser)");
    return result(n, CheckStatus::Fail, r, "no reasoning_content/reasoning (model or server does not reason)");
}

CheckResult check_messages(const ProbeReply& r) {
    constexpr std::string_view n = "messages";
    if (r.status == 404) return result(n, CheckStatus::Fail, r, "no native /v1/messages (404)");
    if (!ok(r)) return http_failure(n, r);
    rapidjson::Document d;
    if (!parse_object(r, d)) return result(n, CheckStatus::Fail, r, "answer is not JSON");
    const Value* content = json::get(d, "content");
    if (str_member(&d, "type") != "message" || !content || !content->IsArray())
        return result(n, CheckStatus::Fail, r, "not an Anthropic message (type/content)");
    return result(n, CheckStatus::Pass, r, "stop_reason " + str_member(&d, "stop_reason"));
}

// ---- identification ----

const std::vector<std::string>& identification_paths() {
    static const std::vector<std::string> paths{"/", "/props", "/version", "/info", "/get_server_info", "/api/tags",
                                                "/api/v0/models", "/readyz"};
    return paths;
}

Identification identify_runtime(const std::map<std::string, ProbeReply>& replies) {
    auto get = [&](const std::string& p) -> const ProbeReply* {
        auto it = replies.find(p);
        return it == replies.end() ? nullptr : &it->second;
    };
    auto json_ok = [&](const std::string& p, rapidjson::Document& d) {
        const ProbeReply* r = get(p);
        return r && ok(*r) && parse_object(*r, d);
    };
    auto found = [](BackendKind k, std::string ev) {
        Identification id;
        id.kind = k;
        id.display = std::string(backend_profile(k).display);
        id.evidence = std::move(ev);
        return id;
    };
    rapidjson::Document d;
    // An llmgw gateway describes itself at GET /.
    if (json_ok("/", d) && (str_member(&d, "name") == "llmgw" || str_member(&d, "service") == "llmgw")) {
        Identification id;
        id.gateway = true;
        id.display = "llmgw gateway";
        std::string backend;
        if (const Value* b = json::get(d, "backend"); b && b->IsObject()) backend = str_member(b, "kind");
        else backend = str_member(&d, "backend_kind");
        id.evidence = "GET / names llmgw" + (backend.empty() ? std::string() : ", backend " + backend);
        return id;
    }
    for (const auto& [path, r] : replies)
        if (contains_ci(r.header("server"), "llama.cpp")) return found(BackendKind::LlamaCpp, "Server: " + r.header("server") + " on " + path);
    if (json_ok("/props", d) && (json::get(d, "default_generation_settings") || json::get(d, "total_slots")))
        return found(BackendKind::LlamaCpp, "GET /props answers with default_generation_settings");
    if (const ProbeReply* r = get("/"); r && ok(*r) && r->body.rfind("Ollama is running", 0) == 0)
        return found(BackendKind::Ollama, "GET / says \"Ollama is running\"");
    if (json_ok("/api/tags", d) && json::get(d, "models")) return found(BackendKind::Ollama, "GET /api/tags lists models");
    if (json_ok("/get_server_info", d)) return found(BackendKind::SGLang, "GET /get_server_info answers");
    if (json_ok("/info", d) && json::get(d, "model_id")) return found(BackendKind::TGI, "GET /info has model_id");
    if (json_ok("/api/v0/models", d)) return found(BackendKind::LMStudio, "GET /api/v0/models answers");
    // Models' owned_by, as each runtime fills it.
    if (json_ok("/v1/models", d)) {
        if (const Value* data = json::get(d, "data"); data && data->IsArray() && !data->Empty()) {
            std::string owner = str_member(&(*data)[0], "owned_by");
            static const std::pair<const char*, BackendKind> owners[] = {
                {"vllm", BackendKind::VLLM},     {"llamacpp", BackendKind::LlamaCpp}, {"sglang", BackendKind::SGLang},
                {"library", BackendKind::Ollama}, {"ollama", BackendKind::Ollama},   {"tgi", BackendKind::TGI},
                {"text-generation-inference", BackendKind::TGI}, {"organization_owner", BackendKind::LMStudio},
                {"localai", BackendKind::LocalAI}};
            for (const auto& [o, k] : owners)
                if (owner == o) return found(k, "models are owned_by \"" + owner + "\"");
        }
    }
    if (const ProbeReply* rz = get("/readyz"); rz && ok(*rz)) return found(BackendKind::LocalAI, "GET /readyz answers 200");
    if (json_ok("/version", d) && json::get(d, "version")) return found(BackendKind::VLLM, "GET /version answers {\"version\"}");
    Identification id;
    // Not one answer: say so instead of guessing at what the server is.
    const bool answered = std::any_of(replies.begin(), replies.end(), [](const auto& r) { return r.second.status > 0; });
    if (!answered) {
        const ProbeReply& first = replies.begin()->second;
        // curl says "Couldn't connect to server" (or "Connection refused") when no socket listens.
        const std::string why = to_lower(first.error);
        const bool refused = replies.empty() || why.find("refused") != std::string::npos ||
                             why.find("couldn't connect") != std::string::npos ||
                             why.find("failed to connect") != std::string::npos;
        id.display = refused ? "nothing listening" : "no answer";
        id.evidence = replies.empty() || first.error.empty() ? "no request was answered" : first.error;
        return id;
    }
    id.display = "unidentified OpenAI-compatible server";
    id.evidence = "no runtime-specific endpoint answered";
    return id;
}

// ---- results ----

bool probe_ready(const ProbeOutcome& o) {
    for (const auto& name : o.required) {
        auto it = std::find_if(o.checks.begin(), o.checks.end(), [&](const CheckResult& c) { return c.name == name; });
        if (it == o.checks.end() || it->status != CheckStatus::Pass) return false;
    }
    return true;
}

void mark_required(ProbeOutcome& o) {
    for (auto& c : o.checks) c.required = std::find(o.required.begin(), o.required.end(), c.name) != o.required.end();
    // A gateway with auth on answers 401 to every /v1 check: the fix is one flag away.
    o.hint.clear();
    for (const auto& c : o.checks)
        if (c.detail.rfind("HTTP 401", 0) == 0 || c.detail.find(" HTTP 401") != std::string::npos) {
            o.hint = "the server answered 401 Unauthorized: pass its API key with --key or LLMGW_API_KEY";
            break;
        }
}

namespace {
std::string runtime_line(const ProbeOutcome& o) {
    std::string s = "runtime: " + o.runtime.display + " (" + o.runtime.evidence + ")";
    if (o.configured_kind && o.runtime.kind && *o.configured_kind != *o.runtime.kind)
        s += "; BACKEND_KIND says " + std::string(backend_profile(*o.configured_kind).name) + ", it answers like " +
             std::string(backend_profile(*o.runtime.kind).name);
    return s;
}
}  // namespace

std::string render_probe_table(const ProbeOutcome& o) {
    size_t wname = 5, wlat = 7;
    std::vector<std::string> lat;
    for (const auto& c : o.checks) {
        wname = std::max(wname, c.name.size() + (c.required ? 1 : 0));
        lat.push_back(c.status == CheckStatus::Skip ? "-" : fmt_ms(c.latency_ms));
        wlat = std::max(wlat, lat.back().size());
    }
    auto pad = [](std::string s, size_t w, bool right) {
        if (s.size() >= w) return s;
        return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
    };
    std::string out = "probe " + o.url + (o.model.empty() ? "" : " model " + o.model) + "\n";
    out += pad("CHECK", wname, false) + "  RESULT  " + pad("LATENCY", wlat, true) + "  DETAIL\n";
    for (size_t i = 0; i < o.checks.size(); ++i) {
        const auto& c = o.checks[i];
        out += pad(c.name + (c.required ? "*" : ""), wname, false) + "  " + pad(std::string(check_status_name(c.status)), 6, false) +
               "  " + pad(lat[i], wlat, true) + "  " + c.detail + "\n";
    }
    out += runtime_line(o) + "\n";
    std::string req;
    for (const auto& r : o.required) req += (req.empty() ? "" : ",") + r;
    out += std::string(probe_ready(o) ? "ready" : "NOT READY") + " (* required: " + req + ")";
    if (o.attempts > 1) out += ", after " + std::to_string(o.attempts) + " attempts";
    if (!o.hint.empty()) out += "\nhint: " + o.hint;
    return out + "\n";
}

std::string render_probe_json(const ProbeOutcome& o) {
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    auto round3 = [](double v) { return std::isfinite(v) ? std::round(v * 1000) / 1000 : 0.0; };
    w.StartObject();
    w.Key("schema"); w.String("llmgw.probe/1");
    w.Key("llmgw_version"); w.String(LLMGW_VERSION);
    w.Key("target"); w.StartObject();
    w.Key("url"); w.String(o.url);
    w.Key("configured_kind");
    if (o.configured_kind) w.String(std::string(backend_profile(*o.configured_kind).name)); else w.Null();
    w.Key("model"); w.String(o.model);
    w.EndObject();
    w.Key("runtime"); w.StartObject();
    w.Key("detected");
    if (o.runtime.kind) w.String(std::string(backend_profile(*o.runtime.kind).name)); else w.Null();
    w.Key("display"); w.String(o.runtime.display);
    w.Key("gateway"); w.Bool(o.runtime.gateway);
    w.Key("evidence"); w.String(o.runtime.evidence);
    w.Key("matches_configured");
    if (o.configured_kind && o.runtime.kind) w.Bool(*o.configured_kind == *o.runtime.kind); else w.Null();
    w.EndObject();
    w.Key("checks"); w.StartArray();
    for (const auto& c : o.checks) {
        w.StartObject();
        w.Key("name"); w.String(c.name);
        w.Key("status"); w.String(std::string(check_status_name(c.status)));
        w.Key("required"); w.Bool(c.required);
        w.Key("latency_ms"); w.Double(round3(c.latency_ms));
        w.Key("detail"); w.String(c.detail);
        w.EndObject();
    }
    w.EndArray();
    w.Key("required"); w.StartArray();
    for (const auto& r : o.required) w.String(r);
    w.EndArray();
    bool ready = probe_ready(o);
    w.Key("ready"); w.Bool(ready);
    w.Key("exit_code"); w.Int(ready ? 0 : 1);
    w.Key("attempts"); w.Int(o.attempts);
    w.Key("elapsed_ms"); w.Double(round3(o.elapsed_ms));
    w.Key("hint");
    if (o.hint.empty()) w.Null(); else w.String(o.hint);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

}  // namespace llmgw
