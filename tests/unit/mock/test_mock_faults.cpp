// The mock's broken answers (mock_faults.h): exact sizes, produced in bounded pieces, and broken
// in exactly the way each flag says.
#include <catch2/catch.hpp>

#include "core/json/json_parse.h"
#include "core/mock/mock_faults.h"
#include "core/base/sse.h"

using namespace llmgw;
using namespace llmgw::mock;

namespace {

// The whole body, checking that no piece is over the bound.
std::string drain(FaultyBody& b) {
    std::string all, piece;
    while (true) {
        piece.clear();
        if (!b.next(&piece)) break;
        CHECK(!piece.empty());
        CHECK(piece.size() <= kFaultPieceBytes);
        all += piece;
    }
    return all;
}

std::string body_of(const AnswerFaults& f, bool stream) {
    auto b = faulty_answer(f, stream);
    REQUIRE(b);
    uint64_t size = b->size();
    std::string all = drain(*b);
    CHECK(all.size() == size);
    return all;
}

}  // namespace

TEST_CASE("mock faults: none configured, no broken answer", "[mock][faults]") {
    CHECK_FALSE(AnswerFaults{}.any());
    CHECK(faulty_answer(AnswerFaults{}, true) == nullptr);
    CHECK(parse_garbage("binary") == Garbage::Binary);
    CHECK(parse_garbage("json") == Garbage::InvalidJson);
    CHECK(parse_garbage("nonsense") == Garbage::None);
}

TEST_CASE("mock faults: a huge line is exactly N bytes with no newline", "[mock][faults]") {
    AnswerFaults f;
    f.huge_line_bytes = 3u << 20;
    std::string s = body_of(f, true);
    CHECK(s.size() == f.huge_line_bytes);
    CHECK(s.rfind("data: {", 0) == 0);
    CHECK(s.find_first_of("\r\n") == std::string::npos);

    std::string whole = body_of(f, false);
    CHECK(whole.size() == f.huge_line_bytes);
    CHECK(whole.find_first_of("\r\n") == std::string::npos);
    rapidjson::Document d;
    CHECK_FALSE(json::parse(whole, d));  // a valid answer, only too big
}

TEST_CASE("mock faults: a deep answer is valid JSON nested N levels past its root", "[mock][faults]") {
    AnswerFaults f;
    f.deep_answer = 200;
    rapidjson::Document d;
    auto e = json::parse(body_of(f, false), d);
    REQUIRE(e);
    CHECK(e->too_deep);
    f.deep_answer = 100;
    CHECK_FALSE(json::parse(body_of(f, false), d));

    // Streamed: one deep chunk, then [DONE].
    std::vector<std::string> events;
    SseParser p([&](const SseEvent& ev) { events.push_back(ev.data); });
    p.feed(body_of(f, true));
    p.finish();
    REQUIRE(events.size() == 2);
    CHECK_FALSE(json::parse(events[0], d));
    CHECK(events[1] == "[DONE]");
}

TEST_CASE("mock faults: garbage json is well-framed SSE whose events after the first are not JSON",
          "[mock][faults]") {
    AnswerFaults f;
    f.garbage = Garbage::InvalidJson;
    std::vector<std::string> events;
    SseParser p([&](const SseEvent& ev) { events.push_back(ev.data); });
    p.feed(body_of(f, true));
    p.finish();
    REQUIRE(events.size() >= 3);
    rapidjson::Document d;
    CHECK_FALSE(json::parse(events[0], d));
    CHECK(json::parse(events[1], d));
    CHECK(events.back() == "[DONE]");
    CHECK(json::parse(body_of(f, false), d));
}

TEST_CASE("mock faults: binary garbage is the same bytes every time", "[mock][faults]") {
    AnswerFaults f;
    f.garbage = Garbage::Binary;
    std::string a = body_of(f, true), b = body_of(f, true);
    CHECK(a.size() > kBinaryGarbageBytes);
    CHECK(a == b);
    CHECK(a.find('\0') != std::string::npos);
}
