// The response translator (anthropic_response.h) on arbitrary upstream 200 bodies. Properties: a
// translated message is an Anthropic message in shape (blocks of known types, tool inputs are
// objects, a stop reason, non-negative usage); an unusable body is a 5xx (or the runtime's own
// in-band status); and the reverse translator turns the message back into a chat completion
// with the same text.
#include <cstdint>
#include <string>

#include "core/anthropic/anthropic_response.h"
#include "core/anthropic/anthropic_reverse.h"
#include "fuzz_check.h"
#include "fuzz_options.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
constexpr std::string_view kModel = "client-model";
constexpr std::string_view kIdSeed = "req-1234";

// The text blocks of a translated Anthropic message, checking each block's shape on the way.
std::string anthropic_text_blocks(const rapidjson::Value& msg) {
    std::string text;
    for (const auto& b : member(msg, "content").GetArray()) {
        std::string_view type = str_member(b, "type");
        FUZZ_CHECK(type == "text" || type == "thinking" || type == "tool_use");
        if (type == "tool_use") FUZZ_CHECK(member(b, "input").IsObject() && member(b, "id").IsString());
        if (type == "text") text += str_member(b, "text");
    }
    return text;
}

void check_usage(const rapidjson::Value& usage) {
    for (const char* k : {"input_tokens", "output_tokens", "cache_read_input_tokens"})
        FUZZ_CHECK(member(usage, k).IsInt64() && member(usage, k).GetInt64() >= 0);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    uint32_t h = input_hash(data, size);
    AnthropicResponseContext ctx;
    ctx.model = kModel;
    ctx.thinking_enabled = h & 1;
    if (h & 2) ctx.id_seed = kIdSeed;

    AnthropicResponseTranslation t = translate_openai_response(body, ctx);
    if (!t.ok()) {
        FUZZ_CHECK(t.error->status >= 400 && t.error->status <= 599 && !t.error->message.empty());
        return 0;
    }
    llmgw::StackDocument msg;
    FUZZ_CHECK(parses(t.body, msg) && msg.IsObject());
    FUZZ_CHECK(str_member(msg, "type") == "message" && str_member(msg, "role") == "assistant");
    FUZZ_CHECK(str_member(msg, "model") == kModel);
    FUZZ_CHECK(str_member(msg, "id").substr(0, 4) == "msg_");
    FUZZ_CHECK(member(msg, "content").IsArray());
    FUZZ_CHECK(str_member(msg, "stop_reason") == t.stop_reason && !t.stop_reason.empty());
    check_usage(member(msg, "usage"));
    std::string text = anthropic_text_blocks(msg);

    TranslatedBody back = translate_anthropic_response(t.body);
    FUZZ_CHECK(back.ok());
    llmgw::StackDocument completion;
    FUZZ_CHECK(parses(back.body, completion) && completion.IsObject());
    const auto& choices = member(completion, "choices");
    FUZZ_CHECK(choices.IsArray() && choices.Size() == 1);
    const auto& reply = member(choices[0], "message");
    FUZZ_CHECK(str_member(reply, "content") == text);
    return 0;
}
