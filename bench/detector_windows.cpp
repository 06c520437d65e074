// File: detector_windows.cpp
// Cuts a detector's focused stream into the measured windows (bench/detector_windows.h).
#include "bench/detector_windows.h"

namespace bench {

window_set make_window_set(std::string_view detector) {
  detectors::corpus_options options;
  options.seed = corpus_seed;
  options.events = window_events * distinct_windows;
  window_set set;
  set.corpus = detectors::generate_corpus(detector, options);
  const auto events = set.corpus.events();
  for (std::size_t w = 0; w < distinct_windows; ++w) {
    set.windows.list.emplace_back(
        events.begin() + static_cast<std::ptrdiff_t>(w * window_events),
        events.begin() + static_cast<std::ptrdiff_t>((w + 1) * window_events));
  }
  set.windows.cycle_ns = events.back().ts_ns - events.front().ts_ns + detectors::ns_per_second;
  return set;
}

void windows::advance_cycle() {
  for (auto& w : list)
    for (auto& e : w)
      e.ts_ns += cycle_ns;
}

void warm_up(detectors::detector& d, windows& w, detectors::finding_sink& sink) {
  for (const auto& window : w.list)
    for (const auto& e : window)
      d.on_event(e, sink);
  w.advance_cycle();
}

}  // namespace bench
