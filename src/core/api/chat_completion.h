// Reading what a runtime answers on /v1/chat/completions, for every translator that turns it into
// another API (Anthropic Messages, OpenAI Responses): usage, reasoning text and in-band errors.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/api_error.h"
#include "core/api/stream_chunk.h"
#include "core/json/json_value.h"

namespace llmgw {

// ---- usage -------------------------------------------------------------------------------------
// Token counts in OpenAI terms. Anthropic counts cached prompt tokens apart from input_tokens
// (total prompt = input_tokens + cache_read_input_tokens), so cached tokens are subtracted there,
// not double counted.
struct TokenUsage {
    int64_t prompt_tokens = 0;      // OpenAI prompt_tokens (all of the prompt)
    int64_t completion_tokens = 0;
    int64_t cached_tokens = 0;      // prompt_tokens_details.cached_tokens
    int64_t reasoning_tokens = 0;   // completion_tokens_details.reasoning_tokens
    bool present = false;           // a usage object was seen at all

    int64_t anthropic_input_tokens() const { return prompt_tokens > cached_tokens ? prompt_tokens - cached_tokens : 0; }
};
// Reads an OpenAI usage object; absent or non-object -> present=false. Negative counts read as 0.
TokenUsage usage_from_openai(const json::Value* usage);
// Folds a later usage report into `into`. Usage is cumulative: taking the maximum ignores
// LocalAI's all-zero usage on early chunks and works whether it arrives on the finish chunk, in a
// separate final chunk, or on every chunk.
void merge_stream_usage(TokenUsage& into, const TokenUsage& later);
// {"prompt_tokens","completion_tokens","total_tokens","prompt_tokens_details":{"cached_tokens"}}
json::Value openai_usage_json(const TokenUsage& u, json::Alloc& a);

// The reasoning text of an OpenAI message or delta: `reasoning_content` (llama.cpp, older vLLM,
// SGLang) or `reasoning` (newer vLLM, Ollama). Empty when neither is a string.
std::string_view reasoning_text(const json::Value& message_or_delta);

// The text of an OpenAI message's content: a string, or (rarely) an array of parts whose text parts
// count; empty when there is none.
std::string message_text(const json::Value& message);

// An OpenAI-shaped error from the runtime's answer inside a 200 body ({"error": ...}), if any.
std::optional<ApiError> inband_upstream_error(const json::Value& body, int fallback_status);

// ---- a whole answer, one stream event ----------------------------------------------------------
// The first choice of a whole chat completion, parsed from `body` into `doc`. `error` (502, or the
// status the runtime put in an in-band error) when the body is not JSON, is an error, or has no
// choice; otherwise `message` is the choice's message, or an empty object when it has none.
struct FirstChoice {
    const json::Value* choice = nullptr;
    const json::Value* message = nullptr;
    std::optional<ApiError> error;
};
FirstChoice read_first_choice(std::string_view body, rapidjson::Document& doc);

// One upstream SSE data payload of a chat stream (read once by read_stream_chunk): blank (Skip),
// "[DONE]" (Done), a chunk object (Chunk: chunk.json), or (Fail, with the error) a payload that is
// not JSON, an in-band error, or not an object.
enum class ChatStreamStep { Skip, Done, Chunk, Fail };
struct ChatStreamEvent {
    ChatStreamStep step = ChatStreamStep::Skip;
    std::optional<ApiError> error;
};
ChatStreamEvent read_chat_stream_event(const StreamChunk& chunk);

// What a translator of a chat stream counts as the stream goes by, the same for every target API:
// the usage the runtime reported (merged over chunks), llama.cpp's timings, the content-bearing
// deltas, [DONE] and a finish_reason.
struct ChatStreamTally {
    TokenUsage usage;
    int64_t timings_predicted = 0;
    int64_t content_chunks = 0;
    std::string finish_reason;  // the last non-empty one
    bool saw_done = false;
    bool saw_finish = false;

    // Reads one event (read_chat_stream_event), noting [DONE] and a chunk's usage and timings.
    ChatStreamEvent read(const StreamChunk& chunk);
    // Notes a choice's finish_reason; true when it has one (the turn is over).
    bool read_finish(const json::Value& choice);
    // Upstream usage when reported, else llama.cpp timings, else content deltas (about a token each).
    int64_t output_tokens() const;
    // The runtime said it was done ([DONE] or a finish_reason): only trailing usage can be missing.
    bool runtime_ended() const { return saw_done || saw_finish; }
};

// ---- streamed tool calls ------------------------------------------------------------------------
// Calls `f` with each call object of a message's or a stream delta's tool_calls: an array of
// them, or TGI's one call as an object.
template <class F>
void for_each_tool_call(const json::Value& message, F&& f) {
    const json::Value* tc = json::get(message, "tool_calls");
    if (!tc) return;
    if (tc->IsObject()) {
        f(*tc);
    } else if (tc->IsArray()) {
        for (auto& call : tc->GetArray())
            if (call.IsObject()) f(call);
    }
}

// One entry of a streamed delta.tool_calls. Runtimes disagree on everything here: ids only on the
// first fragment (OpenAI, llama.cpp), ids repeated on every fragment (vLLM), `id: ""` and
// `name: null` on continuations (TGI), several whole calls all at index 0 (Ollama), no index at
// all, arguments as an object (TGI).
struct ToolCallFragment {
    std::optional<int64_t> index;
    std::string_view id = "";    // empty when absent (never a null view: RapidJSON refuses those)
    std::string_view name = "";  // empty when absent
    std::string arguments;       // the arguments fragment; a TGI object rendered as JSON
};
ToolCallFragment read_tool_call_fragment(const json::Value& call);

// Which of the calls assembled so far a fragment belongs to (`Call` has `std::string id` and
// `std::optional<int64_t> upstream_index`): the call with its id; without an id, the latest call
// at its index; without either, the latest call. nullopt: the fragment starts a new call.
template <class Call>
std::optional<size_t> find_tool_call(const std::vector<Call>& calls, const ToolCallFragment& f) {
    if (!f.id.empty()) {
        for (size_t i = 0; i < calls.size(); ++i)
            if (calls[i].id == f.id) return i;
        return std::nullopt;
    }
    if (calls.empty()) return std::nullopt;
    if (!f.index) return calls.size() - 1;
    for (size_t i = calls.size(); i-- > 0;)
        if (calls[i].upstream_index == f.index) return i;
    return std::nullopt;
}

}  // namespace llmgw
