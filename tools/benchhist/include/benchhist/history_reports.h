// File: history_reports.h
// Reports over the history store: per-run series of a metric, noise (CV) and whether a soft
// timing gate may graduate to hard (instruction counts are exact: gateable from day one), and
// the rolling median of the last N runs against a budget.
#pragma once

#include <bench/measurement.h>

#include <string>
#include <vector>

#include "benchhist/history_compare.h"
#include "benchhist/history_store.h"

namespace tools {

// One run's values of one benchmark's metric.
struct series_point {
  run_info run;
  std::vector<double> values;  // the repetitions
  double median = 0;
};

// benchmark -> points in run order (runs without the metric are skipped).
using history_series = std::map<std::string, std::vector<series_point>>;

// The runs selected by `filter` (its `last` included), the given metric; only `benchmark`
// when not empty.
history_series load_series(const history_store& store, const run_filter& filter,
                           const std::string& metric, const std::string& benchmark);

// ---- CV report (graduation of soft gates) ----

struct cv_options {
  std::vector<std::string> metrics = {
      std::string(bench::counter::ns_per_event), std::string(bench::counter::allocs_per_event),
      std::string(bench::counter::bytes_per_event), std::string(bench::counter::instr_per_event)};
  double threshold_percent = 10;  // of the gate that would be made hard
  // Graduate when the 95 % upper bound of the hard gate's false-positive rate is at most this.
  double max_fpr = 0.001;
  gate_fpr_options fpr;      // the simulation of the gate's rule
  std::size_t min_runs = 5;  // fewer runs in the window: no verdict yet
};

struct cv_row {
  std::string benchmark, metric;
  std::size_t runs = 0;  // runs in the window with this metric
  std::size_t reps = 0;  // repetitions per run (the smallest seen)
  // Over every repetition of the window; for instruction metrics, cv_percent is the largest CV
  // among runs of one commit, platform and allocator (the count changes with the code, never
  // with the run).
  double mean = 0, stdev = 0, cv_percent = 0;
  // Timing metrics: the noise split into repetitions within a run and whole runs shifting
  // (one-way analysis of variance over the runs), the two parts the FPR simulation draws.
  double within_cv_percent = 0, run_cv_percent = 0;
  gate_fpr_estimate fpr;  // a hard gate's false-positive rate (timing metrics)
  bool exact = false;
  bool nondeterministic = false;  // an allocation or instruction metric that varies
  std::string verdict;
};

struct cv_report {
  cv_options options;
  std::size_t window = 0;  // N asked for
  std::vector<cv_row> rows;
  bool any_nondeterministic() const;
};

cv_report make_cv_report(const history_store& store, const run_filter& filter,
                         const cv_options& options);
std::string render_cv_text(const cv_report& report);
std::string render_cv_markdown(const cv_report& report);

// ---- rolling median against a budget ----

struct median_row {
  std::string benchmark;
  std::size_t runs = 0;
  double median = 0;  // of the per-run medians
  bool over = false;  // median > budget (at the budget, within beyond_limit's tolerance, passes)
};

struct median_report {
  std::string metric;
  double budget = 0;
  std::size_t wanted = 0;  // N
  std::vector<median_row> rows;
  bool over_budget() const;
  bool short_history() const;  // some benchmark has fewer than N runs
};

median_report make_median_report(const history_store& store, const run_filter& filter,
                                 const std::string& metric, double budget,
                                 const std::string& benchmark);
std::string render_median_text(const median_report& report);

}  // namespace tools
