#include "core/api/api_error.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_parse.h"

namespace llmgw {

ApiError ApiError::bad_request(std::string m, std::string p) { return {400, std::move(m), std::move(p), {}}; }
ApiError ApiError::unauthorized(std::string m) { return {401, std::move(m), {}, "invalid_api_key"}; }
ApiError ApiError::not_found(std::string m) { return {404, std::move(m), {}, {}}; }
ApiError ApiError::method_not_allowed(std::string m) { return {405, std::move(m), {}, {}}; }
ApiError ApiError::too_large(std::string m) { return {413, std::move(m), {}, {}}; }
ApiError ApiError::unsupported_media_type(std::string m) { return {415, std::move(m), {}, "unsupported_content_encoding"}; }
ApiError ApiError::rate_limited(std::string m) { return {429, std::move(m), {}, "rate_limit_exceeded"}; }
ApiError ApiError::not_implemented(std::string m) { return {501, std::move(m), {}, {}}; }
ApiError ApiError::bad_gateway(std::string m) { return {502, std::move(m), {}, "backend_unreachable"}; }
ApiError ApiError::unavailable(std::string m) { return {503, std::move(m), {}, "backend_unavailable"}; }
ApiError ApiError::gateway_timeout(std::string m) { return {504, std::move(m), {}, "backend_timeout"}; }
ApiError ApiError::internal(std::string m) { return {500, std::move(m), {}, {}}; }

// The two tables every error passes through: status -> type, per style.
std::string_view openai_error_type(int status) {
    switch (status) {
        case 400: case 405: case 409: case 413: case 422: case 431: return "invalid_request_error";
        case 401: return "authentication_error";
        case 403: return "permission_error";
        case 404: return "not_found_error";
        case 429: return "rate_limit_error";
        case 501: return "not_implemented_error";
        case 502: case 503: case 504: return "upstream_error";
        default: return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

std::string_view anthropic_error_type(int status) {
    switch (status) {
        case 400: case 405: case 409: case 422: case 431: return "invalid_request_error";
        case 401: return "authentication_error";
        case 403: return "permission_error";
        case 404: return "not_found_error";
        case 413: return "request_too_large";
        case 429: return "rate_limit_error";
        case 503: case 529: return "overloaded_error";
        default: return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

namespace {
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
void str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

// How much of a body that is not a JSON error is quoted as the message.
constexpr size_t kRawMessageBytes = 2000;

// The first `max` bytes of `s`, shortened so as not to end inside a UTF-8 sequence: clients
// decode error envelopes strictly, and a cut character makes the whole answer unreadable.
std::string_view utf8_prefix(std::string_view s, size_t max) {
    if (s.size() <= max) return s;
    constexpr int kMaxContinuationBytes = 3;
    size_t n = max;
    for (int k = 0; k < kMaxContinuationBytes && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80; ++k) --n;
    return s.substr(0, n);
}
}  // namespace

std::string render_openai_error(const ApiError& e) { return render_openai_error(e, openai_error_type(e.status)); }

std::string render_openai_error(const ApiError& e, std::string_view type) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("error");
    w.StartObject();
    w.Key("message"); str(w, e.message);
    w.Key("type"); str(w, type);
    w.Key("param"); if (e.param.empty()) w.Null(); else str(w, e.param);
    w.Key("code"); if (e.code.empty()) w.Null(); else str(w, e.code);
    w.EndObject();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

std::string render_anthropic_error(const ApiError& e) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("type"); w.String("error");
    w.Key("error");
    w.StartObject();
    w.Key("type"); str(w, anthropic_error_type(e.status));
    w.Key("message"); str(w, e.message);
    w.EndObject();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
}

std::string render_error(ApiStyle style, const ApiError& e) {
    return style == ApiStyle::OpenAI ? render_openai_error(e) : render_anthropic_error(e);
}

std::string upstream_error_message(std::string_view body) {
    rapidjson::Document d;
    auto bad = json::parse(body, d);
    // Too deep to read: say so rather than echo 2000 bytes of brackets.
    if (bad && bad->too_deep) return "upstream error body: " + json::describe(*bad);
    if (!bad && d.IsObject()) {
        // An empty string says nothing: the next place, else the body itself, is the message.
        auto text = [](const rapidjson::Value& obj, const char* key) -> std::string {
            auto m = obj.FindMember(key);
            if (m == obj.MemberEnd() || !m->value.IsString()) return {};
            return std::string(m->value.GetString(), m->value.GetStringLength());
        };
        if (std::string m = text(d, "error"); !m.empty()) return m;
        if (auto it = d.FindMember("error"); it != d.MemberEnd() && it->value.IsObject())
            if (std::string m = text(it->value, "message"); !m.empty()) return m;
        for (const char* k : {"message", "detail"})
            if (std::string m = text(d, k); !m.empty()) return m;
    }
    std::string s(utf8_prefix(body, kRawMessageBytes));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s.empty() ? "upstream returned an empty error body" : s;
}

static bool is_openai_envelope(std::string_view body) {
    rapidjson::Document d;
    if (json::parse(body, d) || !d.IsObject()) return false;  // re-wrapped, never relayed as is
    auto it = d.FindMember("error");
    if (it == d.MemberEnd() || !it->value.IsObject()) return false;
    auto m = it->value.FindMember("message");
    auto t = it->value.FindMember("type");
    return m != it->value.MemberEnd() && m->value.IsString() && t != it->value.MemberEnd() &&
           t->value.IsString();
}

std::string wrap_upstream_error(ApiStyle style, int status, std::string_view body) {
    if (style == ApiStyle::OpenAI && is_openai_envelope(body)) return std::string(body);
    ApiError e{status, upstream_error_message(body), {}, {}};
    return render_error(style, e);
}

}  // namespace llmgw
