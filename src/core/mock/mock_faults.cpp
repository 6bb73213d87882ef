#include "core/mock/mock_faults.h"

#include <algorithm>
#include <cmath>

#include "core/mock/mock_text.h"

namespace llmgw::mock {

bool injected_failure(double rate, uint64_t seed, uint64_t k) {
    if (rate <= 0 || k == 0) return false;
    if (rate >= 1) return true;
    if (seed == 0) {
        // Nudge up so that rate*k lands on the integer when it should (0.1 * 10 == 0.9999...).
        auto fails_by = [rate](uint64_t n) { return std::floor(static_cast<double>(n) * rate + 1e-9); };
        return fails_by(k) > fails_by(k - 1);
    }
    double u = static_cast<double>(mix64(seed ^ mix64(k)) >> 11) / static_cast<double>(1ULL << 53);
    return u < rate;
}

Garbage parse_garbage(std::string_view name) {
    if (name == "binary") return Garbage::Binary;
    if (name == "json") return Garbage::InvalidJson;
    return Garbage::None;
}

FaultyBody& FaultyBody::text(std::string s) {
    parts_.push_back(Part{Part::Text, std::move(s)});
    return *this;
}

FaultyBody& FaultyBody::repeat(char c, uint64_t n) {
    parts_.push_back(Part{Part::Repeat, {}, n, c});
    return *this;
}

FaultyBody& FaultyBody::noise(uint64_t n, bool no_line_ends) {
    parts_.push_back(Part{Part::Noise, {}, n, 0, no_line_ends});
    return *this;
}

uint64_t FaultyBody::size() const {
    uint64_t n = 0;
    for (const auto& p : parts_) n += p.kind == Part::Text ? p.text.size() : p.n;
    return n;
}

bool FaultyBody::next(std::string* out, size_t max) {
    while (part_ < parts_.size()) {
        const Part& p = parts_[part_];
        uint64_t len = p.kind == Part::Text ? p.text.size() : p.n;
        if (offset_ >= len) {
            ++part_;
            offset_ = 0;
            continue;
        }
        size_t take = static_cast<size_t>(std::min<uint64_t>(len - offset_, max));
        switch (p.kind) {
            case Part::Text: out->append(p.text, static_cast<size_t>(offset_), take); break;
            case Part::Repeat: out->append(take, p.byte); break;
            case Part::Noise:
                for (size_t i = 0; i < take; ++i) {
                    state_ = mix64(state_);
                    char c = static_cast<char>(state_ & 0xff);
                    if (p.no_line_ends && (c == '\n' || c == '\r')) c = '?';
                    out->push_back(c);
                }
                break;
        }
        offset_ += take;
        return true;
    }
    return false;
}

namespace {

constexpr std::string_view kChunkHead =
    R"({"id":"chatcmpl-mockfault","object":"chat.completion.chunk","created":1767225600,"model":"mock-model","choices":[{"index":0,"delta":{"role":"assistant","content":")";
constexpr std::string_view kAnswerHead =
    R"({"id":"chatcmpl-mockfault","object":"chat.completion","created":1767225600,"model":"mock-model","choices":[{"index":0,"message":{"role":"assistant","content":")";
constexpr std::string_view kAnswerTail = R"("},"finish_reason":"stop"}]})";

std::unique_ptr<FaultyBody> huge_line(uint64_t n, bool stream) {
    auto b = std::make_unique<FaultyBody>();
    if (stream) {
        std::string head = "data: " + std::string(kChunkHead);
        b->text(head).repeat('a', n > head.size() ? n - head.size() : 0);  // and never a newline
    } else {
        uint64_t frame = kAnswerHead.size() + kAnswerTail.size();
        b->text(std::string(kAnswerHead)).repeat('a', n > frame ? n - frame : 0).text(std::string(kAnswerTail));
    }
    return b;
}

std::unique_ptr<FaultyBody> garbage(Garbage g, bool stream) {
    auto b = std::make_unique<FaultyBody>();
    if (g == Garbage::Binary) {
        b->noise(kBinaryGarbageBytes, false);
        if (stream) b->text("\n\ndata: ").noise(256, true).text("\n\n");
        return b;
    }
    if (!stream) {
        b->text(std::string(kAnswerHead) + "half an answer");
        return b;
    }
    b->text("data: " + std::string(kChunkHead) + "\"}}]}\n\n")
        .text("data: " + std::string(kChunkHead) + "half a chunk\n\n")
        .text("data: not json at all\n\n")
        .text("data: {\"choices\":[}\n\n")
        .text("data: [DONE]\n\n");
    return b;
}

std::unique_ptr<FaultyBody> deep(int levels, bool stream) {
    auto b = std::make_unique<FaultyBody>();
    uint64_t n = static_cast<uint64_t>(levels);
    if (stream) {
        b->text("data: " + std::string(kChunkHead) + "deep\"}}],\"nested\":")
            .repeat('[', n)
            .repeat(']', n)
            .text("}\n\ndata: [DONE]\n\n");
    } else {
        b->text(std::string(kAnswerHead) + "deep" + std::string(kAnswerTail, 0, kAnswerTail.size() - 1) + ",\"nested\":")
            .repeat('[', n)
            .repeat(']', n)
            .text("}");
    }
    return b;
}

}  // namespace

std::unique_ptr<FaultyBody> faulty_answer(const AnswerFaults& f, bool stream) {
    if (f.huge_line_bytes > 0) return huge_line(f.huge_line_bytes, stream);
    if (f.garbage != Garbage::None) return garbage(f.garbage, stream);
    if (f.deep_answer > 0) return deep(f.deep_answer, stream);
    return nullptr;
}

}  // namespace llmgw::mock
