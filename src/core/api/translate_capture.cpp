#include "core/api/translate_capture.h"

#include <cctype>

#include "core/base/text_util.h"
#include "core/json/json_value.h"

namespace llmgw {

namespace {

// Next line [pos, end-of-line) and the position after its terminator.
std::string_view next_line(std::string_view s, size_t& pos) {
    size_t nl = s.find('\n', pos);
    size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl == std::string_view::npos ? s.size() : nl + 1;
    return line;
}

bool is_start_line(std::string_view line) {
    if (line.rfind("HTTP/", 0) == 0) return true;  // status line
    size_t sp = line.find(' ');                     // request line: METHOD /target [HTTP/x]
    if (sp == std::string_view::npos || sp == 0 || sp + 1 >= line.size() || line[sp + 1] != '/') return false;
    for (size_t i = 0; i < sp; ++i)
        if (!std::isupper(static_cast<unsigned char>(line[i]))) return false;
    return true;
}

bool is_hex_size_line(std::string_view line) {
    size_t semi = line.find(';');
    std::string_view size = line.substr(0, semi);
    if (size.empty() || size.size() > 15) return false;
    for (char c : size)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::optional<std::string> dechunk(std::string_view body, std::string& out, size_t& bad_offset) {
    size_t pos = 0;
    while (pos < body.size()) {
        size_t line_start = pos;
        std::string_view line = next_line(body, pos);
        if (!is_hex_size_line(line)) {
            bad_offset = line_start;
            return "expected a chunk size line";
        }
        size_t n = std::stoul(std::string(line.substr(0, line.find(';'))), nullptr, 16);
        if (n == 0) return std::nullopt;  // trailers, if any, are ignored
        if (pos + n > body.size()) {
            bad_offset = pos;
            return "chunk of " + std::to_string(n) + " bytes runs past the end of the input";
        }
        out.append(body.substr(pos, n));
        pos += n;
        if (body.compare(pos, 2, "\r\n") == 0) pos += 2;
        else if (pos < body.size() && body[pos] == '\n') pos += 1;
        else if (pos < body.size()) {
            bad_offset = pos;
            return "missing line end after a chunk";
        }
    }
    return std::nullopt;  // tolerate a capture cut before the last chunk
}

// The agent fixtures' record of one exchange: {"method", "url", "headers", "body": {...}}.
std::optional<std::string> recorded_body(std::string_view input) {
    json::Document d;
    if (json::parse(input, d) || !d.IsObject()) return std::nullopt;
    const json::Value* body = json::get(d, "body");
    if (!body || !body->IsObject() || !json::get_str(d, "method") || !json::get_str(d, "url")) return std::nullopt;
    return json::to_string(*body);
}
}  // namespace

std::string describe_position(std::string_view text, size_t offset) {
    if (offset > text.size()) offset = text.size();
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') { ++line; col = 1; }
        else ++col;
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(col);
}

CaptureBody extract_capture_body(std::string_view input) {
    CaptureBody r;
    size_t pos = 0, line_no = 1;
    // Comment lines as the fixtures' .request files start with ("# curl ...").
    while (pos < input.size() && input[pos] == '#') {
        next_line(input, pos);
        ++line_no;
    }
    size_t probe = pos;
    std::string_view first = next_line(input, probe);
    if (!is_start_line(first)) {
        if (auto body = line_no == 1 ? recorded_body(input) : std::nullopt) {
            r.body = std::move(*body);
            r.recorded = true;
            return r;
        }
        if (line_no == 1) {
            r.body.assign(input);
            return r;
        }
        r.body.assign(input.substr(pos));
        r.body_line = line_no;
        return r;
    }
    r.had_head = true;
    pos = probe;
    ++line_no;
    bool chunked = false;
    while (pos < input.size()) {
        std::string_view h = next_line(input, pos);
        ++line_no;
        if (h.empty()) break;
        std::string lh = to_lower(h);
        if (lh.rfind("transfer-encoding:", 0) == 0 && lh.find("chunked") != std::string::npos) chunked = true;
    }
    std::string_view body = input.substr(pos);
    r.body_line = line_no;
    size_t p2 = 0;
    // Many captures (the shared fixtures among them) keep the header but store the body de-chunked.
    if (chunked && !body.empty() && is_hex_size_line(next_line(body, p2))) {
        size_t bad = 0;
        if (auto err = dechunk(body, r.body, bad)) {
            r.error = "chunked body: " + *err + " at " + describe_position(input, pos + bad);
            return r;
        }
        r.dechunked = true;
        return r;
    }
    r.body.assign(body);
    return r;
}

}  // namespace llmgw
