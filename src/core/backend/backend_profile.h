// What each OpenAI-compatible runtime supports and where, in one table. Serve, probe, the mock
// and the translator all read it; nothing else hard-codes per-runtime behaviour.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

enum class BackendKind { VLLM, Ollama, LlamaCpp, TGI, SGLang, LocalAI, LMStudio, OpenAI };

// How a runtime turns model reasoning on or off.
enum class ThinkingStyle { None, ChatTemplateKwargs };
// How a runtime counts prompt tokens.
enum class TokenizeStyle {
    None,
    ChatTokenize,           // POST /tokenize with {"model","messages"} (vLLM, SGLang)
    ApplyTemplateTokenize,  // POST /apply-template then POST /tokenize {"content"} (llama.cpp)
    TextTokenize,           // POST /tokenize {"inputs"} (TGI)
};

struct BackendProfile {
    BackendKind kind;
    std::string_view name;              // as in BACKEND_KIND
    std::string_view display;           // "vLLM", "llama.cpp", ...
    std::string_view default_base_url;  // the runtime's usual local address
    std::string_view health_path;       // at the origin, not under /v1
    bool embeddings;                    // serves /v1/embeddings
    bool stream_usage;                  // honours stream_options.include_usage
    bool top_k;                         // accepts top_k on chat completions
    bool native_messages;               // serves /v1/messages itself (recent versions)
    bool native_count_tokens;           // serves /v1/messages/count_tokens itself
    ThinkingStyle thinking;
    bool reasoning_effort;              // accepts reasoning_effort on chat completions
    TokenizeStyle tokenize;
};

const BackendProfile& backend_profile(BackendKind kind);
std::optional<BackendKind> parse_backend_kind(std::string_view name);
std::string_view backend_kind_names();  // "vllm | ollama | ..." for help and errors

}  // namespace llmgw
