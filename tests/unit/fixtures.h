// The one way unit tests read files: the recorded captures in tests/fixtures (LLMGW_FIXTURES_DIR,
// set by CMakeLists.txt), whole or as the body of a raw HTTP capture with its head stripped and
// chunked encoding undone, and files of the repository (LLMGW_SOURCE_DIR).
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "core/api/translate_capture.h"

namespace llmgw::test {

inline std::string read_text_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    REQUIRE(f.good());
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// `relative` is a path under tests/fixtures, e.g. "llamacpp/models.response".
inline std::string read_fixture(const std::string& relative) {
    return read_text_file(std::string(LLMGW_FIXTURES_DIR).append("/").append(relative));
}

// A file of the repository itself (a doc whose table a test checks against the code).
inline std::string read_source_file(const std::string& relative) {
    return read_text_file(std::string(LLMGW_SOURCE_DIR).append("/").append(relative));
}

inline std::string llamacpp_fixture(const std::string& name) { return read_fixture(std::string("llamacpp/").append(name)); }

// The body of a llama.cpp capture (.request or .response).
inline std::string fixture_body(const std::string& name) {
    auto cap = extract_capture_body(llamacpp_fixture(name));
    REQUIRE_FALSE(cap.error);
    return cap.body;
}

}  // namespace llmgw::test
