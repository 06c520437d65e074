// File: history_compare.h
// Comparing two sets of benchmark results (stored runs, result files, baselines) per benchmark
// and metric: medians, deltas, and a verdict from the repetitions. Timing metrics need both a
// significant Mann–Whitney U test and a change beyond the threshold, so noise alone cannot fail
// a build; allocation metrics are deterministic and compared exactly (any increase regresses),
// and so are instruction counts, with a small slack for platform differences.
#pragma once

#include <bench/measurement.h>

#include <set>
#include <string>
#include <vector>

#include "benchhist/history_store.h"
#include "benchhist/significance.h"

namespace tools {

// An increase of an instruction metric (bench::counter::instr_per_event, counted under
// callgrind: exact, the same binary gives the same count) up to this many percent is within the
// slack; beyond it, a regression, without a test. The instruction gate's slack: one value for
// the ceilings and the history.
inline constexpr double default_instr_slack_percent = bench::instr_slack_percent;

// One side of a comparison.
struct sample_set {
  std::string label;  // "run 12 (abc1234)", a file name...
  metric_samples samples;
  // Repetitions whose value was not a finite number (Google Benchmark writes NaN / inf), per
  // benchmark and metric. They are not in `samples`; a hard gate cannot judge a metric that
  // lost any.
  std::map<std::string, std::map<std::string, std::size_t>> unusable;
};

enum class compare_verdict {
  same,             // exact metric, equal
  within_slack,     // "~": instruction metric, changed by no more than the slack
  improvement,      // significant (or exact) and beyond the threshold, in the good direction
  regression,       // significant (or exact) and beyond the threshold, in the bad direction
  not_significant,  // "~": p >= alpha, or within the threshold
  too_few,          // "~": too few repetitions for the test to ever reach alpha
  missing,          // the benchmark or metric is absent on one side
};

struct compare_row {
  std::string benchmark;
  std::string metric;
  double base = 0;  // medians
  double head = 0;
  double delta = 0;          // head - base
  double delta_percent = 0;  // 100 * (head - base) / base (0 when base is 0 and head is too)
  std::size_t n_base = 0, n_head = 0;
  bool exact = false;  // allocation or instruction metric: compared exactly, no test
  double p = 1;
  bool soft = false;  // a regression here reports but does not fail the gate
  compare_verdict verdict = compare_verdict::missing;
};

struct compare_options {
  // Unless metrics_named: used when either side publishes one of them (allocgate's detectors);
  // for any other suite, real_time_ns, cpu_time_ns and the allocs/, bytes/ and instr/ counters
  // present.
  std::vector<std::string> metrics = {
      std::string(bench::counter::ns_per_event), std::string(bench::counter::allocs_per_event),
      std::string(bench::counter::bytes_per_event), std::string(bench::counter::instr_per_event)};
  double threshold_percent = 10;
  double instr_slack_percent = default_instr_slack_percent;
  double alpha = default_alpha;
  std::set<std::string> soft;  // benchmarks whose regressions do not fail
  // Hard-gated benchmarks. A hard gate fails closed (compare_samples throws input_error naming
  // it) whenever it cannot judge: the head does not measure it, or lost repetitions to values
  // that are not numbers.
  std::set<std::string> required;
  // The metrics were asked for by name (or gate): one that no benchmark of either side
  // publishes is an input error, not an empty table that passes. A comparison with no row at
  // all is one regardless.
  bool metrics_named = false;
};

struct compare_report {
  std::string base_label, head_label;
  compare_options options;
  std::vector<compare_row> rows;
  // A regression on a benchmark that is not soft.
  bool regressed() const;
};

// Relative tolerance of every threshold and budget boundary: a value within 1e-9 of the limit
// (relative to the larger magnitude) is at the limit, so floating-point rounding cannot turn
// "exactly at the threshold passes" into a failure (101.5 -> 111.65 is +10 %, computed as
// 10.000000000000005 %).
inline constexpr double boundary_relative_tolerance = 1e-9;
// True when `value` is above `limit` by more than the boundary tolerance. NaN is never above.
bool beyond_limit(double value, double limit);

// Metrics counted exactly: allocations ("allocs/...", "bytes/...") and instructions
// ("instr/...").
bool is_exact_metric(const std::string& metric);
// Instruction counts ("instr/..."): exact, compared with the instruction slack.
bool is_instruction_metric(const std::string& metric);
// Metrics where larger is better ("events/s").
bool higher_is_better(const std::string& metric);

// "+12.34%"; beyond a million percent "+1.23e+07%" (a line stays a line).
std::string format_percent(double percent);

// Throws input_error when a benchmark of options.required cannot be judged (see there), and
// when an exact metric (a count) of options.metrics has a repetition on either side that is
// not a number or is negative, naming the side, benchmark and metric.
compare_report compare_samples(const sample_set& base, const sample_set& head,
                               const compare_options& options);

std::string render_compare_text(const compare_report& report);
// GitHub-flavoured markdown for $GITHUB_STEP_SUMMARY.
std::string render_compare_markdown(const compare_report& report);

// "12.3457", "812.3", "0": six significant digits, no exponent for the usual ranges.
std::string format_value(double v);

}  // namespace tools
