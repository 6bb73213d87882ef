// Client API keys: kept only as SHA-256 digests, matched in constant time, identified in logs,
// metrics and rate limiting by a fingerprint that cannot be turned back into the key.
//
// A KeySet is immutable. `serve` holds the current one in a KeyStore and swaps in a new set on
// SIGHUP; requests in flight keep the set they started with.
#pragma once
#include <array>
#include <atomic>
#include <mutex>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

using Sha256Digest = std::array<unsigned char, 32>;

Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
// "key:" + the first 12 hex digits of sha256(key): stable, short, safe to log.
std::string key_fingerprint(std::string_view key);

// A key's own limits, from its line in API_KEYS_FILE (core/ops/keys_file.h). Unset: the global one.
struct KeyLimits {
    std::optional<int64_t> tpm;  // replaces TOKEN_LIMIT_TPM for this key; 0: no token budget for it
    bool operator==(const KeyLimits&) const = default;
};

struct KeyEntry {
    std::string key;
    KeyLimits limits;
};

// The key a client presented: `Authorization: Bearer <key>` (scheme case-insensitive), else
// `x-api-key`. Empty when neither carries one. Pass the raw header values (empty when absent).
std::string_view presented_api_key(std::string_view authorization, std::string_view x_api_key);

class KeySet {
public:
    struct Match {
        bool ok = false;
        std::string_view fingerprint;  // valid while the KeySet lives
        KeyLimits limits;
    };

    // Duplicates and empty keys are dropped.
    static std::shared_ptr<const KeySet> from_keys(const std::vector<std::string>& keys);
    // The same with limits: a key listed again keeps its first entry, taking the later entry's
    // limits when the first had none (API_KEYS, then the keys file: the file's limits apply).
    static std::shared_ptr<const KeySet> from_entries(const std::vector<KeyEntry>& entries);

    // Auth is disabled when the set is empty.
    bool empty() const { return entries_.empty(); }
    size_t size() const { return entries_.size(); }
    // Hashes `presented` and compares the digest with every stored digest in constant time,
    // without stopping at a match, so timing reveals neither whether nor which key matched.
    Match match(std::string_view presented) const;
    bool contains(std::string_view presented) const { return match(presented).ok; }

private:
    struct Entry {
        Sha256Digest digest;
        std::string fingerprint;
        KeyLimits limits;
    };
    std::vector<Entry> entries_;
};

// The current key set, replaceable at any time from any thread.
class KeyStore {
public:
    explicit KeyStore(std::shared_ptr<const KeySet> initial = nullptr);
    std::shared_ptr<const KeySet> get() const;
    void set(std::shared_ptr<const KeySet> next);
    // Bumped by every set(): a worker can cache get() and refetch only when this changes.
    uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

private:
    // get() runs only when the generation moved (a reload), never per request, so a mutex is
    // fine here; it is also what ThreadSanitizer understands (libstdc++ 12's
    // atomic<shared_ptr> lock bit is not).
    mutable std::mutex mu_;
    std::shared_ptr<const KeySet> current_;
    std::atomic<uint64_t> generation_{0};
};

// A worker's cached view of a KeyStore: one atomic load per request while nothing changes.
class KeySetCache {
public:
    explicit KeySetCache(const KeyStore& store) : store_(store) {}
    const KeySet& current();

private:
    const KeyStore& store_;
    uint64_t generation_ = ~uint64_t(0);
    std::shared_ptr<const KeySet> cached_;
};

}  // namespace llmgw
