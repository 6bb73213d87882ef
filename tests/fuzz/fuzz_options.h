// Options for targets whose input is one document: picked from a hash of the input, so every
// input is reproducible on its own and mutations explore the options too, while the corpus
// stays plain captured bodies with no header of ours.
#pragma once
#include <cstddef>
#include <cstdint>

namespace llmgw::fuzz {

inline uint32_t input_hash(const uint8_t* data, size_t size) {  // FNV-1a
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
    return h;
}

}  // namespace llmgw::fuzz
