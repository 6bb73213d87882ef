// Optional features serve learns by asking its backend (usage in streams, top_k, a tokenizer), the
// way `llmgw probe` checks them, and how the request path combines that with the per-kind table
// of backend_profile.h: what was learned wins, what is unknown leaves the table's value. Pure:
// gateway/backend_discovery.cpp sends the requests and stores the verdicts.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/backend/backend_profile.h"
#include "core/backend/probe_checks.h"

namespace llmgw {

// One feature as discovery last saw it. Unknown: not asked yet, or the answer said nothing.
enum class Learned : uint8_t { Unknown, Yes, No };
std::string_view learned_name(Learned l);  // "unknown" | "yes" | "no"

struct LearnedCapabilities {
    Learned stream_usage = Learned::Unknown;  // honours stream_options.include_usage
    Learned top_k = Learned::Unknown;         // accepts top_k on chat completions
    Learned tokenizer = Learned::Unknown;     // answers tokenize_style_to_try()'s request
};

// The tokenizer discovery asks for: the table's style, or, for a kind without one, ChatTokenize
// (vLLM's and SGLang's /tokenize, which an `openai` or `lmstudio` kind may in fact front).
TokenizeStyle tokenize_style_to_try(const BackendProfile& table);

// The profile requests are built with: the table with each known capability laid over it. A
// tokenizer learned to work is tokenize_style_to_try()'s; one learned absent is None (estimate).
BackendProfile effective_profile(const BackendProfile& table, const LearnedCapabilities& learned);

// Discovery's requests, one token each: a plain chat (the baseline), the same streamed with
// stream_options.include_usage, the same with "top_k": 1.
std::string baseline_chat_body(std::string_view model);
std::string stream_usage_chat_body(std::string_view model);
std::string top_k_chat_body(std::string_view model);

// Judging the answers. A request refused (4xx other than auth and rate limits) while the
// baseline to the same model succeeded was refused for its feature: No. Refused together with
// the baseline (unknown model, a gateway's key), unanswered, 5xx: Unknown.
Learned learn_stream_usage(const ProbeReply& with_usage, const ProbeReply& baseline);
Learned learn_top_k(const ProbeReply& with_top_k, const ProbeReply& baseline);
// No baseline needed: a tokenizer endpoint either counts "Hello world" or does not exist. 404,
// other refusals and unreadable answers: No; unanswered, 5xx, 401/403/408/429: Unknown.
Learned learn_tokenizer(const ProbeReply& tokenize);

// RESPONSES_MODE=auto: a minimal stateless Responses request (store false, 8 output tokens), and
// whether the answer is a Responses `response` object with output (a runtime that serves
// /v1/responses itself). A 404, an error or any other shape: no.
std::string probe_responses_body(std::string_view model);
bool answers_responses(const ProbeReply& r);

}  // namespace llmgw
