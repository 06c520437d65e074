// File: cli.cpp
// `ratchet`'s argument parsing and output (check, tighten, raise, explain). The rules live in
// commands.h, alloc_gate.h and explain.h; this file only wires options to them and prints.
#include "ratchet/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/measurement.h"
#include "common/error.h"
#include "common/file_lock.h"
#include "common/gbench_results.h"
#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"
#include "ratchet/commands.h"
#include "ratchet/explain.h"
#include "ratchet/metric.h"

namespace tools::ratchet {
namespace {

// A percentage as written by hand: digits with an optional fraction ("1", "0.5"). Checked on
// the text: CLI11's conversion reads "0x10" as 16 and "" as 0, a slack nobody asked for.
const CLI::Validator plain_percent(
    [](std::string& in) -> std::string {
      // A sign is let through: the range check says what is wrong with a negative slack.
      const std::string_view text = std::string_view(in).substr(in.starts_with('-') ? 1 : 0);
      const std::size_t dot = text.find('.');
      const std::string_view whole = text.substr(0, dot);
      const std::string_view fraction =
          dot == std::string_view::npos ? std::string_view("0") : text.substr(dot + 1);
      const auto digits = [](std::string_view s) {
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      };
      if (!digits(whole) || !digits(fraction))
        return fmt::format("expected a plain decimal percentage such as 1 or 0.5, got '{}'", in);
      return std::string{};
    },
    "");

struct options {
  std::string registry = "baselines/alloc-ceilings.txt";
  std::string results;
  std::string format = "text";
  std::string explain_bench;
  double slack_percent = default_slack_percent;
  bool dry_run = false;
  std::string benchmark;
  std::string value;
  std::string reason;
  std::string window;
  bool window_given = false;
  std::string bench_binary;
  int explain_top = 8;
  std::vector<std::string> source_roots;
  bool allow_nondeterministic = false;
  std::vector<std::string> only;
  std::string metric_name = "allocs";
  bool registry_given = false;  // else the metric's default registry
  bool slack_given = false;     // else the metric's default slack
  gate_counter_names counters;
  std::string filter;
  std::vector<std::string> expand;
  std::string tighten_command;
};

const metric& metric_of(const options& o) {
  return *find_metric(o.metric_name);  // CLI11 checked the name
}
std::string registry_of(const options& o) {
  return o.registry_given ? o.registry : std::string(metric_of(o).default_registry);
}
double slack_of(const options& o) {
  return o.slack_given ? o.slack_percent : metric_of(o).default_slack_percent;
}
ceiling_registry load_registry(const options& o) {
  return ceiling_registry::load(registry_of(o), std::string(metric_of(o).registry_key));
}

// Shell-quoted when the word needs it, so a hint can be pasted as it is printed.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_-./:=@%+,") == std::string::npos)
    return word;
  std::string out = "'";
  for (const char c : word)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The gate's options from the command line, with hints that name this invocation's own files.
gate_options gate_options_of(const options& o) {
  gate_options g = make_gate_options(slack_of(o), o.allow_nondeterministic);
  g.gated = &metric_of(o);
  for (const std::string* name : {&o.counters.allocs, &o.counters.bytes, &o.counters.items})
    if (name->empty()) throw input_error("counter names (--allocs-counter, ...) must not be empty");
  g.counters = o.counters;
  g.filter = o.filter;
  g.init_command = fmt::format("ratchet init --registry {} --results {}",
                               shell_word(registry_of(o)), shell_word(o.results));
  return g;
}

gate_report check_with_options(const ceiling_registry& registry, const gbench_results& results,
                               const options& o) {
  gate_report report = check_allocations(registry, results, gate_options_of(o));
  const metric& m = metric_of(o);
  report.tighten_command =
      !o.tighten_command.empty()
          ? o.tighten_command
          : fmt::format("ratchet tighten{} --registry {} --results {}",
                        &m == &allocs_metric ? "" : fmt::format(" --metric {}", m.name),
                        shell_word(registry_of(o)), shell_word(o.results));
  return report;
}

explain_options explain_options_of(const options& o) {
  explain_options e;
  e.top = o.explain_top;
  if (!o.source_roots.empty()) e.source_roots = o.source_roots;
  e.expand = o.expand;
  return e;
}

int run_check(const options& o, std::ostream& out, std::ostream& err) {
  const ceiling_registry registry = load_registry(o);
  const gbench_results results = load_gbench_results(o.results);
  check_platform(registry, results, metric_of(o), registry_of(o));
  const gate_report report = check_with_options(registry, results, o);
  out << (o.format == "markdown" ? render_markdown(report) : render_text(report));
  if (report.breached() && !o.explain_bench.empty()) {
    // A breach explains itself: re-run each breached benchmark with site attribution. If
    // that fails, the breach is still the verdict (exit 1); the failure is only reported.
    for (const auto& row : report.rows) {
      if (row.verdict != gate_verdict::breach) continue;
      try {
        const explanation e =
            explain_benchmark(o.explain_bench, row.benchmark, explain_options_of(o));
        out << (o.format == "markdown" ? render_explanation_markdown(e, row.ceiling)
                                       : render_explanation_text(e, row.ceiling));
      } catch (const input_error& e) {
        err << "ratchet: warning: cannot explain " << row.benchmark << ": " << e.what() << "\n";
      }
    }
  }
  return report.breached() ? exit_regression : exit_ok;
}

int run_tighten(const options& o, std::ostream& out, std::ostream& err) {
  // Held across read, modify and rename: a second tighten or raise waits for this one.
  std::optional<file_lock> lock;
  const std::string path = registry_of(o);
  if (!o.dry_run) lock.emplace(path);
  ceiling_registry registry = load_registry(o);
  const gbench_results results = load_gbench_results(o.results);
  check_platform(registry, results, metric_of(o), path);
  const gate_report report = check_with_options(registry, results, o);
  const std::vector<ceiling_change> changes =
      tighten_ceilings(registry, report, results, slack_of(o), o.only);
  // Saved before the diff is printed: a diff on screen means the registry holds it.
  if (!changes.empty() && !o.dry_run) registry.save(path);
  for (const ceiling_change& c : changes)
    out << fmt::format("- {0} {1}={2}\n+ {0} {1}={3}\n", registry_name(c.benchmark), c.field,
                       format_ceiling(c.from), format_ceiling(c.to));
  if (changes.empty()) {
    out << fmt::format(
        "ratchet: nothing to tighten: every ceiling is within {:.1f}% slack of its "
        "measurement\n",
        slack_of(o));
  } else if (o.dry_run) {
    out << fmt::format("ratchet: {} ceiling(s) would be lowered (dry run: {} unchanged)\n",
                       changes.size(), path);
  } else {
    out << fmt::format("ratchet: lowered {} ceiling(s) in {}; commit the diff\n", changes.size(),
                       path);
  }
  if (report.breached())
    err << "ratchet: note: some benchmarks breach their ceilings; tighten never raises (see "
           "`ratchet raise`)\n";
  return exit_ok;
}

int run_raise(const options& o, std::ostream& out) {
  raise_request request{o.benchmark, parse_ceiling_argument(o.value), o.reason, std::nullopt};
  if (!o.window.empty() || o.window_given) request.window = parse_window_argument(o.window);
  validate_raise_request(request);
  const std::string path = registry_of(o);
  const std::string_view key = metric_of(o).registry_key;
  const file_lock lock(path);
  ceiling_registry registry = load_registry(o);
  const raise_result r = raise_ceiling(registry, request);
  registry.save(path);  // before the diff: a diff on screen means the registry holds it
  if (r.added)
    out << fmt::format("+ {} window={} {}={} reason=\"{}\"\n", registry_name(o.benchmark),
                       request.window.value_or(bench::window_events), key, format_ceiling(r.value),
                       o.reason);
  else
    out << fmt::format("- {0} {4}={1}\n+ {0} {4}={2} reason=\"{3}\"\n", registry_name(o.benchmark),
                       format_ceiling(r.previous), format_ceiling(r.value), o.reason, key);
  return exit_ok;
}

// A stamped registry re-recorded on the results' platform (ceilings may rise: --reason).
int run_restamp(const options& o, std::ostream& out) {
  const std::string path = registry_of(o);
  const metric& m = metric_of(o);
  if (m.platform_context.empty())
    throw input_error(fmt::format("ratchet restamp: the {} metric has no platform stamp", m.name));
  const file_lock lock(path);
  ceiling_registry registry = load_registry(o);
  const gbench_results results = load_gbench_results(o.results);
  const gate_report report = check_allocations(registry, results, gate_options_of(o));
  const std::vector<ceiling_change> changes =
      restamp_ceilings(registry, report, results, m, o.reason);
  registry.save(path);
  // The stamp as the file now holds it (quoted where needed).
  const std::string text = "\n" + registry.render();  // the stamp may open the file
  const std::size_t at = text.find("\nplatform ");
  out << "+ " << text.substr(at + 1, text.find('\n', at + 1) - at - 1) << "\n";
  for (const ceiling_change& c : changes)
    out << fmt::format("- {0} {1}={2}\n+ {0} {1}={3}\n", registry_name(c.benchmark), c.field,
                       format_ceiling(c.from), format_ceiling(c.to));
  out << fmt::format("ratchet: restamped {} ({} ceiling(s) changed); commit the diff\n", path,
                     changes.size());
  return exit_ok;
}

// A new registry's opening comment: the file documents its own format and commands.
std::string registry_header(const gate_counter_names& counters) {
  return fmt::format(
      "# Allocation ceilings: one gated benchmark per line (ratchet; see allocgate's README).\n"
      "#\n"
      "#   <benchmark> window=<units per iteration> allocs_per_event=<ceiling> "
      "[bytes_per_event=<ceiling>] [reason=\"...\"]\n"
      "#\n"
      "# allocs_per_event: the median '{}' over the repetitions divided by the '{}' counter (1 "
      "when absent).\n"
      "# `ratchet check` fails when a benchmark is above its ceiling; `ratchet tighten` lowers "
      "ceilings,\n"
      "# `ratchet raise NAME VALUE --reason \"...\"` is the only way up.\n",
      counters.allocs, counters.items);
}

// Records a ceiling for every benchmark of the results that has none; creates the registry
// when it does not exist yet.
int run_init(const options& o, std::ostream& out, std::ostream& err) {
  const std::string path = registry_of(o);
  const file_lock lock(path);
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  ceiling_registry registry =
      exists ? load_registry(o) : ceiling_registry::parse(registry_header(o.counters), path);
  const gbench_results results = load_gbench_results(o.results);
  const gate_options g = gate_options_of(o);
  std::vector<ceiling> added = initial_ceilings(registry, results, g);
  if (added.empty()) {
    if (registry.ceilings().empty())
      throw input_error(fmt::format(
          "{}: no benchmark{} publishes the '{}' counter: measure with alloc_hooks::measure "
          "(alloc_hooks/benchmark.h) or name your counter with --allocs-counter",
          o.results, o.filter.empty() ? "" : " matching --filter", o.counters.allocs));
    out << fmt::format("ratchet: every benchmark already has a ceiling in {}\n", path);
    return exit_ok;
  }
  for (ceiling& c : added) {
    c.reason = o.reason;
    registry.add(c);
  }
  registry.save(path);  // before the lines: lines on screen mean the registry holds them
  for (const ceiling& c : added)
    out << fmt::format("+ {} window={} allocs_per_event={}\n", registry_name(c.benchmark), c.window,
                       format_ceiling(c.allocs_per_event));
  out << fmt::format("ratchet: recorded {} ceiling(s) in {}; commit it\n", added.size(), path);
  for (const std::string& name : check_with_options(registry, results, o).ungated)
    err << fmt::format("ratchet: note: '{}' publishes no '{}' counter: not gated\n", name,
                       o.counters.allocs);
  return exit_ok;
}

int run_explain(const options& o, std::ostream& out) {
  explanation e;
  try {
    e = explain_benchmark(o.bench_binary, o.benchmark, explain_options_of(o));
  } catch (const input_error&) {
    // allocgate's own detector names ("pod_evicted") name their warm benchmark.
    const std::optional<std::string> detector = detector_benchmark_name(o.benchmark);
    if (!detector) throw;
    e = explain_benchmark(o.bench_binary, *detector, explain_options_of(o));
  }
  out << (o.format == "markdown" ? render_explanation_markdown(e, -1)
                                 : render_explanation_text(e, -1));
  return exit_ok;
}

}  // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  options o;
  CLI::App app{
      "ratchet: the allocation gate. Compares each benchmark's median allocations per unit of "
      "work (Google Benchmark JSON: allocs/op divided by the window counter, 1 when absent) "
      "with the committed ceilings; ceilings only go down (tighten) unless raised with a "
      "reason. Every benchmark that publishes allocs/op must have a ceiling (ratchet init "
      "records them); otherwise check fails closed.\n\nExit codes: 0 pass, 1 breach, 2 "
      "configuration or input error.",
      "ratchet"};
  app.require_subcommand(1);

