// Content-Encoding decoding (content_encoding.h), as serve applies it to a client's body. The first
// input byte picks the coding and a limit, the rest is the body. Properties: the decoded body is
// never over the limit; a failure carries no body and says why; and any bytes compressed with
// gzip or zstd decode back to themselves (or to TooLarge when they are over the limit).
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <string>

#include "core/base/content_encoding.h"
#include "fuzz_check.h"

using namespace llmgw;

namespace {
constexpr const char* kCodings[] = {"gzip", "zstd", "gzip, zstd", "x-gzip", "identity", "br"};

std::string gzip(std::string_view in) {
    z_stream z{};
    FUZZ_CHECK(deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, in.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

std::string zstd(std::string_view in) {
    std::string out(ZSTD_compressBound(in.size()), '\0');
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
    FUZZ_CHECK(!ZSTD_isError(n));
    out.resize(n);
    return out;
}

void check(const DecodedBody& d, size_t limit) {
    if (d.status == DecodeStatus::Ok) {
        FUZZ_CHECK(d.body.size() <= limit);
    } else {
        FUZZ_CHECK(d.body.empty());
        FUZZ_CHECK(!d.detail.empty());
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const char* coding = kCodings[data[0] % std::size(kCodings)];
    const size_t limit = (data[0] & 0x80) ? 64 : 1u << 16;
    std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

    check(decode_content(coding, body, limit), limit);
    for (auto [name, packed] : {std::pair<const char*, std::string>{"gzip", gzip(body)}, {"zstd", zstd(body)}}) {
        DecodedBody d = decode_content(name, packed, limit);
        check(d, limit);
        if (body.size() <= limit) FUZZ_CHECK(d.status == DecodeStatus::Ok && d.body == body);
        else FUZZ_CHECK(d.status == DecodeStatus::TooLarge);
    }
    return 0;
}
