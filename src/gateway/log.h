// Structured logging for serve: one JSON object per line (LOG_JSON=true) or human text, through
// spdlog's thread-safe stderr sink. Callers pass fields; this file decides the format. Every
// string (message and fields) passes through redact_secrets, so no key reaches a log line.
#pragma once
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace llmgw::gw {

struct LogField {
    std::string_view key;
    std::string_view str;  // used when neither is_num nor is_bool
    double num = 0;
    bool is_num = false;
    bool flag = false;     // a JSON boolean (true/false in text mode)
    bool is_bool = false;
    LogField(std::string_view k, std::string_view v) : key(k), str(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), str(v) {}
    LogField(std::string_view k, const char* v) : key(k), str(v ? v : "") {}
    LogField(std::string_view k, double v) : key(k), num(v), is_num(true) {}
    LogField(std::string_view k, int v) : key(k), num(v), is_num(true) {}
    LogField(std::string_view k, long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
    LogField(std::string_view k, long long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
    LogField(std::string_view k, unsigned long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
    LogField(std::string_view k, bool v) : key(k), flag(v), is_bool(true) {}
};

// Once, before any worker starts. `secret` (BACKEND_API_KEY) is masked in every line.
void log_init(std::string_view level, bool json, std::string secret = {});
bool log_enabled(spdlog::level::level_enum lvl);
// `secrets`: request-specific values to mask as well (the key a client presented).
void log_event(spdlog::level::level_enum lvl, std::string_view logger, std::string_view msg,
               std::initializer_list<LogField> fields = {}, std::initializer_list<std::string_view> secrets = {});
// A line formatted (and redacted) by the caller, e.g. the access log.
void log_line(spdlog::level::level_enum lvl, std::string_view line);

}  // namespace llmgw::gw
