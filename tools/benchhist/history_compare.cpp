// File: history_compare.cpp
#include "benchhist/history_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "common/stats.h"
#include "common/table.h"

namespace tools {

bool is_instruction_metric(const std::string& metric) {
  return metric.rfind("instr/", 0) == 0;
}

bool is_exact_metric(const std::string& metric) {
  return metric.rfind("allocs/", 0) == 0 || metric.rfind("bytes/", 0) == 0 ||
         is_instruction_metric(metric);
}

bool higher_is_better(const std::string& metric) {
  return metric.size() > 2 && metric.compare(metric.size() - 2, 2, "/s") == 0;
}

bool beyond_limit(double value, double limit) {
  if (!(value > limit)) return false;
  if (std::isinf(value) || std::isinf(limit)) return true;
  return value - limit > boundary_relative_tolerance * std::max(std::fabs(value), std::fabs(limit));
}

bool compare_report::regressed() const {
  for (const auto& r : rows)
    if (r.verdict == compare_verdict::regression && !r.soft) return true;
  return false;
}

std::string format_value(double v) {
  if (v == 0) return "0";
  return fmt::format("{:.6g}", v);
}

std::string format_percent(double v) {
  // Two decimals while that is short; a million percent and beyond in three digits.
  return std::fabs(v) < 1e6 || !std::isfinite(v) ? fmt::format("{:+.2f}%", v)
                                                 : fmt::format("{:+.3g}%", v);
}

namespace {

// An exact metric is a count: a repetition that is not a number, or is negative, did not come
// from a measurement, and comparing without it (or with it) would judge something else.
void check_counts(const sample_set& s, const compare_options& o) {
  for (const auto& metric : o.metrics) {
    if (!is_exact_metric(metric)) continue;
    for (const auto& [bench, lost] : s.unusable)
      if (auto it = lost.find(metric); it != lost.end() && it->second != 0)
        throw input_error(fmt::format(
            "{}: benchmark '{}' field '{}': {} repetition(s) are not a number; a count must be "
            "one",
            s.label, bench, metric, it->second));
    for (const auto& [bench, metrics] : s.samples)
      if (auto it = metrics.find(metric); it != metrics.end())
        for (double v : it->second)
          if (v < 0)
            throw input_error(
                fmt::format("{}: benchmark '{}' field '{}': a count cannot be negative, got {}",
                            s.label, bench, metric, format_value(v)));
  }
}

}  // namespace

// The metrics a comparison covers when none was named: the detectors' defaults when either side
// has one of them; otherwise, for any other Google Benchmark suite, real and CPU time and every
// allocs/, bytes/ and instr/ counter either side publishes.
std::vector<std::string> default_metrics_of(const sample_set& base, const sample_set& head,
                                            const std::vector<std::string>& defaults) {
  std::set<std::string> present;
  for (const sample_set* side : {&base, &head})
    for (const auto& [bench, metrics] : side->samples)
      for (const auto& [metric, values] : metrics)
        if (!values.empty()) present.insert(metric);
  for (const std::string& m : defaults)
    if (present.count(m) != 0) return defaults;
  std::vector<std::string> out = {"real_time_ns", "cpu_time_ns"};
  for (const std::string& m : present)
    if (m.rfind("allocs/", 0) == 0 || m.rfind("bytes/", 0) == 0 || m.rfind("instr/", 0) == 0)
      out.push_back(m);
  return out;
}

compare_report compare_samples(const sample_set& base, const sample_set& head,
                               const compare_options& options) {
  compare_options o = options;
  if (!o.metrics_named) o.metrics = default_metrics_of(base, head, o.metrics);
  if (!std::isfinite(o.threshold_percent) || o.threshold_percent < 0)
    throw input_error(fmt::format("threshold must be a finite number >= 0 (percent), got {}",
                                  o.threshold_percent));
  if (!std::isfinite(o.instr_slack_percent) || o.instr_slack_percent < 0)
    throw input_error(fmt::format(
        "instruction slack must be a finite number >= 0 (percent), got {}", o.instr_slack_percent));
  if (!(o.alpha > 0 && o.alpha < 1))
    throw input_error(fmt::format("alpha must be in (0, 1), got {}", o.alpha));
  check_counts(base, o);
  check_counts(head, o);
  compare_report rep;
  rep.base_label = base.label;
  rep.head_label = head.label;
  rep.options = o;
  // Benchmarks of either side, so one that vanished or appeared is visible.
  std::set<std::string> names;
  for (const auto& [b, _] : base.samples)
    names.insert(b);
  for (const auto& [b, _] : head.samples)
    names.insert(b);
  const auto find = [](const sample_set& s, const std::string& b,
                       const std::string& m) -> const std::vector<double>* {
    auto bi = s.samples.find(b);
    if (bi == s.samples.end()) return nullptr;
    auto mi = bi->second.find(m);
    return mi == bi->second.end() || mi->second.empty() ? nullptr : &mi->second;
  };
  std::string unmeasured;  // required benchmarks the head lacks: "BM_X (ns/event), ..."
  std::vector<std::string> unjudgeable;  // hard gates whose inputs cannot decide
  const auto lost = [](const sample_set& s, const std::string& b, const std::string& m) {
    auto bi = s.unusable.find(b);
    if (bi == s.unusable.end()) return std::size_t{0};
    auto mi = bi->second.find(m);
    return mi == bi->second.end() ? std::size_t{0} : mi->second;
  };
  for (const auto& bench : names) {
    for (const auto& metric : o.metrics) {
      const auto* bv = find(base, bench, metric);
      const auto* hv = find(head, bench, metric);
      const bool hard = o.required.count(bench) != 0;
      if (hard && lost(head, bench, metric) != 0)
        unjudgeable.push_back(fmt::format("{} ({}): {} of {} repetitions in {} are not a number",
                                          bench, metric, lost(head, bench, metric),
                                          lost(head, bench, metric) + (hv ? hv->size() : 0),
                                          head.label));
      if (hard && bv == nullptr)
        unjudgeable.push_back(fmt::format("{} ({}): no values in {}", bench, metric, base.label));
      if (bv == nullptr && hv == nullptr) continue;  // metric not published by this benchmark
      compare_row r;
      r.benchmark = bench;
      r.metric = metric;
      r.soft = o.soft.count(bench) != 0;
      r.exact = is_exact_metric(metric);
      if (bv != nullptr && hv == nullptr && o.required.count(bench) != 0)
        unmeasured += fmt::format("{}{} ({})", unmeasured.empty() ? "" : ", ", bench, metric);
      if (bv == nullptr || hv == nullptr) {
        r.n_base = bv ? bv->size() : 0;
        r.n_head = hv ? hv->size() : 0;
        if (bv) r.base = median(*bv);
        if (hv) r.head = median(*hv);
        rep.rows.push_back(r);
        continue;
      }
      r.n_base = bv->size();
      r.n_head = hv->size();
      r.base = median(*bv);
      r.head = median(*hv);
      r.delta = r.head - r.base;
      // Multiplying before dividing keeps exact boundaries exact (110 vs 100 is 10 %, not
      // 10.000000000000002 %).
      r.delta_percent = r.base != 0   ? r.delta * 100 / std::fabs(r.base)
                        : r.head == 0 ? 0
                                      : (r.head > 0 ? INFINITY : -INFINITY);
      const bool worse = higher_is_better(metric) ? r.delta < 0 : r.delta > 0;
      if (r.exact) {
        r.verdict = r.delta == 0 ? compare_verdict::same
                    : is_instruction_metric(metric) &&
                            !beyond_limit(std::fabs(r.delta_percent), o.instr_slack_percent)
                        ? compare_verdict::within_slack
                    : worse ? compare_verdict::regression
                            : compare_verdict::improvement;
      } else {
        const u_test_result t = mann_whitney_u(*bv, *hv, o.alpha);
        r.p = t.p;
        if (!t.enough) {
          r.verdict = compare_verdict::too_few;
          // A hard gate that can never fire would pass any slowdown. (Lost repetitions are
          // reported above already.)
          if (hard && lost(head, bench, metric) == 0)
            unjudgeable.push_back(fmt::format(
                "{} ({}): {} vs {} repetitions can never reach p < {} (the smallest possible p "
                "is 2/C({}, {}) = {}; need >= {} per side)",
                bench, metric, r.n_base, r.n_head, o.alpha, r.n_base + r.n_head, r.n_base,
                format_p_value(min_two_sided_p(r.n_base, r.n_head), o.alpha),
                min_samples_per_side(o.alpha)));
        } else if (t.p >= o.alpha || !beyond_limit(std::fabs(r.delta_percent), o.threshold_percent))
          r.verdict = compare_verdict::not_significant;
        else
          r.verdict = worse ? compare_verdict::regression : compare_verdict::improvement;
      }
      rep.rows.push_back(r);
    }
  }
  std::string absent;
  for (const auto& metric : o.metrics)
    if (std::none_of(rep.rows.begin(), rep.rows.end(),
                     [&](const compare_row& r) { return r.metric == metric; }))
      absent += (absent.empty() ? "" : ", ") + metric;
  if (rep.rows.empty() || (o.metrics_named && !absent.empty()))
    throw input_error(fmt::format(
        "no benchmark in {} or {} publishes {}: nothing to compare (check --metric and the "
        "inputs)",
        base.label, head.label, absent.empty() ? "any metric compared" : absent));
  if (!unjudgeable.empty()) {
    std::string all;
    for (const auto& u : unjudgeable)
      all += (all.empty() ? "" : "; ") + u;
    throw input_error(fmt::format(
        "hard gate cannot judge: {} (fix the inputs, or set the gate to \"soft\" in the "
        "baseline)",
        all));
  }
  if (!unmeasured.empty())
    throw input_error(fmt::format(
        "{}: no measurement of hard-gated benchmark(s) {}: a hard gate cannot pass without one "
        "(run them, or set their gate to \"soft\" in the baseline)",
        head.label, unmeasured));
  return rep;
}

namespace {

std::string verdict_text(const compare_row& r, const compare_options& o) {
  switch (r.verdict) {
    case compare_verdict::same:
      return "same";
    case compare_verdict::within_slack:
      return fmt::format("~ (within the {}% instruction slack)", o.instr_slack_percent);
    case compare_verdict::improvement:
      return "improvement";
    case compare_verdict::regression:
      return r.soft ? "REGRESSION (soft: reported only)" : "REGRESSION";
    case compare_verdict::not_significant:
      return r.p >= o.alpha ? "~" : "~ (within threshold)";
    case compare_verdict::too_few:
      return fmt::format("~ (too few samples: {}/{} give p >= {}, need >= {} per side)", r.n_base,
                         r.n_head, format_p_value(min_two_sided_p(r.n_base, r.n_head), o.alpha),
                         min_samples_per_side(o.alpha));
    case compare_verdict::missing:
      return r.n_base == 0 ? "new (no base)" : "missing in head";
  }
  return "?";
}

table make_table(const compare_report& rep) {
  table t({"benchmark", "metric", "base", "head", "delta", "delta %", "p", "n", "verdict"},
          {align::left, align::left, align::right, align::right, align::right, align::right,
           align::right, align::right, align::left});
  for (const auto& r : rep.rows) {
    const bool both = r.verdict != compare_verdict::missing;
    t.add_row({r.benchmark, r.metric, r.n_base ? format_value(r.base) : "-",
               r.n_head ? format_value(r.head) : "-", both ? fmt::format("{:+.6g}", r.delta) : "-",
               both ? format_percent(r.delta_percent) : "-",
               r.exact || !both ? "exact" : format_p_value(r.p, rep.options.alpha),
               fmt::format("{}/{}", r.n_base, r.n_head), verdict_text(r, rep.options)});
  }
  return t;
}

std::string method_note(const compare_report& rep) {
  const compare_options& o = rep.options;
  std::string note = fmt::format(
      "Timing: medians; a change counts when the two-sided Mann-Whitney U test gives p < {} "
      "and |delta| > {}% (~ otherwise; with n and m repetitions p >= 2/C(n+m, n), so equal "
      "sides need >= {} each). Allocation metrics are exact: any increase is a regression.",
      o.alpha, o.threshold_percent, min_samples_per_side(o.alpha));
  if (std::any_of(rep.rows.begin(), rep.rows.end(),
                  [](const compare_row& r) { return is_instruction_metric(r.metric); }))
    note += fmt::format(
        " Instruction metrics are exact: a change within {}% is ~, an increase beyond it a "
        "regression.",
        o.instr_slack_percent);
  return note;
}

std::size_t count(const compare_report& rep, compare_verdict v, bool soft) {
  std::size_t n = 0;
  for (const auto& r : rep.rows)
    n += r.verdict == v && r.soft == soft;
  return n;
}

}  // namespace

std::string render_compare_text(const compare_report& rep) {
  std::string out = fmt::format("base: {}\nhead: {}\n\n", rep.base_label, rep.head_label);
  out += make_table(rep).render_text();
  out += '\n';
  out += method_note(rep);
  out += '\n';
  const std::size_t hard = count(rep, compare_verdict::regression, false);
  const std::size_t soft = count(rep, compare_verdict::regression, true);
  out += hard ? fmt::format("result: {} regression(s) beyond the threshold", hard)
              : std::string("result: no regression");
  if (soft) out += fmt::format(" ({} on soft benchmarks, reported only)", soft);
  out += "\n";
  return out;
}

std::string render_compare_markdown(const compare_report& rep) {
  const std::size_t hard = count(rep, compare_verdict::regression, false);
  std::string out =
      fmt::format("### Benchmark comparison: {}\n\n",
                  hard ? fmt::format("❌ {} regression(s)", hard) : std::string("✅ no regression"));
  out += fmt::format("base: `{}` · head: `{}`\n\n", rep.base_label, rep.head_label);
  out += make_table(rep).render_markdown();
  out += '\n';
  out += method_note(rep);
  out += '\n';
  return out;
}

}  // namespace tools
