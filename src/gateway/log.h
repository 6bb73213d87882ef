// Structured logging for serve: one JSON object per line (LOG_JSON=true) or human text, through
// spdlog's thread-safe stderr sink. Callers pass fields; this file decides the format.
#pragma once
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace llmgw::gw {

struct LogField {
    std::string_view key;
    std::string_view str;  // used when is_num is false
    double num = 0;
    bool is_num = false;
    LogField(std::string_view k, std::string_view v) : key(k), str(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), str(v) {}
    LogField(std::string_view k, const char* v) : key(k), str(v ? v : "") {}
    LogField(std::string_view k, double v) : key(k), num(v), is_num(true) {}
    LogField(std::string_view k, int v) : key(k), num(v), is_num(true) {}
    LogField(std::string_view k, long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
    LogField(std::string_view k, long long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
    LogField(std::string_view k, unsigned long v) : key(k), num(static_cast<double>(v)), is_num(true) {}
};

void log_init(std::string_view level, bool json);
bool log_enabled(spdlog::level::level_enum lvl);
void log_event(spdlog::level::level_enum lvl, std::string_view logger, std::string_view msg,
               std::initializer_list<LogField> fields = {});

}  // namespace llmgw::gw
