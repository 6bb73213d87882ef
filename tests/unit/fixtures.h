// The one way unit tests read the recorded captures in tests/fixtures (LLMGW_FIXTURES_DIR, set by
// CMakeLists.txt): the whole file, or the body of a raw HTTP capture with its head stripped and
// chunked encoding undone.
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "core/anthropic/translate_capture.h"

namespace llmgw::test {

// `relative` is a path under tests/fixtures, e.g. "llamacpp/models.response".
inline std::string read_fixture(const std::string& relative) {
    std::ifstream f(std::string(LLMGW_FIXTURES_DIR).append("/").append(relative), std::ios::binary);
    REQUIRE(f.good());
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline std::string llamacpp_fixture(const std::string& name) { return read_fixture(std::string("llamacpp/").append(name)); }

// The body of a llama.cpp capture (.request or .response).
inline std::string fixture_body(const std::string& name) {
    auto cap = extract_capture_body(llamacpp_fixture(name));
    REQUIRE_FALSE(cap.error);
    return cap.body;
}

}  // namespace llmgw::test
