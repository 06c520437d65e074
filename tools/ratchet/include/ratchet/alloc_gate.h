// File: alloc_gate.h
// The allocation gate: measured allocs/event (median over repetitions) against the ceilings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/measurement.h"
#include "common/gbench_results.h"
#include "ratchet/ceiling_registry.h"
#include "ratchet/metric.h"

namespace tools {

// The counters the gate reads, as the measurement contract names them (keys of
// benchmark_entry::counters).
inline const std::string counter_allocs_per_op{bench::counter::allocs_per_op};
inline const std::string counter_bytes_per_op{bench::counter::bytes_per_op};
inline const std::string counter_window{bench::counter::window};

enum class gate_verdict { ok, breach, well_under };

struct gate_row {
  std::string benchmark;
  std::size_t repetitions = 0;
  std::int64_t window = 0;
  double allocs_per_event = 0;  // median allocs/op over the repetitions, divided by the window
  double ceiling = 0;
  double bytes_per_event = 0;
  std::optional<double> bytes_ceiling;
  double tightened = 0;  // what `ratchet tighten` would set the ceiling to
  gate_verdict verdict = gate_verdict::ok;
  std::string why;  // for a breach: which ceiling, by how much
};

struct gate_report {
  const metric* gated = &allocs_metric;  // what the rows measure (labels, hints)
  std::vector<gate_row> rows;
  // Benchmarks of the results that publish no allocations counter: listed in the output, so
  // none is ungated silently.
  std::vector<std::string> ungated;
  std::string allocs_counter{counter_allocs_per_op};
  // The command the "sit well under" hint names: the user's own, e.g. `make bench-ratchet`.
  std::string tighten_command = "ratchet tighten";
  bool breached() const;
  bool tighten_suggested() const;
};

inline constexpr double default_slack_percent = 1.0;

// What tighten sets a ceiling to: the measurement plus slack, rounded up to 6 decimals.
double tightened_ceiling(double measured, double slack_percent);

// The gate's contract with a benchmark (the counters alloc_hooks::measure publishes): per
// iteration, `allocs` allocations, `bytes` bytes, and `items` units of work (the registry's
// window; the counter is optional and means 1 per iteration when absent). A ceiling is in
// allocations per unit: allocs / items.
struct gate_counter_names {
  std::string allocs{counter_allocs_per_op};
  std::string bytes{counter_bytes_per_op};
  std::string items{counter_window};
};

struct gate_options {
  double slack_percent = default_slack_percent;
  // Allocation counts are deterministic, so repetitions that disagree are a defect to find,
  // not noise to average: by default they fail closed. With this set, the median decides.
  bool allow_nondeterministic = false;
  // The metric the registry and the results hold: allocations are read through `counters`; a
  // stamped metric (instructions) reads its own fixed counter.
  const metric* gated = &allocs_metric;
  gate_counter_names counters;
  // ECMAScript regex searched in each benchmark name, as Google Benchmark's
  // --benchmark_filter: only matching benchmarks are gated or required (a filtered run).
  // Empty: every benchmark.
  std::string filter;
  // The command an "ungated" error tells the user to run to record the missing ceilings.
  std::string init_command = "ratchet init --results RESULTS";
};

// For a stamped metric (metric::platform_context): the registry's platform line must match
// the results' stamp field for field. Throws input_error (exit 2, fail closed) naming the
// differing fields, or when either stamp is missing. Does nothing for an unstamped metric.
void check_platform(const ceiling_registry& registry, const gbench_results& results,
                    const metric& m, const std::string& registry_path);
// The results' stamp as registry fields (for restamping); input_error when absent.
ceiling_registry::stamp results_platform(const gbench_results& results, const metric& m);

// Throws input_error (exit 2, fail closed) when: a gated benchmark has no measurement; a
// repetition's allocations counter is missing, not a finite number, or negative; its units of
// work are not the registry's window; repetitions disagree (unless allowed); the results hold
// a benchmark publishing the allocations counter that the registry does not list (ungated);
// the filter is not a regex or matches no ceiling.
gate_report check_allocations(const ceiling_registry& registry, const gbench_results& results,
                              const gate_options& options = {});

// `ratchet init`: a ceiling for every benchmark of the results (matching the filter) that
// publishes the allocations counter and has none in the registry yet: its window the measured
// units per iteration, its ceiling the measurement plus slack. Same input rules as
// check_allocations; the registry is not changed.
std::vector<ceiling> initial_ceilings(const ceiling_registry& registry,
                                      const gbench_results& results, const gate_options& options);

std::string render_text(const gate_report& report);
std::string render_markdown(const gate_report& report);

}  // namespace tools
