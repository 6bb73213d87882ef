// SseParser (sse.h) on arbitrary bytes fed in arbitrary pieces. Properties: the events do not
// depend on the split (one piece, seeded pieces, byte by byte), and every event survives
// sse_format and a re-parse unchanged (the id is not rendered).
#include <cstdint>
#include <vector>

#include "core/base/sse.h"
#include "fuzz_check.h"
#include "fuzz_input.h"
#include "fuzz_splits.h"
#include "sse_events.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
// Byte-at-a-time feeding costs a call per byte; past this size the seeded splits (which include
// one-byte pieces) cover it at a rate the fuzzer can afford.
constexpr size_t kBytewiseMaxBytes = 512;

template <class Split>
std::vector<SseEvent> events_in_pieces(std::string_view bytes, Split&& split) {
    std::vector<SseEvent> events;
    SseParser p([&](const SseEvent& e) { events.push_back(e); });
    split(bytes, [&](std::string_view piece) { p.feed(piece); });
    p.finish();
    FUZZ_CHECK(p.buffered() == 0);
    return events;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ControlledInput in(data, size);
    std::vector<SseEvent> whole = sse_events(in.payload);

    SplitPlan plan(in.split_seed);
    auto seeded = events_in_pieces(in.payload, [&](std::string_view b, auto&& feed) { plan.feed(b, feed); });
    FUZZ_CHECK(same_events(whole, seeded));

    if (in.payload.size() <= kBytewiseMaxBytes) {
        auto bytewise = events_in_pieces(in.payload, [](std::string_view b, auto&& feed) {
            for (size_t i = 0; i < b.size(); ++i) feed(b.substr(i, 1));
        });
        FUZZ_CHECK(same_events(whole, bytewise));
    }

    for (const SseEvent& e : whole) {
        auto again = sse_events(sse_format(e.event, e.data));
        FUZZ_CHECK(again.size() == 1);
        FUZZ_CHECK(again[0].event == e.event && again[0].data == e.data);
    }
    return 0;
}
