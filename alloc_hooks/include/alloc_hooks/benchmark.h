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
//    Any setup the benchmark function does before its loop is counted too and divided over
//    those extra iterations, so a benchmark with a costly setup reads far more than its loop
//    makes. Useful as a cross-check only.
//  * User counters driven by alloc_hooks::scope around exactly the measured work
//    (alloc_hooks::measure below): exact, deterministic, and the numbers the allocation gate
//    (`ratchet check`) reads.
//
// The gate's contract, what alloc_hooks::measure publishes per benchmark run:
//   allocs/op   allocations per iteration (operator new calls in the measured block)
//   bytes/op    bytes requested per iteration
//   window      units of work per iteration (default 1): the gate divides allocs/op by it, so a
//               ceiling reads "allocs per item" (allocgate's detectors: per event, 1024 a window)
//   peak_live_bytes  the highest live growth within one measured block
// and, in a binary linked with allocgate::alloc_hooks_attribution and run by `ratchet explain`
// (ALLOCGATE_ATTRIBUTION_OUT set), the call-site attribution of the measured blocks, written
// when the program exits.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <utility>

#include "alloc_hooks/counters.h"
#include "alloc_hooks/scope.h"

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

// The counter names of the gate's contract (ratchet's defaults: --allocs-counter,
// --bytes-counter, --items-counter).
namespace counter {
inline constexpr const char* allocs_per_op = "allocs/op";
inline constexpr const char* bytes_per_op = "bytes/op";
inline constexpr const char* items_per_op = "window";
inline constexpr const char* peak_live_bytes = "peak_live_bytes";
}  // namespace counter

// The allocations of one benchmark run, block by block; publishes the contract's counters
// when destroyed (at the end of the benchmark function). For a loop that measures only part
// of each iteration:
//
//   void BM_Parse(benchmark::State& state) {
//     alloc_hooks::gate_counters gate(state);
//     for (auto _ : state) {
//       std::string text = make_input();   // not measured
//       auto measured = gate.block();      // measured until the end of the iteration
//       benchmark::DoNotOptimize(parse(text));
//     }
//   }
class gate_counters {
 public:
  explicit gate_counters(benchmark::State& state, std::int64_t items_per_iteration = 1);
  ~gate_counters();
  gate_counters(const gate_counters&) = delete;
  gate_counters& operator=(const gate_counters&) = delete;

  // One measured block: counts on construction, adds to the run's totals on destruction;
  // arms call-site attribution for its lifetime when `ratchet explain` asked for it. Never
  // allocates.
  class measured_block {
   public:
    explicit measured_block(gate_counters& owner) noexcept;
    ~measured_block();
    measured_block(const measured_block&) = delete;
    measured_block& operator=(const measured_block&) = delete;

   private:
    gate_counters& owner_;
    bool armed_;  // attribution armed before the scope starts: arming may load the unwinder
    scope scope_;
  };
  [[nodiscard]] measured_block block() noexcept { return measured_block(*this); }

 private:
  benchmark::State& state_;
  std::int64_t items_per_iteration_;
  std::uint64_t allocs_ = 0;
  std::uint64_t bytes_ = 0;
  std::int64_t peak_live_ = 0;
};

// The one-line form: runs the benchmark loop with `work` as the whole measured iteration.
//
//   void BM_Dump(benchmark::State& state) {
//     const auto doc = load();                                    // setup: not counted
//     alloc_hooks::measure(state, [&] { benchmark::DoNotOptimize(doc.dump()); });
//   }
//
// items_per_iteration > 1 (e.g. the records one call parses) makes the gate's ceiling read
// allocations per item.
template <class Work>
void measure(benchmark::State& state, Work&& work, std::int64_t items_per_iteration = 1) {
  gate_counters gate(state, items_per_iteration);
  for (auto _ : state) {
    const auto measured = gate.block();
    std::forward<Work>(work)();
  }
}

}  // namespace alloc_hooks
