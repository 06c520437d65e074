// File: counters.cpp
// Reading the counters: thread and process snapshots, and the measuring scope.
#include "alloc_hooks/counters.h"

#include <algorithm>

#include "alloc_hooks/scope.h"
#include "thread_slots.h"

namespace alloc_hooks {

snapshot thread_snapshot() noexcept {
  return internal::read_slot(internal::home_slot());
}

snapshot process_snapshot() noexcept {
  return internal::sum_all_slots();
}

// A scope resets the thread's peak watermark to the current live level, so that the peak
// reached inside the block can be read off directly; the destructor restores the higher of
// the old peak and the new one, which keeps outer scopes and thread_snapshot() correct.
scope::scope() noexcept {
  internal::slot& s = internal::home_slot();
  start_ = internal::read_slot(s);
  saved_peak_ = start_.peak_live_bytes;
  s.peak_live_bytes.store(start_.live_bytes, std::memory_order_relaxed);
}

scope::~scope() {
  internal::slot& s = internal::home_slot();
  const std::int64_t peak = s.peak_live_bytes.load(std::memory_order_relaxed);
  s.peak_live_bytes.store(std::max(saved_peak_, peak), std::memory_order_relaxed);
}

snapshot scope::delta() const noexcept {
  const snapshot now = internal::read_slot(internal::home_slot());
  snapshot d;
  d.allocs = now.allocs - start_.allocs;
  d.frees = now.frees - start_.frees;
  d.bytes_allocated = now.bytes_allocated - start_.bytes_allocated;
  d.bytes_freed = now.bytes_freed - start_.bytes_freed;
  d.live_bytes = now.live_bytes - start_.live_bytes;
  d.peak_live_bytes = now.peak_live_bytes - start_.live_bytes;
  return d;
}

}  // namespace alloc_hooks
