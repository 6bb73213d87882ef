// How the stream targets read their input: a small control header (flags and a split seed), then
// the bytes under test. Split points come from the seed, so libFuzzer explores them by mutating
// five bytes rather than the payload. Inputs shorter than the header are all payload.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace llmgw::fuzz {

struct ControlledInput {
    static constexpr size_t kHeaderBytes = 5;
    uint8_t flags = 0;
    uint32_t split_seed = 0;
    std::string_view payload;

    ControlledInput(const uint8_t* data, size_t size) {
        if (size < kHeaderBytes) {
            payload = {reinterpret_cast<const char*>(data), size};
            return;
        }
        flags = data[0];
        split_seed = uint32_t(data[1]) | uint32_t(data[2]) << 8 | uint32_t(data[3]) << 16 | uint32_t(data[4]) << 24;
        payload = {reinterpret_cast<const char*>(data + kHeaderBytes), size - kHeaderBytes};
    }
    bool flag(int bit) const { return (flags >> bit) & 1; }
};

}  // namespace llmgw::fuzz
