// File: change_report.h
// `benchhist changes`: the change points of each benchmark's per-run medians, each with the
// run (commit) where the new level starts and the median level of the segments on either side.
#pragma once

#include <string>
#include <vector>

#include "benchhist/changepoints.h"
#include "benchhist/history_reports.h"

namespace tools {

struct change_row {
  std::string benchmark;
  run_info run;       // the first run of the new level
  double before = 0;  // median of the segment ending at this change point
  double after = 0;   // median of the segment starting here (up to the next change point)
  double p = 1;       // permutation p-value of the change point
  // False for a newest run beyond every run of its level (changepoint::located): `run` is the
  // newest run, `after` its value, and no commit is blamed yet.
  bool located = true;
};

// Every significant change point of every benchmark in `series`, in benchmark order and, per
// benchmark, in run order. Segments are delimited by the change points themselves, so a second
// shift is measured against the level after the first, not against the start of the history.
std::vector<change_row> find_changes(const history_series& series,
                                     const changepoint_options& options = {});

// The table of located change points (or "no change points" naming how many benchmarks were
// searched), one line per newest run that cannot be located yet, and the method line with the
// options' permutation count and alpha.
std::string render_changes_text(const std::vector<change_row>& rows, const std::string& metric,
                                std::size_t benchmarks, const changepoint_options& options = {});

}  // namespace tools
