// The incremental OpenAI SSE -> Responses stream translator (responses_stream.h), fed upstream
// bytes in pieces chosen by the input, through the gateway's own SseParser, ended by finish(), by
// fail() (at the end or part way through), or not at all. Properties: the output follows the
// Responses stream grammar (responses_stream_check.h); it does not depend on how the bytes were
// split; valid UTF-8 in, valid UTF-8 out; once done nothing more is written; it ends with exactly one terminal event exactly when
// done(); response_json() is that event's response; a failure before anything else is the
// lifecycle's three events only.
#include <cstdint>
#include <string>

#include "core/responses/responses_stream.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "fuzz_splits.h"
#include "responses_stream_check.h"
#include "sse_events.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
enum Flag { kSummary = 0, kSeal = 1, kEndBit0 = 2, kEndBit1 = 3, kTools = 4 };
enum class End { Finish, Fail, FailHalfway, Nothing };

struct Run {
    std::string out;
    bool done = false;
    bool error = false;
    std::string response;
    std::string status;
};

ResponsesOutputContext context(const ControlledInput& in) {
    ResponsesOutputContext ctx;
    ctx.model = "client-model";
    ctx.id_seed = "req-42";
    ctx.created_at = 1;
    ctx.response_echo = R"({"instructions":null,"store":true})";
    ctx.reasoning_summary = in.flag(kSummary);
    ctx.include_encrypted_reasoning = in.flag(kSeal);
    ctx.seal = [](std::string_view text) { return "sealed-" + std::to_string(text.size()); };
    if (in.flag(kTools)) {  // the names the captures and the dictionary call
        ctx.tools.add("multi_agent_v1", "spawn_agent", ResponsesToolKind::Function);
        ctx.tools.add("", "apply_patch", ResponsesToolKind::Custom);
        ctx.tools.add("", "get_weather", ResponsesToolKind::Custom);
    }
    return ctx;
}

template <class Split>
Run translate(const ControlledInput& in, End end, Split&& split) {
    ResponsesStreamTranslator t(context(in));
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
        FUZZ_CHECK(is_json_object(t.response_json()));
        FUZZ_CHECK(is_json(t.output_items_json()));
    }
    r.done = t.done();
    r.error = t.error().has_value();
    r.response = t.response_json();
    r.status = t.status();
    if (r.error && !t.started_before_error()) FUZZ_CHECK(sse_events(r.out).size() == 3);
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

    auto events = sse_events(whole.out);
    ResponsesStreamSummary s = check_responses_stream(events, valid_utf8(in.payload));
    FUZZ_CHECK(whole.done == !s.terminal.empty());
    FUZZ_CHECK((s.terminal == "response.failed") == whole.error);
    if (end != End::Nothing) FUZZ_CHECK(whole.done);
    if (whole.done) {
        FUZZ_CHECK("response." + whole.status == s.terminal);
        llmgw::StackDocument last;
        FUZZ_CHECK(parses(events.back().data, last));
        FUZZ_CHECK(fuzz::member(last, "response").IsObject());
        llmgw::StackDocument resp;
        FUZZ_CHECK(parses(whole.response, resp) && resp == fuzz::member(last, "response"));
    }
    return 0;
}
