// File: warm_windows.h
// The detectors' zero-allocation test: after one pass over the benchmark's focused corpus
// (window size, window count and seed from the measurement contract, bench/measurement.h),
// later passes over the same stream moved forward in time must process every window without a
// single allocation.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace detectors::testing {

inline void expect_warm_windows_allocate_nothing(std::string_view name, detector& d) {
  constexpr std::size_t window = bench::window_events;
  corpus_options options;
  options.seed = bench::corpus_seed;
  options.events = bench::distinct_windows * window;
  const corpus c = generate_corpus(name, options);
  std::vector<event> events(c.events().begin(), c.events().end());
  const std::int64_t cycle_ns = events.back().ts_ns - events.front().ts_ns + ns_per_second;
  counting_sink sink;
  for (const event& e : events)
    d.on_event(e, sink);
  for (int pass = 1; pass <= 2; ++pass) {
    for (event& e : events)
      e.ts_ns += cycle_ns;
    for (std::size_t w = 0; w + window <= events.size(); w += window) {
      SCOPED_TRACE(fmt::format("{}: pass {}, window {}", name, pass, w / window));
      EXPECT_ALLOCS_LE(0, {
        for (std::size_t i = w; i < w + window; ++i)
          d.on_event(events[i], sink);
      });
    }
  }
  EXPECT_GT(sink.total(), 0u) << "the windows should produce findings";
}

}  // namespace detectors::testing
