// File: thread_slots.h (internal)
// Per-thread counter slots: the storage behind the counting hook.
//
// Each thread that allocates is given a slot from a process-wide table the first time it
// allocates. Only the owning thread writes its slot, with relaxed load + relaxed store (a
// plain add on x86-64: no lock prefix, no fence), so the hot path has neither locks nor
// atomic read-modify-writes; the atomics exist only so that a reader summing every slot
// from another thread is race-free. When a thread exits its slot goes back to a free list
// *with its counts*, and the next thread to take it keeps adding on top: the process total
// (the sum of all slots ever handed out) therefore keeps the contribution of exited
// threads, and per-thread readings are always differences, so they do not care where a
// slot started.
#pragma once

#include <atomic>
#include <cstdint>

#include "alloc_hooks/counters.h"

namespace alloc_hooks::internal {

struct alignas(64) slot {
  std::atomic<std::uint64_t> allocs{0};
  std::atomic<std::uint64_t> frees{0};
  std::atomic<std::uint64_t> bytes_allocated{0};
  std::atomic<std::uint64_t> bytes_freed{0};
  std::atomic<std::int64_t> live_bytes{0};
  std::atomic<std::int64_t> peak_live_bytes{0};
  slot* next_free = nullptr;  // guarded by the table lock
};

// Owner-only update: a plain add, made race-free for readers on other threads.
template <typename T>
inline void owner_add(std::atomic<T>& counter, T amount) noexcept {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

inline snapshot read_slot(const slot& s) noexcept {
  snapshot r;
  r.allocs = s.allocs.load(std::memory_order_relaxed);
  r.frees = s.frees.load(std::memory_order_relaxed);
  r.bytes_allocated = s.bytes_allocated.load(std::memory_order_relaxed);
  r.bytes_freed = s.bytes_freed.load(std::memory_order_relaxed);
  r.live_bytes = s.live_bytes.load(std::memory_order_relaxed);
  r.peak_live_bytes = s.peak_live_bytes.load(std::memory_order_relaxed);
  return r;
}

// The calling thread's own slot (attached on first use). Never null.
slot& home_slot() noexcept;

// Sum of every slot ever handed out, under the table lock.
snapshot sum_all_slots() noexcept;

}  // namespace alloc_hooks::internal
