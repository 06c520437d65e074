// File: benchmark.h
// Google Benchmark adapter: allocation counts in the benchmark JSON through MemoryManager.
//
// Two sources of allocation numbers exist in a Google Benchmark 1.7.1 binary, and they differ:
//  * MemoryManager (this adapter): after the timed run, the library runs the benchmark again
//    for min(16, iterations) iterations between Start() and Stop() and reports
//    allocs_per_iter = allocs / those iterations. That run includes one allocation of the
//    library's own (an empty benchmark reports allocs_per_iter 0.0625 = 1/16), and with
//    --benchmark_repetitions the byte fields (max_bytes_used, total_allocated_bytes,
//    net_heap_growth) can be garbage (google/benchmark issue 1939). Useful as a cross-check.
//  * User counters driven by alloc_hooks::scope around exactly the measured work (see
//    bench/): exact, deterministic, and the numbers the allocation gate relies on.
#pragma once

#include <benchmark/benchmark.h>

#include "alloc_hooks/counters.h"

namespace alloc_hooks {

class memory_manager final : public benchmark::MemoryManager {
 public:
  void Start() override;
  void Stop(Result& result) override;
  // The 1.7.1 interface still declares this pure virtual (deprecated).
  void Stop(Result* result) override { Stop(*result); }

 private:
  snapshot start_{};
  std::int64_t saved_peak_ = 0;
  std::int64_t thread_start_live_ = 0;
};

// Registers a process-wide memory_manager with Google Benchmark. Call before
// benchmark::RunSpecifiedBenchmarks (bench binaries do it in their main).
void register_memory_manager();

}  // namespace alloc_hooks
