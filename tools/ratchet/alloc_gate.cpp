// File: alloc_gate.cpp
#include "ratchet/alloc_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "common/error.h"
#include "common/stats.h"
#include "common/table.h"

namespace tools {
namespace {

// A ceiling is "well under" when tightening would lower it by at least this share: small
// enough to catch a real win, large enough not to nag about rounding.
constexpr double well_under_share = 0.02;

// The largest per-iteration count read from the results: every integer up to it is exact in
// a double, so counts and their per-event values compare without rounding surprises.
constexpr double max_count_per_op = 1e15;

std::string headroom(const gate_row& r) {
  if (r.ceiling == 0) return r.allocs_per_event == 0 ? "0.00%" : "-inf";
  return fmt::format("{:+.2f}%", (r.ceiling - r.allocs_per_event) / r.ceiling * 100.0);
}

std::string verdict_text(const gate_row& r) {
  switch (r.verdict) {
    case gate_verdict::ok:
      return "ok";
    case gate_verdict::breach:
      return "BREACH";
    case gate_verdict::well_under:
      return "ok (tighten)";
  }
  return "?";
}

}  // namespace

bool gate_report::breached() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const gate_row& r) { return r.verdict == gate_verdict::breach; });
}

bool gate_report::tighten_suggested() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const gate_row& r) { return r.verdict == gate_verdict::well_under; });
}

double tightened_ceiling(double measured, double slack_percent) {
  return round_up_6(measured * (1.0 + slack_percent / 100.0));
}

namespace {

// The gated counters of every repetition of one benchmark, each checked to be a finite,
// non-negative number: a repetition whose counter is unreadable fails the gate rather than
// disappearing from the median.
struct repetition_values {
  std::vector<double> allocs, windows, bytes;
};

repetition_values read_repetitions(const gbench_results& results, const ceiling& c) {
  repetition_values v;
  for (const benchmark_entry& e : results.entries) {
    if (e.aggregate || e.key != c.benchmark) continue;
    const auto value = [&](const std::string& counter, bool required) -> std::optional<double> {
      if (auto bad = e.invalid_counters.find(counter); bad != e.invalid_counters.end())
        throw input_error(
            fmt::format("{}: benchmark '{}' repetition {}: counter '{}' is {}, not a finite number",
                        results.path, c.benchmark, e.repetition_index, counter, bad->second));
      const auto it = e.counters.find(counter);
      if (it == e.counters.end()) {
        if (!required) return std::nullopt;
        throw input_error(fmt::format("{}: benchmark '{}' repetition {}: counter '{}' is missing",
                                      results.path, c.benchmark, e.repetition_index, counter));
      }
      if (!std::isfinite(it->second) || it->second < 0)
        throw input_error(fmt::format(
            "{}: benchmark '{}' repetition {}: counter '{}' is {}, expected a non-negative number",
            results.path, c.benchmark, e.repetition_index, counter, it->second));
      if (counter != counter_window && it->second > max_count_per_op)
        throw input_error(fmt::format(
            "{}: benchmark '{}' repetition {}: counter '{}' is {}, above the largest accepted "
            "count {} (corrupt results?)",
            results.path, c.benchmark, e.repetition_index, counter, it->second, max_count_per_op));
      return it->second;
    };
    v.allocs.push_back(*value(counter_allocs_per_op, true));
    const double window = *value(counter_window, true);
    if (window != static_cast<double>(c.window))
      throw input_error(fmt::format(
          "{}: benchmark '{}' ran with a window of {} events but its ceiling (registry line {}) "
          "is for {}",
          results.path, c.benchmark, window, c.line, c.window));
    v.windows.push_back(window);
    if (auto bytes = value(counter_bytes_per_op, c.bytes_per_event.has_value()))
      v.bytes.push_back(*bytes);
  }
  return v;
}

}  // namespace

