// File: detector_windows.h
// The windows a detector is measured on, shared by the benchmarks, the count probes and the
// phase profile so that all of them measure exactly the same work. Their size, number and
// seed are the measurement contract's (bench/measurement.h, re-exported here).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace bench {

// distinct_windows windows of window_events events each. The events are copies (their strings
// stay in the corpus), so a run can move its own copy's timestamps forward between passes.
struct windows {
  std::vector<std::vector<detectors::event>> list;
  std::int64_t cycle_ns = 0;  // how far one pass moves timestamps forward for the next

  // Moves every timestamp forward by one cycle: the next pass continues in time.
  void advance_cycle();
};

// The windows of a stream focused on one detector, with the corpus that owns their strings.
struct window_set {
  detectors::corpus corpus;
  bench::windows windows;
};

window_set make_window_set(std::string_view detector);

// Steady state: one full pass over the windows, then the cycle advances.
void warm_up(detectors::detector& d, windows& w, detectors::finding_sink& sink);

}  // namespace bench
