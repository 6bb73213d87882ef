#include "gateway/log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <vector>

#include "core/ops/access_log.h"

namespace llmgw::gw {

namespace {
// Set once at start-up, before any worker thread exists; read-only afterwards.
bool g_json = true;
std::string g_secret;

std::string rfc3339_now() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::time_t t = system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
    return buf;
}

// Text mode: control characters would let a value forge extra log lines.
std::string printable(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char b[8];
            snprintf(b, sizeof b, "\\x%02x", u);
            out += b;
        } else {
            out += c;
        }
    }
    return out;
}

std::string_view level_name(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace: return "TRACE";
        case spdlog::level::debug: return "DEBUG";
        case spdlog::level::info: return "INFO";
        case spdlog::level::warn: return "WARNING";
        case spdlog::level::err: return "ERROR";
        case spdlog::level::critical: return "CRITICAL";
        default: return "OFF";
    }
}
}  // namespace

void log_init(std::string_view level, bool json, std::string secret) {
    g_json = json;
    g_secret = std::move(secret);
    auto logger = spdlog::stderr_logger_mt("llmgw");
    logger->set_pattern("%v");
    spdlog::level::level_enum l = spdlog::level::info;
    if (level == "trace") l = spdlog::level::trace;
    else if (level == "debug") l = spdlog::level::debug;
    else if (level == "warning") l = spdlog::level::warn;
    else if (level == "error") l = spdlog::level::err;
    else if (level == "critical") l = spdlog::level::critical;
    else if (level == "off") l = spdlog::level::off;
    logger->set_level(l);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

bool log_enabled(spdlog::level::level_enum lvl) { return spdlog::default_logger_raw()->should_log(lvl); }

void log_line(spdlog::level::level_enum lvl, std::string_view line) {
    spdlog::default_logger_raw()->log(lvl, line);
}

void log_event(spdlog::level::level_enum lvl, std::string_view logger, std::string_view msg,
               std::initializer_list<LogField> fields, std::initializer_list<std::string_view> secrets) {
    auto* lg = spdlog::default_logger_raw();
    if (!lg->should_log(lvl)) return;
    std::vector<std::string_view> sec(secrets);
    sec.push_back(g_secret);
    std::string ts = rfc3339_now();
    // Redacted copies of every string, in field order.
    std::string clean_msg = redact_secrets(msg, sec);
    std::vector<std::string> clean;
    clean.reserve(fields.size());
    for (const auto& f : fields) clean.push_back(f.is_num || f.is_bool ? std::string() : redact_secrets(f.str, sec));
    if (g_json) {
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        auto s = [&](std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
        w.StartObject();
        w.Key("ts"); s(ts);
        w.Key("level"); s(level_name(lvl));
        w.Key("logger"); s(logger);
        w.Key("msg"); s(clean_msg);
        size_t i = 0;
        for (const auto& f : fields) {
            const std::string& str = clean[i++];
            w.Key(f.key.data(), static_cast<rapidjson::SizeType>(f.key.size()));
            if (f.is_bool) w.Bool(f.flag);
            else if (!f.is_num) s(str);
            else if (std::floor(f.num) == f.num && std::fabs(f.num) < 9e15) w.Int64(static_cast<int64_t>(f.num));
            else w.Double(f.num);
        }
        w.EndObject();
        lg->log(lvl, std::string_view(sb.GetString(), sb.GetSize()));
    } else {
        std::string line = ts + " " + std::string(level_name(lvl)) + " " + std::string(logger) + ": " + printable(clean_msg);
        size_t i = 0;
        for (const auto& f : fields) {
            const std::string& str = clean[i++];
            line += " ";
            line += f.key;
            line += "=";
            if (f.is_bool) line += f.flag ? "true" : "false";
            else if (!f.is_num) line += printable(str);
            else {
                char b[32];
                snprintf(b, sizeof b, "%g", f.num);
                line += b;
            }
        }
        lg->log(lvl, std::string_view(line));
    }
}

}  // namespace llmgw::gw
