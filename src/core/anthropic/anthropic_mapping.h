// The Anthropic <-> OpenAI mapping tables, one place each: stop reasons, tool_choice, usage and
// the ids the gateway makes up. Every translator (request, response, both stream directions, and
// `llmgw translate`) reads these; none keeps its own copy.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/api/chat_completion.h"
#include "core/json/json_value.h"

namespace llmgw {

// ---- stop reasons ----------------------------------------------------------------------------
// What the turn produced, as far as the translator saw it. The runtime's finish_reason is only a
// hint: a turn with tool calls ends `tool_use` even when the runtime said "stop" (Ollama), and a
// "tool_calls" finish with no call assembled ends `end_turn` (LocalAI).
struct FinishFacts {
    std::string_view finish_reason;     // OpenAI finish_reason; empty when none was sent
    bool tool_calls_seen = false;       // at least one tool call was assembled
    bool stop_sequence_matched = false; // the runtime named the stop string (vLLM `stop_reason`)
};
// end_turn | max_tokens | stop_sequence | tool_use | refusal
std::string_view anthropic_stop_reason(const FinishFacts& f);
// Reverse: stop | length | tool_calls | content_filter
std::string_view openai_finish_reason(std::string_view anthropic_stop_reason);

// vLLM reports which stop string ended generation in a non-standard `stop_reason` on the choice
// (a string, or a token id number, or null). Only a string names a stop sequence.
std::optional<std::string> matched_stop_string(const json::Value& choice);

// ---- tool_choice -------------------------------------------------------------------------------
// Anthropic {"type":"auto"|"any"|"tool"|"none", "name", "disable_parallel_tool_use"} <-> OpenAI
// "auto" | "required" | "none" | {"type":"function","function":{"name"}} + parallel_tool_calls.
struct ToolChoice {
    std::string type;                      // Anthropic spelling: auto, any, tool, none
    std::string name;                      // for "tool"
    bool disable_parallel_tool_use = false;
};
// OpenAI tool_choice value for an Anthropic choice.
json::Value openai_tool_choice(const ToolChoice& c, json::Alloc& a);
// Anthropic choice from an OpenAI tool_choice value (string or object); nullopt if unrecognised.
std::optional<ToolChoice> tool_choice_from_openai(const json::Value& v);

// ---- usage -------------------------------------------------------------------------------------
// TokenUsage, usage_from_openai and openai_usage_json: core/api/chat_completion.h.
// Reads an Anthropic usage object back into OpenAI terms.
TokenUsage usage_from_anthropic(const json::Value* usage);
// {"input_tokens","cache_creation_input_tokens","cache_read_input_tokens","output_tokens"}
json::Value anthropic_usage_json(const TokenUsage& u, json::Alloc& a);

// ---- ids ---------------------------------------------------------------------------------------
// "msg_" + the seed's [A-Za-z0-9_-] characters (serve passes its request id; the translators fall
// back to the upstream completion id). Deterministic so tests and `translate` are reproducible.
std::string make_message_id(std::string_view seed);
// For tool calls the runtime sent without an id: "toolu_" + message id suffix + "_" + n.
std::string make_tool_use_id(std::string_view message_id, size_t n);
// "chatcmpl-" + seed characters, for the reverse direction.
std::string make_completion_id(std::string_view seed);

// ---- tool arguments ----------------------------------------------------------------------------
// OpenAI `arguments` (a JSON string, or an object from TGI) -> Anthropic `input` object.
// Empty or whitespace-only -> {}. A JSON object -> itself. Anything else (invalid JSON, or JSON
// that is not an object) -> {"_raw_arguments": "<the text as sent>"}, so nothing is lost and a
// tool runner sees plainly that the model produced unusable arguments.
json::Value tool_input_from_arguments(const json::Value* arguments, json::Alloc& a);
constexpr std::string_view kRawArgumentsKey = "_raw_arguments";

}  // namespace llmgw
