// File: benchmark_memory_manager.cpp
// alloc_hooks as a Google Benchmark MemoryManager (see alloc_hooks/benchmark.h for limits).
#include <algorithm>

#include "alloc_hooks/benchmark.h"
#include "thread_slots.h"

namespace alloc_hooks {

// Counts come from the whole process (threaded benchmarks allocate on worker threads); the
// peak from the calling thread, which runs single-threaded benchmarks itself.
void memory_manager::Start() {
  internal::slot& s = internal::home_slot();
  start_ = process_snapshot();
  saved_peak_ = s.peak_live_bytes.load(std::memory_order_relaxed);
  s.peak_live_bytes.store(s.live_bytes.load(std::memory_order_relaxed), std::memory_order_relaxed);
  thread_start_live_ = s.live_bytes.load(std::memory_order_relaxed);
}

void memory_manager::Stop(Result& result) {
  const snapshot now = process_snapshot();
  internal::slot& s = internal::home_slot();
  const std::int64_t peak = s.peak_live_bytes.load(std::memory_order_relaxed);
  s.peak_live_bytes.store(std::max(saved_peak_, peak), std::memory_order_relaxed);

  result.num_allocs = static_cast<std::int64_t>(now.allocs - start_.allocs);
  result.total_allocated_bytes =
      static_cast<std::int64_t>(now.bytes_allocated - start_.bytes_allocated);
  result.net_heap_growth = now.live_bytes - start_.live_bytes;
  result.max_bytes_used = peak - thread_start_live_;
}

void register_memory_manager() {
  static memory_manager instance;
  benchmark::RegisterMemoryManager(&instance);
}

}  // namespace alloc_hooks
