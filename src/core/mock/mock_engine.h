// The brain of `llmgw mock`: turns a request into the response a given runtime would send, as pure
// logic (no I/O, no clock). A stream comes back as the ordered list of its SSE payloads, so the
// server side only paces them with timers. Equal inputs give equal bytes (without a prompt cache:
// with one, cached_tokens depends on the request before).
//
// Generation: the "model" says `tokens` generated words (fewer when max_tokens /
// max_completion_tokens is lower: finish "length"), preceded by `reasoning_tokens` reasoning words
// on profiles that have a reasoning field. Words come from a hash of the messages (chat) or prompt
// (completions), so the stream and non-stream answers to the same conversation are the same text.
// A `stop` string cuts the text before its first occurrence (finish "stop"; vLLM also reports it
// in `stop_reason`). With `tools` (and tool_choice not "none") the answer is one call to the
// named tool, else the first, with arguments built from its JSON schema (see mock_schema.h).
//
// Token counts use mock::count_tokens (mock_text.h). Chat prompt tokens are the count of the
// ChatML rendering of the messages (chat_prompt(), also what /apply-template returns), so usage,
// /tokenize and /apply-template agree with each other. cached_tokens is the common prefix of the
// prompt (cached_prompt(): system text, tools, the rest) with the previous one served (mock_prompt_cache.h),
// at most prompt_tokens - 1, as llama.cpp always evaluates the last prompt token again. Completion tokens are the generated words
// (plus reasoning words; plus one per streamed argument fragment for a tool call).
#pragma once
#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend/backend_profile.h"
#include "core/mock/mock_prompt_cache.h"

namespace llmgw::mock {

struct Options {
    BackendKind profile = BackendKind::VLLM;  // one of vllm, ollama, llamacpp, tgi
    std::string model = "mock-model";
    int tokens = 16;             // generated words per answer
    int reasoning_tokens = 0;    // reasoning words before the answer (not on tgi)
    int embedding_dim = 8;
    int context_length = 8192;   // prompts longer than this are refused as a runtime would
    bool strict_model = false;   // vllm/ollama: 404 for a model other than `model`
    bool reject_top_k = false;   // 400 to chat and completion requests that carry top_k
    bool tokenizer = true;       // false: no /tokenize or /apply-template (404, as a runtime without them)
    int ttft_ms = 0;             // only reported (llama.cpp `timings`); pacing is the server's job
    int itl_ms = 0;
    int64_t created = 1767225600;  // fixed "created", so equal requests give equal bytes
    // Reports cached_tokens as the common prefix with the previous chat prompt (shared by the
    // mock's workers, owned by the caller; `llmgw mock --prefix-cache`); null: always 0.
    PromptCache* prompt_cache = nullptr;
};

bool is_mock_profile(BackendKind kind);
std::string_view mock_profile_names();  // "vllm | ollama | llamacpp | tgi"

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;                 // the whole body of a plain response
    std::vector<std::string> events;  // a stream: SSE data payloads in order, "[DONE]" last
    int completion_tokens = 0;        // generated tokens, to pace a non-stream answer like a stream
    bool is_stream() const { return !events.empty(); }
};

// "data: <payload>\n\n"
std::string sse_frame(std::string_view payload);

// An error body in the shape the profile's runtime uses:
//   vllm     {"error":{"message","type":"BadRequestError","param":null,"code":400}}
//   llamacpp {"error":{"code":400,"message","type":"invalid_request_error"}}
//   ollama   {"error":{"message","type":"invalid_request_error","param":null,"code":null}}
//   tgi      {"error":"...","error_type":"validation"}   (not an OpenAI envelope)
std::string error_body(BackendKind profile, int status, std::string_view message);

// ChatML rendering of chat messages ("<|im_start|>user\nHi<|im_end|>\n...<|im_start|>assistant\n"),
// text parts joined, tool-call arguments included.
std::string chat_prompt(const rapidjson::Value& messages);

struct ScriptStep;  // mock_script.h

class Engine {
public:
    explicit Engine(Options o) : opt_(std::move(o)) {}
    const Options& options() const { return opt_; }

    // Routes to the endpoints the profile serves. Unknown path 404, wrong method 405, both in the
    // profile's error shape (tgi: plain 404 with an empty body, like its router).
    Response handle(std::string_view method, std::string_view path, std::string_view body) const;

    Response chat_completions(std::string_view body) const;
    // The same request answered with a scripted step instead of generated words (mock_script.h).
    Response chat_completions(std::string_view body, const ScriptStep& step) const;
    Response completions(std::string_view body) const;
    Response embeddings(std::string_view body) const;
    Response models() const;
    Response health() const;                         // the body served at the profile's health path
    Response tokenize(std::string_view body) const;  // vllm, llamacpp, tgi shapes
    Response apply_template(std::string_view body) const;  // llamacpp
    Response error(int status, std::string_view message) const;

private:
    Options opt_;
};

}  // namespace llmgw::mock