  // --metric: which per-event counter the registry gates (ratchet/metric.h). Its registry and
  // slack become the defaults unless given.
  const auto add_metric = [&o](CLI::App* sub) {
    sub->add_option("--metric", o.metric_name,
                    "allocs (allocs/op, baselines/alloc-ceilings.txt) or instr (instr/op under "
                    "callgrind, baselines/instr-ceilings.txt, platform-stamped)")
        ->check(CLI::IsMember({"allocs", "instr"}))
        ->capture_default_str();
  };

  // The gate's contract with the benchmarks: counter names and which benchmarks a run holds.
  const auto add_contract_options = [&o](CLI::App* command) {
    command->add_option("--allocs-counter", o.counters.allocs, "Allocations per iteration")
        ->capture_default_str();
    command->add_option("--bytes-counter", o.counters.bytes, "Bytes allocated per iteration")
        ->capture_default_str();
    command
        ->add_option("--items-counter", o.counters.items,
                     "Units of work per iteration, the registry's window (absent: 1)")
        ->capture_default_str();
    command->add_option("--filter", o.filter,
                        "Only benchmarks whose name matches this regex (a filtered run, as "
                        "--benchmark_filter)");
  };

  auto* check = app.add_subcommand("check", "Gate: every gated benchmark within its ceiling?");
  check->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  add_metric(check);
  check->add_option("--results", o.results, "Google Benchmark JSON (with repetitions)")->required();
  check->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
  check->add_option("--explain-with", o.explain_bench,
                    "Attribution bench binary: on a breach, re-run it and print the allocation "
                    "sites responsible");
  check
      ->add_option("--slack-percent", o.slack_percent,
                   "Slack used for tighten suggestions (--metric instr: 0.2)")
      ->check(plain_percent)
      ->capture_default_str();
  check->add_flag("--allow-nondeterministic", o.allow_nondeterministic,
                  "Gate on the median when repetitions disagree (default: exit 2)");
  check->add_option("--top", o.explain_top, "Call sites to list per breach (with --explain-with)")
      ->capture_default_str();
  check->add_option("--source-root", o.source_roots,
                    "Project source tree for --explain-with (repeatable; default: the source "
                    "directory of the bench binary's CMake build)");
  check->add_option("--expand", o.expand,
                    "With --explain-with: a library folder whose frames count as project code "
                    "(repeatable; e.g. a header-only dependency's include folder)");
  check->add_option("--tighten-hint", o.tighten_command,
                    "The command the tighten suggestion names (default: the ratchet tighten "
                    "command for these files)");
  add_contract_options(check);

