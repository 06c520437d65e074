// File: phase_runs.cpp
// The warm and cold profiling runs of `detector_phases` (phases/phase_runs.h).
#include "phases/phase_runs.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "alloc_hooks/scope.h"
#include "bench/measurement.h"

namespace phase_profile {

namespace {

// Internal invariant: the phases' allocations add up to what the window allocated (the
// recorder misses nothing and counts nothing twice). Aborts with file and line.
#define PHASE_CHECK(cond)                                                                    \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: detector_phases: check failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                                   \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)

std::uint64_t phase_allocs(const totals& t) {
  std::uint64_t n = 0;
  for (const auto& p : t.phases)
    n += p.allocs;
  return n;
}

}  // namespace

run_plan make_plan(std::int64_t windows, int repetitions) {
  const auto per_pass = static_cast<std::int64_t>(bench::distinct_windows);
  run_plan plan;
  plan.warm_windows = (windows + per_pass - 1) / per_pass * per_pass;
  plan.cold_passes = static_cast<int>(std::max<std::int64_t>(1, plan.warm_windows / 64));
  plan.repetitions = repetitions;
  return plan;
}

totals profile_window(detectors::detector& d, const std::vector<detectors::event>& window,
                      detectors::finding_sink& sink) {
  take_totals();  // nothing outside the window is charged to it
  alloc_hooks::scope s;
  profile_events(d, window, sink);
  const std::uint64_t window_allocs = s.delta().allocs;
  const totals t = take_totals();
  PHASE_CHECK(phase_allocs(t) == window_allocs);
  PHASE_CHECK(t.events == window.size());
  return t;
}

std::vector<totals> run_warm(const std::string& name, const bench::windows& prototype,
                             std::int64_t windows) {
  bench::windows w = prototype;
  detectors::counting_sink sink;
  std::unique_ptr<detectors::detector> d = detectors::make_detector(name);
  bench::warm_up(*d, w, sink);  // marks outside begin/end_event are ignored
  std::vector<totals> per_window;
  std::size_t next = 0;
  for (std::int64_t i = 0; i < windows; ++i) {
    per_window.push_back(profile_window(*d, w.list[next], sink));
    if (++next == w.list.size()) {
      w.advance_cycle();
      next = 0;
    }
  }
  return per_window;
}

std::vector<totals> run_cold(const std::string& name, const bench::windows& prototype, int passes) {
  detectors::counting_sink sink;
  std::vector<totals> per_window;
  for (int pass = 0; pass < passes; ++pass) {
    for (const auto& window : prototype.list) {
      std::unique_ptr<detectors::detector> d = detectors::make_detector(name);
      per_window.push_back(profile_window(*d, window, sink));
    }
  }
  return per_window;
}

mode_result repeated(int repetitions, const std::function<std::vector<totals>()>& run) {
  std::vector<std::vector<totals>> runs;
  for (int r = 0; r < repetitions; ++r)
    runs.push_back(run());
  mode_result m;
  m.windows = runs.front().size();
  m.repetitions = static_cast<std::uint64_t>(repetitions);
  m.t = median_over_runs(runs);
  return m;
}

detector_result profile_detector(const std::string& name, const run_plan& plan) {
  const bench::window_set set = bench::make_window_set(name);
  detector_result r;
  r.name = name;
  r.cold =
      repeated(plan.repetitions, [&] { return run_cold(name, set.windows, plan.cold_passes); });
  r.warm =
      repeated(plan.repetitions, [&] { return run_warm(name, set.windows, plan.warm_windows); });
  return r;
}

}  // namespace phase_profile
