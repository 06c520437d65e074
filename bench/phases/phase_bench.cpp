// File: phase_bench.cpp
// `detector_phases`, the phase profiler: where each detector's per-event time and allocations
// go, phase by phase (make bench-phases). A separate build: it links `detectors_phased`, whose
// DETECTORS_PHASE marks call the recorder (phases/phase_profile.h), so the timing overhead of
// the marks never enters the gate's headline numbers (detector_bench_* link plain `detectors`).
//
// Per detector, over the windows the gate's benchmarks use (bench/detector_windows.h):
//   warm  one detector, warmed up over the distinct windows, then --windows windows
//         (timestamps advanced every cycle), exactly as BM_<Name>Detector runs them;
//   cold  a fresh detector per window, its first window only, as BM_<Name>DetectorCold; one
//         pass over the distinct windows per 64 warm windows.
// Each mode runs --repetitions times over the same windows; every window's per-phase figures
// are the median over the runs (a shared machine preempts a run now and then, and whichever
// phase is open would be charged the milliseconds).
//
// Exit codes (stable): 0 ok, 2 usage or configuration error (unknown detector, bad option).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "alloc_hooks/scope.h"
#include "bench/detector_windows.h"
#include "bench/measurement.h"
#include "detectors/detector.h"
#include "phases/phase_profile.h"
#include "phases/phase_report.h"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_error = 2;

using phase_profile::detector_result;
using phase_profile::mode_result;

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

std::uint64_t phase_allocs(const phase_profile::totals& t) {
  std::uint64_t n = 0;
  for (const auto& p : t.phases)
    n += p.allocs;
  return n;
}

// One window under the recorder: its totals.
phase_profile::totals profile_window(detectors::detector& d,
                                     const std::vector<detectors::event>& window,
                                     detectors::finding_sink& sink) {
  phase_profile::take_totals();  // nothing outside the window is charged to it
  alloc_hooks::scope s;
  phase_profile::profile_events(d, window, sink);
  const std::uint64_t window_allocs = s.delta().allocs;
  const phase_profile::totals t = phase_profile::take_totals();
  PHASE_CHECK(phase_allocs(t) == window_allocs);
  PHASE_CHECK(t.events == window.size());
  return t;
}

// One run of the warm mode: a fresh detector, warmed up, then `windows` windows.
std::vector<phase_profile::totals> run_warm(const std::string& name,
                                            const bench::windows& prototype, std::int64_t windows) {
  bench::windows w = prototype;
  detectors::counting_sink sink;
  std::unique_ptr<detectors::detector> d = detectors::make_detector(name);
  bench::warm_up(*d, w, sink);  // marks outside begin/end_event are ignored
  std::vector<phase_profile::totals> per_window;
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

// One run of the cold mode: each window through a fresh detector, `passes` times.
std::vector<phase_profile::totals> run_cold(const std::string& name,
                                            const bench::windows& prototype, int passes) {
  detectors::counting_sink sink;
  std::vector<phase_profile::totals> per_window;
  for (int pass = 0; pass < passes; ++pass) {
    for (const auto& window : prototype.list) {
      std::unique_ptr<detectors::detector> d = detectors::make_detector(name);
      per_window.push_back(profile_window(*d, window, sink));
    }
  }
  return per_window;
}

// Runs a mode `repetitions` times over the same windows and combines the runs per window.
template <typename Run>
mode_result repeated(int repetitions, Run run) {
  std::vector<std::vector<phase_profile::totals>> runs;
  for (int r = 0; r < repetitions; ++r)
    runs.push_back(run());
  mode_result m;
  m.windows = runs.front().size();
  m.repetitions = static_cast<std::uint64_t>(repetitions);
  m.t = phase_profile::median_over_runs(runs);
  return m;
}

std::string known_detectors() {
  std::string out;
  for (std::string_view n : detectors::detector_names())
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Phase profile of each detector's work: ns/event, allocs/event and bytes/event "
      "per phase (reject, parse, state, emit), cold (first window of a fresh detector) and "
      "warm (steady state), then a Pareto table of every detector x phase by warm ns/event.\n"
      "Built on detectors_phased (DETECTORS_PHASE marks active); never the gate's numbers. "
      "Per-phase times carry instrumentation overhead (the calibrated share is subtracted); "
      "allocation counts are exact.\n"
      "Exit codes: 0 ok, 2 usage or configuration error.",
      "detector_phases"};
  std::string detector;
  std::int64_t windows = 64;
  std::string format = "text";
  int repetitions = 5;
  app.add_option("--detector", detector, "Only this detector (default: every detector)");
  app.add_option("--windows", windows,
                 "Warm windows of " + std::to_string(bench::window_events) +
                     " events, rounded up to whole passes of " +
                     std::to_string(bench::distinct_windows) +
                     " (default 64); cold runs one pass of " +
                     std::to_string(bench::distinct_windows) + " fresh detectors per 64")
      // A range, not CLI::PositiveNumber, whose message prints 0 as in range and DBL_MAX in full.
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
  app.add_option("--repetitions", repetitions,
                 "Runs of each mode over the same windows; each window's per-phase figures are "
                 "the median over the runs, so a scheduler interruption does not land in a "
                 "phase (default 5)")
      ->check(CLI::Range(1, 101));
  app.add_option("--format", format, "text (aligned tables), markdown (CI summaries) or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_error;
  }

  std::vector<std::string> names;
  if (detector.empty()) {
    for (std::string_view n : detectors::detector_names())
      names.emplace_back(n);
  } else if (detectors::make_detector(detector) == nullptr) {
    std::fprintf(stderr, "detector_phases: error: unknown detector '%s' (known: %s)\n",
                 detector.c_str(), known_detectors().c_str());
    return exit_error;
  } else {
    names.push_back(detector);
  }

  const auto per_pass = static_cast<std::int64_t>(bench::distinct_windows);
  const std::int64_t warm_windows = (windows + per_pass - 1) / per_pass * per_pass;
  const int cold_passes = static_cast<int>(std::max<std::int64_t>(1, warm_windows / 64));

  phase_profile::run_info info;
  info.clock = phase_profile::select_clock();
  info.cal = phase_profile::calibrate();
  info.window_events = bench::window_events;

  std::vector<detector_result> results;
  for (const std::string& name : names) {
    const bench::window_set set = bench::make_window_set(name);
    detector_result r;
    r.name = name;
    r.cold = repeated(repetitions, [&] { return run_cold(name, set.windows, cold_passes); });
    r.warm = repeated(repetitions, [&] { return run_warm(name, set.windows, warm_windows); });
    results.push_back(std::move(r));
  }

  const auto fmt_of = format == "markdown" ? phase_profile::report_format::markdown
                      : format == "json"   ? phase_profile::report_format::json
                                           : phase_profile::report_format::text;
  std::fputs(phase_profile::render(results, info, fmt_of).c_str(), stdout);
  return exit_ok;
}
