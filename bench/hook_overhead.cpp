// File: hook_overhead.cpp
// What the counting hook costs: a new/delete pair at 16 B, 64 B, 256 B and 4 KiB, on one
// thread and on two. The same source is built per allocator three ways: without the hook
// (the allocator's own pair through libstdc++'s operator new), with the full hook (counts,
// bytes, live and peak), and with a counts-and-bytes-only variant. scripts/hook-overhead.sh
// runs them all and prints the per-pair overhead.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <new>

namespace {

void BM_NewDeleteSized(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = ::operator new(size);
    benchmark::DoNotOptimize(p);
    ::operator delete(p, size);
  }
}
BENCHMARK(BM_NewDeleteSized)->Arg(16)->Arg(64)->Arg(256)->Arg(4096)->Threads(1)->Threads(2);

// Unsized delete: the hook must ask the allocator for the size (malloc_usable_size).
void BM_NewDeleteUnsized(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = ::operator new(size);
    benchmark::DoNotOptimize(p);
    ::operator delete(p);
  }
}
BENCHMARK(BM_NewDeleteUnsized)->Arg(64)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
