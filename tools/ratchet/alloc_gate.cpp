// File: alloc_gate.cpp
#include "ratchet/alloc_gate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>

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

// Benchmarks that publish no allocations counter, named so that none is ungated silently.
std::string ungated_note(const gate_report& report) {
  if (report.ungated.empty()) return "";
  std::string names;
  for (const std::string& name : report.ungated) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return fmt::format("not gated ({}, no '{}' counter{}): {}\n", report.ungated.size(),
                     report.allocs_counter,
                     report.gated->has_bytes ? "; alloc_hooks::measure publishes it" : "", names);
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

repetition_values read_repetitions(const gbench_results& results, const ceiling& c,
                                   const gate_counter_names& names, const metric& m) {
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
      if (counter != names.items && it->second > max_count_per_op)
        throw input_error(fmt::format(
            "{}: benchmark '{}' repetition {}: counter '{}' is {}, above the largest accepted "
            "count {} (corrupt results?)",
            results.path, c.benchmark, e.repetition_index, counter, it->second, max_count_per_op));
      return it->second;
    };
    v.allocs.push_back(*value(names.allocs, true));
    // Without the units counter a benchmark counts per iteration: its window is 1.
    const std::optional<double> items = value(names.items, false);
    const double window = items.value_or(1.0);
    if (window != static_cast<double>(c.window)) {
      if (items)
        throw input_error(fmt::format(
            "{}: benchmark '{}' ran with a window of {} events but its ceiling (registry line {}) "
            "is for {}",
            results.path, c.benchmark, window, c.line, c.window));
      throw input_error(fmt::format(
          "{}: benchmark '{}' repetition {}: no '{}' counter (1 unit of work per iteration) but "
          "its ceiling (registry line {}) is for a window of {}",
          results.path, c.benchmark, e.repetition_index, names.items, c.line, c.window));
    }
    v.windows.push_back(window);
    if (!m.has_bytes) continue;
    if (auto bytes = value(names.bytes, c.bytes_per_event.has_value())) v.bytes.push_back(*bytes);
  }
  return v;
}

// The --filter of a filtered run: a name is selected when the regex matches part of it.
class name_filter {
 public:
  explicit name_filter(const std::string& pattern) : pattern_(pattern) {
    if (pattern.empty()) return;
    try {
      regex_.emplace(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw input_error(fmt::format("--filter '{}' is not a regular expression: {}",
                                    truncate_for_message(pattern), e.what()));
    }
  }
  bool selects(const std::string& name) const {
    return !regex_ || std::regex_search(name, *regex_);
  }

 private:
  std::string pattern_;
  std::optional<std::regex> regex_;
};

bool publishes(const gbench_results& results, const std::string& key, const std::string& counter) {
  for (const auto& e : results.entries)
    if (!e.aggregate && e.key == key &&
        (e.counters.count(counter) != 0 || e.invalid_counters.count(counter) != 0))
      return true;
  return false;
}

// Median allocations per unit of work over the repetitions; fails closed on disagreement.
double measured_per_unit(const gbench_results& results, const ceiling& c,
                         const std::vector<double>& allocs, const gate_counter_names& names,
                         const gate_options& options) {
  if (allocs.empty())
    throw input_error(fmt::format(
        "{}: gated benchmark '{}' (registry line {}) has no '{}' measurement in the results; "
        "did the benchmark run and publish its counters? (a filtered run: pass the same "
        "filter as --filter)",
        results.path, c.benchmark, c.line, names.allocs));
  const auto [low, high] = std::minmax_element(allocs.begin(), allocs.end());
  const metric& m = *options.gated;
  if (*low != *high && !options.allow_nondeterministic)
    throw input_error(fmt::format(
        "{}: benchmark '{}' made between {} and {} {} over its {} repetitions: {} counts must "
        "be deterministic (find the varying {} with `{}`, or gate on the median with "
        "--allow-nondeterministic)",
        results.path, c.benchmark, *low, *high, names.allocs, allocs.size(),
        m.has_bytes ? "allocation" : "instruction", m.has_bytes ? "site" : "function",
        m.explain_command.empty() ? std::string("ratchet explain")
                                  : fmt::format("{}{}", m.explain_command, c.benchmark)));
  return median(allocs) / static_cast<double>(c.window);
}

// The counters the gate reads for a metric: the user's names for allocations; a stamped
// metric's own counter (instructions come from instr-report, whose names are fixed).
gate_counter_names counters_for(const gate_options& options) {
  gate_counter_names names = options.counters;
  if (options.gated != &allocs_metric) {
    names.allocs = std::string(options.gated->per_op);
    names.items = counter_window;
  }
  return names;
}

}  // namespace

