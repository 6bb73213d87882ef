// Cuts a byte string into pieces chosen by a seed, to feed incremental parsers the way a socket
// might: empty pieces, single bytes, CRLF split in two, pieces larger than any line.
#pragma once
#include <cstdint>
#include <string_view>

namespace llmgw::fuzz {

class SplitPlan {
public:
    explicit SplitPlan(uint32_t seed) : state_(seed | 1u), max_piece_(kMaxPieces[seed % kChoices]) {}

    // Calls feed(piece) for consecutive pieces covering all of `bytes`, some of them empty.
    template <class Feed>
    void feed(std::string_view bytes, Feed&& feed_piece) {
        size_t pos = 0;
        while (pos < bytes.size()) {
            size_t n = next() % (max_piece_ + 1);
            if (n > bytes.size() - pos) n = bytes.size() - pos;
            feed_piece(bytes.substr(pos, n));
            pos += n;
        }
    }

private:
    static constexpr size_t kChoices = 5;
    static constexpr size_t kMaxPieces[kChoices] = {1, 2, 7, 64, 4096};

    uint32_t next() {  // xorshift32: cheap, deterministic per seed
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }

    uint32_t state_;
    size_t max_piece_;
};

}  // namespace llmgw::fuzz
