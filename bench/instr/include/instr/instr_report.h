// File: instr_report.h
// What the instruction gate makes of the runner's callgrind profiles: the results JSON the
// gate (ratchet check --metric instr) and the history read, and the by-function explanation
// of a benchmark's instructions per event, alone or against a base profile.
//
// A profile folder is what scripts/bench-instr-check.sh leaves behind: runner.txt (the
// runner's stdout, whose first line stamps the platform) and callgrind.out.N, one file per
// benchmark, each naming its benchmark and event count in its trigger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "instr/callgrind_profile.h"

namespace instr {

struct profile_set {
  std::string folder;
  // "compiler=... stdlib=... flags=\"...\" isa=... allocator=... valgrind=3.19.0": the
  // runner's platform line with the valgrind version of the profiles appended.
  std::string platform;
  std::vector<callgrind_profile> profiles;  // benchmark dumps only, in the runner's order
  const callgrind_profile* find(const std::string& benchmark) const;
};

// Throws tools::input_error when the folder has no runner.txt or platform line, no benchmark
// profile, a profile whose trigger lacks windows, window or events (whole numbers above 0,
// windows x window = events), or two profiles for one benchmark.
profile_set load_profile_set(const std::string& folder);

// Google Benchmark-shaped JSON (one repetition per benchmark; iterations = windows) with the
// counters instr/op (per window; not for the memchr reference, which is never gated),
// instr/event, instr (the total), window and events, and the platform stamp in
// context.instr_platform.
std::string results_json(const profile_set& set);

// Which files are the project's: those under one of the roots (printed relative to it).
// Files under `harness` (relative to a root) are the measurement's own code (the runner's
// loop and main), left out of the tables: their inclusive cost is the whole profile.
struct source_roots {
  std::vector<std::string> roots;
  std::string harness = "bench/";
  static source_roots of_build();  // the tree this binary was built from
  std::optional<std::string> project_relative(const std::string& file) const;
  // The first of the function's files that is project code, relative to its root.
  std::optional<std::string> project_file(const function_cost& f) const;
  bool is_harness(const function_cost& f) const;
};

// "std::pair<..> ns::f<int>(int, char) const [clone .isra.0]" -> "ns::f": readable, and the
// same for a function whose signature changed, so a diff pairs it with its base.
std::string short_name(const std::string& demangled);

struct explain_options {
  int top = 10;
  bool markdown = false;
  source_roots roots = source_roots::of_build();
};

// Per-function self and inclusive instructions per event, project code first.
std::string render_explanation(const callgrind_profile& head, const explain_options& options);
// The top functions by change of self instructions per event from `base` to `head`.
std::string render_diff(const callgrind_profile& base, const callgrind_profile& head,
                        const explain_options& options);

// `detector_or_benchmark` as a benchmark name ("pod_evicted" -> "BM_PodEvictedDetector").
std::string resolve_benchmark(const std::string& detector_or_benchmark);

// A base given as a profile file, or a profile folder holding `benchmark`'s profile.
callgrind_profile load_base(const std::string& file_or_folder, const std::string& benchmark);

}  // namespace instr
