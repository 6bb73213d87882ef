#include "core/ops/access_log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace llmgw {

std::string format_rfc3339_ms(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms_since = duration_cast<milliseconds>(t.time_since_epoch()).count();
    int64_t secs = ms_since / 1000, ms = ms_since % 1000;
    if (ms < 0) {  // before 1970: floor, not truncate
        ms += 1000;
        --secs;
    }
    const std::time_t tt = std::time_t(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[48];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", int(ms));
    return buf;
}

// ---- Redaction ------------------------------------------------------------------------------

namespace {

char lower(char c) { return char(std::tolower(static_cast<unsigned char>(c))); }
bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }
bool is_value_end(char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '&' || c == '"' || c == '\'' || c == ',' ||
           c == ';' || c == '}' || c == ')' || c == ']' || c == '<' || c == '>';
}
bool is_key_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// Case-insensitive "does `lc` (lower-cased text) have `word` at i".
bool at(std::string_view lc, size_t i, std::string_view word) { return lc.substr(i, word.size()) == word; }

// Length of a credential value starting at j (up to a delimiter).
size_t value_len(std::string_view s, size_t j) {
    size_t k = j;
    while (k < s.size() && !is_value_end(s[k])) ++k;
    return k - j;
}

std::string replace_exact(std::string_view text, std::vector<std::string_view> secrets) {
    std::string out(text);
    // Longest first, so a secret containing another is masked whole.
    std::sort(secrets.begin(), secrets.end(), [](auto a, auto b) { return a.size() > b.size(); });
    for (std::string_view s : secrets) {
        if (s.empty()) continue;
        for (size_t p = out.find(s); p != std::string::npos; p = out.find(s, p + kRedacted.size()))
            out.replace(p, s.size(), kRedacted);
    }
    return out;
}

std::string redact_patterns(const std::string& s) {
    std::string lc(s);
    std::transform(lc.begin(), lc.end(), lc.begin(), lower);
    static constexpr std::string_view kNamed[] = {"x-api-key", "api-key", "api_key", "apikey"};
    static constexpr std::string_view kQuery[] = {"access_token=", "token=", "key="};
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        const bool boundary = i == 0 || !is_word(s[i - 1]);
        size_t keep = 0, mask = 0;  // copy `keep` chars, then replace `mask` chars

        if (boundary && at(lc, i, "bearer")) {
            size_t j = i + 6;
            while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
            if (j > i + 6 && value_len(s, j)) keep = j - i, mask = value_len(s, j);
        }
        for (auto name : kNamed) {
            if (mask || !boundary || !at(lc, i, name)) continue;
            size_t j = i + name.size();
            while (j < s.size() && (s[j] == '"' || s[j] == '\'' || s[j] == ' ')) ++j;
            if (j >= s.size() || (s[j] != ':' && s[j] != '=')) continue;
            ++j;
            while (j < s.size() && (s[j] == '"' || s[j] == '\'' || s[j] == ' ')) ++j;
            if (value_len(s, j)) keep = j - i, mask = value_len(s, j);
        }
        const bool param_start = i == 0 || s[i - 1] == '?' || s[i - 1] == '&' || s[i - 1] == ' ';
        for (auto q : kQuery) {
            if (mask || !param_start || !at(lc, i, q)) continue;
            const size_t j = i + q.size();
            if (value_len(s, j)) keep = j - i, mask = value_len(s, j);
        }
        if (!mask && boundary && at(lc, i, "sk-")) {
            size_t j = i + 3;
            while (j < s.size() && is_key_char(s[j])) ++j;
            if (j - i >= 3 + 16) keep = 0, mask = j - i;
        }

        if (mask) {
            out.append(s, i, keep);
            out += kRedacted;
            // A value already masked (by the exact-secret pass) is skipped whole, not re-masked.
            const bool already = s.compare(i + keep, kRedacted.size(), kRedacted) == 0;
            i += keep + (already ? kRedacted.size() : mask);
        } else {
            out += s[i++];
        }
    }
    return out;
}

}  // namespace

