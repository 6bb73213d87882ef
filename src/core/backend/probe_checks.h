// The pure half of `llmgw probe`: what to send for each check, how to judge each answer, how to
// tell which runtime answered, and how to show the results (aligned table or JSON). The command
// only moves bytes.
//
// JSON schema "llmgw.probe/1" (stable: fields are only added):
// {
//   "schema": "llmgw.probe/1", "llmgw_version": "0.1.0",
//   "target": {"url", "configured_kind" (or null), "model" (or "")},
//   "runtime": {"detected": "vllm"|"ollama"|"llamacpp"|"tgi"|"sglang"|"localai"|"lmstudio"|null,
//               "display", "gateway" (bool: an llmgw gateway answered), "evidence",
//               "matches_configured" (bool, or null when nothing is configured or detected)},
//   "checks": [{"name", "status": "pass"|"fail"|"skip", "required" (bool), "latency_ms", "detail"}],
//   "required": ["reachable", ...], "ready" (bool), "exit_code" (0|1), "attempts", "elapsed_ms"
// }
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/backend/backend_profile.h"

namespace llmgw {

// An HTTP answer as the probe saw it; status 0 means no answer (error says why).
struct ProbeReply {
    int status = 0;
    std::string error;
    std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
    std::string body;
    double latency_ms = 0;
    std::string header(std::string_view lower_name) const;
};

enum class CheckStatus { Pass, Fail, Skip };
std::string_view check_status_name(CheckStatus s);

struct CheckResult {
    std::string name;
    CheckStatus status = CheckStatus::Skip;
    double latency_ms = 0;
    std::string detail;
    bool required = false;
};

// Every check, in run and display order: reachable, models, chat, stream, usage, tools,
// embeddings, tokenize, reasoning, messages.
const std::vector<std::string_view>& probe_check_names();
// "chat,stream" -> names; sets *bad to the first unknown name.
std::optional<std::vector<std::string>> parse_check_list(std::string_view s, std::string* bad);
// What must pass when --require is not given.
std::vector<std::string> default_required_checks();

// Request bodies. max_tokens is kept tiny: these are capability checks, not workloads.
struct ProbeChatOptions {
    bool stream = false;
    bool include_usage = false;    // stream_options.include_usage (streams only)
    bool enable_thinking = false;  // chat_template_kwargs.enable_thinking
    std::optional<int> top_k;
    int max_tokens = 0;            // 0: 8, or 32 with thinking
};
std::string probe_chat_body(std::string_view model, const ProbeChatOptions& o);
std::string probe_chat_body(std::string_view model, bool stream, bool include_usage, bool enable_thinking = false);
inline constexpr std::string_view kProbeToolName = "get_weather";
std::string probe_tools_body(std::string_view model);  // forces a call to kProbeToolName
std::string probe_embeddings_body(std::string_view model);
std::string probe_messages_body(std::string_view model);
std::string probe_tokenize_body(TokenizeStyle style, std::string_view model);

// Judging each answer.
CheckResult check_reachable(const ProbeReply& r, std::string_view path);
// Sets *first_model to the first listed id (for the checks when MODEL_NAME is not set).
CheckResult check_models(const ProbeReply& r, std::string_view model_name, std::string* first_model);
CheckResult check_chat(const ProbeReply& r);
CheckResult check_stream(const ProbeReply& r);
CheckResult check_stream_usage(const ProbeReply& r);
CheckResult check_tools(const ProbeReply& r);
CheckResult check_embeddings(const ProbeReply& r);
CheckResult check_tokenize(const ProbeReply& r);
CheckResult check_reasoning(const ProbeReply& r);
CheckResult check_messages(const ProbeReply& r);
// A result for a check that was not attempted.
CheckResult skipped(std::string_view name, std::string detail);

// Runtime identification from what the endpoints answered: path -> reply, for the paths of
// identification_paths() plus the health path and /v1/models when they were fetched.
struct Identification {
    std::optional<BackendKind> kind;
    bool gateway = false;  // an llmgw gateway (its GET / service summary)
    std::string display;   // "llama.cpp", "llmgw gateway", "unidentified OpenAI-compatible server"
    std::string evidence;  // what gave it away
};
const std::vector<std::string>& identification_paths();
Identification identify_runtime(const std::map<std::string, ProbeReply>& replies);

struct ProbeOutcome {
    std::string url;
    std::optional<BackendKind> configured_kind;
    std::string model;
    Identification runtime;
    std::vector<CheckResult> checks;
    std::vector<std::string> required;
    int attempts = 1;
    double elapsed_ms = 0;
    std::string hint;  // what to do about a common failure (a 401: pass --key); empty when none
};
// True when every required check passed (a required check that was skipped did not pass).
bool probe_ready(const ProbeOutcome& o);
// Marks each check's `required` flag from o.required, and sets o.hint from the checks.
void mark_required(ProbeOutcome& o);
std::string render_probe_table(const ProbeOutcome& o);
std::string render_probe_json(const ProbeOutcome& o);

}  // namespace llmgw
