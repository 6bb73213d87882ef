// The Anthropic request translator (anthropic_request.h) on arbitrary client bodies, under every
// backend profile. Properties: an accepted request becomes a JSON object with the client's model
// and a non-empty messages array; max_tokens respects the cap; the DOM entry point agrees with
// the string one; and the gateway's own output survives the reverse translation and a second
// forward pass (what `llmgw translate` relies on to compare captures).
#include <array>
#include <cstdint>
#include <string>

#include "core/anthropic/anthropic_request.h"
#include "core/anthropic/anthropic_reverse.h"
#include "fuzz_check.h"
#include "fuzz_options.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
constexpr std::array<BackendKind, 8> kKinds{BackendKind::VLLM,   BackendKind::Ollama,  BackendKind::LlamaCpp,
                                            BackendKind::TGI,    BackendKind::SGLang,  BackendKind::LocalAI,
                                            BackendKind::LMStudio, BackendKind::OpenAI};
constexpr int64_t kCap = 1000;

// The reverse direction refuses documents nested deeper than its parse limit; the forward
// output of a request at that limit is one level deeper (tools.N.function.parameters).
bool too_deep(const ApiError& e) { return e.message.find("nesting") != std::string::npos || e.message.find("deep") != std::string::npos; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    uint32_t h = input_hash(data, size);
    AnthropicRequestOptions opts{backend_profile(kKinds[h % kKinds.size()])};
    opts.max_tokens_cap = (h >> 8) & 1 ? kCap : 0;
    opts.stream_usage = (h >> 9) & 1;
    opts.require_max_tokens = (h >> 10) & 1;

    AnthropicRequestTranslation t = translate_anthropic_request(body, opts);
    json::Document dom;
    AnthropicRequestFacts dom_facts;
    auto dom_error = anthropic_request_to_openai(body, opts, dom, dom_facts);
    FUZZ_CHECK(t.ok() == !dom_error);
    if (!t.ok()) {
        FUZZ_CHECK(t.error->status == 400 && !t.error->message.empty());
        FUZZ_CHECK(dom_error->message == t.error->message);
        return 0;
    }
    FUZZ_CHECK(json::to_string(dom) == t.body);

    llmgw::StackDocument out;
    FUZZ_CHECK(parses(t.body, out) && out.IsObject());
    FUZZ_CHECK(str_member(out, "model") == t.facts.model && !t.facts.model.empty());
    FUZZ_CHECK(member(out, "messages").IsArray() && !member(out, "messages").Empty());
    if (opts.max_tokens_cap > 0) FUZZ_CHECK(t.facts.max_tokens <= opts.max_tokens_cap);
    if (opts.require_max_tokens) FUZZ_CHECK(t.facts.max_tokens >= 1);
    FUZZ_CHECK(member(out, "stream").IsTrue() == t.facts.stream);

    TranslatedBody back = translate_openai_request(t.body);
    if (!back.ok()) {
        FUZZ_CHECK(too_deep(*back.error));
        return 0;
    }
    AnthropicRequestOptions plain{backend_profile(BackendKind::VLLM)};
    AnthropicRequestTranslation again = translate_anthropic_request(back.body, plain);
    if (!again.ok()) FUZZ_CHECK(too_deep(*again.error));
    else FUZZ_CHECK(again.facts.model == t.facts.model && again.facts.stream == t.facts.stream);
    return 0;
}