std::string redact_secrets(std::string_view text, const std::vector<std::string_view>& secrets) {
    return redact_patterns(replace_exact(text, secrets));
}

std::string redact_secrets(std::string_view text, std::initializer_list<std::string_view> secrets) {
    return redact_secrets(text, std::vector<std::string_view>(secrets));
}

// ---- Lines ----------------------------------------------------------------------------------

namespace {

// duration_ms to microsecond precision: enough, and short.
double round_ms(double ms) { return double(int64_t(ms * 1000 + 0.5)) / 1000; }

}  // namespace

std::string access_log_json(const AccessLogEntry& e, std::initializer_list<std::string_view> secrets) {
    const std::vector<std::string_view> sec(secrets);
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    auto str = [&](const char* key, std::string_view v) {
        w.Key(key);
        w.String(v.data(), rapidjson::SizeType(v.size()));
    };
    auto text = [&](const char* key, std::string_view v) { str(key, redact_secrets(v, sec)); };
    w.StartObject();
    str("ts", format_rfc3339_ms(e.ts));
    str("level", e.level);
    str("logger", e.logger);
    text("msg", e.msg);
    if (!e.request_id.empty()) text("request_id", e.request_id);
    if (!e.method.empty()) text("method", e.method);
    if (!e.path.empty()) text("path", e.path);
    if (e.status) {
        w.Key("status");
        w.Int(e.status);
    }
    if (e.duration_ms >= 0) {
        w.Key("duration_ms");
        w.Double(round_ms(e.duration_ms));
    }
    if (!e.model.empty()) text("model", e.model);
    if (e.backend_status) {
        w.Key("backend_status");
        w.Int(e.backend_status);
    }
    if (!e.pool.empty()) text("pool", e.pool);
    if (!e.replica.empty()) text("replica", e.replica);
    if (e.prompt_tokens >= 0) {
        w.Key("prompt_tokens");
        w.Int64(e.prompt_tokens);
    }
    if (e.completion_tokens >= 0) {
        w.Key("completion_tokens");
        w.Int64(e.completion_tokens);
    }
    if (!e.client.empty()) text("client", e.client);
    if (!e.identity.empty()) text("identity", e.identity);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

namespace {

// Text-format values: control characters would let a client forge extra log lines.
std::string printable(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", u);
            out += b;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string access_log_text(const AccessLogEntry& e, std::initializer_list<std::string_view> secrets) {
    const std::vector<std::string_view> sec(secrets);
    auto clean = [&](std::string_view v) { return printable(redact_secrets(v, sec)); };
    std::string line = format_rfc3339_ms(e.ts);
    line += ' ';
    line += e.level;
    line += ' ';
    line += e.logger;
    line += ": ";
    line += clean(e.msg);
    // Appended piece by piece: GCC 12 misreports `" " + std::string` as an overlapping copy.
    if (!e.method.empty()) line.append(" ").append(clean(e.method));
    if (!e.path.empty()) line.append(" ").append(clean(e.path));
    if (e.status) line.append(" ").append(std::to_string(e.status));
    if (e.duration_ms >= 0) {
        char b[32];
        std::snprintf(b, sizeof b, " %.1fms", e.duration_ms);
        line += b;
    }
    auto field = [&](std::string_view k, const std::string& v) {
        line += ' ';
        line += k;
        line += '=';
        line += v;
    };
    if (!e.request_id.empty()) field("request_id", clean(e.request_id));
    if (!e.model.empty()) field("model", clean(e.model));
    if (e.backend_status) field("backend_status", std::to_string(e.backend_status));
    if (!e.pool.empty()) field("pool", clean(e.pool));
    if (!e.replica.empty()) field("replica", clean(e.replica));
    if (e.prompt_tokens >= 0) field("prompt_tokens", std::to_string(e.prompt_tokens));
    if (e.completion_tokens >= 0) field("completion_tokens", std::to_string(e.completion_tokens));
    if (!e.client.empty()) field("client", clean(e.client));
    if (!e.identity.empty()) field("identity", clean(e.identity));
    return line;
}

}  // namespace llmgw
