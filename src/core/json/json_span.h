// Where a member's value sits in JSON text, for surgical edits that keep every other byte of a
// client's body as it was sent (unknown fields, number spelling, escapes).
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

struct ByteSpan {
    size_t begin = 0;
    size_t end = 0;  // one past the value's last byte
};

// The values of `key` in `object_text`, a JSON object already validated by json::parse (leading
// whitespace allowed), in order: a client may send a key twice, and first-key-wins readers (this
// gateway's parser) and last-key-wins ones (most runtimes) then read different occurrences. Empty
// when the key is absent or the text is not an object.
std::vector<ByteSpan> member_value_spans(std::string_view object_text, std::string_view key);

// The last of member_value_spans: the occurrence the runtimes that will read the body see.
std::optional<ByteSpan> member_value_span(std::string_view object_text, std::string_view key);

// `text` with the bytes of `span` replaced by `replacement`.
std::string splice(std::string_view text, ByteSpan span, std::string_view replacement);

}  // namespace llmgw
