// Paths the gateway forwards as the client sent them (GET /v1/models/{id}) must stay under the
// route they matched: no dot segments (raw or percent-encoded), which curl would resolve and so
// let a client reach any backend endpoint, no encoded slashes or backslashes, no control bytes.
#pragma once
#include <string_view>

namespace llmgw {

bool is_safe_forward_path(std::string_view path);

}  // namespace llmgw
