// Paths the gateway forwards as the client sent them (GET /v1/models/{id}) must stay under the
// route they matched: no dot segments (raw or percent-encoded), which curl would resolve and so
// let a client reach any backend endpoint, no encoded slashes or backslashes, no control bytes.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

bool is_safe_forward_path(std::string_view path);

// "%2F" -> "/" (a path segment or query value as the client meant it); nullopt on a '%' not
// followed by two hex digits, or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace llmgw
