// RapidJSON 1.1.0's internal::Stack (behind every Reader, Document, Writer and StringBuffer)
// starts as null pointers and allocates on the first Push, but Push first computes
// `stackTop_ + n` on that null pointer: undefined behaviour, which clang's UBSan
// (pointer-overflow) reports on every parse and every serialisation, so a clang sanitizer build
// could not run at all. Here the constructor of the one instantiation the project uses,
// Stack<CrtAllocator>, allocates its initial capacity up front, and ShrinkToFit keeps that
// buffer when empty (Document empties its stack after each parse), so a stack is never null.
//
// CMakeLists.txt force-includes this header into every C++ file (-include): an explicit
// specialisation must be seen before any use in every translation unit, or two definitions of
// the same member would exist.
#pragma once
#include <rapidjson/allocators.h>
#include <rapidjson/internal/stack.h>

RAPIDJSON_NAMESPACE_BEGIN
namespace internal {

namespace nonnull_stack {
// CrtAllocator has no state, so every stack can share one instead of allocating its own.
inline CrtAllocator shared_crt;
}  // namespace nonnull_stack

template <>
inline Stack<CrtAllocator>::Stack(CrtAllocator* allocator, size_t stackCapacity)
    : allocator_(allocator ? allocator : &nonnull_stack::shared_crt),
      ownAllocator_(0),
      stack_(0),
      stackTop_(0),
      stackEnd_(0),
      initialCapacity_(stackCapacity ? stackCapacity : 1) {
    Resize(initialCapacity_);
}

template <>
inline void Stack<CrtAllocator>::ShrinkToFit() {
    if (!Empty()) Resize(GetSize());
}

}  // namespace internal
RAPIDJSON_NAMESPACE_END