gate_report check_allocations(const ceiling_registry& registry, const gbench_results& results,
                              const gate_options& options) {
  const double slack_percent = options.slack_percent;
  // Every detector benchmark in the results must be gated: an ungated one is a
  // configuration error, not a pass.
  for (const std::string& key : results.keys()) {
    const auto publishes = [&](const std::string& counter) {
      for (const auto& e : results.entries)
        if (!e.aggregate && e.key == key &&
            (e.counters.count(counter) != 0 || e.invalid_counters.count(counter) != 0))
          return true;
      return false;
    };
    if (!publishes(counter_allocs_per_op)) continue;
    // Without its window, allocs/op cannot become allocs/event: refuse rather than guess one.
    if (!publishes(counter_window))
      throw input_error(fmt::format(
          "{}: benchmark '{}' publishes '{}' but no '{}' counter, so it cannot be gated; publish "
          "the window (bench/contract/include/bench/measurement.h)",
          results.path, key, counter_allocs_per_op, counter_window));
    if (registry.find(key) == nullptr)
      throw input_error(fmt::format(
          "{}: benchmark '{}' publishes allocation counters but has no ceiling in the registry "
          "(ungated); record one with: ratchet raise {} VALUE --reason \"new detector\"",
          results.path, key, key));
  }

  gate_report report;
  for (const ceiling& c : registry.ceilings()) {
    const repetition_values values = read_repetitions(results, c);
    const std::vector<double>& allocs = values.allocs;
    if (allocs.empty())
      throw input_error(fmt::format(
          "{}: gated benchmark '{}' (registry line {}) has no '{}' measurement in the results; "
          "did the benchmark run (filter?) and publish its counters?",
          results.path, c.benchmark, c.line, counter_allocs_per_op));
    const auto [low, high] = std::minmax_element(allocs.begin(), allocs.end());
    if (*low != *high && !options.allow_nondeterministic)
      throw input_error(fmt::format(
          "{}: benchmark '{}' made between {} and {} allocs/op over its {} repetitions: "
          "allocation counts must be deterministic (find the varying site with `ratchet "
          "explain`, or gate on the median with --allow-nondeterministic)",
          results.path, c.benchmark, *low, *high, allocs.size()));
    gate_row r;
    r.benchmark = c.benchmark;
    r.repetitions = allocs.size();
    r.window = c.window;
    r.allocs_per_event = median(allocs) / static_cast<double>(c.window);
    r.ceiling = c.allocs_per_event;
    const std::vector<double>& bytes = values.bytes;
    r.bytes_per_event = bytes.empty() ? 0 : median(bytes) / static_cast<double>(c.window);
    r.bytes_ceiling = c.bytes_per_event;
    r.tightened = tightened_ceiling(r.allocs_per_event, slack_percent);

    // Compare at the registry's precision (6 decimals) so that measured == ceiling passes
    // exactly, whatever the binary representation of the division. Rounded in double, not to
    // an integer type: no value the reader accepts can overflow it.
    const auto at_precision = [](double v) { return std::round(v * 1e6); };
    if (at_precision(r.allocs_per_event) > at_precision(r.ceiling)) {
      r.verdict = gate_verdict::breach;
      r.why = fmt::format("{:.6f} allocs/event > ceiling {}", r.allocs_per_event,
                          format_ceiling(r.ceiling));
    } else if (r.bytes_ceiling &&
               at_precision(r.bytes_per_event) > at_precision(*r.bytes_ceiling)) {
      r.verdict = gate_verdict::breach;
      r.why = fmt::format("{:.6f} bytes/event > ceiling {}", r.bytes_per_event,
                          format_ceiling(*r.bytes_ceiling));
    } else if (r.tightened < r.ceiling * (1.0 - well_under_share) ||
               (r.ceiling > 0 && r.allocs_per_event == 0)) {
      r.verdict = gate_verdict::well_under;
    }
    report.rows.push_back(std::move(r));
  }
  return report;
}

std::string render_text(const gate_report& report) {
  table t({"benchmark", "allocs/event", "ceiling", "headroom", "bytes/event", "reps", "verdict"},
          {align::left, align::right, align::right, align::right, align::right, align::right,
           align::left});
  for (const auto& r : report.rows) {
    t.add_row({r.benchmark, fmt::format("{:.6f}", r.allocs_per_event), format_ceiling(r.ceiling),
               headroom(r), fmt::format("{:.1f}", r.bytes_per_event), std::to_string(r.repetitions),
               verdict_text(r)});
  }
  std::string out = t.render_text();
  for (const auto& r : report.rows) {
    if (r.verdict == gate_verdict::breach)
      out += fmt::format("BREACH {}: {}\n", r.benchmark, r.why);
  }
  if (report.tighten_suggested()) {
    out +=
        "\nSome benchmarks sit well under their ceilings: lock the win in with "
        "`make bench-ratchet` (ratchet tighten) and commit the registry diff.\n";
    for (const auto& r : report.rows)
      if (r.verdict == gate_verdict::well_under)
        out += fmt::format("  {}: {} -> {}\n", r.benchmark, format_ceiling(r.ceiling),
                           format_ceiling(r.tightened));
  }
  return out;
}

std::string render_markdown(const gate_report& report) {
  table t({"benchmark", "allocs/event", "ceiling", "headroom", "bytes/event", "reps", "verdict"},
          {align::left, align::right, align::right, align::right, align::right, align::right,
           align::left});
  for (const auto& r : report.rows) {
    const std::string verdict = r.verdict == gate_verdict::breach       ? "❌ BREACH"
                                : r.verdict == gate_verdict::well_under ? "✅ ok (tighten)"
                                                                        : "✅ ok";
    t.add_row({"`" + r.benchmark + "`", fmt::format("{:.6f}", r.allocs_per_event),
               format_ceiling(r.ceiling), headroom(r), fmt::format("{:.1f}", r.bytes_per_event),
               std::to_string(r.repetitions), verdict});
  }
  std::string out =
      report.breached() ? "### Allocation gate: ❌ breach\n\n" : "### Allocation gate: ✅ pass\n\n";
  out += t.render_markdown();
  for (const auto& r : report.rows)
    if (r.verdict == gate_verdict::breach)
      out += fmt::format("\n**BREACH** `{}`: {}\n", r.benchmark, r.why);
  if (report.tighten_suggested())
    out +=
        "\nSome benchmarks sit well under their ceilings: run `make bench-ratchet` and commit "
        "the registry diff.\n";
  return out;
}

}  // namespace tools
