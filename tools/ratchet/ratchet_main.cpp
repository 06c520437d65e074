// File: ratchet_main.cpp
// `ratchet`: the allocation gate's command line (check, tighten, raise, explain).
//
// Exit codes (stable): 0 pass, 1 breach, 2 configuration or input error (fail closed).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"
#include "common/error.h"
#include "ratchet/explain.h"
#include "common/gbench_results.h"

namespace {

using namespace tools;

struct options {
  std::string registry = "baselines/alloc-ceilings.txt";
  std::string results;
  std::string format = "text";
  std::string explain_bench;
  double slack_percent = default_slack_percent;
  bool dry_run = false;
  std::string benchmark;
  double value = 0;
  std::string reason;
  std::int64_t window = 1024;
  std::string bench_binary;
  int explain_top = 8;
  bool allow_nondeterministic = false;
  std::vector<std::string> only;  // tighten: restrict to these benchmarks
};

gate_options gate_options_of(const options& o) {
  if (!std::isfinite(o.slack_percent) || o.slack_percent < 0 || o.slack_percent > 100)
    throw input_error(
        fmt::format("--slack-percent must be between 0 and 100, got {}", o.slack_percent));
  return gate_options{o.slack_percent, o.allow_nondeterministic};
}

int run_check(const options& o) {
  const ceiling_registry registry = ceiling_registry::load(o.registry);
  const gbench_results results = load_gbench_results(o.results);
  const gate_report report = check_allocations(registry, results, gate_options_of(o));
  std::fputs((o.format == "markdown" ? render_markdown(report) : render_text(report)).c_str(),
             stdout);
  if (report.breached() && !o.explain_bench.empty()) {
    // A breach explains itself: re-run each breached benchmark with site attribution. If
    // that fails, the breach is still the verdict (exit 1); the failure is only reported.
    for (const auto& row : report.rows) {
      if (row.verdict != gate_verdict::breach) continue;
      try {
        const explanation e = explain_benchmark(o.explain_bench, row.benchmark, o.explain_top);
        std::fputs((o.format == "markdown" ? render_explanation_markdown(e, row.ceiling)
                                           : render_explanation_text(e, row.ceiling))
                       .c_str(),
                   stdout);
      } catch (const input_error& e) {
        std::fprintf(stderr, "ratchet: warning: cannot explain %s: %s\n", row.benchmark.c_str(),
                     e.what());
      }
    }
  }
  return report.breached() ? exit_regression : exit_ok;
}

int run_tighten(const options& o) {
  ceiling_registry registry = ceiling_registry::load(o.registry);
  const gbench_results results = load_gbench_results(o.results);
  const gate_report report = check_allocations(registry, results, gate_options_of(o));
  int lowered = 0;
  for (const auto& row : report.rows) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), row.benchmark) == o.only.end())
      continue;
    ceiling* c = registry.find(row.benchmark);
    // Never raises: a breach stays a breach (only `ratchet raise` goes up).
    if (row.tightened < c->allocs_per_event) {
      std::printf("- %s allocs_per_event=%s\n+ %s allocs_per_event=%s\n", c->benchmark.c_str(),
                  format_ceiling(c->allocs_per_event).c_str(), c->benchmark.c_str(),
                  format_ceiling(row.tightened).c_str());
      c->allocs_per_event = row.tightened;
      ++lowered;
    }
    if (c->bytes_per_event && !results.repetitions(row.benchmark, counter_bytes_per_op).empty()) {
      const double bytes = round_up_6(row.bytes_per_event * (1.0 + o.slack_percent / 100.0));
      if (bytes < *c->bytes_per_event) {
        std::printf("- %s bytes_per_event=%s\n+ %s bytes_per_event=%s\n", c->benchmark.c_str(),
                    format_ceiling(*c->bytes_per_event).c_str(), c->benchmark.c_str(),
                    format_ceiling(bytes).c_str());
        c->bytes_per_event = bytes;
        ++lowered;
      }
    }
  }
  if (lowered == 0) {
    std::printf(
        "ratchet: nothing to tighten: every ceiling is within %.1f%% slack of its "
        "measurement\n",
        o.slack_percent);
  } else if (o.dry_run) {
    std::printf("ratchet: %d ceiling(s) would be lowered (dry run: %s unchanged)\n", lowered,
                o.registry.c_str());
  } else {
    registry.save(o.registry);
    std::printf("ratchet: lowered %d ceiling(s) in %s; commit the diff\n", lowered,
                o.registry.c_str());
  }
  if (report.breached())
    std::fprintf(stderr,
                 "ratchet: note: some benchmarks breach their ceilings; tighten never "
                 "raises (see `ratchet raise`)\n");
  return exit_ok;
}

