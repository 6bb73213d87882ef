#include "core/ops/sealed_blob.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <stdexcept>

namespace llmgw {

namespace {

constexpr unsigned char kVersion = 1;  // first byte of every blob: the format below
constexpr size_t kNonceBytes = 12;     // GCM's native nonce size
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = 1 + kNonceBytes;

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string base64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw), static_cast<int>(raw.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

// Strict standard base64 (padding required); nullopt for anything else.
std::optional<std::string> unbase64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    for (char c : text)
        if (!(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    size_t len = static_cast<size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes.
    if (text.back() == '=') --len;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
    out.resize(len);
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<SealKey> parse_seal_key(std::string_view text, std::string* err) {
    SealKey key{};
    if (text.size() == 2 * key.size()) {
        bool ok = true;
        for (size_t i = 0; i < key.size() && ok; ++i) {
            int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
            ok = hi >= 0 && lo >= 0;
            key[i] = static_cast<unsigned char>(hi * 16 + lo);
        }
        if (ok) return key;
    }
    if (auto raw = unbase64(text); raw && raw->size() == key.size()) {
        std::copy(raw->begin(), raw->end(), key.begin());
        return key;
    }
    if (err) *err = "not a 256-bit key: give 64 hex digits or the base64 of 32 bytes (e.g. `openssl rand -hex 32`)";
    return std::nullopt;
}

SealKey random_seal_key() {
    SealKey key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw std::runtime_error("RAND_bytes failed");
    return key;
}

std::string Sealer::seal(std::string_view plaintext, std::string_view context) const {
    std::string raw(kHeaderBytes + plaintext.size() + kTagBytes, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    out[0] = kVersion;
    if (RAND_bytes(out + 1, kNonceBytes) != 1) throw std::runtime_error("RAND_bytes failed");
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0, fin = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out + 1) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(context), static_cast<int>(context.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out + kHeaderBytes, &len, bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out + kHeaderBytes + len, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, out + kHeaderBytes + plaintext.size()) != 1)
        throw std::runtime_error("AES-256-GCM sealing failed");
    return base64(raw);
}

std::optional<std::string> Sealer::open(std::string_view blob, std::string_view context) const {
    if (blob.size() > kMaxSealedBlobChars) return std::nullopt;
    auto raw = unbase64(blob);
    if (!raw || raw->size() < kHeaderBytes + kTagBytes || static_cast<unsigned char>((*raw)[0]) != kVersion)
        return std::nullopt;
    const auto* in = bytes(*raw);
    const size_t n = raw->size() - kHeaderBytes - kTagBytes;
    std::string plain(n, '\0');
    auto* out = reinterpret_cast<unsigned char*>(plain.data());
    std::string tag = raw->substr(kHeaderBytes + n);
    Ctx ctx(EVP_CIPHER_CTX_new());
    int len = 0, fin = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), in + 1) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(context), static_cast<int>(context.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out, &len, in + kHeaderBytes, static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out + len, &fin) != 1)
        return std::nullopt;  // the tag did not verify: tampered, another key or another context
    return plain;
}

}  // namespace llmgw
