#include "core/backend/backend_profile.h"

#include <array>

namespace llmgw {

namespace {
using TS = ThinkingStyle;
using TK = TokenizeStyle;
// Sources: ../shared/RUNTIMES.md and each runtime's documentation.
constexpr std::array<BackendProfile, 8> kProfiles{{
    //  kind                 name        display      default url                  health       emb    susage top_k  n.msg  n.count thinking            effort tokenize
    {BackendKind::VLLM,     "vllm",     "vLLM",      "http://127.0.0.1:8000",     "/health",   true,  true,  true,  true,  true,  TS::ChatTemplateKwargs, true,  TK::ChatTokenize},
    {BackendKind::Ollama,   "ollama",   "Ollama",    "http://127.0.0.1:11434",    "/",         true,  true,  false, true,  false, TS::None,               true,  TK::None},
    {BackendKind::LlamaCpp, "llamacpp", "llama.cpp", "http://127.0.0.1:8080",     "/health",   true,  true,  true,  true,  true,  TS::ChatTemplateKwargs, true,  TK::ApplyTemplateTokenize},
    {BackendKind::TGI,      "tgi",      "TGI",       "http://127.0.0.1:8080",     "/health",   false, true,  true,  false, false, TS::None,               false, TK::TextTokenize},
    {BackendKind::SGLang,   "sglang",   "SGLang",    "http://127.0.0.1:30000",    "/health",   true,  true,  true,  true,  true,  TS::ChatTemplateKwargs, true,  TK::ChatTokenize},
    {BackendKind::LocalAI,  "localai",  "LocalAI",   "http://127.0.0.1:8080",     "/readyz",   true,  false, true,  false, false, TS::None,               false, TK::None},
    {BackendKind::LMStudio, "lmstudio", "LM Studio", "http://127.0.0.1:1234",     "/v1/models",true,  true,  false, true,  false, TS::None,               false, TK::None},
    {BackendKind::OpenAI,   "openai",   "OpenAI-compatible", "http://127.0.0.1:8080", "/v1/models", true, true, false, false, false, TS::None,         false, TK::None},
}};
}  // namespace

const BackendProfile& backend_profile(BackendKind kind) {
    for (const auto& p : kProfiles)
        if (p.kind == kind) return p;
    return kProfiles.back();
}

std::optional<BackendKind> parse_backend_kind(std::string_view name) {
    for (const auto& p : kProfiles)
        if (p.name == name) return p.kind;
    if (name == "llama.cpp" || name == "llama-cpp" || name == "llama_cpp") return BackendKind::LlamaCpp;
    return std::nullopt;
}

std::string_view backend_kind_names() {
    return "vllm | ollama | llamacpp | tgi | sglang | localai | lmstudio | openai";
}

}  // namespace llmgw
