// Anthropic Messages request -> OpenAI chat completion request. Pure: a body in, a body plus the
// facts serve needs out, or one 400 naming the offending field path
// ("messages.2.content.0.type: unknown block type 'foo'").
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json/json_value.h"
#include "core/api/api_error.h"
#include "core/api/conversation_facts.h"
#include "core/api/token_facts.h"
#include "core/backend/backend_profile.h"

namespace llmgw {

struct AnthropicRequestOptions {
    const BackendProfile& profile;  // decides top_k, stream usage and the thinking switch
    int64_t max_tokens_cap = 0;     // clamp max_tokens to this when > 0 (MAX_TOKENS_CAP or n_ctx)
    bool stream_usage = true;       // ask for stream_options.include_usage (if the profile allows);
                                    // serve retries with false when an old runtime rejects it
    bool require_max_tokens = true; // false for /v1/messages/count_tokens bodies
    bool keep_billing_header = false;  // ANTHROPIC_KEEP_BILLING_HEADER: keep Claude Code's
                                       // per-request billing block in the prompt
    bool read_tokens = false;  // fill the translation's token facts (a token budget applies)
};

// What serve needs to know about the request besides the translated body.
struct AnthropicRequestFacts {
    std::string model;              // as the client asked for it
    bool stream = false;
    bool thinking_enabled = false;  // client asked for thinking: reasoning becomes thinking blocks
    bool has_tools = false;
    int64_t max_tokens = 0;         // after clamping (0 when absent in a count_tokens body)
    bool max_tokens_clamped = false;
    bool billing_header_dropped = false;
    // Top-level fields accepted and dropped (the table's ignored ones, and unknown ones), and
    // context_management edits that change nothing here: serve logs them at debug.
    std::vector<std::string> ignored;
    ConversationFacts conversation;  // the client's body's, for session affinity
};

struct AnthropicRequestTranslation {
    std::optional<ApiError> error;  // set: a 400 invalid_request_error; nothing else is meaningful
    std::string body;               // OpenAI /v1/chat/completions JSON
    AnthropicRequestFacts facts;
    std::optional<TokenFacts> tokens;  // with opts.read_tokens: the body's, read from its DOM
    bool ok() const { return !error; }
};

AnthropicRequestTranslation translate_anthropic_request(std::string_view body,
                                                        const AnthropicRequestOptions& opts);

// The same translation into a DOM, for callers that look inside the result (token counting).
std::optional<ApiError> anthropic_request_to_openai(std::string_view body,
                                                    const AnthropicRequestOptions& opts,
                                                    json::Document& out, AnthropicRequestFacts& facts);

}  // namespace llmgw
