// context_management's clear_tool_uses edit, applied to the translated chat messages the way the
// Messages API applies it before the model sees the prompt: once the prompt passes the trigger,
// the oldest tool results (and, if asked, their calls' arguments) are replaced by a placeholder,
// except the most recent `keep` and those of excluded tools. Runtimes have no such feature, and
// without it a long agent session overflows their context where the real API would not.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json/json_value.h"

namespace llmgw {

struct ClearToolUses {
    bool trigger_on_tool_uses = false;  // trigger type "tool_uses" (else "input_tokens")
    int64_t trigger = 100000;           // the API's default: 100k input tokens
    int64_t keep = 3;                   // most recent tool uses kept (the API's default)
    int64_t clear_at_least = 0;         // estimated tokens; clear nothing unless this many go
    bool clear_tool_inputs = false;
    std::vector<std::string> exclude_tools;
};

// What a cleared tool result says instead.
inline constexpr std::string_view kClearedToolResult = "[tool result cleared to save context]";

// `messages`: an OpenAI chat messages array. `prompt_tokens`: the estimate of the whole request.
// Returns how many tool results were cleared.
size_t apply_clear_tool_uses(json::Value& messages, const ClearToolUses& edit, int64_t prompt_tokens,
                             json::Alloc& a);

}  // namespace llmgw
