// Faults `llmgw mock` injects: which requests --fail-rate fails (a pure function of the request's
// ordinal, so a test knows in advance which calls will fail), and the broken answers of
// --huge-line-bytes, --garbage and --deep-answer, produced in bounded pieces so a 64 MiB fault
// never sits in memory.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw::mock {

// Request `k` (1-based, counted over the API routes) fails when:
//   seed == 0: the failures are spread evenly, exactly floor(k * rate) of the first k requests
//              fail (rate 0.5: the 2nd, 4th, ...; rate 1: all; rate 0.25: every 4th);
//   seed != 0: a seeded pseudo-random draw below `rate` (reproducible for a given seed).
bool injected_failure(double rate, uint64_t seed, uint64_t k);

enum class Garbage {
    None,
    Binary,       // pseudo-random bytes, a few of them framed as "data:" lines
    InvalidJson,  // well-framed SSE events (or a whole body) that are not JSON
};
// "binary" | "json"; nullopt-like Garbage::None for anything else.
Garbage parse_garbage(std::string_view name);

// What replaces the answer to a generation request (chat or text completion).
struct AnswerFaults {
    uint64_t huge_line_bytes = 0;  // one line of this many bytes with no newline
    Garbage garbage = Garbage::None;
    int deep_answer = 0;  // the answer carries a member nested this many levels
    bool any() const { return huge_line_bytes > 0 || garbage != Garbage::None || deep_answer > 0; }
};

// Bytes handed to the server per write: small enough to bound memory, big enough to be fast.
inline constexpr size_t kFaultPieceBytes = 64u << 10;
// Bytes of pseudo-random junk a --garbage binary answer sends.
inline constexpr uint64_t kBinaryGarbageBytes = 1u << 20;

// A broken answer's body as a sequence of parts: literal text, a byte repeated, or pseudo-random
// bytes. next() yields it piece by piece.
class FaultyBody {
public:
    FaultyBody& text(std::string s);
    FaultyBody& repeat(char c, uint64_t n);
    FaultyBody& noise(uint64_t n, bool no_line_ends);
    // Appends the next piece (at most `max` bytes) to *out; false once the body is complete.
    bool next(std::string* out, size_t max = kFaultPieceBytes);
    uint64_t size() const;

private:
    struct Part {
        enum Kind { Text, Repeat, Noise } kind;
        std::string text;
        uint64_t n = 0;
        char byte = 0;
        bool no_line_ends = false;
    };
    std::vector<Part> parts_;
    size_t part_ = 0;
    uint64_t offset_ = 0;          // within parts_[part_]
    uint64_t state_ = 0x9e3779b9;  // the noise generator's, so equal faults give equal bytes
};

// The body of the faulty answer to a generation request (`stream`: SSE bytes, else a JSON
// body); nullptr when `f` has no fault. --huge-line-bytes wins over --garbage over --deep-answer.
//   huge line, stream: "data: {...\"content\":\"aaaa..." of that many bytes and no newline;
//              whole:  a JSON answer of that many bytes, all on one line;
//   garbage binary:    noise, then a "data:" line of noise;
//   garbage json:      a valid first chunk, then events that are not JSON, then [DONE]
//                      (whole: a truncated JSON answer);
//   deep answer:       a valid chunk (or answer) with a member nested N arrays deep.
std::unique_ptr<FaultyBody> faulty_answer(const AnswerFaults& f, bool stream);

}  // namespace llmgw::mock
