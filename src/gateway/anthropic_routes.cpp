// Anthropic Messages routes, translated to the backend's OpenAI API.
#include "gateway/forward.h"
#include "gateway/routes.h"

namespace llmgw::gw {

void anthropic_messages(const RequestContext& ctx) {
    ctx.fail(ApiError::not_implemented("/v1/messages is not wired yet"));
}

void anthropic_count_tokens(const RequestContext& ctx) {
    ctx.fail(ApiError::not_implemented("/v1/messages/count_tokens is not wired yet"));
}

}  // namespace llmgw::gw
