// File: cli.cpp
// `detector_phases`'s argument parsing and report; the runs are in phase_runs.cpp.
//
// Exit codes (stable): 0 ok, 2 usage or configuration error (unknown detector, bad option).
#include "phases/cli.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bench/measurement.h"
#include "detectors/detector.h"
#include "phases/phase_profile.h"
#include "phases/phase_report.h"
#include "phases/phase_runs.h"

namespace phase_profile {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_error = 2;

std::string known_detectors() {
  std::string out;
  for (std::string_view n : detectors::detector_names())
    out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "Phase profile of each detector's work: ns/event, allocs/event and bytes/event "
      "per phase (reject, parse, state, emit), cold (first window of a fresh detector) and "
      "warm (steady state), then a Pareto table of every detector x phase by warm ns/event.\n"
      "Built on detectors_phased (DETECTORS_PHASE marks active); never the gate's numbers. "
      "Per-phase times carry instrumentation overhead (the calibrated share is subtracted); "
      "allocation counts are exact.\n"
      "Exit codes: 0 ok, 2 usage or configuration error.",
      "detector_phases"};
  std::string detector;
  std::int64_t windows = 64;
  std::string format = "text";
  int repetitions = 5;
  app.add_option("--detector", detector, "Only this detector (default: every detector)");
  app.add_option("--windows", windows,
                 "Warm windows of " + std::to_string(bench::window_events) +
                     " events, rounded up to whole passes of " +
                     std::to_string(bench::distinct_windows) +
                     " (default 64); cold runs one pass of " +
                     std::to_string(bench::distinct_windows) + " fresh detectors per 64")
      // A range, not CLI::PositiveNumber, whose message prints 0 as in range and DBL_MAX in full.
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
  app.add_option("--repetitions", repetitions,
                 "Runs of each mode over the same windows; each window's per-phase figures are "
                 "the median over the runs, so a scheduler interruption does not land in a "
                 "phase (default 5)")
      ->check(CLI::Range(1, 101));
  app.add_option("--format", format, "text (aligned tables), markdown (CI summaries) or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));

  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? exit_ok : exit_error;
  }

  std::vector<std::string> names;
  if (detector.empty()) {
    for (std::string_view n : detectors::detector_names())
      names.emplace_back(n);
  } else if (detectors::make_detector(detector) == nullptr) {
    err << "detector_phases: error: unknown detector '" << detector
        << "' (known: " << known_detectors() << ")\n";
    return exit_error;
  } else {
    names.push_back(detector);
  }

  const run_plan plan = make_plan(windows, repetitions);
  run_info info;
  info.clock = select_clock();
  info.cal = calibrate();
  info.window_events = bench::window_events;

  std::vector<detector_result> results;
  for (const std::string& name : names)
    results.push_back(profile_detector(name, plan));

  const auto fmt_of = format == "markdown" ? report_format::markdown
                      : format == "json"   ? report_format::json
                                           : report_format::text;
  out << render(results, info, fmt_of);
  return exit_ok;
}

}  // namespace phase_profile
