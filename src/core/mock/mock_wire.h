// How each mocked runtime shapes its OpenAI-compatible answers: the quirks a gateway has to cope
// with, as one row per profile (sources: ../shared/RUNTIMES.md and the llama.cpp captures in
// tests/fixtures/llamacpp). Internal to the mock engine.
#pragma once
#include <string_view>

#include "core/backend/backend_profile.h"

namespace llmgw::mock {

enum class ToolStream {
    IdNameThenArgs,     // vllm: {id,type,name} first, then argument fragments
    IdNameWithFirstArg, // llamacpp: first delta carries id, type, name and the first fragment
    Whole,              // ollama: the whole call in one chunk
    ObjectFragments,    // tgi: "tool_calls" is an object; continuations have id "" and name null
};
enum class ToolContent { Null, Empty, Omitted };  // message "content" next to tool calls

struct Wire {
    std::string_view system_fingerprint;  // "" = no such field
    bool omit_nulls;              // tgi: null fields are left out
    bool chat_logprobs_null;      // chat choices carry "logprobs": null
    bool text_logprobs_null;      // completions choices carry "logprobs": null
    bool stop_reason;             // vllm: "stop_reason" on choices (matched stop string or null)
    bool role_chunk;              // a first chunk with only the role
    bool role_chunk_content_null; // ... whose content is null (llamacpp) rather than "" (vllm)
    bool role_on_every_delta;     // ollama, tgi
    bool finish_on_last_piece;    // finish_reason rides on the last content chunk (vllm, tgi)
    bool timings;                 // llamacpp "timings" and usage.prompt_tokens_details
    bool completions_usage_always;  // llamacpp: /v1/completions' last chunk always has usage
    bool empty_tool_calls;        // vllm: "tool_calls": [] on messages (and text deltas when tools were offered)
    std::string_view reasoning_field;  // "" = no reasoning on this runtime
    ToolStream tool_stream;
    std::string_view tool_stream_finish;  // ollama streams say "stop" after a tool call
    ToolContent tool_content;
    bool tool_args_object;        // tgi: non-stream "arguments" is a JSON object
};

const Wire& wire_for(BackendKind kind);

}  // namespace llmgw::mock
