// The incremental OpenAI SSE -> Anthropic stream translator (anthropic_stream.h), fed upstream
// bytes in pieces chosen by the input, through the gateway's own SseParser, ended by finish(),
// by fail() (at the end or part way through), or not at all. Properties: the output follows the
// Anthropic stream grammar (anthropic_stream_check.h); it does not depend on how the bytes were
// split; once done nothing more is written; it ends with message_stop or error exactly when
// done(); and the reverse translator turns it back into an OpenAI stream with the same text.
#include <cstdint>
#include <string>

#include "core/anthropic/anthropic_reverse.h"
#include "core/anthropic/anthropic_stream.h"
#include "anthropic_stream_check.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "fuzz_splits.h"
#include "openai_stream_check.h"
#include "sse_events.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
enum Flag { kThinking = 0, kIdSeed = 1, kEndBit0 = 2, kEndBit1 = 3 };
enum class End { Finish, Fail, FailHalfway, Nothing };

struct Run {
    std::string out;
    bool done = false;
    bool error = false;
};

template <class Split>
Run translate(const ControlledInput& in, End end, Split&& split) {
    AnthropicStreamOptions opts;
    opts.model = "client-model";
    opts.thinking_enabled = in.flag(kThinking);
    if (in.flag(kIdSeed)) opts.id_seed = "req-42";
    AnthropicStreamTranslator t(opts);
    Run r;
    SseParser p([&](const SseEvent& e) { t.feed(e.data, r.out); });
    std::string_view bytes = in.payload;
    if (end == End::FailHalfway) bytes = bytes.substr(0, bytes.size() / 2);
    split(bytes, [&](std::string_view piece) { p.feed(piece); });
    if (end != End::Nothing) p.finish();
    if (end == End::Finish) t.finish(r.out);
    if (end == End::Fail || end == End::FailHalfway) t.fail(ApiError::gateway_timeout("upstream timed out"), r.out);
    if (t.done()) {  // every entry point is a no-op from now on
        size_t before = r.out.size();
        t.feed(R"({"choices":[{"delta":{"content":"late"}}]})", r.out);
        t.finish(r.out);
        t.fail(ApiError::bad_gateway("late"), r.out);
        FUZZ_CHECK(r.out.size() == before);
    }
    r.done = t.done();
    r.error = t.error().has_value();
    if (r.error && !t.started_before_error()) FUZZ_CHECK(sse_events(r.out).size() == 1);
    return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ControlledInput in(data, size);
    End end = static_cast<End>(in.flag(kEndBit0) | in.flag(kEndBit1) << 1);

    Run whole = translate(in, end, [](std::string_view b, auto&& feed) { feed(b); });
    SplitPlan plan(in.split_seed);
    Run split = translate(in, end, [&](std::string_view b, auto&& feed) { plan.feed(b, feed); });
    FUZZ_CHECK(whole.out == split.out);

    AnthropicStreamSummary a = check_anthropic_stream(sse_events(whole.out));
    FUZZ_CHECK(whole.done == (a.ended_with_stop || a.ended_with_error));
    FUZZ_CHECK(a.ended_with_error == whole.error);
    if (end != End::Nothing) FUZZ_CHECK(whole.done);

    // Back to OpenAI: the text survives the round trip.
    OpenAIStreamFromAnthropic back;
    std::string openai;
    for (const SseEvent& e : sse_events(whole.out)) back.feed(e.data, openai);
    back.finish(openai);
    OpenAIStreamSummary o = check_openai_stream(sse_events(openai));
    FUZZ_CHECK(o.text == a.text);
    FUZZ_CHECK(o.ended_with_done == a.ended_with_stop);
    return 0;
}
