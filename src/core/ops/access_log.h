// The access log line: one per finished request, as a JSON object (LOG_JSON=true) or human text.
// Pure formatting: fields in, one line out (no trailing newline). Every free-text field passes
// through redact_secrets, so an API key cannot reach the log even when a client puts it in the
// path or a model name.
#pragma once
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

struct AccessLogEntry {
    std::chrono::system_clock::time_point ts;
    std::string_view level = "INFO";  // TRACE DEBUG INFO WARNING ERROR CRITICAL
    std::string_view logger = "access";
    std::string_view msg = "request";
    std::string_view request_id;
    std::string_view method;
    std::string_view path;  // as the client sent it, query removed
    int status = 0;
    double duration_ms = -1;           // < 0: omitted
    std::string_view model;            // empty: omitted
    int backend_status = 0;            // 0: no backend exchange, omitted
    std::string_view pool;             // BACKENDS_FILE: the pool and replica of the last attempt; empty: omitted
    std::string_view replica;
    int64_t prompt_tokens = -1;        // < 0: unknown, omitted
    int64_t completion_tokens = -1;    // < 0: unknown, omitted
    std::string_view client;           // client address (see client_address.h)
    std::string_view identity;         // key fingerprint, never a key; empty: omitted
};

// "2024-05-01T12:34:56.789Z" (UTC, milliseconds).
std::string format_rfc3339_ms(std::chrono::system_clock::time_point t);

// {"ts":...,"level":...,"logger":...,"msg":...,"request_id":...,"method":...,"path":...,
//  "status":200,"duration_ms":12.345,"model":...,"backend_status":200,"pool":...,"replica":...,"prompt_tokens":10,
//  "completion_tokens":20,"client":...,"identity":...}
// `secrets` (e.g. the presented key, BACKEND_API_KEY) are masked wherever they appear.
std::string access_log_json(const AccessLogEntry& e, std::initializer_list<std::string_view> secrets = {});
// 2024-05-01T12:34:56.789Z INFO access: POST /v1/chat/completions 200 12.3ms request_id=... model=...
std::string access_log_text(const AccessLogEntry& e, std::initializer_list<std::string_view> secrets = {});

// Masks credentials in free text: every occurrence of each non-empty `secrets` entry;
// "Bearer <token>"; the value after "x-api-key" / "api-key" / "api_key" / "authorization"
// followed by ':' or '='; query parameters key=, token=, access_token=; and OpenAI/Anthropic-style
// "sk-..." tokens. Each becomes "[REDACTED]".
std::string redact_secrets(std::string_view text, std::initializer_list<std::string_view> secrets = {});
std::string redact_secrets(std::string_view text, const std::vector<std::string_view>& secrets);

inline constexpr std::string_view kRedacted = "[REDACTED]";

}  // namespace llmgw