  auto* tighten = app.add_subcommand(
      "tighten", "Lower each ceiling to the measurement plus slack; never raises one");
  tighten->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  add_metric(tighten);
  tighten->add_option("--results", o.results, "Google Benchmark JSON")->required();
  tighten
      ->add_option("--slack-percent", o.slack_percent,
                   "Relative slack over the measurement (platform differences only; --metric "
                   "instr: 0.2)")
      ->check(plain_percent)
      ->capture_default_str();
  tighten->add_flag("--dry-run", o.dry_run, "Print the diff without writing");
  tighten->add_option("--only", o.only,
                      "Tighten only these benchmarks (one change, one detector's ceilings)");
  tighten->add_flag("--allow-nondeterministic", o.allow_nondeterministic,
                    "Tighten to the median when repetitions disagree (default: exit 2)");
  add_contract_options(tighten);

  auto* init = app.add_subcommand(
      "init",
      "Record a ceiling (measurement plus slack) for every benchmark of the results that has "
      "none; creates the registry");
  init->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  init->add_option("--results", o.results, "Google Benchmark JSON (with repetitions)")->required();
  init->add_option("--slack-percent", o.slack_percent, "Relative slack over the measurement")
      ->capture_default_str();
  init->add_option("--reason", o.reason, "Reason recorded with each new ceiling");
  init->add_flag("--allow-nondeterministic", o.allow_nondeterministic,
                 "Record the median when repetitions disagree (default: exit 2)");
  add_contract_options(init);

