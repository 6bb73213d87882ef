#include "core/base/content_encoding.h"

#include <zlib.h>
#include <zstd.h>

#include <limits>
#include <memory>
#include <vector>

#include "core/base/text_util.h"

namespace llmgw {

namespace {

// Output is produced in pieces of this size, so the limit is checked every 64 KiB of output.
constexpr size_t kChunkBytes = 64u << 10;
// zstd frames declare their window; the decoder allocates it. 2^23 (8 MiB) covers every level a
// client uses for a request body (level 19 uses 2^23), and keeps a hostile frame from asking for
// the library's default maximum of 2^27 per request.
constexpr int kZstdMaxWindowLog = 23;

DecodedBody failed(DecodeStatus s, std::string detail) { return {s, {}, std::move(detail)}; }

DecodedBody too_large(std::string_view coding, size_t max_bytes) {
    std::string what = coding.empty() ? "the request body" : "the " + std::string(coding) + "-decoded request body";
    return failed(DecodeStatus::TooLarge, what + " is larger than " + std::to_string(max_bytes) + " bytes");
}

DecodedBody gunzip(std::string_view in, size_t max_bytes) {
    if (in.size() > std::numeric_limits<uInt>::max()) return too_large("gzip", max_bytes);  // zlib counts in uInt
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return failed(DecodeStatus::Corrupt, "gzip: cannot start the decoder");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    std::string out;
    for (;;) {
        size_t had = out.size();
        out.resize(had + kChunkBytes);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + had);
        z.avail_out = static_cast<uInt>(kChunkBytes);
        int rc = inflate(&z, Z_NO_FLUSH);
        out.resize(had + (kChunkBytes - z.avail_out));
        if (out.size() > max_bytes) return too_large("gzip", max_bytes);
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0) return {DecodeStatus::Ok, std::move(out), {}};
            if (inflateReset(&z) != Z_OK) return failed(DecodeStatus::Corrupt, "gzip: cannot read the next member");
            continue;  // concatenated gzip members form one body (RFC 1952)
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) return failed(DecodeStatus::Corrupt, "gzip: the body ends inside the stream");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return failed(DecodeStatus::Corrupt, std::string("gzip: ") + (z.msg ? z.msg : "invalid data"));
    }
}

DecodedBody unzstd(std::string_view in, size_t max_bytes) {
    std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> d(ZSTD_createDCtx(), ZSTD_freeDCtx);
    if (!d || ZSTD_isError(ZSTD_DCtx_setParameter(d.get(), ZSTD_d_windowLogMax, kZstdMaxWindowLog)))
        return failed(DecodeStatus::Corrupt, "zstd: cannot start the decoder");
    ZSTD_inBuffer src{in.data(), in.size(), 0};
    std::string out;
    size_t pending = 1;  // 0 once a frame is complete and flushed
    while (src.pos < src.size || pending != 0) {
        size_t had = out.size();
        out.resize(had + kChunkBytes);
        ZSTD_outBuffer dst{out.data() + had, kChunkBytes, 0};
        size_t before = src.pos;
        pending = ZSTD_decompressStream(d.get(), &dst, &src);
        out.resize(had + dst.pos);
        if (ZSTD_isError(pending)) return failed(DecodeStatus::Corrupt, std::string("zstd: ") + ZSTD_getErrorName(pending));
        if (out.size() > max_bytes) return too_large("zstd", max_bytes);
        // No input taken, no output made: the frame needs bytes the body does not have.
        if (pending != 0 && src.pos == src.size && src.pos == before && dst.pos == 0)
            return failed(DecodeStatus::Corrupt, "zstd: the body ends inside a frame");
    }
    return {DecodeStatus::Ok, std::move(out), {}};
}

}  // namespace

DecodedBody decode_content(std::string_view encoding, std::string_view body, size_t max_bytes) {
    std::vector<std::string> codings;
    for (auto& c : split_list(encoding)) {
        std::string lower = to_lower(c);
        if (lower != "identity") codings.push_back(std::move(lower));
    }
    if (codings.size() > kMaxContentCodings)
        return failed(DecodeStatus::Unsupported, "more than " + std::to_string(kMaxContentCodings) + " content codings");
    for (const auto& c : codings)
        if (c != "gzip" && c != "x-gzip" && c != "zstd")
            return failed(DecodeStatus::Unsupported, "Content-Encoding '" + c + "' is not supported (use gzip or zstd)");
    if (codings.empty() && body.size() > max_bytes) return too_large("", max_bytes);  // the same bound, identity or not
    DecodedBody cur{DecodeStatus::Ok, std::string(body), {}};
    for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
        DecodedBody next = *it == "zstd" ? unzstd(cur.body, max_bytes) : gunzip(cur.body, max_bytes);
        if (next.status != DecodeStatus::Ok) return next;
        cur = std::move(next);
    }
    return cur;
}

}  // namespace llmgw
