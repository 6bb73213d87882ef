// Request IDs: accept a client's if it is sane, otherwise make one.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace llmgw {

constexpr size_t kMaxRequestIdLength = 128;

// True when `id` is 1..128 printable ASCII characters without spaces or quotes, safe to echo in
// headers and logs.
bool is_sane_request_id(std::string_view id);
// "req_" + 24 hex digits from two random words.
std::string make_request_id(uint64_t a, uint64_t b);
// The [A-Za-z0-9_-] characters of `seed`, in order: what the ids the translators derive from a
// request id or an upstream id may contain.
std::string id_safe_chars(std::string_view seed);

}  // namespace llmgw
