// File: commands.h
// The rules of ratchet's subcommands, apart from argument parsing and printing: ceilings only
// go down through tighten, only up through raise (with a reason and a valid benchmark name),
// and explain accepts a detector name where a benchmark name is expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/measurement.h"
#include "common/gbench_results.h"
#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"

namespace tools {

// Gate options from the command line; throws input_error unless 0 <= slack_percent <= 100.
gate_options make_gate_options(double slack_percent, bool allow_nondeterministic);

// One value tighten or raise changed in the registry.
struct ceiling_change {
  std::string benchmark;
  std::string field;  // "allocs_per_event" or "bytes_per_event"
  double from = 0;
  double to = 0;
};

// Lowers each ceiling of `report` that sits above its measurement plus slack, never raising
// one: a breach stays a breach (only raise_ceiling goes up). With `only` non-empty, just those
// benchmarks are touched; a name in `only` that the registry does not list is an input_error.
// A bytes ceiling is lowered only when the results carry the bytes counter.
std::vector<ceiling_change> tighten_ceilings(ceiling_registry& registry, const gate_report& report,
                                             const gbench_results& results, double slack_percent,
                                             const std::vector<std::string>& only = {});

struct raise_request {
  std::string benchmark;
  double value = 0;    // allocs/event
  std::string reason;  // required, one line
  // Unset: the registry's window, or bench::window_events for a benchmark recorded for the
  // first time. Set for a listed benchmark, it must equal the registry's (a ceiling is per
  // window; raise does not move a benchmark to another window).
  std::optional<std::int64_t> window;
};

// The command-line forms of raise's numbers, parsed strictly (plain decimal, no hex, no
// empty text; a window up to max_window): throws input_error naming the argument.
double parse_ceiling_argument(const std::string& text);
std::int64_t parse_window_argument(const std::string& text);

struct raise_result {
  bool added = false;  // the benchmark had no ceiling yet
  double previous = 0;
  double value = 0;  // as recorded (rounded up to 6 decimals)
};

// Throws input_error when the reason is blank or spans lines, the value is not in [0, 1e9],
// the window is not in [1, max_window], or the name is not a valid benchmark name. Needs no
// registry, so a bad request is refused before the registry is read.
void validate_raise_request(const raise_request& request);

// Raises (or first records) one ceiling: validate_raise_request, then an input_error when the
// value is not above the current ceiling or the window is not the registry's.
raise_result raise_ceiling(ceiling_registry& registry, const raise_request& request);

// Re-records a stamped registry on another platform (metric::platform_context): the stamp
// becomes the results', and every ceiling the measurement plus slack, up or down, with
// `reason` recorded on each line that rises. `report` must come from check_allocations over
// the same registry and results. Throws input_error for a blank or multi-line reason.
std::vector<ceiling_change> restamp_ceilings(ceiling_registry& registry, const gate_report& report,
                                             const gbench_results& results, const metric& m,
                                             const std::string& reason);

// explain's argument is a benchmark name, run as given. When no benchmark has that name and it
// reads as one of allocgate's detector names (lower-case snake case), the detector's warm
// benchmark is tried: "pod_evicted" -> "BM_PodEvictedDetector" (bench/contract); nullopt for any
// other name.
std::optional<std::string> detector_benchmark_name(const std::string& name);

}  // namespace tools
