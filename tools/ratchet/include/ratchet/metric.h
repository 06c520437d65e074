// File: metric.h
// What a ceiling registry gates. One registry format and one gate serve two metrics:
//   allocs  allocations per event (baselines/alloc-ceilings.txt, Google Benchmark counters)
//   instr   instructions per event under valgrind's callgrind (baselines/instr-ceilings.txt,
//           written by `instr-report results`); exact for one platform only, so its registry
//           is stamped with the platform (a `platform key=value...` line) and check fails
//           closed when the results come from another one.
#pragma once

#include <string>
#include <string_view>

#include "bench/measurement.h"

namespace tools {

struct metric {
  std::string_view name;             // --metric value
  std::string_view per_op;           // the counter the gate reads (per iteration = window)
  std::string_view per_event;        // what the tables call the value
  std::string_view registry_key;     // the registry field holding the ceiling
  std::string_view gate_title;       // markdown heading
  std::string_view tighten_command;  // how a user locks a win in
  std::string_view default_registry;
  double default_slack_percent;
  bool has_bytes;  // a bytes/event column and optional second ceiling
  // The results' context field holding the platform stamp ("" when the metric is not stamped).
  std::string_view platform_context;
  // Printed after a breach line, followed by the benchmark name: where to look next ("" when
  // ratchet explains the breach itself, as `check --explain-with` does for allocations).
  std::string_view explain_command;
};

inline constexpr metric allocs_metric{"allocs",
                                      bench::counter::allocs_per_op,
                                      bench::counter::allocs_per_event,
                                      "allocs_per_event",
                                      "Allocation gate",
                                      "make bench-ratchet",
                                      "baselines/alloc-ceilings.txt",
                                      1.0,
                                      true,
                                      "",
                                      ""};

// Slack: bench::instr_slack_percent (the counts are exact on the stamped platform; the slack
// covers only what the stamp does not name).
inline constexpr metric instr_metric{"instr",
                                     bench::counter::instr_per_op,
                                     bench::counter::instr_per_event,
                                     "instr_per_event",
                                     "Instruction gate",
                                     "make bench-instr-tighten",
                                     "baselines/instr-ceilings.txt",
                                     bench::instr_slack_percent,
                                     false,
                                     "instr_platform",
                                     "make bench-instr-explain BENCHMARK="};

// nullptr for an unknown name.
inline const metric* find_metric(std::string_view name) {
  if (name == allocs_metric.name) return &allocs_metric;
  if (name == instr_metric.name) return &instr_metric;
  return nullptr;
}

}  // namespace tools
