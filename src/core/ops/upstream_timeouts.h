// How long each kind of backend call may take, from the configured REQUEST_TIMEOUT_S and
// CONNECT_TIMEOUT_S: one policy instead of a clamp at every call site.
#pragma once
#include "core/ops/config.h"

namespace llmgw {

enum class UpstreamPurpose {
    Relay,       // the client's own request: the configured timeouts as they are
    SideCall,    // a call made for the client's request (count_tokens' tokenizer): capped
    Check,       // readiness and discovery GETs: a backend that is up answers at once
    CheckWithBody,  // discovery's one-token generations: a cold model may be slow to answer
};

struct UpstreamTimeouts {
    long total_ms;
    long connect_ms;
};

UpstreamTimeouts upstream_timeouts(const ServeConfig& cfg, UpstreamPurpose purpose);

}  // namespace llmgw
