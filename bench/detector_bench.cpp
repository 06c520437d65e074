// File: detector_bench.cpp
// The detector benchmarks the allocation gate measures.
//
// One iteration = one window (bench::window_events events), prebuilt from the corpus generator
// outside the measured region. Two families per detector, and a reference:
//   BM_<Name>Detector      warm: one detector persists; iterations cycle through the distinct
//                          windows (timestamps shifted forward on every cycle, so time only
//                          moves on), after a warm-up pass over all of them.
//   BM_<Name>DetectorCold  cold: a fresh detector for every window (its construction and
//                          destruction are outside the measurement).
//   BM_<Name>MemchrScan    reference, not gated: memchr over the same windows' text.
// The iteration count is fixed (a multiple of the distinct windows), so allocation counts are
// exactly reproducible; ALLOCGATE_BENCH_WINDOWS=N raises it for timing runs.
//
// Window size, seed, benchmark names and counter names are the measurement contract's
// (bench/measurement.h). Counters, from an alloc_hooks::scope around exactly the processing of
// each window: window, allocs/op, bytes/op, allocs/event, bytes/event, peak_live_bytes,
// ns/event, events/s.
// The MemoryManager adapter is registered too (allocs_per_iter in the JSON): setup runs
// with counting paused, so its figure is ours plus Google Benchmark's own allocations.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hooks/attribution.h"
#include "alloc_hooks/benchmark.h"
#include "alloc_hooks/pause.h"
#include "alloc_hooks/scope.h"
#include "bench/detector_windows.h"
#include "bench/measurement.h"
#include "detectors/detector.h"