gate_report check_allocations(const ceiling_registry& registry, const gbench_results& results,
                              const gate_options& options) {
  const double slack_percent = options.slack_percent;
  const metric& m = *options.gated;
  const gate_counter_names names = counters_for(options);
  const name_filter filter(options.filter);
  gate_report report;
  report.gated = &m;
  report.allocs_counter = names.allocs;
  // Every benchmark in the results that publishes allocations must be gated: an ungated one
  // is a configuration error, not a pass. One that publishes none is listed as not gated.
  for (const std::string& key : results.keys()) {
    if (!filter.selects(key)) continue;
    if (!publishes(results, key, names.allocs)) {
      report.ungated.push_back(key);
      continue;
    }
    if (registry.find(key) != nullptr) continue;
    if (&m == &allocs_metric)
      throw input_error(fmt::format(
          "{}: benchmark '{}' publishes allocation counters but has no ceiling in the registry "
          "(ungated); record ceilings for every new benchmark with: {}",
          results.path, key, options.init_command));
    throw input_error(fmt::format(
        "{}: benchmark '{}' publishes '{}' but has no ceiling in the registry (ungated); record "
        "one with: ratchet raise --metric {} {} VALUE --reason \"...\"",
        results.path, key, names.allocs, m.name, key));
  }

  bool any_selected = false;
  for (const ceiling& c : registry.ceilings()) {
    if (!filter.selects(c.benchmark)) continue;
    any_selected = true;
    const repetition_values values = read_repetitions(results, c, names, m);
    gate_row r;
    r.benchmark = c.benchmark;
    r.repetitions = values.allocs.size();
    r.window = c.window;
    r.allocs_per_event = measured_per_unit(results, c, values.allocs, names, options);
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
      r.why = fmt::format("{:.6f} {} > ceiling {}", r.allocs_per_event, m.per_event,
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
  if (!options.filter.empty() && !any_selected)
    throw input_error(fmt::format("--filter '{}' matches no benchmark of the registry",
                                  truncate_for_message(options.filter)));
  return report;
}

std::vector<ceiling> initial_ceilings(const ceiling_registry& registry,
                                      const gbench_results& results, const gate_options& options) {
  const name_filter filter(options.filter);
  std::vector<ceiling> added;
  for (const std::string& key : results.keys()) {
    if (!filter.selects(key) || registry.find(key) != nullptr ||
        !publishes(results, key, counters_for(options).allocs))
      continue;
    if (!valid_benchmark_name(key))
      throw input_error(
          fmt::format("{}: benchmark name '{}' cannot be recorded (control "
                      "characters, or longer than {} bytes)",
                      results.path, truncate_for_message(key), max_name_bytes));
    ceiling c;
    c.benchmark = key;
    // The window is what the first repetition ran with; read_repetitions holds the others to it.
    c.window = 1;
    for (const benchmark_entry& e : results.entries) {
      if (e.aggregate || e.key != key) continue;
      const auto it = e.counters.find(options.counters.items);
      if (it != e.counters.end()) {
        const double w = it->second;
        if (!(w >= 1 && w <= static_cast<double>(max_window) && w == std::floor(w)))
          throw input_error(fmt::format(
              "{}: benchmark '{}': counter '{}' is {}, expected a whole number of units between "
              "1 and {}",
              results.path, key, options.counters.items, w, max_window));
        c.window = static_cast<std::int64_t>(w);
      }
      break;
    }
    const gate_counter_names names = counters_for(options);
    const repetition_values values = read_repetitions(results, c, names, *options.gated);
    c.allocs_per_event = tightened_ceiling(
        measured_per_unit(results, c, values.allocs, names, options), options.slack_percent);
    if (c.allocs_per_event > max_allocs_per_event)
      throw input_error(
          fmt::format("{}: benchmark '{}' makes {} allocations per unit, above the "
                      "largest ceiling a registry holds ({})",
                      results.path, key, c.allocs_per_event, max_allocs_per_event));
    added.push_back(std::move(c));
  }
  return added;
}

namespace {

// The gate's table: the bytes/event column only for a metric that has one.
table gate_table(const metric& m) {
  std::vector<std::string> header{"benchmark", std::string(m.per_event), "ceiling", "headroom"};
  std::vector<align> alignment{align::left, align::right, align::right, align::right};
  if (m.has_bytes) {
    header.emplace_back("bytes/event");
    alignment.push_back(align::right);
  }
  header.insert(header.end(), {"reps", "verdict"});
  alignment.insert(alignment.end(), {align::right, align::left});
  return table(header, alignment);
}

std::vector<std::string> gate_cells(const metric& m, const gate_row& r, std::string name,
                                    std::string verdict) {
  std::vector<std::string> cells{std::move(name), fmt::format("{:.6f}", r.allocs_per_event),
                                 format_ceiling(r.ceiling), headroom(r)};
  if (m.has_bytes) cells.push_back(fmt::format("{:.1f}", r.bytes_per_event));
  cells.insert(cells.end(), {std::to_string(r.repetitions), std::move(verdict)});
  return cells;
}

}  // namespace

std::string render_text(const gate_report& report) {
  const metric& m = *report.gated;
  table t = gate_table(m);
  for (const auto& r : report.rows)
    t.add_row(gate_cells(m, r, r.benchmark, verdict_text(r)));
  std::string out = t.render_text();
  for (const auto& r : report.rows) {
    if (r.verdict == gate_verdict::breach) {
      out += fmt::format("BREACH {}: {}\n", r.benchmark, r.why);
      if (!m.explain_command.empty())
        out += fmt::format("  by function: {}{}\n", m.explain_command, r.benchmark);
    }
  }
  out += ungated_note(report);
  if (report.tighten_suggested()) {
    out += fmt::format(
        "\nSome benchmarks sit well under their ceilings: lock the win in with "
        "`{}` and commit the registry diff.\n",
        report.tighten_command);
    for (const auto& r : report.rows)
      if (r.verdict == gate_verdict::well_under)
        out += fmt::format("  {}: {} -> {}\n", r.benchmark, format_ceiling(r.ceiling),
                           format_ceiling(r.tightened));
  }
  return out;
}

std::string render_markdown(const gate_report& report) {
  const metric& m = *report.gated;
  table t = gate_table(m);
  for (const auto& r : report.rows) {
    const std::string verdict = r.verdict == gate_verdict::breach       ? "❌ BREACH"
                                : r.verdict == gate_verdict::well_under ? "✅ ok (tighten)"
                                                                        : "✅ ok";
    t.add_row(gate_cells(m, r, "`" + r.benchmark + "`", verdict));
  }
  std::string out =
      fmt::format("### {}: {}\n\n", m.gate_title, report.breached() ? "❌ breach" : "✅ pass");
  out += t.render_markdown();
  for (const auto& r : report.rows)
    if (r.verdict == gate_verdict::breach) {
      out += fmt::format("\n**BREACH** `{}`: {}\n", r.benchmark, r.why);
      if (!m.explain_command.empty())
        out += fmt::format("by function: `{}{}`\n", m.explain_command, r.benchmark);
    }
  if (!report.ungated.empty()) {
    out += "\n";
    out += ungated_note(report);
  }
  if (report.tighten_suggested())
    out += fmt::format(
        "\nSome benchmarks sit well under their ceilings: run `{}` and commit the registry "
        "diff.\n",
        report.tighten_command);
  return out;
}

ceiling_registry::stamp results_platform(const gbench_results& results, const metric& m) {
  const auto it = results.context.find(std::string(m.platform_context));
  if (it == results.context.end() || it->second.empty())
    throw input_error(fmt::format(
        "{}: no platform stamp (context field '{}'): {} counts are exact for one platform only, "
        "so results without a stamp cannot be gated",
        results.path, m.platform_context, m.per_event));
  // The stamp is the registry's own line format: parse it the registry's way.
  const ceiling_registry parsed =
      ceiling_registry::parse("platform " + it->second + "\n", results.path + " (context)");
  return parsed.platform();
}

void check_platform(const ceiling_registry& registry, const gbench_results& results,
                    const metric& m, const std::string& registry_path) {
  if (m.platform_context.empty()) return;
  if (registry.platform().empty())
    throw input_error(fmt::format(
        "{}: field 'platform': the registry has no platform stamp; {} counts are exact for one "
        "platform only (record it with `ratchet restamp --metric {}`)",
        registry_path, m.per_event, m.name));
  const ceiling_registry::stamp measured = results_platform(results, m);
  std::string differences;
  const auto value_of = [](const ceiling_registry::stamp& s, const std::string& key) {
    for (const auto& [k, v] : s)
      if (k == key) return v;
    return std::string("(none)");
  };
  std::vector<std::string> keys;
  for (const auto& [k, v] : registry.platform())
    keys.push_back(k);
  for (const auto& [k, v] : measured)
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  for (const std::string& k : keys) {
    const std::string want = value_of(registry.platform(), k), got = value_of(measured, k);
    if (want != got) differences += fmt::format("; {}: registry '{}', results '{}'", k, want, got);
  }
  if (!differences.empty())
    throw input_error(fmt::format(
        "{}:{}: field 'platform': the ceilings were recorded on another platform{}. {} counts "
        "are exact for one platform only: re-record them here with `ratchet restamp --metric {} "
        "--results ... --reason \"...\"` (make bench-instr-restamp REASON=...), or run the gate "
        "on the registry's platform",
        registry_path, registry.platform_line(), differences, m.per_event, m.name));
}

}  // namespace tools
