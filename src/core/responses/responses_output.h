// What both the streamed and the non-streamed translation of a runtime's chat completion into a
// Responses `response` object need to know about the request, and the ids they make up.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/api/api_error.h"
#include "core/api/chat_completion.h"
#include "core/json/json_value.h"
#include "core/responses/responses_request.h"
#include "core/responses/responses_tools.h"

namespace llmgw {

struct ResponsesOutputContext {
    std::string model;            // as the client requested it (echoed back)
    std::string id_seed;          // serve's request id -> "resp_<seed>", items "msg_<seed>_<n>", ...
    int64_t created_at = 0;       // unix seconds, from the caller's clock
    std::string response_echo;    // ResponsesRequestFacts::response_echo (a JSON object; empty: none)
    ResponsesToolNames tools;     // ResponsesRequestFacts::tools, to map calls back
    bool reasoning_summary = false;  // reasoning as summary_text (else reasoning_text content)
    // Set (with include_encrypted_reasoning) to give reasoning items an `encrypted_content`.
    ReasoningSealer seal;
    bool include_encrypted_reasoning = false;
};

// "resp_<seed chars>" ("resp_0" for an empty seed).
std::string make_response_id(std::string_view seed);
// "<prefix>_<seed chars>_<n>": msg_, fc_, ctc_, rs_ item ids and call_ call ids.
std::string make_item_id(std::string_view prefix, std::string_view seed, size_t n);

// Responses error `code` for a failure: server_error, rate_limit_exceeded, invalid_prompt, ...
std::string_view responses_error_code(const ApiError& e);

// ---- shared by the streamed and the non-streamed translation -----------------------------------
enum class ResponsesItemKind { Reasoning, Message, Refusal, ToolCall };

// One output item as the translators assemble it from the runtime's answer.
struct ResponsesOutputItem {
    ResponsesItemKind kind = ResponsesItemKind::Message;
    std::string id;
    std::string text;               // reasoning, output text, refusal, or the call's raw arguments
    std::string runtime_name;       // a tool call's function name as the runtime called it
    std::string call_id;
    std::string encrypted_content;  // a reasoning item's sealed text, when asked for
};

// A runtime tool call that maps back to a `custom` tool (a custom_tool_call item, "ctc_" id).
bool is_custom_call(const ResponsesOutputContext& ctx, std::string_view runtime_name);
// The freeform input inside a custom tool call's arguments ({"input": "..."}); the arguments text
// itself when the runtime wrote something else.
std::string custom_tool_input(std::string_view arguments);
// The complete item JSON, as output_item.done and the response's `output` carry it. `status`:
// in_progress | completed | incomplete (reasoning items have none).
json::Value output_item_json(const ResponsesOutputItem& item, std::string_view status,
                              const ResponsesOutputContext& ctx, json::Alloc& a);
// {"input_tokens","input_tokens_details":{"cached_tokens"},"output_tokens",
//  "output_tokens_details":{"reasoning_tokens"},"total_tokens"}
json::Value responses_usage_json(const TokenUsage& u, int64_t output_tokens, json::Alloc& a);
// The `response` object: id, object, created_at, status, error, incomplete_details, the echoed
// request parameters, model, output, usage. `incomplete_reason` empty unless status is
// incomplete; `error` only for failed; `usage` null until the response ends.
json::Value response_object_json(const ResponsesOutputContext& ctx, std::string_view status,
                                  std::string_view incomplete_reason, const ApiError* error,
                                  json::Value output, json::Value usage, json::Alloc& a);

}  // namespace llmgw