namespace {

using bench::distinct_windows;
using bench::window_events;
using bench::window_set;
using detectors::event;

// Built once per detector and copied into each run (the copy's timestamps then move on).
const window_set& windows_for(const std::string& detector) {
  static std::map<std::string, window_set> cache;
  auto it = cache.find(detector);
  if (it == cache.end()) it = cache.emplace(detector, bench::make_window_set(detector)).first;
  return it->second;
}

std::int64_t measured_windows() {
  const char* env = std::getenv("ALLOCGATE_BENCH_WINDOWS");
  const long long n = env != nullptr ? std::atoll(env) : 64;
  // Whole cycles only: every run covers each distinct window equally often.
  const auto cycles = std::max<long long>(1, n / static_cast<long long>(distinct_windows));
  return cycles * static_cast<long long>(distinct_windows);
}

// Call-site attribution (only in the detector_bench_attribution build): armed around the
// window processing when bench::attribution_out_env names a file to write at exit.
const bool attributing =
    alloc_hooks::attribution_compiled_in() && std::getenv(bench::attribution_out_env) != nullptr;
std::uint64_t attributed_events = 0;

struct totals {
  std::uint64_t allocs = 0;
  std::uint64_t bytes = 0;
  std::int64_t peak_live = 0;
  std::int64_t ns = 0;
};

void process_window(detectors::detector& d, const std::vector<event>& window,
                    detectors::finding_sink& sink, totals& t) {
  if (attributing) alloc_hooks::arm_attribution();
  const auto start = std::chrono::steady_clock::now();
  alloc_hooks::scope s;
  for (const event& e : window)
    d.on_event(e, sink);
  const alloc_hooks::snapshot delta = s.delta();
  const auto stop = std::chrono::steady_clock::now();
  if (attributing) {
    alloc_hooks::disarm_attribution();
    attributed_events += window.size();
  }
  t.allocs += delta.allocs;
  t.bytes += delta.bytes_allocated;
  t.peak_live = std::max(t.peak_live, delta.peak_live_bytes);
  t.ns += std::chrono::duration_cast<std::chrono::nanoseconds>(stop - start).count();
}

void publish(benchmark::State& state, const totals& t) {
  // Setting counters allocates (map nodes); keep it out of the MemoryManager's memory run so
  // that its allocs_per_iter stays comparable with allocs/op.
  alloc_hooks::pause_guard not_measured;
  const auto windows = static_cast<double>(state.iterations());
  const double events = windows * window_events;
  namespace counter = bench::counter;
  const auto set = [&state](std::string_view name, double value) {
    state.counters[std::string(name)] = value;
  };
  set(counter::window, static_cast<double>(window_events));
  set(counter::allocs_per_op, static_cast<double>(t.allocs) / windows);
  set(counter::bytes_per_op, static_cast<double>(t.bytes) / windows);
  set(counter::allocs_per_event, static_cast<double>(t.allocs) / events);
  set(counter::bytes_per_event, static_cast<double>(t.bytes) / events);
  set(counter::peak_live_bytes, static_cast<double>(t.peak_live));
  set(counter::ns_per_event, static_cast<double>(t.ns) / events);
  set(counter::events_per_second, t.ns > 0 ? events / (static_cast<double>(t.ns) * 1e-9) : 0.0);
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}

void run_warm(benchmark::State& state, const std::string& name) {
  std::unique_ptr<detectors::detector> d;
  bench::windows w;
  detectors::counting_sink sink;
  {
    alloc_hooks::pause_guard setup;  // setup is not part of any measurement
    w = windows_for(name).windows;
    d = detectors::make_detector(name);
    bench::warm_up(*d, w, sink);
  }
  totals t;
  std::size_t next = 0;
  for (auto _ : state) {
    process_window(*d, w.list[next], sink, t);
    if (++next == w.list.size()) {
      state.PauseTiming();
      w.advance_cycle();
      next = 0;
      state.ResumeTiming();
    }
  }
  publish(state, t);
  benchmark::DoNotOptimize(sink.total());
}

void run_cold(benchmark::State& state, const std::string& name) {
  std::vector<std::vector<event>> windows;
  {
    alloc_hooks::pause_guard setup;
    windows = windows_for(name).windows.list;
  }
  detectors::counting_sink sink;
  totals t;
  std::size_t next = 0;
  std::unique_ptr<detectors::detector> d;
  for (auto _ : state) {
    state.PauseTiming();
    {
      alloc_hooks::pause_guard setup;
      d = detectors::make_detector(name);
    }
    state.ResumeTiming();
    process_window(*d, windows[next], sink, t);
    state.PauseTiming();
    {
      alloc_hooks::pause_guard teardown;
      d.reset();
    }
    next = (next + 1) % windows.size();
    state.ResumeTiming();
  }
  publish(state, t);
  benchmark::DoNotOptimize(sink.total());
}

// Reference, not gated: what merely finding the line boundaries of the same windows costs
// (memchr over their text). A detector's events/s divided by this one's is its distance from
// the cost of reading the input.
void run_memchr_scan(benchmark::State& state, const std::string& name) {
  std::vector<std::string> texts;
  {
    alloc_hooks::pause_guard setup;
    for (const auto& w : windows_for(name).windows.list) {
      std::string text;
      for (const event& e : w) {
        text += e.line;
        text += '\n';
      }
      texts.push_back(std::move(text));
    }
  }
  std::size_t next = 0;
  std::uint64_t lines = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const std::string& text = texts[next];
    const char* p = text.data();
    const char* const end = p + text.size();
    while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    next = (next + 1) % texts.size();
  }
  const double ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count());
  alloc_hooks::pause_guard not_measured;
  benchmark::DoNotOptimize(lines);
  const double events = static_cast<double>(state.iterations()) * window_events;
  state.counters[std::string(bench::counter::ns_per_event)] = ns / events;
  state.counters[std::string(bench::counter::events_per_second)] =
      ns > 0 ? events / (ns * 1e-9) : 0.0;
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
}

void register_detector_benchmarks() {
  using bench::family;
  const std::int64_t windows = measured_windows();
  for (std::string_view name : detectors::detector_names()) {
    const std::string detector(name);
    benchmark::RegisterBenchmark(bench::benchmark_name(name, family::warm).c_str(),
                                 [detector](benchmark::State& s) { run_warm(s, detector); })
        ->Iterations(windows)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench::benchmark_name(name, family::cold).c_str(),
                                 [detector](benchmark::State& s) { run_cold(s, detector); })
        ->Iterations(static_cast<benchmark::IterationCount>(distinct_windows))
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(bench::benchmark_name(name, family::memchr_scan).c_str(),
                                 [detector](benchmark::State& s) { run_memchr_scan(s, detector); })
        ->Iterations(windows)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  alloc_hooks::register_memory_manager();
  register_detector_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (attributing) {
    const char* path = std::getenv(bench::attribution_out_env);
    if (!alloc_hooks::write_attribution(path, attributed_events)) {
      std::fprintf(stderr, "detector_bench: cannot write attribution to %s\n", path);
      return 1;
    }
  }
  return 0;
}
