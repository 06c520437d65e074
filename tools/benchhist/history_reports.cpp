// File: history_reports.cpp
#include "benchhist/history_reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "benchhist/history_compare.h"
#include "benchhist/significance.h"
#include "common/error.h"
#include "common/stats.h"
#include "common/table.h"

namespace tools {

history_series load_series(const history_store& store, const run_filter& filter,
                           const std::string& metric, const std::string& benchmark) {
  history_series out;
  for (const run_info& info : store.list_runs(filter)) {
    const auto run = store.get_run(info.id);
    if (!run) continue;  // deleted between the two reads
    for (const auto& [bench, metrics] : run->samples) {
      if (!benchmark.empty() && bench != benchmark) continue;
      auto it = metrics.find(metric);
      if (it == metrics.end() || it->second.empty()) continue;
      out[bench].push_back({info, it->second, median(it->second)});
    }
  }
  return out;
}

namespace {

// One-way analysis of variance over the runs (random effects, unequal sizes): the mean square
// within runs estimates the repetitions' variance; the excess of the mean square between runs
// over it, divided by the effective run size n0, the variance of whole-run shifts.
void split_noise(const std::vector<series_point>& points, cv_row& r) {
  double n = 0, sum = 0, sum_sq_sizes = 0;
  for (const auto& p : points) {
    n += static_cast<double>(p.values.size());
    sum_sq_sizes += static_cast<double>(p.values.size() * p.values.size());
    for (double v : p.values)
      sum += v;
  }
  const double k = static_cast<double>(points.size());
  if (n == 0 || sum == 0) return;
  const double grand = sum / n;
  double ss_within = 0, ss_between = 0;
  for (const auto& p : points) {
    const double m = mean(p.values);
    for (double v : p.values)
      ss_within += (v - m) * (v - m);
    ss_between += static_cast<double>(p.values.size()) * (m - grand) * (m - grand);
  }
  const double ms_within = n > k ? ss_within / (n - k) : 0;
  double run_var = 0;
  if (k > 1) {
    const double ms_between = ss_between / (k - 1);
    const double n0 = (n - sum_sq_sizes / n) / (k - 1);
    run_var = std::max(0.0, (ms_between - ms_within) / n0);
  }
  r.within_cv_percent = 100 * std::sqrt(ms_within) / std::fabs(grand);
  r.run_cv_percent = 100 * std::sqrt(run_var) / std::fabs(grand);
}

}  // namespace

bool cv_report::any_nondeterministic() const {
  return std::any_of(rows.begin(), rows.end(), [](const cv_row& r) { return r.nondeterministic; });
}

cv_report make_cv_report(const history_store& store, const run_filter& filter,
                         const cv_options& o) {
  if (!std::isfinite(o.threshold_percent) || o.threshold_percent < 0)
    throw input_error(fmt::format("threshold must be a finite number >= 0 (percent), got {}",
                                  o.threshold_percent));
  cv_report rep;
  rep.options = o;
  rep.window = filter.last;
  for (const auto& metric : o.metrics) {
    for (const auto& [bench, points] : load_series(store, filter, metric, "")) {
      cv_row r;
      r.benchmark = bench;
      r.metric = metric;
      r.runs = points.size();
      r.exact = is_exact_metric(metric);
      // Every repetition of every run in the window: the noise a gate comparing two runs sees
      // includes run-to-run variation, not only the spread within one run.
      std::vector<double> all;
      r.reps = SIZE_MAX;
      for (const auto& p : points) {
        all.insert(all.end(), p.values.begin(), p.values.end());
        r.reps = std::min(r.reps, p.values.size());
      }
      r.mean = mean(all);
      r.stdev = sample_stdev(all);
      r.cv_percent = cv_percent(all);
      if (is_instruction_metric(metric)) {
        // Runs of one build: the same commit on the same platform and allocator.
        std::map<std::string, std::vector<double>> builds;
        for (const auto& p : points) {
          auto& b = builds[p.run.commit + '\n' + p.run.platform + '\n' + p.run.allocator];
          b.insert(b.end(), p.values.begin(), p.values.end());
        }
        r.cv_percent = 0;
        for (const auto& [_, values] : builds)
          r.cv_percent = std::max(r.cv_percent, cv_percent(values));
        r.nondeterministic = r.cv_percent != 0;
        r.verdict = r.nondeterministic
                        ? "NONDETERMINISTIC: instruction counts of one build must not vary"
                        : "exact: hard ok from day one";
      } else if (r.exact) {
        r.nondeterministic = r.stdev != 0;
        r.verdict = r.nondeterministic ? "NONDETERMINISTIC: allocation counts must not vary"
                                       : "deterministic";
      } else {
        split_noise(points, r);
        gate_fpr_options fo = o.fpr;
        fo.run_cv = r.run_cv_percent / 100;
        r.fpr = gate_false_positive_rate(o.threshold_percent / 100, r.within_cv_percent / 100,
                                         r.reps, fo);
        if (!r.fpr.can_fire)
          r.verdict = fmt::format(
              "keep soft: {} repetitions per run can never reach p < {} (2/C({}, {}) = {}); "
              "need >= {}",
              r.reps, o.fpr.alpha, 2 * r.reps, r.reps,
              format_p_value(min_two_sided_p(r.reps, r.reps), o.fpr.alpha),
              min_samples_per_side(o.fpr.alpha));
        else if (r.runs < o.min_runs)
          r.verdict = fmt::format("soft (need >= {} runs, have {})", o.min_runs, r.runs);
        else if (r.fpr.upper <= o.max_fpr)
          r.verdict = "hard ok: may graduate";
        else
          r.verdict = "keep soft";
      }
      rep.rows.push_back(r);
    }
  }
  return rep;
}

namespace {

table cv_table(const cv_report& rep) {
  table t({"benchmark", "metric", "runs", "reps", "mean", "stdev", "CV %", "within %", "run %",
           "hard-gate FPR", "verdict"},
          {align::left, align::left, align::right, align::right, align::right, align::right,
           align::right, align::right, align::right, align::right, align::left});
  for (const auto& r : rep.rows)
    t.add_row({r.benchmark, r.metric, std::to_string(r.runs), std::to_string(r.reps),
               format_value(r.mean), format_value(r.stdev), fmt::format("{:.2f}", r.cv_percent),
               r.exact ? "-" : fmt::format("{:.2f}", r.within_cv_percent),
               r.exact ? "-" : fmt::format("{:.2f}", r.run_cv_percent),
               r.exact || !r.fpr.can_fire ? "-" : fmt::format("<= {:.3g}%", 100 * r.fpr.upper),
               r.verdict});
  return t;
}

std::string cv_note(const cv_report& rep) {
  return fmt::format(
      "CV = sample stdev / mean over every repetition of the last {} runs; within % and run % "
      "split it into noise within a run and whole runs shifting (one-way ANOVA). Hard-gate "
      "FPR: the false-positive rate of the gate's own rule (median slowdown > T = {}% and "
      "Mann-Whitney p < {}) between two runs of r repetitions with no change, each run shifted "
      "by normal run noise and each repetition by normal within-run noise, simulated ({} "
      "seeded trials; 95% upper bound shown). Graduate soft -> hard when it is "
      "<= {}% over >= {} runs. Allocation metrics must have CV 0%; instruction metrics are "
      "exact (CV 0% within each build) and can be hard from the first run.",
      rep.window, rep.options.threshold_percent, rep.options.fpr.alpha, rep.options.fpr.trials,
      100 * rep.options.max_fpr, rep.options.min_runs);
}

}  // namespace

std::string render_cv_text(const cv_report& rep) {
  return cv_table(rep).render_text() + "\n" + cv_note(rep) + "\n";
}

std::string render_cv_markdown(const cv_report& rep) {
  return "### Benchmark noise (CV) and gate graduation\n\n" + cv_table(rep).render_markdown() +
         "\n" + cv_note(rep) + "\n";
}

bool median_report::over_budget() const {
  return std::any_of(rows.begin(), rows.end(), [](const median_row& r) { return r.over; });
}

bool median_report::short_history() const {
  return std::any_of(rows.begin(), rows.end(),
                     [&](const median_row& r) { return r.runs < wanted; });
}

median_report make_median_report(const history_store& store, const run_filter& filter,
                                 const std::string& metric, double budget,
                                 const std::string& benchmark) {
  if (!std::isfinite(budget))
    throw input_error(fmt::format("budget must be a finite number, got {}", budget));
  median_report rep;
  rep.metric = metric;
  rep.budget = budget;
  rep.wanted = filter.last;
  for (const auto& [bench, points] : load_series(store, filter, metric, benchmark)) {
    std::vector<double> medians;
    for (const auto& p : points)
      medians.push_back(p.median);
    median_row r;
    r.benchmark = bench;
    r.runs = medians.size();
    r.median = median(medians);
    r.over = beyond_limit(r.median, budget);  // within the boundary tolerance is at it
    rep.rows.push_back(r);
  }
  return rep;
}

std::string render_median_text(const median_report& rep) {
  table t({"benchmark", "runs", fmt::format("median {}", rep.metric), "budget", "verdict"},
          {align::left, align::right, align::right, align::right, align::left});
  for (const auto& r : rep.rows)
    t.add_row({r.benchmark, std::to_string(r.runs), format_value(r.median),
               format_value(rep.budget), r.over ? "OVER BUDGET" : "ok"});
  return t.render_text();
}

}  // namespace tools