  auto* raise = app.add_subcommand(
      "raise", "Raise (or first record) one ceiling; the only way up, and it needs a reason");
  raise->add_option("benchmark", o.benchmark, "Benchmark name, e.g. BM_PodEvictedDetector")
      ->required();
  raise->add_option("value", o.value, "New ceiling in allocs/event")->required();
  raise->add_option("--reason", o.reason, "Why the ceiling must go up (recorded)")->required();
  raise->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  add_metric(raise);
  auto* window = raise->add_option("--window", o.window,
                                   fmt::format("Window of a newly recorded benchmark (default {}; "
                                               "for a listed one it must be the registry's)",
                                               bench::window_events));

  auto* restamp = app.add_subcommand(
      "restamp",
      "Re-record a platform-stamped registry (--metric instr) on the results' platform: new "
      "stamp, every ceiling set to the measurement plus slack (up or down), with a reason");
  restamp->add_option("--results", o.results, "Results JSON with the platform stamp")->required();
  restamp->add_option("--reason", o.reason, "Why the platform changed (recorded)")->required();
  restamp->add_option("--registry", o.registry, "Ceiling registry")->capture_default_str();
  restamp->add_option("--slack-percent", o.slack_percent, "Slack over the measurement");
  add_metric(restamp);

  auto* explain = app.add_subcommand(
      "explain", "Where a benchmark's allocations come from: call sites per event");
  explain->add_option("benchmark", o.benchmark, "Benchmark name (as in the results)")->required();
  explain
      ->add_option("--bench", o.bench_binary,
                   "Attribution bench binary (allocgate_add_benchmark's <name>_attribution)")
      ->required();
  explain->add_option("--top", o.explain_top, "How many sites to list")->capture_default_str();
  explain->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
  explain->add_option("--source-root", o.source_roots,
                      "Project source tree: code under it is the project's and is printed "
                      "relative to it (repeatable; default: the source directory of the bench "
                      "binary's CMake build)");
  explain->add_option("--expand", o.expand,
                      "A library folder whose frames count as project code, e.g. a header-only "
                      "dependency's include folder (repeatable)");

  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? exit_ok : exit_error;
  }
  o.window_given = window->count() > 0;
  for (CLI::App* sub : {check, tighten, raise, restamp, init}) {
    if (!*sub) continue;
    o.registry_given = sub->get_option("--registry")->count() > 0;
    if (sub != raise) o.slack_given = sub->get_option("--slack-percent")->count() > 0;
  }
  try {
    if ((*check || *explain) && o.explain_top < 1)
      throw input_error(fmt::format("--top must be at least 1, got {}", o.explain_top));
    if (*check) return run_check(o, out, err);
    if (*tighten) return run_tighten(o, out, err);
    if (*raise) return run_raise(o, out);
    if (*restamp) return run_restamp(o, out);
    if (*init) return run_init(o, out, err);
    if (*explain) return run_explain(o, out);
  } catch (const std::exception& e) {
    err << "ratchet: error: " << e.what() << "\n";
    return exit_error;
  }
  return exit_error;
}

}  // namespace tools::ratchet
