// File: commands.cpp
// The subcommand rules declared in commands.h.
#include "ratchet/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "bench/measurement.h"
#include "common/error.h"

namespace tools {

gate_options make_gate_options(double slack_percent, bool allow_nondeterministic) {
  if (!std::isfinite(slack_percent) || slack_percent < 0 || slack_percent > 100)
    throw input_error(
        fmt::format("--slack-percent must be between 0 and 100, got {}", slack_percent));
  gate_options options;
  options.slack_percent = slack_percent;
  options.allow_nondeterministic = allow_nondeterministic;
  return options;
}

std::vector<ceiling_change> tighten_ceilings(ceiling_registry& registry, const gate_report& report,
                                             const gbench_results& results, double slack_percent,
                                             const std::vector<std::string>& only) {
  for (const std::string& name : only)
    if (registry.find(name) == nullptr)
      throw input_error(fmt::format("--only: '{}' has no ceiling in the registry", name));
  std::vector<ceiling_change> changes;
  for (const auto& row : report.rows) {
    if (!only.empty() && std::find(only.begin(), only.end(), row.benchmark) == only.end()) continue;
    ceiling* c = registry.find(row.benchmark);
    if (c == nullptr) continue;
    if (row.tightened < c->allocs_per_event) {
      changes.push_back({c->benchmark, registry.value_key(), c->allocs_per_event, row.tightened});
      c->allocs_per_event = row.tightened;
    }
    if (c->bytes_per_event && !results.repetitions(row.benchmark, counter_bytes_per_op).empty()) {
      const double bytes = round_up_6(row.bytes_per_event * (1.0 + slack_percent / 100.0));
      if (bytes < *c->bytes_per_event) {
        changes.push_back({c->benchmark, "bytes_per_event", *c->bytes_per_event, bytes});
        c->bytes_per_event = bytes;
      }
    }
  }
  return changes;
}

double parse_ceiling_argument(const std::string& text) {
  double v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw input_error(fmt::format(
        "ratchet raise: VALUE must be a decimal number of allocs/event (e.g. 1.25), got '{}'",
        truncate_for_message(text)));
  return v;
}

std::int64_t parse_window_argument(const std::string& text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v <= 0 ||
      v > max_window)
    throw input_error(fmt::format(
        "ratchet raise: --window must be a whole number of events between 1 and {}, got '{}'",
        max_window, truncate_for_message(text)));
  return v;
}

void validate_raise_request(const raise_request& r) {
  if (r.reason.find_first_not_of(" \t") == std::string::npos)
    throw input_error("ratchet raise: --reason is required and must say why the ceiling goes up");
  for (char c : r.reason)
    if (static_cast<unsigned char>(c) < 0x20)
      throw input_error("ratchet raise: --reason must be one line (no control characters)");
  // Allocation counts per event are small numbers; anything else is a typo.
  static_assert(max_allocs_per_event == 1e9, "the message below names the limit");
  if (!std::isfinite(r.value) || r.value < 0 || r.value > max_allocs_per_event)
    throw input_error(fmt::format(
        "ratchet raise: VALUE must be a number between 0 and 1e9 allocs/event, got {}", r.value));
  if (r.window && (*r.window <= 0 || *r.window > max_window))
    throw input_error(fmt::format("ratchet raise: --window must be between 1 and {}, got {}",
                                  max_window, *r.window));
  if (!valid_benchmark_name(r.benchmark))
    throw input_error(fmt::format(
        "ratchet raise: '{}' is not a benchmark name (empty, control characters, or longer "
        "than {} bytes)",
        truncate_for_message(r.benchmark), max_name_bytes));
}

raise_result raise_ceiling(ceiling_registry& registry, const raise_request& r) {
  validate_raise_request(r);
  raise_result result;
  result.value = round_up_6(r.value);
  if (ceiling* c = registry.find(r.benchmark)) {
    if (result.value <= c->allocs_per_event)
      throw input_error(fmt::format(
          "ratchet raise: {} is not above the current ceiling {} of {} (lowering is `ratchet "
          "tighten`)",
          format_ceiling(result.value), format_ceiling(c->allocs_per_event), r.benchmark));
    if (r.window && *r.window != c->window)
      throw input_error(fmt::format(
          "ratchet raise: --window {} differs from the registry's window {} of {} (registry "
          "line {}); a ceiling is per window: edit the line, or leave --window out",
          *r.window, c->window, r.benchmark, c->line));
    result.previous = c->allocs_per_event;
    c->allocs_per_event = result.value;
    c->reason = r.reason;
    return result;
  }
  ceiling added;
  added.benchmark = r.benchmark;
  added.window = r.window.value_or(bench::window_events);
  added.allocs_per_event = result.value;
  added.reason = r.reason;
  registry.add(added);
  result.added = true;
  return result;
}

std::vector<ceiling_change> restamp_ceilings(ceiling_registry& registry, const gate_report& report,
                                             const gbench_results& results, const metric& m,
                                             const std::string& reason) {
  if (reason.find_first_not_of(" \t") == std::string::npos)
    throw input_error(
        "ratchet restamp: --reason is required and must say why the platform changed");
  for (char c : reason)
    if (static_cast<unsigned char>(c) < 0x20)
      throw input_error("ratchet restamp: --reason must be one line (no control characters)");
  registry.set_platform(results_platform(results, m));
  std::vector<ceiling_change> changes;
  for (const auto& row : report.rows) {
    ceiling* c = registry.find(row.benchmark);
    if (c == nullptr || row.tightened == c->allocs_per_event) continue;
    changes.push_back(
        {c->benchmark, std::string(m.registry_key), c->allocs_per_event, row.tightened});
    if (row.tightened > c->allocs_per_event) c->reason = reason;
    c->allocs_per_event = row.tightened;
  }
  return changes;
}

std::optional<std::string> detector_benchmark_name(const std::string& name) {
  if (name.empty() || name.rfind(bench::benchmark_prefix, 0) == 0) return std::nullopt;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  return bench::benchmark_name(name, bench::family::warm);
}

}  // namespace tools
