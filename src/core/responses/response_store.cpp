#include "core/responses/response_store.h"

#include <algorithm>
#include <iterator>

namespace llmgw {

namespace {
// The list node, the hash node and the strings' headers of one entry, roughly.
constexpr size_t kEntryOverheadBytes = 256;
}  // namespace

size_t entry_bytes(std::string_view id, const StoredResponse& r) {
    return kEntryOverheadBytes + 2 * id.size() + r.owner.size() + r.response.size() + r.input_items.size() +
           r.output_items.size();
}

void ResponseStore::drop(Order::iterator it) {
    bytes_ -= it->bytes;
    index_.erase(it->id);
    order_.erase(it);
}

void ResponseStore::expire(double now_s) {
    // Entries are in storing order and time does not run backwards, so the expired ones lead.
    while (!order_.empty() && now_s - order_.front().stored_s >= limits_.ttl_s) drop(order_.begin());
}

bool ResponseStore::put(const std::string& id, StoredResponse r, double now_s) {
    expire(now_s);
    if (auto it = index_.find(id); it != index_.end()) drop(it->second);
    const size_t n = entry_bytes(id, r);
    if (limits_.max_entries == 0 || n > limits_.max_bytes) return false;
    while (!order_.empty() && (order_.size() >= limits_.max_entries || bytes_ + n > limits_.max_bytes))
        drop(order_.begin());
    // A clock that stepped back must not put the new entry ahead of older ones in expiry.
    double stored = order_.empty() ? now_s : std::max(now_s, order_.back().stored_s);
    order_.push_back(Entry{id, std::make_shared<const StoredResponse>(std::move(r)), stored, n});
    index_.emplace(id, std::prev(order_.end()));
    bytes_ += n;
    return true;
}

ResponseStore::Order::iterator ResponseStore::find(std::string_view id, std::string_view owner, double now_s) {
    expire(now_s);
    auto it = index_.find(id);
    if (it == index_.end() || it->second->r->owner != owner) return order_.end();
    return it->second;
}

std::shared_ptr<const StoredResponse> ResponseStore::get(std::string_view id, std::string_view owner, double now_s) {
    auto it = find(id, owner, now_s);
    return it == order_.end() ? nullptr : it->r;
}

bool ResponseStore::erase(std::string_view id, std::string_view owner, double now_s) {
    auto it = find(id, owner, now_s);
    if (it == order_.end()) return false;
    drop(it);
    return true;
}

}  // namespace llmgw
