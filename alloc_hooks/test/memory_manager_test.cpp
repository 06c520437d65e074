// Tests for the Google Benchmark adapter: what alloc_hooks::memory_manager reports through
// benchmark 1.7.1's memory run (allocs_per_iter), including the library's own allocation.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alloc_hooks/benchmark.h"
#include "alloc_hooks/pause.h"

namespace {

inline void escape(void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

// Collects the runs instead of printing them.
class capturing_reporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      captured.push_back(r);
      // memory_result points into the runner's storage: read it while it is valid.
      max_bytes_used[r.benchmark_name()] = r.memory_result ? r.memory_result->max_bytes_used : -1;
    }
  }
  std::vector<Run> captured;
  std::map<std::string, std::int64_t> max_bytes_used;
};

void three_allocations_per_iteration(benchmark::State& state) {
  for (auto _ : state) {
    for (int i = 0; i < 3; ++i) {
      auto* p = new std::uint64_t[8];
      escape(p);
      delete[] p;
    }
  }
}

void setup_allocations_paused(benchmark::State& state) {
  {
    alloc_hooks::pause_guard setup;
    std::vector<int> big(1000);
    escape(big.data());
  }
  for (auto _ : state) {
    auto* p = new int(1);
    escape(p);
    delete p;
  }
}

void nothing(benchmark::State& state) {
  for (auto _ : state)
    benchmark::ClobberMemory();
}

class MemoryManager : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    alloc_hooks::register_memory_manager();
    benchmark::RegisterBenchmark("three", three_allocations_per_iteration)->Iterations(100);
    benchmark::RegisterBenchmark("paused_setup", setup_allocations_paused)->Iterations(100);
    benchmark::RegisterBenchmark("nothing", nothing)->Iterations(100);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  }
  static const benchmark::BenchmarkReporter::Run& run(const std::string& name) {
    for (const auto& r : reporter.captured)
      if (r.benchmark_name() == name + "/iterations:100") return r;
    throw std::runtime_error("no run named " + name);
  }
  static capturing_reporter reporter;
};
capturing_reporter MemoryManager::reporter;

// 1.7.1 runs min(16, iterations) extra iterations for the memory run and divides by them;
// one allocation of the library's own lands in that run: +1/16.
constexpr double library_allocation = 1.0 / 16;

TEST_F(MemoryManager, ReportsAllocationsPerIterationPlusTheLibrarysOwn) {
  EXPECT_DOUBLE_EQ(run("three").allocs_per_iter, 3.0 + library_allocation);
  // One 64-byte block live at a time, on top of the library's own object (live throughout,
  // as the empty benchmark shows).
  EXPECT_EQ(reporter.max_bytes_used.at("three/iterations:100") -
                reporter.max_bytes_used.at("nothing/iterations:100"),
            64);  // one 64-byte block live at a time
}

TEST_F(MemoryManager, AnEmptyBenchmarkShowsOnlyTheLibrarysAllocation) {
  EXPECT_DOUBLE_EQ(run("nothing").allocs_per_iter, library_allocation);
}

TEST_F(MemoryManager, PausedSetupIsNotCounted) {
  EXPECT_DOUBLE_EQ(run("paused_setup").allocs_per_iter, 1.0 + library_allocation);
}

}  // namespace
