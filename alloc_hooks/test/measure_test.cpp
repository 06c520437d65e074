// File: measure_test.cpp
// Tests for alloc_hooks::measure and alloc_hooks::gate_counters (benchmark.h): the counters of
// the gate's contract count the measured block exactly, setup excluded, per iteration.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alloc_hooks/attribution.h"
#include "alloc_hooks/benchmark.h"

namespace {

inline void escape(void* p) {
  asm volatile("" : : "g"(p) : "memory");
}

void allocate(int n, std::size_t bytes) {
  for (int i = 0; i < n; ++i) {
    auto* p = new char[bytes];
    escape(p);
    delete[] p;
  }
}

class capturing_reporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs)
      for (const auto& [name, counter] : r.counters)
        counters[r.benchmark_name()][name] = counter.value;
  }
  std::map<std::string, std::map<std::string, double>> counters;
};

// Setup allocations (1000) before the loop must not reach allocs/op.
void three_per_iteration(benchmark::State& state) {
  std::vector<std::string> setup(1000, std::string(64, 'x'));
  escape(setup.data());
  alloc_hooks::measure(state, [] { allocate(3, 16); });
}

void two_per_four_items(benchmark::State& state) {
  alloc_hooks::measure(
      state, [] { allocate(2, 8); }, 4);
}

// Only the block is measured: the allocation before it in each iteration is not.
void block_form(benchmark::State& state) {
  alloc_hooks::gate_counters gate(state);
  for (auto _ : state) {
    allocate(5, 8);  // input preparation, not measured
    const auto measured = gate.block();
    allocate(1, 32);
  }
}

void nothing(benchmark::State& state) {
  alloc_hooks::measure(state, [] { benchmark::ClobberMemory(); });
}

class Measure : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    benchmark::RegisterBenchmark("three", three_per_iteration)->Iterations(50);
    benchmark::RegisterBenchmark("two per four items", two_per_four_items)->Iterations(50);
    benchmark::RegisterBenchmark("block", block_form)->Iterations(50);
    benchmark::RegisterBenchmark("nothing", nothing)->Iterations(50);
    benchmark::RunSpecifiedBenchmarks(&reporter);
  }
  static const std::map<std::string, double>& counters(const std::string& name) {
    return reporter.counters.at(name + "/iterations:50");
  }
  static capturing_reporter reporter;
};
capturing_reporter Measure::reporter;

TEST_F(Measure, CountsTheMeasuredWorkPerIterationWithoutTheSetup) {
  EXPECT_EQ(counters("three").at(alloc_hooks::counter::allocs_per_op), 3.0);
  EXPECT_EQ(counters("three").at(alloc_hooks::counter::bytes_per_op), 48.0);
  EXPECT_EQ(counters("three").at(alloc_hooks::counter::items_per_op), 1.0);
  EXPECT_GE(counters("three").at(alloc_hooks::counter::peak_live_bytes), 16.0);
}

TEST_F(Measure, PublishesTheUnitsOfWorkPerIteration) {
  EXPECT_EQ(counters("two per four items").at(alloc_hooks::counter::allocs_per_op), 2.0);
  EXPECT_EQ(counters("two per four items").at(alloc_hooks::counter::items_per_op), 4.0);
}

TEST_F(Measure, TheBlockFormCountsOnlyTheBlock) {
  EXPECT_EQ(counters("block").at(alloc_hooks::counter::allocs_per_op), 1.0);
  EXPECT_EQ(counters("block").at(alloc_hooks::counter::bytes_per_op), 32.0);
}

TEST_F(Measure, AnAllocationFreeBlockReadsZero) {
  EXPECT_EQ(counters("nothing").at(alloc_hooks::counter::allocs_per_op), 0.0);
}

// The counters are the names ratchet reads by default (tools/ratchet alloc_gate.h).
TEST(MeasureContract, CounterNamesAreTheGatesDefaults) {
  EXPECT_STREQ(alloc_hooks::counter::allocs_per_op, "allocs/op");
  EXPECT_STREQ(alloc_hooks::counter::bytes_per_op, "bytes/op");
  EXPECT_STREQ(alloc_hooks::counter::items_per_op, "window");
  EXPECT_STREQ(alloc_hooks::attribution_out_env, "ALLOCGATE_ATTRIBUTION_OUT");
}

}  // namespace
