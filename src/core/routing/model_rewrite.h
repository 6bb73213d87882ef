// Public model names to the runtime's and back: the request's "model" before it goes upstream,
// and the name the runtime puts in its answers (whole bodies and each stream event) before the
// client sees them. Surgical edits: every other byte passes unchanged.
#pragma once
#include <string>
#include <string_view>

namespace llmgw {

// `body` (a JSON object, already validated) with its top-level "model" set to `model`, inserted
// when absent.
std::string with_model(std::string_view body, std::string_view model);

// Rewrites "model": `from` to `to` in a backend's answer or stream event: at the top level
// (OpenAI chat, completions, embeddings) and inside "message" (Anthropic message_start) and
// "response" (Responses events). `text` is untrusted: it is parsed under the JSON policy first
// and left as it is when it is not JSON. True when something changed.
bool rewrite_answer_model(std::string& text, std::string_view from, std::string_view to);

}  // namespace llmgw
