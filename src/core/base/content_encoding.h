// Request bodies sent with Content-Encoding (Codex CLI compresses its requests with zstd, other
// clients with gzip), decoded within the body limit: the decoded size is what counts against it,
// so a small compressed body cannot expand into an unbounded one. Pure: bytes in, bytes out.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace llmgw {

enum class DecodeStatus {
    Ok,
    Unsupported,  // an encoding other than gzip, x-gzip, zstd, identity (415)
    Corrupt,      // not a valid stream of its encoding, truncated, or trailing bytes (400)
    TooLarge,     // the decoded body passed max_bytes; decoding stopped there (413)
};

struct DecodedBody {
    DecodeStatus status = DecodeStatus::Ok;
    std::string body;    // the decoded body when Ok
    std::string detail;  // one line naming the encoding and what went wrong, when not Ok
};

// Codings applied in order are listed in order ("gzip, zstd": gzip first), so they are undone
// from the last. More than this many is not a request a client makes: refused as unsupported.
inline constexpr size_t kMaxContentCodings = 4;

// `encoding`: the Content-Encoding value (a comma-separated list, case-insensitive).
DecodedBody decode_content(std::string_view encoding, std::string_view body, size_t max_bytes);

}  // namespace llmgw
