// File: phase_runs.h
// The profiling runs behind `detector_phases`: each detector over the windows the gate's
// benchmarks use (bench/detector_windows.h), under the phase recorder (phases/phase_profile.h).
//   warm  one detector, warmed up over the distinct windows, then the plan's warm windows
//         (timestamps advanced every cycle), exactly as BM_<Name>Detector runs them;
//   cold  a fresh detector per window, its first window only, as BM_<Name>DetectorCold; one
//         pass over the distinct windows per 64 warm windows.
// Each mode runs `repetitions` times over the same windows; every window's per-phase figures
// are the median over the runs (a shared machine preempts a run now and then, and whichever
// phase is open would be charged the milliseconds).
//
// Every profiled window checks that its phases' allocations add up to what the window
// allocated, which needs the counting hook (alloc_hooks): whatever links this library links
// the hook's objects too.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/detector_windows.h"
#include "detectors/detector.h"
#include "phases/phase_profile.h"
#include "phases/phase_report.h"

namespace phase_profile {

// How much to run per detector.
struct run_plan {
  std::int64_t warm_windows = 0;  // whole passes over the distinct windows
  int cold_passes = 1;            // passes of fresh detectors over the distinct windows
  int repetitions = 1;
};

// `windows` rounded up to whole passes of bench::distinct_windows; one cold pass per 64 warm
// windows, at least one. `windows` and `repetitions` must be positive.
run_plan make_plan(std::int64_t windows, int repetitions);

// One window under the recorder: its totals. Aborts (file and line) if the phases'
// allocations do not add up to the window's or an event went unrecorded.
totals profile_window(detectors::detector& d, const std::vector<detectors::event>& window,
                      detectors::finding_sink& sink);

// One run of the warm mode: a fresh detector, warmed up, then `windows` windows.
std::vector<totals> run_warm(const std::string& name, const bench::windows& prototype,
                             std::int64_t windows);

// One run of the cold mode: each window through a fresh detector, `passes` times.
std::vector<totals> run_cold(const std::string& name, const bench::windows& prototype, int passes);

// Runs a mode `repetitions` (at least one) times over the same windows and combines the runs
// per window (median_over_runs).
mode_result repeated(int repetitions, const std::function<std::vector<totals>()>& run);

// Both modes of one registered detector, cold first, as the plan says.
detector_result profile_detector(const std::string& name, const run_plan& plan);

}  // namespace phase_profile
