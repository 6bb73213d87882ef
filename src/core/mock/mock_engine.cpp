// Routing and the small endpoints of the mock engine (chat and completions are in mock_render.cpp).
#include "core/mock/mock_engine.h"

#include <array>
#include <functional>

#include "core/mock/mock_json.h"
#include "core/json/json_parse.h"
#include "core/mock/mock_plan.h"
#include "core/mock/mock_text.h"

namespace llmgw::mock {

namespace {
using json::get;
using jw::key;
using jw::kv;
using jw::str;
using W = jw::Writer;

std::string_view sv(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string_view vllm_error_type(int status) {
    switch (status) {
        case 400: return "BadRequestError";
        case 401: return "UnauthorizedError";
        case 404: return "NotFoundError";
        case 405: return "MethodNotAllowed";
        case 429: return "TooManyRequestsError";
        case 501: return "NotImplementedError";
        case 503: return "ServiceUnavailableError";
        default: return status >= 500 ? "InternalServerError" : "BadRequestError";
    }
}

std::string_view llamacpp_error_type(int status) {
    switch (status) {
        case 401: return "authentication_error";
        case 403: return "permission_error";
        case 404: return "not_found_error";
        case 501: return "not_supported_error";
        case 503: return "unavailable_error";
        default: return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

std::string_view tgi_error_type(int status) {
    if (status == 429 || status == 503) return "overloaded";
    return status >= 500 ? "generation" : "validation";
}

Response json_response(std::string body, int status = 200) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}


// The model name a response reports: llama.cpp and TGI name their own; vLLM and Ollama echo.
std::string reported_model(const Options& opt, const rapidjson::Value& req) {
    if (opt.profile == BackendKind::LlamaCpp || opt.profile == BackendKind::TGI) return opt.model;
    auto* m = get(req, "model");
    return m && m->IsString() && m->GetStringLength() > 0 ? std::string(sv(*m)) : opt.model;
}

}  // namespace

bool is_mock_profile(BackendKind k) {
    return k == BackendKind::VLLM || k == BackendKind::Ollama || k == BackendKind::LlamaCpp || k == BackendKind::TGI;
}

bool parse_request(const Engine& e, std::string_view body, rapidjson::Document& doc, Response& err) {
    auto bad = json::parse(body, doc);
    if (!bad && doc.IsObject()) return true;
    // llama.cpp answers malformed JSON with a 500 server_error; the others with a 400.
    int status = bad && e.options().profile == BackendKind::LlamaCpp ? 500 : 400;
    err = e.error(status, bad ? "malformed JSON in request body" : "request body must be a JSON object");
    return false;
}

std::string_view mock_profile_names() { return "vllm | ollama | llamacpp | tgi"; }

std::string sse_frame(std::string_view payload) {
    std::string s;
    s.reserve(payload.size() + 8);
    s += "data: ";
    s += payload;
    s += "\n\n";
    return s;
}

std::string error_body(BackendKind profile, int status, std::string_view message) {
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    if (profile == BackendKind::TGI) {
        kv(w, "error", message);
        kv(w, "error_type", tgi_error_type(status));
        w.EndObject();
        return jw::text(sb);
    }
    key(w, "error");
    w.StartObject();
    if (profile == BackendKind::LlamaCpp) {
        kv(w, "code", status);
        kv(w, "message", message);
        kv(w, "type", llamacpp_error_type(status));
    } else {
        kv(w, "message", message);
        kv(w, "type", profile == BackendKind::Ollama ? (status < 500 ? "invalid_request_error" : "api_error")
                                                     : vllm_error_type(status));
        key(w, "param"), w.Null();
        key(w, "code");
        if (profile == BackendKind::Ollama) w.Null();
        else w.Int(status);
    }
    w.EndObject();
    w.EndObject();
    return jw::text(sb);
}

std::string chat_prompt(const rapidjson::Value& messages) {
    std::string out;
    if (!messages.IsArray()) return out;
    for (auto& m : messages.GetArray()) {
        auto* role = get(m, "role");
        out += "<|im_start|>";
        if (role && role->IsString()) out += sv(*role);
        out += '\n';
        if (auto* c = get(m, "content")) {
            if (c->IsString()) out += sv(*c);
            if (c->IsArray())
                for (auto& part : c->GetArray())
                    if (auto* t = get(part, "text"); t && t->IsString()) out += sv(*t);
        }
        if (auto* calls = get(m, "tool_calls"); calls && calls->IsArray())
            for (auto& call : calls->GetArray())
                if (auto* f = get(call, "function"))
                    if (auto* a = get(*f, "arguments")) out += a->IsString() ? std::string(sv(*a)) : jw::serialize(*a);
        out += "<|im_end|>\n";
    }
    out += "<|im_start|>assistant\n";
    return out;
}

Response Engine::error(int status, std::string_view message) const {
    return json_response(error_body(opt_.profile, status, message), status);
}

Response Engine::handle(std::string_view method, std::string_view path, std::string_view body) const {
    using Fn = std::function<Response()>;
    struct Route {
        std::string_view method, path;
        bool served;
        Fn fn;
    };
    const BackendKind k = opt_.profile;
    const bool llamacpp = k == BackendKind::LlamaCpp, tgi = k == BackendKind::TGI, ollama = k == BackendKind::Ollama;
    const std::array<Route, 11> routes{{
        {"GET", "/v1/models", true, [&] { return models(); }},
        {"POST", "/v1/chat/completions", true, [&] { return chat_completions(body); }},
        {"POST", "/v1/completions", true, [&] { return completions(body); }},
        {"POST", "/v1/embeddings", !tgi, [&] { return embeddings(body); }},
        {"GET", backend_profile(k).health_path, true, [&] { return health(); }},
        {"GET", "/v1/health", llamacpp, [&] { return health(); }},
        {"POST", "/tokenize", !ollama && opt_.tokenizer, [&] { return tokenize(body); }},
        {"POST", "/apply-template", llamacpp && opt_.tokenizer, [&] { return apply_template(body); }},
        {"GET", "/api/tags", ollama, [&] { return models(); }},
        {"GET", "/info", tgi, [&] {
             return json_response(R"({"model_id":")" + opt_.model + R"(","max_input_tokens":)" +
                                  std::to_string(opt_.context_length) + R"(,"max_total_tokens":)" +
                                  std::to_string(opt_.context_length) + R"(,"version":"3.3.4-mock"})");
         }},
        {"GET", "/props", llamacpp, [&] {
             return json_response(R"({"default_generation_settings":{"n_ctx":)" + std::to_string(opt_.context_length) +
                                  R"(},"total_slots":1,"model_path":")" + opt_.model + R"(","build_info":"b0000-llmgw-mock"})");
         }},
    }};
    bool path_known = false;
    for (const auto& r : routes) {
        if (!r.served || r.path != path) continue;
        if (r.method == method) return r.fn();
        path_known = true;
    }
    if (path_known) return error(405, "method not allowed");
    if (tgi) {  // TGI's router answers unknown routes with an empty 404
        Response r = json_response("", 404);
        r.content_type = "text/plain";
        return r;
    }
    return error(404, llamacpp ? "File Not Found" : "Not Found");
}

Response Engine::models() const {
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    if (opt_.profile == BackendKind::Ollama || opt_.profile == BackendKind::LlamaCpp) {
        // Both also list models the Ollama way ("models"), which some clients read.
        key(w, "models");
        w.StartArray();
        w.StartObject();
        kv(w, "name", opt_.model);
        kv(w, "model", opt_.model);
        w.EndObject();
        w.EndArray();
    }
    kv(w, "object", "list");
    key(w, "data");
    w.StartArray();
    w.StartObject();
    kv(w, "id", opt_.model);
    kv(w, "object", "model");
    kv(w, "created", opt_.created);
    kv(w, "owned_by", backend_profile(opt_.profile).name == "tgi" ? "huggingface" : backend_profile(opt_.profile).name);
    if (opt_.profile == BackendKind::VLLM) {
        kv(w, "root", opt_.model);
        key(w, "parent"), w.Null();
        kv(w, "max_model_len", opt_.context_length);
    }
    if (opt_.profile == BackendKind::LlamaCpp) {
        key(w, "meta");
        w.StartObject();
        kv(w, "n_ctx", opt_.context_length);
        kv(w, "n_embd", opt_.embedding_dim);
        w.EndObject();
    }
    w.EndObject();
    w.EndArray();
    w.EndObject();
    return json_response(jw::text(sb));
}

Response Engine::health() const {
    Response r;
    switch (opt_.profile) {
        case BackendKind::Ollama:
            r.content_type = "text/plain; charset=utf-8";
            r.body = "Ollama is running";
            break;
        case BackendKind::LlamaCpp: r.body = R"({"status":"ok"})"; break;
        default: r.content_type = "text/plain"; break;  // vLLM and TGI: 200 with an empty body
    }
    return r;
}

Response Engine::embeddings(std::string_view body) const {
    Response err;
    rapidjson::Document doc;
    if (!parse_request(*this, body, doc, err)) return err;
    auto* input = get(doc, "input");
    if (!input || !(input->IsString() || (input->IsArray() && !input->Empty())))
        return error(400, "'input' is required: a string or a non-empty array");
    // A flat array of numbers is one tokenized input; any other array is a batch.
    bool batch = input->IsArray() && !(*input)[0].IsNumber();
    int dim = opt_.embedding_dim;
    if (auto* d = get(doc, "dimensions"); d && d->IsInt() && d->GetInt() > 0) dim = d->GetInt();
    bool base64 = false;
    if (auto* f = get(doc, "encoding_format"); f && f->IsString()) base64 = sv(*f) == "base64";

    rapidjson::StringBuffer sb;
    W w(sb);
    w.SetMaxDecimalPlaces(9);  // floats as floats, not as their 17-digit double expansion
    int prompt_tokens = 0;
    w.StartObject();
    kv(w, "object", "list");
    key(w, "data");
    w.StartArray();
    auto one = [&](const rapidjson::Value& v, int index) {
        std::string text = v.IsString() ? std::string(sv(v)) : jw::serialize(v);
        prompt_tokens += v.IsString() ? count_tokens(text) : (v.IsArray() ? static_cast<int>(v.Size()) : 1);
        auto vec = embedding_vector(text, dim);
        w.StartObject();
        kv(w, "object", "embedding");
        key(w, "embedding");
        if (base64) {
            str(w, base64_encode({reinterpret_cast<const char*>(vec.data()), vec.size() * sizeof(float)}));
        } else {
            w.StartArray();
            for (float x : vec) w.Double(x);
            w.EndArray();
        }
        kv(w, "index", index);
        w.EndObject();
    };
    if (batch) {
        int i = 0;
        for (auto& v : input->GetArray()) one(v, i++);
    } else {
        one(*input, 0);
    }
    w.EndArray();
    kv(w, "model", reported_model(opt_, doc));
    key(w, "usage");
    w.StartObject();
    kv(w, "prompt_tokens", prompt_tokens);
    kv(w, "total_tokens", prompt_tokens);
    w.EndObject();
    w.EndObject();
    return json_response(jw::text(sb));
}

Response Engine::tokenize(std::string_view body) const {
    Response err;
    rapidjson::Document doc;
    if (!parse_request(*this, body, doc, err)) return err;
    std::string text;
    if (auto* m = get(doc, "messages"); m && m->IsArray()) {
        text = chat_prompt(*m);
        if (auto* t = get(doc, "tools"); t && t->IsArray() && !t->Empty()) text += jw::serialize(*t);
    } else {
        const rapidjson::Value* v = nullptr;
        for (const char* k : {"content", "prompt", "inputs"})
            if ((v = get(doc, k))) break;
        if (!v || !v->IsString()) return error(400, "nothing to tokenize: give 'content', 'prompt', 'inputs' or 'messages'");
        text = std::string(sv(*v));
    }
    auto tokens = split_tokens(text);
    rapidjson::StringBuffer sb;
    W w(sb);
    if (opt_.profile == BackendKind::TGI) {  // [{"id","text","start","stop"}]
        w.StartArray();
        for (auto t : tokens) {
            w.StartObject();
            kv(w, "id", token_id(t));
            kv(w, "text", t);
            kv(w, "start", static_cast<int64_t>(t.data() - text.data()));
            kv(w, "stop", static_cast<int64_t>(t.data() - text.data() + t.size()));
            w.EndObject();
        }
        w.EndArray();
        return json_response(jw::text(sb));
    }
    bool pieces = false;
    if (auto* p = get(doc, "with_pieces"); p && p->IsBool()) pieces = p->GetBool() && opt_.profile == BackendKind::LlamaCpp;
    w.StartObject();
    if (opt_.profile == BackendKind::VLLM) {
        kv(w, "count", static_cast<int64_t>(tokens.size()));
        kv(w, "max_model_len", opt_.context_length);
    }
    key(w, "tokens");
    w.StartArray();
    for (auto t : tokens) {
        if (!pieces) {
            w.Int(token_id(t));
            continue;
        }
        w.StartObject();
        kv(w, "id", token_id(t));
        kv(w, "piece", t);
        w.EndObject();
    }
    w.EndArray();
    if (opt_.profile == BackendKind::VLLM) key(w, "token_strs"), w.Null();
    w.EndObject();
    return json_response(jw::text(sb));
}

Response Engine::apply_template(std::string_view body) const {
    Response err;
    rapidjson::Document doc;
    if (!parse_request(*this, body, doc, err)) return err;
    auto* m = get(doc, "messages");
    if (!m || !m->IsArray()) return error(400, "'messages' is required and must be an array");
    rapidjson::StringBuffer sb;
    W w(sb);
    w.StartObject();
    kv(w, "prompt", chat_prompt(*m));
    w.EndObject();
    return json_response(jw::text(sb));
}

}  // namespace llmgw::mock
