// Opaque blobs the gateway hands to clients and reads back later (the Responses API's
// `reasoning.encrypted_content`): AES-256-GCM with a random 96-bit nonce, base64 on the wire.
// Only a process holding the same key opens a blob; a blob changed by one bit, sealed with
// another key or never sealed by a gateway at all opens to nothing (never an exception), so the
// caller drops it. Replicas behind one load balancer share RESPONSES_SEAL_KEY; without it each
// process draws its own key at start, and blobs do not survive a restart.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace llmgw {

using SealKey = std::array<unsigned char, 32>;

// A key from its text: 64 hex digits or the base64 of 32 bytes. nullopt with *err set otherwise.
std::optional<SealKey> parse_seal_key(std::string_view text, std::string* err);
// 32 bytes from the system's CSPRNG (OpenSSL RAND_bytes).
SealKey random_seal_key();

class Sealer {
public:
    explicit Sealer(const SealKey& key) : key_(key) {}
    // base64(version byte, nonce, ciphertext, tag). `context` is authenticated, not stored: a blob
    // opens only with the context it was sealed with (so one kind of blob cannot pose as another).
    std::string seal(std::string_view plaintext, std::string_view context) const;
    // The plaintext, or nullopt for anything this key did not seal with this context.
    std::optional<std::string> open(std::string_view blob, std::string_view context) const;

private:
    SealKey key_;
};

// Blobs over this many base64 characters are not opened: a client cannot make the gateway
// decode megabytes of junk per item. Reasoning worth restoring is far below it.
inline constexpr size_t kMaxSealedBlobChars = 4u << 20;

}  // namespace llmgw
