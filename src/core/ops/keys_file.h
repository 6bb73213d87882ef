// API_KEYS_FILE's text: one key a line, optionally followed by that key's own limits as
// name=value fields. See docs/OPERATIONS.md#api-keys.
//
//   # comment line; blank lines are skipped
//   sk-team-a                   a plain key: the global limits
//   sk-team-b   tpm=50000       its token budget is 50000 a minute (replaces TOKEN_LIMIT_TPM)
//   sk-batch    tpm=0           no token budget for this key
//
// A key is the line's first word. Before limits existed everything on a line was the key; a line
// with more than one word now must be a key and name=value fields, or the whole file fails with
// an error naming the line, so neither a typo nor an old key with a blank in it is silently read
// as something else (on SIGHUP the previous set stays in use). Errors never quote the key.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ops/api_keys.h"

namespace llmgw {

// The largest tpm= a key may name, as TOKEN_LIMIT_TPM (a bound on the budget's arithmetic, not a
// practical limit).
inline constexpr int64_t kMaxKeyTpm = 1'000'000'000'000;

// Parses a keys file's text. nullopt with *err set ("line 3: ...") when a line is malformed or a
// key is listed twice with different limits; the same key listed twice alike is kept once.
std::optional<std::vector<KeyEntry>> parse_keys_file(std::string_view text, std::string* err);
// Reads and parses a keys file; nullopt with *err set ("cannot read <path>: <reason>", or the
// parser's error) on failure.
std::optional<std::vector<KeyEntry>> read_keys_file(const std::string& path, std::string* err);

}  // namespace llmgw
