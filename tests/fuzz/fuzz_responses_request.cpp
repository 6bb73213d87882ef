// The Responses request translator (responses_request.h) on arbitrary client bodies, under every
// backend profile, with and without a stored conversation to prepend and an unsealer. Properties:
// an accepted request becomes a JSON object with the client's model and a non-empty messages
// array; max_tokens respects the cap; every function name the runtime sees follows its rule and
// maps back to a client tool; the facts' JSON (input items, response echo) is JSON; a refusal is a
// 400 with a message; and the gateway's own output survives the reverse translation and a second
// forward pass (what `llmgw translate` relies on).
#include <array>
#include <cstdint>
#include <string>

#include "core/responses/responses_request.h"
#include "core/responses/responses_reverse.h"
#include "fuzz_check.h"
#include "fuzz_options.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
constexpr std::array<BackendKind, 8> kKinds{BackendKind::VLLM,   BackendKind::Ollama,  BackendKind::LlamaCpp,
                                            BackendKind::TGI,    BackendKind::SGLang,  BackendKind::LocalAI,
                                            BackendKind::LMStudio, BackendKind::OpenAI};
constexpr int64_t kCap = 1000;
constexpr std::string_view kPrevious =
    R"([{"type":"message","role":"user","content":"earlier"},{"type":"reasoning","encrypted_content":"ok:why","summary":[]},)"
    R"({"type":"function_call","call_id":"call_1","name":"exec_command","arguments":"{}"}])";

bool too_deep(const ApiError& e) { return e.message.find("nesting") != std::string::npos; }

bool runtime_name_ok(std::string_view n) {
    if (n.empty() || n.size() > kMaxRuntimeToolNameBytes) return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    uint32_t h = input_hash(data, size);
    ResponsesRequestOptions opts{backend_profile(kKinds[h % kKinds.size()])};
    opts.max_tokens_cap = (h >> 8) & 1 ? kCap : 0;
    opts.stream_usage = (h >> 9) & 1;
    if ((h >> 10) & 1) opts.previous_items = kPrevious;
    if ((h >> 11) & 1)
        opts.unseal = [](std::string_view s) -> std::optional<std::string> {
            if (s.rfind("ok:", 0) == 0) return std::string(s.substr(3));
            return std::nullopt;
        };
    opts.id_seed = "req-1";

    ResponsesRequestTranslation t = translate_responses_request(body, opts);
    if (!t.ok()) {
        FUZZ_CHECK(t.error->status == 400 && !t.error->message.empty());
        FUZZ_CHECK(is_json_object(render_openai_error(*t.error)));
        return 0;
    }
    llmgw::StackDocument out;
    FUZZ_CHECK(parses(t.body, out) && out.IsObject());
    FUZZ_CHECK(str_member(out, "model") == t.facts.model && !t.facts.model.empty());
    FUZZ_CHECK(member(out, "messages").IsArray() && !member(out, "messages").Empty());
    if (opts.max_tokens_cap > 0) FUZZ_CHECK(t.facts.max_output_tokens <= opts.max_tokens_cap);
    FUZZ_CHECK(member(out, "stream").IsTrue() == t.facts.stream);
    FUZZ_CHECK(t.facts.tools.size() <= kMaxResponsesTools);
    const auto& tools = member(out, "tools");
    if (tools.IsArray())
        for (auto& tool : tools.GetArray()) {
            std::string_view name = str_member(member(tool, "function"), "name");
            FUZZ_CHECK(runtime_name_ok(name));
            FUZZ_CHECK(t.facts.tools.by_runtime_name(name) != nullptr);
        }
    llmgw::StackDocument items, echo;
    FUZZ_CHECK(parses(t.facts.input_items, items) && items.IsArray());
    FUZZ_CHECK(parses(t.facts.response_echo, echo) && echo.IsObject());

    TranslatedBody back = translate_chat_request_to_responses(t.body);
    if (!back.ok()) {
        FUZZ_CHECK(too_deep(*back.error));
        return 0;
    }
    ResponsesRequestTranslation again = translate_responses_request(back.body, {backend_profile(BackendKind::VLLM)});
    if (!again.ok()) FUZZ_CHECK(too_deep(*again.error));
    else FUZZ_CHECK(again.facts.model == t.facts.model && again.facts.stream == t.facts.stream);
    return 0;
}
