#include "core/mock/mock_wire.h"

namespace llmgw::mock {

namespace {
using TS = ToolStream;
using TC = ToolContent;
// clang-format off
//                         fingerprint          omit   chat_lp text_lp stop_r role_ch r_null role_all fin_last timings c_usage empty_tc reasoning           tool stream             tool finish  content     args_obj
constexpr Wire kVllm     {"",                 false, true,   true,   true,  true,   false, false,   true,    false,  false,  true,    "reasoning",         TS::IdNameThenArgs,     "tool_calls", TC::Null,    false};
constexpr Wire kOllama   {"fp_ollama",        false, false,  false,  false, false,  false, true,    false,   false,  false,  false,   "reasoning",         TS::Whole,              "stop",       TC::Empty,   false};
constexpr Wire kLlamaCpp {"b0000-llmgw-mock", false, false,  true,   false, true,   true,  false,   false,   true,   true,   false,   "reasoning_content", TS::IdNameWithFirstArg, "tool_calls", TC::Empty,   false};
constexpr Wire kTgi      {"3.3.4-native",     true,  false,  false,  false, false,  false, true,    true,    false,  false,  false,   "",                  TS::ObjectFragments,    "tool_calls", TC::Omitted, true};
// clang-format on
}  // namespace

const Wire& wire_for(BackendKind kind) {
    switch (kind) {
        case BackendKind::Ollama: return kOllama;
        case BackendKind::LlamaCpp: return kLlamaCpp;
        case BackendKind::TGI: return kTgi;
        default: return kVllm;
    }
}

}  // namespace llmgw::mock
