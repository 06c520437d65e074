// File: phase_report.h
// From recorded phase totals to what `detector_phases` prints: per detector, a table per mode
// (cold, warm) of phase | events entered | ns/event | allocs/event | bytes/event | share, and
// a Pareto table of every detector x phase ranked by warm ns/event with the cumulative share.
// Text (aligned), markdown (CI job summaries) or JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "phases/phase_profile.h"

namespace phase_profile {

// One measurement mode of one detector.
struct mode_result {
  std::uint64_t windows = 0;      // windows per run (cold: one per fresh detector)
  std::uint64_t repetitions = 1;  // runs over the same windows, combined by median_over_runs
  totals t;
};

struct detector_result {
  std::string name;
  mode_result cold;  // the first window of a fresh detector
  mode_result warm;  // steady state, the gate's warm windows
  // A detector with no marks (or none this input reaches) has everything in reject; the
  // report says so rather than present reject as a phase breakdown.
  bool marked() const noexcept { return cold.t.marked() || warm.t.marked(); }
};

struct run_info {
  clock_info clock;
  calibration cal;
  std::uint64_t window_events = 0;
};

// One phase of one mode, per event of the detector's whole stream.
struct phase_row {
  phase p = phase::reject;
  std::uint64_t events_entered = 0;
  double events_entered_share = 0;  // of all events, 0..1
  std::uint64_t entries = 0;
  double raw_ns_per_event = 0;  // as recorded, overhead included
  double ns_per_event = 0;      // calibrated overhead subtracted, never below 0
  double allocs_per_event = 0;
  double bytes_per_event = 0;
  double time_share = 0;  // of the mode's corrected total, 0..1
};

struct mode_summary {
  std::vector<phase_row> rows;  // every phase when marked; reject alone otherwise
  std::uint64_t events = 0;
  double ns_per_event = 0;  // sum of the rows' corrected times
  double raw_ns_per_event = 0;
  double allocs_per_event = 0;
  double bytes_per_event = 0;
  double marks_per_event = 0;
  double transitions_per_event = 0;  // phase intervals: one per event plus one per mark
  double overhead_ns_per_event = 0;  // subtracted: transitions x calibrated interval overhead
};

mode_summary summarize(const totals& t, bool marked, const run_info& info);

struct pareto_row {
  std::string detector;
  phase p = phase::reject;
  bool marked = true;
  double warm_ns_per_event = 0;
  double warm_share = 0;  // of the sum over all rows, 0..1
  double cumulative_share = 0;
  double warm_allocs_per_event = 0;
  double cold_ns_per_event = 0;
  double cold_allocs_per_event = 0;
};

// Every detector x phase that was entered, by warm ns/event (then warm allocs/event), highest
// first.
std::vector<pareto_row> pareto(const std::vector<detector_result>& results, const run_info& info);

enum class report_format { text, markdown, json };

std::string render(const std::vector<detector_result>& results, const run_info& info,
                   report_format format);

}  // namespace phase_profile
