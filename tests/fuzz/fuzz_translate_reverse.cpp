// What `llmgw translate` reads: a capture (bare body or raw HTTP message, maybe chunked) through
// extract_capture_body, then the reverse translators (anthropic_reverse.h) on its body: the
// OpenAI request, the Anthropic response and the Anthropic stream. Properties: a capture without a
// head is its own body (a recorded exchange: its body member); the translations are JSON in the promised shape; the stream follows the
// OpenAI stream grammar and ends with [DONE] exactly when the Anthropic stream completed.
#include <cstdint>
#include <string>

#include "core/anthropic/anthropic_reverse.h"
#include "core/api/translate_capture.h"
#include "fuzz_check.h"
#include "openai_stream_check.h"
#include "sse_events.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
void check_capture(std::string_view input, const CaptureBody& c) {
    FUZZ_CHECK(c.body_line >= 1);
    if (c.recorded) {  // a {method, url, headers, body} record: its body, compact
        FUZZ_CHECK(!c.had_head && is_json_object(c.body));
        return;
    }
    if (!c.had_head && (input.empty() || input[0] != '#')) FUZZ_CHECK(c.body == input && c.body_line == 1);
    if (c.error) FUZZ_CHECK(!c.error->empty() && c.had_head);
    if (!c.had_head && !c.dechunked) FUZZ_CHECK(input.size() >= c.body.size());
}

void check_request(std::string_view body) {
    TranslatedBody t = translate_openai_request(body);
    if (!t.ok()) {
        FUZZ_CHECK(t.error->status == 400 && !t.error->message.empty());
        return;
    }
    llmgw::StackDocument d;
    FUZZ_CHECK(parses(t.body, d) && d.IsObject());
    FUZZ_CHECK(member(d, "model").IsString() && member(d, "messages").IsArray());
    FUZZ_CHECK(member(d, "max_tokens").IsInt64());
}

void check_response(std::string_view body) {
    TranslatedBody t = translate_anthropic_response(body);
    if (!t.ok()) {
        FUZZ_CHECK(t.error->status == 400);
        return;
    }
    llmgw::StackDocument d;
    FUZZ_CHECK(parses(t.body, d) && d.IsObject());
    if (d.HasMember("error")) return;  // an Anthropic error envelope, re-rendered
    FUZZ_CHECK(str_member(d, "object") == "chat.completion");
    const auto& usage = member(d, "usage");
    FUZZ_CHECK(member(usage, "total_tokens").IsInt64() && member(usage, "total_tokens").GetInt64() >= 0);
}

void check_stream(std::string_view body, bool include_usage) {
    OpenAIStreamFromAnthropic s(include_usage);
    std::string out;
    SseParser p([&](const SseEvent& e) { s.feed(e.data, out); });
    p.feed(body);
    p.finish();
    s.finish(out);
    FUZZ_CHECK(s.done());
    size_t before = out.size();
    s.feed(R"({"type":"message_stop"})", out);  // after the end nothing more is written
    FUZZ_CHECK(out.size() == before);
    OpenAIStreamSummary sum = check_openai_stream(sse_events(out));
    FUZZ_CHECK(sum.ended_with_done != sum.ended_with_error);
    FUZZ_CHECK(sum.ended_with_error == s.error().has_value());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    CaptureBody c = extract_capture_body(input);
    check_capture(input, c);
    (void)describe_position(input, size / 2);
    if (c.error) return 0;
    check_request(c.body);
    check_response(c.body);
    check_stream(c.body, size & 1);
    return 0;
}
