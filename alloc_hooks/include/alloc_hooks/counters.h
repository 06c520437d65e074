// File: counters.h
// What the counting hook records, read per thread or for the whole process.
//
// Linking alloc_hooks into a binary replaces every replaceable global operator new/delete
// with versions that forward to malloc/free and count. No symbol needs to be referenced.
#pragma once

#include <cstdint>

namespace alloc_hooks {

// The fields of a snapshot, listed once (X-macro) so that printers, adapters and tests expand
// the same list and never disagree. X(type, name, description).
#define ALLOC_HOOKS_SNAPSHOT_FIELDS(X)                                   \
  X(std::uint64_t, allocs, "successful operator new calls")              \
  X(std::uint64_t, frees, "operator delete calls on a non-null pointer") \
  X(std::uint64_t, bytes_allocated, "bytes requested from operator new") \
  X(std::uint64_t, bytes_freed, "bytes released by operator delete")     \
  X(std::int64_t, live_bytes, "bytes_allocated - bytes_freed")           \
  X(std::int64_t, peak_live_bytes, "highest live_bytes reached")

// Counts since the start of the thread or process (thread_snapshot, process_snapshot), or
// over a block (scope::delta, where live_bytes is the net growth and peak_live_bytes the
// highest growth above the level at the start of the block).
//
// Bytes: requested sizes. A sized delete (what std containers and `delete` of a complete type
// use under GCC/Clang's default -fsized-deallocation) frees exactly what was requested; an
// unsized delete falls back to malloc_usable_size, which can exceed the request, so live
// bytes are exact only when every free in the block is sized.
struct snapshot {
  static constexpr std::uint32_t version = 1;
#define ALLOC_HOOKS_DECLARE_FIELD(type, name, description) type name = 0;
  ALLOC_HOOKS_SNAPSHOT_FIELDS(ALLOC_HOOKS_DECLARE_FIELD)
#undef ALLOC_HOOKS_DECLARE_FIELD

  bool operator==(const snapshot&) const = default;
};

// Counts made by the calling thread since it started (paused periods excluded).
snapshot thread_snapshot() noexcept;

// Counts made by every thread of the process, including threads that have exited.
// peak_live_bytes is the sum of the per-thread peaks: an upper bound of the process peak
// (an exact process peak would need a shared atomic on every allocation).
snapshot process_snapshot() noexcept;

// True when the hook is linked into this binary (always true for code that links
// alloc_hooks; exists so a test can prove the replacement happened without a referenced
// symbol doing it).
bool hook_active() noexcept;

}  // namespace alloc_hooks
