// File: cli.cpp
// benchhist's command-line parsing: subcommands, options, their validation and defaults. Every
// numeric option is checked before anything runs, and every error, usage errors included, is
// one line on stderr ending in exit 2. The subcommands themselves are in commands_*.cpp.
#include "benchhist/cli.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "benchhist/commands.h"
#include "benchhist/history_compare.h"
#include "common/decimal.h"
#include "common/error.h"

namespace tools::benchhist {
namespace {

// A finite number >= min. NaN compares false with everything, so a NaN threshold or budget
// would silently pass (or fail) every row; infinities are no threshold either.
CLI::Validator finite_at_least(double min) {
  return CLI::Validator(
      [min](std::string& in) -> std::string {
        // strtod also reads hex ("0x10" as 16) and skips leading spaces: neither is a threshold
        // anyone typed on purpose.
        if (in.find_first_of("xXpP \t\n") != std::string::npos)
          return fmt::format("expected a decimal number, got '{}'", in);
        const char* begin = in.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        if (in.empty() || end != begin + in.size())
          return fmt::format("expected a number, got '{}'", in);
        if (!std::isfinite(v)) return fmt::format("must be a finite number, got '{}'", in);
        if (v < min) return fmt::format("must be >= {}, got '{}'", min, in);
        return std::string{};
      },
      fmt::format("NUMBER >= {}", min));
}

// A whole number >= min. Checked on the text: CLI11 would otherwise read "-3" into an unsigned
// option as 2^64 - 3.
CLI::Validator count_at_least(std::uint64_t min) {
  return CLI::Validator(
      [min](std::string& in) -> std::string {
        const std::optional<std::uint64_t> v = parse_decimal(in);
        if (!v || *v > INT64_MAX)
          return fmt::format("expected a whole number >= {}, got '{}'", min, in);
        if (*v < min) return fmt::format("must be >= {}, got '{}'", min, in);
        return std::string{};
      },
      fmt::format("INT >= {}", min));
}

// A recorded date as ISO-8601 UTC, "2026-01-02T03:04:05Z": anything else ("yesterday") would be
// stored and shown as the run's date.
const CLI::Validator utc_date(
    [](std::string& in) -> std::string {
      static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
      bool ok = in.size() == shape.size();
      for (std::size_t i = 0; ok && i < shape.size(); ++i)
        ok = shape[i] == 'd' ? in[i] >= '0' && in[i] <= '9' : in[i] == shape[i];
      if (!ok) return fmt::format("expected a UTC date such as 2026-01-02T03:04:05Z, got '{}'", in);
      return std::string{};
    },
    "");

// Run metadata (commit, branch, platform...) is printed in one-line table rows: a control
// character (a newline pasted with a SHA) would break them.
const CLI::Validator one_line(
    [](std::string& in) -> std::string {
      for (const char c : in)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          return fmt::format("contains control character 0x{:02x}; give it on one line",
                             static_cast<unsigned char>(c));
      return std::string{};
    },
    "");

void add_threshold(CLI::App* c, command_options& o, const char* help) {
  c->add_option("--threshold", o.threshold, help)->check(finite_at_least(0))->capture_default_str();
}

void add_filter(CLI::App* c, command_options& o) {
  c->add_option("--platform", o.filter.platform, "Only runs of this platform");
  c->add_option("--allocator", o.filter.allocator, "Only runs with this allocator");
  c->add_option("--branch", o.filter.branch, "Only runs of this branch");
}

void add_format(CLI::App* c, command_options& o) {
  c->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
}

const std::string default_metrics =
    fmt::format("{} {} {} {}", bench::counter::ns_per_event, bench::counter::allocs_per_event,
                bench::counter::bytes_per_event, bench::counter::instr_per_event);

}  // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  command_options o;
  if (const char* env = std::getenv("ALLOCGATE_HISTORY_DB"); env != nullptr && *env) o.db = env;
  CLI::App app{
      "benchhist: benchmark history and timing gates. Stores every run (each repetition), "
      "compares runs with the Mann-Whitney U test plus a minimum effect size, gates ns/event "
      "against baselines/<platform>.json, reports noise and change points, draws charts.\n\n"
      "Exit codes: 0 ok, 1 regression / over budget / nondeterministic allocations, 2 input or "
      "configuration error.",
      "benchhist"};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--db", o.db,
                 "History location: a SQLite file (sqlite:PATH) or a PostgreSQL database "
                 "(postgresql://[USER@]HOST[:PORT]/DB; password from PGPASSWORD or ~/.pgpass) "
                 "(env ALLOCGATE_HISTORY_DB)")
      ->capture_default_str();

  auto* ingest = app.add_subcommand("ingest", "Store a Google Benchmark JSON result as a run");
  ingest->add_option("results", o.results, "Google Benchmark JSON (with repetitions)")->required();
  ingest->add_option("--commit", o.ingest.commit, "Commit measured (default: git HEAD)")
      ->check(one_line);
  ingest->add_option("--parent", o.ingest.parent, "Its parent (default: from git)")
      ->check(one_line);
  ingest
      ->add_option("--merge-base", o.ingest.merge_base,
                   "Its merge-base with main (default: git merge-base with origin/main or main)")
      ->check(one_line);
  ingest->add_option("--branch", o.ingest.branch, "Branch (default: git's current branch)")
      ->check(one_line);
  ingest->add_option("--allocator", o.ingest.allocator, "Allocator")
      ->check(one_line)
      ->capture_default_str();
  ingest
      ->add_option("--platform", o.ingest.platform,
                   "Platform (default: this build's, e.g. linux-amd64-gcc12-libstdc++)")
      ->check(one_line);
  ingest
      ->add_option("--date", o.ingest.timestamp,
                   "Ingest time recorded, UTC ISO-8601 (default: now)")
      ->check(utc_date);
  ingest->add_option("--record-out", o.record_out,
                     "Also write the run's record (JSON any store can import) to this directory");

  auto* import = app.add_subcommand(
      "import", "Store the runs of records (or results) not stored yet; reads all before writing");
  import->add_option("paths", o.import_paths, "Records, results, or directories of them")
      ->required();
  import->add_option("--commit", o.ingest.commit, "Commit of raw results files (not records)")
      ->check(one_line);
  import->add_option("--parent", o.ingest.parent, "Parent of raw results files")->check(one_line);
  import->add_option("--merge-base", o.ingest.merge_base, "Merge-base of raw results files")
      ->check(one_line);
  import->add_option("--branch", o.ingest.branch, "Branch of raw results files")->check(one_line);
  import->add_option("--allocator", o.ingest.allocator, "Allocator of raw results files")
      ->check(one_line)
      ->capture_default_str();
  import->add_option("--platform", o.ingest.platform, "Platform of raw results files")
      ->check(one_line);
  import->add_option("--date", o.ingest.timestamp, "Ingest time of raw results files")
      ->check(utc_date);

  auto* export_ = app.add_subcommand(
      "export", "Write run records: the stored runs, or one results file (--results)");
  export_->add_option("--out", o.out, "Directory")->required();
  export_->add_option("--results", o.results,
                      "Google Benchmark JSON to write as a record (no store involved)");
  export_->add_option("--commit", o.ingest.commit, "With --results: commit (default: git HEAD)")
      ->check(one_line);
  export_->add_option("--parent", o.ingest.parent, "With --results: its parent")->check(one_line);
  export_->add_option("--merge-base", o.ingest.merge_base, "With --results: its merge-base")
      ->check(one_line);
  export_->add_option("--date", o.ingest.timestamp, "With --results: time recorded")
      ->check(utc_date);
  export_
      ->add_option("--platform", o.ingest.platform,
                   "With --results: the run's platform; else only runs of this platform")
      ->check(one_line);
  export_
      ->add_option("--allocator", o.ingest.allocator,
                   "With --results: the run's allocator (default glibc); else a filter")
      ->check(one_line);
  export_
      ->add_option("--branch", o.ingest.branch,
                   "With --results: the run's branch; else only runs of this branch")
      ->check(one_line);
  export_->add_option("--last", o.filter.last, "Only the newest N runs")->check(count_at_least(1));

  auto* list = app.add_subcommand("list", "List stored runs, oldest first");
  add_filter(list, o);
  list->add_option("--last", o.filter.last, "Only the newest N runs")->check(count_at_least(1));

  auto* show = app.add_subcommand("show", "One run: metadata and every value");
  show->add_option("run", o.run, "Run id or commit (prefix)")->required();

  auto* compare =
      app.add_subcommand("compare",
                         "Compare two runs or result files per benchmark and metric (exit 1 on a "
                         "regression)");
  compare
      ->add_option("--base", o.base,
                   "merge-base | previous (always the stored runs) | RUN id | commit | FILE "
                   "(results or baseline JSON; see --base-file)")
      ->capture_default_str();
  compare->add_option("--head", o.head, "RUN id | commit | FILE (default: the newest run)");
  compare->add_option("--base-file", o.base_file,
                      "Results or baseline JSON as the base (even one named like a keyword)");
  compare->add_option("--head-file", o.head_file, "Results JSON as the head");
  compare->add_option("--metric", o.metrics, "Metric(s) (default: " + default_metrics + ")");
  add_threshold(compare, o, "Minimum effect in percent");
  add_format(compare, o);
  add_filter(compare, o);

  auto* check = app.add_subcommand(
      "check", "Gate: results against the committed timing baseline (hard benchmarks fail)");
  check->add_option("--baseline", o.baseline, "baselines/<platform>.json")->required();
  check->add_option("--results", o.results, "Google Benchmark JSON")->required();
  check->add_option("--metric", o.metrics,
                    fmt::format("Metric(s) (default: {})", bench::counter::ns_per_event));
  add_threshold(check, o, "Minimum slowdown in percent");
  add_format(check, o);

  auto* baseline = app.add_subcommand(
      "baseline",
      "Write a timing baseline from results (atomically) and diff it against the "
      "previous one");
  baseline->add_option("--results", o.results, "Google Benchmark JSON")->required();
  baseline->add_option("--out", o.out, "baselines/<platform>.json")->required();
  baseline->add_option("--commit", o.ingest.commit, "Commit measured (default: git HEAD)");
  baseline->add_option("--allocator", o.ingest.allocator, "Allocator")->capture_default_str();
  baseline->add_option("--platform", o.ingest.platform, "Platform (default: this build's)");
  baseline->add_option("--date", o.ingest.timestamp,
                       "Capture time recorded, UTC ISO-8601 (default: now)");
  add_threshold(baseline, o, "Minimum effect in percent for the diff");
  add_format(baseline, o);

  auto* platform = app.add_subcommand("platform", "Print this build's platform name");

  auto* cv = app.add_subcommand(
      "cv", "Noise per benchmark and metric over the last N runs; may a soft gate go hard?");
  cv->add_option("--last", o.last, "Runs")->check(count_at_least(2))->capture_default_str();
  cv->add_option("--metric", o.metrics, "Metric(s) (default: " + default_metrics + ")");
  add_threshold(cv, o, "Threshold of the hard gate in percent");
  add_format(cv, o);
  add_filter(cv, o);

  auto* med = app.add_subcommand("median", "Median of the last N runs against a budget");
  med->add_option("--last", o.last, "Runs")->check(count_at_least(1))->capture_default_str();
  med->add_option("--metric", o.metric, "Metric")->capture_default_str();
  med->add_option("--max", o.max, "Budget: exit 1 when the median is above it")
      ->check(finite_at_least(0))
      ->required();
  med->add_option("--benchmark", o.benchmark, "Only this benchmark");
  add_filter(med, o);

  auto* changes = app.add_subcommand(
      "changes", "Change points in a metric's history (E-Divisive means), with their commits");
  changes->add_option("--metric", o.metric, "Metric")->capture_default_str();
  changes->add_option("--benchmark", o.benchmark, "Only this benchmark");
  changes
      ->add_option("--last", o.last,
                   fmt::format("Newest runs (default {}; 0: all, slow on a long history)",
                               changes_default_runs))
      ->check(count_at_least(0));
  add_filter(changes, o);

  auto* trend = app.add_subcommand("trend", "One SVG line chart per benchmark");
  trend->add_option("--last", o.last, "Runs")->check(count_at_least(1))->capture_default_str();
  trend->add_option("--metric", o.metric, "Metric")->capture_default_str();
  trend->add_option("--out", o.out, "Directory")->required();
  trend->add_option("--benchmark", o.benchmark, "Only this benchmark");
  trend->add_option("--baseline", o.baseline, "Draw the baseline median as the reference line");
  trend->add_option("--ceiling", o.ceiling, "Draw this budget as the reference line")
      ->check(finite_at_least(0));
  add_filter(trend, o);

  auto* report = app.add_subcommand(
      "report", "Self-contained HTML page: charts per detector and the latest comparison");
  report->add_option("--out", o.out, "Directory (index.html)")->required();
  report->add_option("--last", o.last, fmt::format("Runs (at most {})", report_max_runs))
      ->check(count_at_least(1));
  report->add_option("--metric", o.metric, "Metric charted")->capture_default_str();
  report->add_option("--baseline", o.baseline, "Draw baseline medians as reference lines");
  add_filter(report, o);

  try {
    // CLI11 takes the arguments last first.
    app.parse(std::vector<std::string>(args.rbegin(), args.rend()));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help
    // A usage error is one line on stderr, like every other error, naming the option.
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    err << fmt::format("benchhist: error: {} (see --help)\n", what);
    return exit_error;
  }
  // Defaults that differ per subcommand: the report shows up to report_max_runs runs, changes
  // looks at the newest changes_default_runs.
  if (*report && report->count("--last") == 0) o.last = report_max_runs;
  if (*changes && changes->count("--last") == 0) o.last = changes_default_runs;
  // export without --results: --platform, --allocator and --branch select the stored runs.
  if (*export_ && o.results.empty()) {
    o.filter.platform = o.ingest.platform;
    o.filter.branch = o.ingest.branch;
    if (export_->count("--allocator") != 0) o.filter.allocator = o.ingest.allocator;
  }
  try {
    if (*ingest) return ingest_command(o, out);
    if (*import) return import_command(o, out);
    if (*export_) return export_command(o, out);
    if (*list) return list_command(o, out);
    if (*show) return show_command(o, out);
    if (*compare) return compare_command(o, out);
    if (*check) return check_command(o, out);
    if (*baseline) return baseline_command(o, out);
    if (*platform) return platform_command(out);
    if (*cv) return cv_command(o, out);
    if (*med) return median_command(o, out, err);
    if (*changes) return changes_command(o, out);
    if (*trend) return trend_command(o, out);
    if (*report) return report_command(o, out);
  } catch (const std::exception& e) {
    err << fmt::format("benchhist: error: {}\n", e.what());
    return exit_error;
  }
  return exit_error;
}

}  // namespace tools::benchhist