int run_raise(const options& o) {
  if (o.reason.find_first_not_of(" \t") == std::string::npos)
    throw input_error("ratchet raise: --reason is required and must say why the ceiling goes up");
  for (char c : o.reason)
    if (static_cast<unsigned char>(c) < 0x20)
      throw input_error("ratchet raise: --reason must be one line (no control characters)");
  // Allocation counts per event are small numbers; anything else is a typo.
  if (!std::isfinite(o.value) || o.value < 0 || o.value > 1e9)
    throw input_error(
        fmt::format("ratchet raise: VALUE must be a number between 0 and 1e9 "
                    "allocs/event, got {}",
                    o.value));
  if (o.window <= 0)
    throw input_error(fmt::format("ratchet raise: --window must be positive, got {}", o.window));
  if (!valid_benchmark_name(o.benchmark))
    throw input_error(
        fmt::format("ratchet raise: '{}' is not a benchmark name (BM_ followed "
                    "by letters, digits and _/:.-)",
                    o.benchmark));
  ceiling_registry registry = ceiling_registry::load(o.registry);
  const double value = round_up_6(o.value);
  if (ceiling* c = registry.find(o.benchmark)) {
    if (value <= c->allocs_per_event)
      throw input_error(fmt::format(
          "ratchet raise: {} is not above the current ceiling {} of {} (lowering is `ratchet "
          "tighten`)",
          format_ceiling(value), format_ceiling(c->allocs_per_event), o.benchmark));
    std::printf("- %s allocs_per_event=%s\n+ %s allocs_per_event=%s reason=\"%s\"\n",
                o.benchmark.c_str(), format_ceiling(c->allocs_per_event).c_str(),
                o.benchmark.c_str(), format_ceiling(value).c_str(), o.reason.c_str());
    c->allocs_per_event = value;
    c->reason = o.reason;
  } else {
    if (o.benchmark.rfind("BM_", 0) != 0)
      throw input_error(
          fmt::format("ratchet raise: '{}' is not a benchmark name (BM_...)", o.benchmark));
    ceiling added;
    added.benchmark = o.benchmark;
    added.window = o.window;
    added.allocs_per_event = value;
    added.reason = o.reason;
    registry.add(added);
    std::printf("+ %s window=%lld allocs_per_event=%s reason=\"%s\"\n", o.benchmark.c_str(),
                static_cast<long long>(o.window), format_ceiling(value).c_str(), o.reason.c_str());
  }
  registry.save(o.registry);
  return exit_ok;
}

int run_explain(const options& o) {
  const explanation e = explain_benchmark(o.bench_binary, o.benchmark, o.explain_top);
  std::fputs(
      (o.format == "markdown" ? render_explanation_markdown(e, -1) : render_explanation_text(e, -1))
          .c_str(),
      stdout);
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{
      "ratchet: the allocation gate. Compares median allocs/event of the detector benchmarks "
      "(Google Benchmark JSON) with the committed ceilings; ceilings only go down (tighten) "
      "unless raised with a reason.\n\nExit codes: 0 pass, 1 breach, 2 configuration or input "
      "error."};
  app.require_subcommand(1);

  auto* check = app.add_subcommand("check", "Gate: every gated benchmark within its ceiling?");
  check->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  check->add_option("--results", o.results, "Google Benchmark JSON (with repetitions)")->required();
  check->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
  check->add_option("--explain-with", o.explain_bench,
                    "Attribution bench binary: on a breach, re-run it and print the allocation "
                    "sites responsible");
  check->add_option("--slack-percent", o.slack_percent, "Slack used for tighten suggestions")
      ->capture_default_str();
  check->add_flag("--allow-nondeterministic", o.allow_nondeterministic,
                  "Gate on the median when repetitions disagree (default: exit 2)");
  check->add_option("--top", o.explain_top, "Call sites to list per breach (with --explain-with)")
      ->capture_default_str();

  auto* tighten = app.add_subcommand(
      "tighten", "Lower each ceiling to the measurement plus slack; never raises one");
  tighten->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  tighten->add_option("--results", o.results, "Google Benchmark JSON")->required();
  tighten
      ->add_option("--slack-percent", o.slack_percent,
                   "Relative slack over the measurement (platform differences only)")
      ->capture_default_str();
  tighten->add_flag("--dry-run", o.dry_run, "Print the diff without writing");
  tighten->add_option("--only", o.only,
                      "Tighten only these benchmarks (one change, one detector's ceilings)");
  tighten->add_flag("--allow-nondeterministic", o.allow_nondeterministic,
                    "Tighten to the median when repetitions disagree (default: exit 2)");

  auto* raise = app.add_subcommand(
      "raise", "Raise (or first record) one ceiling; the only way up, and it needs a reason");
  raise->add_option("benchmark", o.benchmark, "Benchmark name, e.g. BM_PodEvictedDetector")
      ->required();
  raise->add_option("value", o.value, "New ceiling in allocs/event")->required();
  raise->add_option("--reason", o.reason, "Why the ceiling must go up (recorded)")->required();
  raise->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  raise->add_option("--window", o.window, "Window of a newly recorded benchmark")
      ->capture_default_str();

  auto* explain = app.add_subcommand(
      "explain", "Where a benchmark's allocations come from: call sites per event");
  explain->add_option("benchmark", o.benchmark, "Benchmark name or detector name")->required();
  explain->add_option("--bench", o.bench_binary, "Attribution bench binary")->required();
  explain->add_option("--top", o.explain_top, "How many sites to list")->capture_default_str();
  explain->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_error;
  }
  try {
    if (*check) return run_check(o);
    if (*tighten) return run_tighten(o);
    if (*raise) return run_raise(o);
    if (*explain) return run_explain(o);
  } catch (const input_error& e) {
    std::fprintf(stderr, "ratchet: error: %s\n", e.what());
    return exit_error;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ratchet: error: %s\n", e.what());
    return exit_error;
  }
  return exit_error;
}
