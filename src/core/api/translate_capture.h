// Reading captured payloads for `llmgw translate`: a bare JSON or SSE body, or a raw HTTP message
// as `curl -i` or the shared fixtures keep it (optional "# ..." comment lines, a request or status
// line, headers, a blank line, then the body; chunked transfer encoding undone when the body still
// has it), or an exchange as the agent fixtures record it (a JSON object {method, url, headers,
// body} whose body is the request parsed: the body re-serialised compactly).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

struct CaptureBody {
    std::string body;
    size_t body_line = 1;            // 1-based line of the input where the body starts
    bool had_head = false;
    bool dechunked = false;
    bool recorded = false;           // the body came out of a {method, url, headers, body} record
    std::optional<std::string> error;  // malformed chunked encoding, with the offset
};

CaptureBody extract_capture_body(std::string_view input);

// "line 3, column 14" for a byte offset into `text`.
std::string describe_position(std::string_view text, size_t offset);

}  // namespace llmgw
