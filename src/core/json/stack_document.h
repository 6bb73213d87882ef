// A RapidJSON document for parse-and-read (or build-and-write) within one function, whose values
// live in an inline buffer while they fit. rapidjson::Document otherwise mallocs a 64 KiB chunk
// for its first value and frees it at scope end, and freeing a chunk that large makes glibc
// consolidate its free lists: for the small JSON of the hot paths (one request, one stream
// chunk, one short answer) that cost more than the parse. Bigger documents spill to the heap.
// It must not outlive its scope (the values point into it), so never move or swap it out.
#pragma once
#include <rapidjson/document.h>

namespace llmgw {

namespace detail {
struct InlineJsonPool {
    static constexpr size_t kBytes = 8192;
    char bytes[kBytes];
    rapidjson::MemoryPoolAllocator<> pool{bytes, kBytes};
};
}  // namespace detail

class StackDocument : private detail::InlineJsonPool, public rapidjson::Document {
public:
    StackDocument() : rapidjson::Document(&pool) {}
    explicit StackDocument(rapidjson::Type type) : rapidjson::Document(type, &pool) {}
    StackDocument(const StackDocument&) = delete;
    StackDocument& operator=(const StackDocument&) = delete;
};

}  // namespace llmgw
