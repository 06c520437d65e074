// File: consumer_bench.cpp
// The consumer's two Google Benchmark benchmarks, made gateable by alloc_hooks::measure: one
// that allocates nothing per item and one that allocates (a joined string per call). Their
// names are ordinary Google Benchmark names, spaces included.
#include <alloc_hooks/benchmark.h>
#include <benchmark/benchmark.h>

#include <numeric>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t words_per_call = 16;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    out += w;
    out += ' ';
  }
#ifdef CONSUMER_PLANT_ALLOCATION
  // The planted regression: a copy nobody needs.
  std::vector<std::string> planted_copy(1, out);
  benchmark::DoNotOptimize(planted_copy);
#endif
  return out;
}

void sum_array(benchmark::State& state) {
  std::vector<int> values(1024);
  std::iota(values.begin(), values.end(), 0);
  alloc_hooks::measure(
      state, [&] { benchmark::DoNotOptimize(std::accumulate(values.begin(), values.end(), 0L)); });
}

void join_words(benchmark::State& state) {
  const std::vector<std::string> words(words_per_call, "allocation-gated-word");
  alloc_hooks::measure(
      state, [&] { benchmark::DoNotOptimize(join(words)); }, words_per_call);
}

}  // namespace

BENCHMARK(sum_array)->Name("Sum/array");
BENCHMARK(join_words)->Name("Join words / 16");
