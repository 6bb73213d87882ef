// The Responses API's `store: true`: responses kept in memory so a later request can continue
// from one (`previous_response_id`) and a client can read or delete it. Bounded three ways, all
// configurable: entry count, total bytes and age (TTL); the oldest entries go first. Each entry
// has an owner (the API key's fingerprint, empty when auth is off): a lookup by another owner
// finds nothing, exactly as an unknown id. Pure and single-threaded; time is passed in (seconds
// on a monotonic clock) so eviction is testable. serve wraps one instance in a mutex.
#pragma once
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace llmgw {

struct StoredResponse {
    std::string owner;
    std::string response;      // the response object as the client got it (JSON)
    std::string input_items;   // JSON array: every item the model saw as input, each with an id
    std::string output_items;  // JSON array: the response's output items
};

struct ResponseStoreLimits {
    size_t max_entries = 10000;      // 0: nothing is stored
    size_t max_bytes = 128u << 20;   // the sum of entry_bytes() over all entries
    double ttl_s = 86400;            // an entry older than this is gone
};

// What an entry is charged: its text plus a fixed overhead for the nodes that index it.
size_t entry_bytes(std::string_view id, const StoredResponse& r);

class ResponseStore {
public:
    explicit ResponseStore(ResponseStoreLimits limits) : limits_(limits) {}

    // Stores (or replaces) `id`, evicting the oldest entries until it fits. False when it cannot
    // fit at all (over max_bytes alone, or max_entries is 0): nothing is stored then.
    bool put(const std::string& id, StoredResponse r, double now_s);
    // The entry when it exists, is not expired and belongs to `owner`; else null.
    std::shared_ptr<const StoredResponse> get(std::string_view id, std::string_view owner, double now_s);
    // Removes the entry under the same conditions as get(); true when one was removed.
    bool erase(std::string_view id, std::string_view owner, double now_s);

    size_t size() const { return order_.size(); }
    size_t bytes() const { return bytes_; }
    const ResponseStoreLimits& limits() const { return limits_; }

private:
    struct Entry {
        std::string id;
        std::shared_ptr<const StoredResponse> r;
        double stored_s;
        size_t bytes;
    };
    using Order = std::list<Entry>;  // oldest first
    struct ViewHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    void expire(double now_s);
    void drop(Order::iterator it);
    Order::iterator find(std::string_view id, std::string_view owner, double now_s);

    ResponseStoreLimits limits_;
    Order order_;
    std::unordered_map<std::string, Order::iterator, ViewHash, std::equal_to<>> index_;
    size_t bytes_ = 0;
};

}  // namespace llmgw
