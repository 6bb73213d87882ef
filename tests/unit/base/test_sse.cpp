#include <catch2/catch.hpp>

#include <random>

#include "core/base/sse.h"

using namespace llmgw;

namespace {
std::vector<SseEvent> parse_all(const std::vector<std::string>& pieces, bool finish = true) {
    std::vector<SseEvent> out;
    SseParser p([&](const SseEvent& e) { out.push_back(e); });
    for (const auto& s : pieces) p.feed(s);
    if (finish) p.finish();
    return out;
}
}  // namespace

TEST_CASE("SSE: events end at a blank line, fields, comments and multi-line data", "[sse]") {
    auto ev = parse_all({": comment\nevent: ping\ndata: {}\n\ndata: a\ndata: b\nid: 7\n\ndata:no-space\n\n"});
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].event == "ping");
    CHECK(ev[0].data == "{}");
    CHECK(ev[1].data == "a\nb");
    CHECK(ev[1].id == "7");
    CHECK(ev[2].data == "no-space");
}

TEST_CASE("SSE: CRLF, CR and LF line ends, split anywhere, give the same events", "[sse]") {
    std::string lf = "data: one\n\nevent: e\ndata: two\n\ndata: [DONE]\n\n";
    std::string crlf, cr;
    for (char c : lf) {
        if (c == '\n') { crlf += "\r\n"; cr += "\r"; }
        else { crlf += c; cr += c; }
    }
    auto want = parse_all({lf});
    REQUIRE(want.size() == 3);
    std::mt19937 rng(1234);
    for (const std::string& text : {lf, crlf, cr}) {
        for (int round = 0; round < 200; ++round) {
            std::vector<std::string> pieces;
            size_t i = 0;
            while (i < text.size()) {
                size_t n = 1 + rng() % 7;
                pieces.push_back(text.substr(i, n));
                i += n;
            }
            auto got = parse_all(pieces);
            REQUIRE(got.size() == want.size());
            for (size_t k = 0; k < got.size(); ++k) {
                CHECK(got[k].data == want[k].data);
                CHECK(got[k].event == want[k].event);
            }
        }
    }
}

TEST_CASE("SSE: an unterminated last event is dispatched by finish() only if it has data", "[sse]") {
    CHECK(parse_all({"data: tail"}, false).empty());
    auto ev = parse_all({"data: tail"});
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "tail");
    CHECK(parse_all({"event: x\n\n"}).empty());  // no data: not an event
    CHECK(parse_all({": only a comment"}).empty());
    CHECK(parse_all({"\n\n\n"}).empty());
}

TEST_CASE("SSE: sse_format splits multi-line data and round-trips", "[sse]") {
    CHECK(sse_format("", "x") == "data: x\n\n");
    CHECK(sse_format("message_start", "{}") == "event: message_start\ndata: {}\n\n");
    CHECK(sse_format("", "a\nb") == "data: a\ndata: b\n\n");
    auto ev = parse_all({sse_format("e", "line1\nline2")});
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "line1\nline2");
    CHECK(ev[0].event == "e");
}

TEST_CASE("SSE: a line with no newline over the event limit stops the parser, memory given back", "[sse][limits]") {
    std::vector<SseEvent> out;
    SseParser p([&](const SseEvent& e) { out.push_back(e); });
    p.feed("data: {\"ok\":1}\n\n");
    const std::string piece(16u << 10, 'x');
    p.feed("data: ");
    size_t fed = 0;
    while (!p.overflowed() && fed < 4 * kMaxSseEventBytes) {
        p.feed(piece);
        fed += piece.size();
    }
    CHECK(p.overflowed());
    CHECK(fed <= kMaxSseEventBytes + piece.size());
    CHECK(p.buffered() == 0);
    // Nothing after the overflow is parsed or dispatched, not even at finish().
    p.feed("\n\ndata: later\n\n");
    p.finish();
    REQUIRE(out.size() == 1);
    CHECK(out[0].data == "{\"ok\":1}");
}

TEST_CASE("SSE: the limit counts the whole event, however it arrives", "[sse][limits]") {
    const std::string big(kMaxSseEventBytes / 2 + 10, 'y');
    SECTION("one complete line in one feed") {
        SseParser p(nullptr);
        p.feed("data: " + std::string(kMaxSseEventBytes, 'z') + "\n");
        CHECK(p.overflowed());
    }
    SECTION("many data lines of one event") {
        SseParser p(nullptr);
        p.feed("data: " + big + "\n");
        CHECK(!p.overflowed());
        p.feed("data: " + big + "\n");
        CHECK(p.overflowed());
    }
    SECTION("events under the limit, one after another, never add up") {
        size_t n = 0;
        SseParser p([&](const SseEvent&) { ++n; });
        for (int i = 0; i < 8; ++i) p.feed("data: " + big + "\n\n");
        CHECK(!p.overflowed());
        CHECK(n == 8);
    }
    SECTION("an event just under the limit passes whole") {
        std::string data(kMaxSseEventBytes - 16, 'w');
        std::vector<SseEvent> out;
        SseParser p([&](const SseEvent& e) { out.push_back(e); });
        for (size_t i = 0; i < data.size(); i += 1000) p.feed((i ? "" : "data: ") + data.substr(i, 1000));
        p.feed("\n\n");
        CHECK(!p.overflowed());
        REQUIRE(out.size() == 1);
        CHECK(out[0].data == data);
    }
}

TEST_CASE("SSE: reused event buffers carry nothing from one event to the next, across any split", "[sse]") {
    // An event with every field, then events with fewer: a field an event does not set is empty,
    // though the parser keeps the previous event's buffers. A large event in between gives its
    // memory back (over kKeptSseEventBytes) and the events after it are still whole.
    const std::string big(kKeptSseEventBytes + 100, 'x');
    const std::string text = "event: first\nid: 1\ndata: {\"a\":1}\n\n"
                             "data: second\n\n"
                             "event: third\ndata: l1\ndata: l2\n\n"
                             "data: " + big + "\n\n"
                             "id: 5\ndata: short\n\n";
    auto want = parse_all({text});
    REQUIRE(want.size() == 5);
    CHECK(want[0].event == "first");
    CHECK(want[0].id == "1");
    CHECK(want[1].event.empty());
    CHECK(want[1].id.empty());
    CHECK(want[1].data == "second");
    CHECK(want[2].data == "l1\nl2");
    CHECK(want[3].data == big);
    CHECK(want[4].event.empty());
    CHECK(want[4].id == "5");
    CHECK(want[4].data == "short");
    std::mt19937 rng(99);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::string> pieces;
        for (size_t i = 0; i < text.size();) {
            size_t n = 1 + rng() % (round % 2 ? 9 : 4000);
            pieces.push_back(text.substr(i, n));
            i += n;
        }
        auto got = parse_all(pieces);
        REQUIRE(got.size() == want.size());
        for (size_t k = 0; k < got.size(); ++k) {
            CHECK(got[k].event == want[k].event);
            CHECK(got[k].data == want[k].data);
            CHECK(got[k].id == want[k].id);
        }
    }
}

TEST_CASE("SSE: sse_append adds to what the buffer holds, as sse_format renders it", "[sse]") {
    std::string out = "kept";
    sse_append(out, "e", "a\nb");
    sse_append(out, "", "[DONE]");
    CHECK(out == "kept" + sse_format("e", "a\nb") + sse_format("", "[DONE]"));
    CHECK(out == "keptevent: e\ndata: a\ndata: b\n\ndata: [DONE]\n\n");
}
