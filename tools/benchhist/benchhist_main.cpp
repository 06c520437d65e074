// File: benchhist_main.cpp
// `benchhist`: the timing side of allocgate. Keeps every benchmark run in a history store
// (SQLite by default), compares runs with a statistical test instead of a bare percentage,
// gates ns/event against the committed per-platform baseline, reports noise (CV) and rolling
// medians, finds change points, and draws charts.
//
// Exit codes (stable): 0 ok, 1 regression / over budget / nondeterminism, 2 input or
// configuration error (fail closed; nothing written).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/atomic_file.h"
#include "benchhist/changepoints.h"
#include "common/error.h"
#include "common/gbench_results.h"
#include "benchhist/history_compare.h"
#include "benchhist/history_ingest.h"
#include "benchhist/history_reports.h"
#include "benchhist/history_store.h"
#include "benchhist/html_report.h"
#include "common/stats.h"
#include "benchhist/svg_chart.h"
#include "common/table.h"
#include "benchhist/timing_gate.h"

namespace {

using namespace tools;

// The HTML report shows at most this many runs per chart, so it stays small however long the
// history grows.
constexpr std::size_t report_max_runs = 100;

struct options {
  std::string db = "bench-history.db";
  std::string results;
  ingest_options ingest;
  std::string run;
  run_filter filter;
  std::string base = "merge-base";
  std::string head;
  std::vector<std::string> metrics;
  std::string metric = "ns/event";
  double threshold = 10;
  std::string format = "text";
  std::string baseline;
  std::string out;
  std::string benchmark;
  double max = 0;
  std::optional<double> ceiling;
  std::size_t last = 10;
  bool quiet = false;
};

std::string short_sha(const std::string& sha) {
  return sha.substr(0, 10);
}

std::string run_label(const run_info& i) {
  return fmt::format("run {} ({}{}{}, {}, {})", i.id, short_sha(i.commit),
                     i.branch.empty() ? "" : " on ", i.branch, i.platform, i.allocator);
}

sample_set run_samples(const run_record& r) {
  return {run_label(r.info), r.samples};
}

std::unique_ptr<history_store> open_store(const options& o) {
  return open_sqlite_history(o.db);
}

// A stored run named by id or by commit (prefix).
run_record find_run(const history_store& store, const std::string& spec, const run_filter& f) {
  if (!spec.empty() && spec.find_first_not_of("0123456789") == std::string::npos) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), id);
    if (ec == std::errc{} && end == spec.data() + spec.size())
      if (auto r = store.get_run(id)) return *r;
    throw input_error(fmt::format("no run with id {}", spec));
  }
  if (auto i = store.find_commit(spec, f)) return *store.get_run(i->id);
  throw input_error(fmt::format("no stored run of commit '{}'{}", spec,
                                f.platform.empty() ? "" : " on " + f.platform));
}

// A results file: Google Benchmark JSON or a timing baseline.
sample_set file_samples(const std::string& path) {
  const std::string text = read_file(path);
  if (is_baseline_text(text))
    return parse_baseline(text, path).samples(fmt::format("{} (baseline)", path));
  return {path, samples_from_results(parse_gbench_results(text, path))};
}

// ---- ingest / list / show ----

int run_ingest(options& o) {
  fill_from_git(o.ingest);
  const std::string text = read_file(o.results);
  const run_record run = make_run(text, o.results, o.ingest);
  auto store = open_store(o);
  const std::int64_t id = store->add_run(run);
  std::size_t values = 0;
  for (const auto& [b, m] : run.samples)
    for (const auto& [k, v] : m)
      values += v.size();
  std::printf("benchhist: stored run %lld: commit %s, %s, %s, %zu benchmarks, %zu values\n",
              static_cast<long long>(id), short_sha(run.info.commit).c_str(),
              run.info.platform.c_str(), run.info.allocator.c_str(), run.samples.size(), values);
  return exit_ok;
}

int run_list(options& o) {
  auto store = open_store(o);
  table t(
      {"run", "commit", "branch", "merge-base", "platform", "allocator", "ingested"},
      {align::right, align::left, align::left, align::left, align::left, align::left, align::left});
  for (const auto& i : store->list_runs(o.filter))
    t.add_row({std::to_string(i.id), short_sha(i.commit), i.branch, short_sha(i.merge_base),
               i.platform, i.allocator, i.timestamp});
  if (t.empty()) {
    std::printf("benchhist: no runs in %s\n", o.db.c_str());
    return exit_ok;
  }
  std::fputs(t.render_text().c_str(), stdout);
  return exit_ok;
}

int run_show(options& o) {
  auto store = open_store(o);
  const run_record r = find_run(*store, o.run, o.filter);
  const run_info& i = r.info;
  std::printf(
      "run %lld\ncommit:     %s\nparent:     %s\nmerge-base: %s\nbranch:     %s\nplatform:   "
      "%s\nallocator:  %s\ningested:   %s\nbench date: %s\nsource:     %s\nhash:       %s\n"
      "machine:    %s\n\n",
      static_cast<long long>(i.id), i.commit.c_str(), i.parent.c_str(), i.merge_base.c_str(),
      i.branch.c_str(), i.platform.c_str(), i.allocator.c_str(), i.timestamp.c_str(),
      i.bench_date.c_str(), i.source.c_str(), i.content_hash.c_str(), i.machine.c_str());
  table t({"benchmark", "metric", "reps", "median", "values"},
          {align::left, align::left, align::right, align::right, align::left});
  for (const auto& [bench, metrics] : r.samples)
    for (const auto& [metric, values] : metrics) {
      std::string list;
      for (double v : values)
        list += (list.empty() ? "" : " ") + format_value(v);
      t.add_row({bench, metric, std::to_string(values.size()), format_value(median(values)), list});
    }
  std::fputs(t.render_text().c_str(), stdout);
  return exit_ok;
}

// ---- compare / check / baseline ----

compare_options make_compare_options(const options& o) {
  compare_options c;
  if (!o.metrics.empty()) c.metrics = o.metrics;
  c.threshold_percent = o.threshold;
  return c;
}

int emit_compare(const compare_report& rep, const options& o) {
  std::fputs(
      (o.format == "markdown" ? render_compare_markdown(rep) : render_compare_text(rep)).c_str(),
      stdout);
  return rep.regressed() ? exit_regression : exit_ok;
}

int run_compare(options& o) {
  const bool head_is_file = !o.head.empty() && std::filesystem::exists(o.head);
  const bool base_is_file = std::filesystem::exists(o.base);
  std::unique_ptr<history_store> store;
  if (!head_is_file || !base_is_file) store = open_store(o);

  sample_set head;
  std::optional<run_info> head_run;
  if (head_is_file) {
    head = file_samples(o.head);
  } else if (o.head.empty()) {
    run_filter latest = o.filter;
    latest.last = 1;
    const auto runs = store->list_runs(latest);
    if (runs.empty()) throw input_error(fmt::format("no runs in {} to compare", o.db));
    const run_record r = *store->get_run(runs.back().id);
    head = run_samples(r);
    head_run = r.info;
  } else {
    const run_record r = find_run(*store, o.head, o.filter);
    head = run_samples(r);
    head_run = r.info;
  }

  sample_set base;
  // Runs of the base must be comparable: same platform and allocator as the head run.
  run_filter same = o.filter;
  if (head_run) {
    same.platform = head_run->platform;
    same.allocator = head_run->allocator;
  }
  if (base_is_file) {
    base = file_samples(o.base);
  } else if (o.base == "merge-base") {
    std::string mb;
    if (head_run) {
      mb = head_run->merge_base;
    } else {
      ingest_options g;
      fill_from_git(g);
      mb = g.merge_base;
    }
    if (mb.empty())
      throw input_error(
          "the head has no known merge-base (ingest with --merge-base, or pass --base RUN)");
    auto i = store->find_commit(mb, same);
    if (!i)
      throw input_error(
          fmt::format("no stored run of the merge-base {} ({}); run the benchmarks "
                      "there and ingest them, or pass --base",
                      short_sha(mb), same.platform));
    base = run_samples(*store->get_run(i->id));
  } else if (o.base == "previous") {
    const auto runs = store->list_runs(same);
    const run_info* prev = nullptr;
    for (const auto& r : runs)
      if (!head_run || r.id < head_run->id) prev = &r;
    if (prev == nullptr) throw input_error("no previous run to compare with");
    base = run_samples(*store->get_run(prev->id));
  } else {
    base = run_samples(find_run(*store, o.base, same));
  }
  return emit_compare(compare_samples(base, head, make_compare_options(o)), o);
}

int run_check(options& o) {
  if (!std::filesystem::exists(o.baseline))
    throw input_error(fmt::format(
        "{}: no timing baseline for this platform; capture one with scripts/capture-baseline.sh",
        o.baseline));
  const timing_baseline b = load_baseline(o.baseline);
  compare_options c = make_compare_options(o);
  if (o.metrics.empty()) c.metrics = {"ns/event"};
  c.soft = b.soft_benchmarks();
  // A hard gate with no measurement fails closed (exit 2), never "missing in head" and pass.
  c.required = b.hard_benchmarks();
  const sample_set head = file_samples(o.results);
  return emit_compare(
      compare_samples(b.samples(fmt::format("{} (commit {})", o.baseline, short_sha(b.commit))),
                      head, c),
      o);
}

int run_baseline(options& o) {
  const gbench_results results = load_gbench_results(o.results);
  fill_from_git(o.ingest);
  const std::string platform = o.ingest.platform.empty() ? detect_platform() : o.ingest.platform;
  std::optional<timing_baseline> previous;
  if (std::filesystem::exists(o.out)) previous = load_baseline(o.out);
  const timing_baseline fresh = make_baseline(results, platform, o.ingest.allocator,
                                              o.ingest.commit, previous ? &*previous : nullptr);
  write_file_atomically(o.out, serialize_baseline(fresh));
  std::printf("benchhist: wrote %s (%zu benchmarks, %s)\n", o.out.c_str(), fresh.benchmarks.size(),
              platform.c_str());
  if (previous) {
    // What moved since the committed baseline, and whether it is more than noise.
    compare_options c = make_compare_options(o);
    if (o.metrics.empty()) c.metrics = baseline_metrics();
    const compare_report rep = compare_samples(
        previous->samples(fmt::format("committed (commit {})", short_sha(previous->commit))),
        fresh.samples(fmt::format("new capture (commit {})", short_sha(fresh.commit))), c);
    std::fputs(
        (o.format == "markdown" ? render_compare_markdown(rep) : render_compare_text(rep)).c_str(),
        stdout);
  } else {
    std::printf("benchhist: no previous baseline: every benchmark starts soft\n");
  }
  return exit_ok;
}

// ---- reports ----

run_filter window(const options& o) {
  run_filter f = o.filter;
  f.last = o.last;
  return f;
}

int run_cv(options& o) {
  if (o.last < 2) throw input_error("--last must be at least 2 to measure variation");
  auto store = open_store(o);
  cv_options c;
  if (!o.metrics.empty()) c.metrics = o.metrics;
  c.threshold_percent = o.threshold;
  const cv_report rep = make_cv_report(*store, window(o), c);
  if (rep.rows.empty()) throw input_error(fmt::format("no runs with these metrics in {}", o.db));
  std::fputs((o.format == "markdown" ? render_cv_markdown(rep) : render_cv_text(rep)).c_str(),
             stdout);
  return rep.any_nondeterministic() ? exit_regression : exit_ok;
}

int run_median(options& o) {
  if (o.last < 1) throw input_error("--last must be at least 1");
  auto store = open_store(o);
  const median_report rep = make_median_report(*store, window(o), o.metric, o.max, o.benchmark);
  if (rep.rows.empty())
    throw input_error(fmt::format("no runs with metric '{}'{} in {}", o.metric,
                                  o.benchmark.empty() ? "" : " of " + o.benchmark, o.db));
  std::fputs(render_median_text(rep).c_str(), stdout);
  for (const auto& r : rep.rows)
    if (r.runs < rep.wanted)
      std::fprintf(stderr,
                   "benchhist: warning: %s: need >= %zu runs for a rolling median over %zu, have "
                   "%zu\n",
                   r.benchmark.c_str(), rep.wanted, rep.wanted, r.runs);
  return rep.over_budget() ? exit_regression : exit_ok;
}

int run_changes(options& o) {
  auto store = open_store(o);
  run_filter f = o.filter;
  f.last = o.last;
  const history_series series = load_series(*store, f, o.metric, o.benchmark);
  if (series.empty())
    throw input_error(fmt::format("no runs with metric '{}' in {}", o.metric, o.db));
  table t({"benchmark", "run", "commit", "before", "after", "change", "p"},
          {align::left, align::right, align::left, align::right, align::right, align::right,
           align::right});
  for (const auto& [bench, points] : series) {
    std::vector<double> v;
    for (const auto& p : points)
      v.push_back(p.median);
    const auto cps = e_divisive(v);
    std::size_t seg_start = 0;
    for (std::size_t k = 0; k < cps.size(); ++k) {
      const std::size_t at = cps[k].index;
      const std::size_t seg_end = k + 1 < cps.size() ? cps[k + 1].index : v.size();
      const double before = median(std::span(v).subspan(seg_start, at - seg_start));
      const double after = median(std::span(v).subspan(at, seg_end - at));
      t.add_row({bench, std::to_string(points[at].run.id), short_sha(points[at].run.commit),
                 format_value(before), format_value(after),
                 before != 0 ? fmt::format("{:+.2f}%", (after - before) * 100 / before) : "-",
                 fmt::format("{:.3f}", cps[k].p)});
      seg_start = at;
    }
  }
  if (t.empty())
    std::printf("benchhist: no change points in %s (%zu benchmark(s))\n", o.metric.c_str(),
                series.size());
  else
    std::fputs(t.render_text().c_str(), stdout);
  std::printf(
      "method: E-Divisive means (Matteson & James 2014) on per-run medians, permutation test "
      "(199 seeded permutations, p <= 0.05)\n");
  return exit_ok;
}

std::vector<chart_data> make_charts(const history_series& series, const std::string& metric,
                                    const std::optional<timing_baseline>& baseline,
                                    std::optional<double> ceiling) {
  std::vector<chart_data> charts;
  for (const auto& [bench, points] : series) {
    chart_data c;
    c.title = bench;
    c.metric = metric;
    for (const auto& p : points) {
      c.labels.push_back(p.run.commit.substr(0, 7));
      c.values.push_back(p.median);
    }
    for (const auto& cp : e_divisive(c.values))
      c.change_points.push_back(cp.index);
    if (ceiling) {
      c.reference = ceiling;
      c.reference_label = fmt::format("budget {}", format_value(*ceiling));
    } else if (baseline) {
      auto b = baseline->benchmarks.find(bench);
      if (b != baseline->benchmarks.end()) {
        auto m = b->second.metrics.find(metric);
        if (m != b->second.metrics.end() && !m->second.empty()) {
          c.reference = median(m->second);
          c.reference_label = fmt::format("baseline {}", format_value(*c.reference));
        }
      }
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

std::string file_name_for(const std::string& bench) {
  std::string s = bench;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return s;
}

int run_trend(options& o) {
  auto store = open_store(o);
  const history_series series = load_series(*store, window(o), o.metric, o.benchmark);
  if (series.empty())
    throw input_error(fmt::format("no runs with metric '{}' in {}", o.metric, o.db));
  std::optional<timing_baseline> baseline;
  if (!o.baseline.empty()) baseline = load_baseline(o.baseline);
  std::filesystem::create_directories(o.out);
  for (const auto& c : make_charts(series, o.metric, baseline, o.ceiling)) {
    const std::string path = fmt::format("{}/{}.svg", o.out, file_name_for(c.title));
    write_file_atomically(path, render_svg_chart(c));
    std::printf("%s\n", path.c_str());
  }
  return exit_ok;
}

int run_report(options& o) {
  if (o.last > report_max_runs) o.last = report_max_runs;
  auto store = open_store(o);
  std::optional<timing_baseline> baseline;
  if (!o.baseline.empty()) baseline = load_baseline(o.baseline);
  const history_series series = load_series(*store, window(o), o.metric, "");
  if (series.empty())
    throw input_error(fmt::format("no runs with metric '{}' in {}", o.metric, o.db));
  // Group a detector's warm and cold benchmarks together.
  std::map<std::string, report_group> groups;
  for (auto& c : make_charts(series, o.metric, baseline, std::nullopt)) {
    std::string g = c.title;
    if (g.size() > 4 && g.compare(g.size() - 4, 4, "Cold") == 0) g.resize(g.size() - 4);
    groups[g].name = g;
    groups[g].charts.push_back(std::move(c));
  }
  std::vector<report_group> ordered;
  for (auto& [_, g] : groups)
    ordered.push_back(std::move(g));
  // The newest run against the one before it on the same platform and allocator.
  std::optional<compare_report> latest;
  const auto runs = store->list_runs(window(o));
  if (runs.size() >= 2) {
    run_filter same;
    same.platform = runs.back().platform;
    same.allocator = runs.back().allocator;
    const auto comparable = store->list_runs(same);
    if (comparable.size() >= 2) {
      compare_options c = make_compare_options(o);
      latest = compare_samples(run_samples(*store->get_run(comparable[comparable.size() - 2].id)),
                               run_samples(*store->get_run(comparable.back().id)), c);
    }
  }
  std::filesystem::create_directories(o.out);
  const std::string path = o.out + "/index.html";
  write_file_atomically(
      path, render_html_report(
                "allocgate benchmark history",
                fmt::format("{} over the last {} runs (at most {}) of {}; orange lines mark "
                            "change points (E-Divisive means).",
                            o.metric, runs.size(), report_max_runs, o.db),
                ordered, latest ? &*latest : nullptr));
  std::printf("%s\n", path.c_str());
  return exit_ok;
}

// ---- option validation: every numeric option is checked before anything runs ----

// A finite number >= min. NaN compares false with everything, so a NaN threshold or budget
// would silently pass (or fail) every row; infinities are no threshold either.
CLI::Validator finite_at_least(double min) {
  return CLI::Validator(
      [min](std::string& in) -> std::string {
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
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), v);
        if (in.empty() || ec != std::errc{} || end != in.data() + in.size() || v > INT64_MAX)
          return fmt::format("expected a whole number >= {}, got '{}'", min, in);
        if (v < min) return fmt::format("must be >= {}, got '{}'", min, in);
        return std::string{};
      },
      fmt::format("INT >= {}", min));
}

void add_threshold(CLI::App* c, options& o, const char* help) {
  c->add_option("--threshold", o.threshold, help)->check(finite_at_least(0))->capture_default_str();
}

void add_filter(CLI::App* c, options& o) {
  c->add_option("--platform", o.filter.platform, "Only runs of this platform");
  c->add_option("--allocator", o.filter.allocator, "Only runs with this allocator");
  c->add_option("--branch", o.filter.branch, "Only runs of this branch");
}

void add_format(CLI::App* c, options& o) {
  c->add_option("--format", o.format, "Output format")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (const char* env = std::getenv("ALLOCGATE_HISTORY_DB"); env != nullptr && *env) o.db = env;
  CLI::App app{
      "benchhist: benchmark history and timing gates. Stores every run (each repetition), "
      "compares runs with the Mann-Whitney U test plus a minimum effect size, gates ns/event "
      "against baselines/<platform>.json, reports noise and change points, draws charts.\n\n"
      "Exit codes: 0 ok, 1 regression / over budget / nondeterministic allocations, 2 input or "
      "configuration error."};
  app.require_subcommand(1);
  app.fallthrough();
  app.add_option("--db", o.db, "History database (env ALLOCGATE_HISTORY_DB)")
      ->capture_default_str();

  auto* ingest = app.add_subcommand("ingest", "Store a Google Benchmark JSON result as a run");
  ingest->add_option("results", o.results, "Google Benchmark JSON (with repetitions)")->required();
  ingest->add_option("--commit", o.ingest.commit, "Commit measured (default: git HEAD)");
  ingest->add_option("--parent", o.ingest.parent, "Its parent (default: from git)");
  ingest->add_option("--merge-base", o.ingest.merge_base,
                     "Its merge-base with main (default: git merge-base with origin/main or main)");
  ingest->add_option("--branch", o.ingest.branch, "Branch (default: git's current branch)");
  ingest->add_option("--allocator", o.ingest.allocator, "Allocator")->capture_default_str();
  ingest->add_option("--platform", o.ingest.platform,
                     "Platform (default: this build's, e.g. linux-amd64-gcc12-libstdc++)");

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
                   "merge-base | previous | RUN id | commit | FILE (results "
                   "or baseline JSON)")
      ->capture_default_str();
  compare->add_option("--head", o.head, "RUN id | commit | FILE (default: the newest run)");
  compare->add_option("--metric", o.metrics,
                      "Metric(s) (default: ns/event allocs/event bytes/event)");
  add_threshold(compare, o, "Minimum effect in percent");
  add_format(compare, o);
  add_filter(compare, o);

  auto* check = app.add_subcommand(
      "check", "Gate: results against the committed timing baseline (hard benchmarks fail)");
  check->add_option("--baseline", o.baseline, "baselines/<platform>.json")->required();
  check->add_option("--results", o.results, "Google Benchmark JSON")->required();
  check->add_option("--metric", o.metrics, "Metric(s) (default: ns/event)");
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
  add_threshold(baseline, o, "Minimum effect in percent for the diff");
  add_format(baseline, o);

  app.add_subcommand("platform", "Print this build's platform name");

  auto* cv = app.add_subcommand(
      "cv", "Noise per benchmark and metric over the last N runs; may a soft gate go hard?");
  cv->add_option("--last", o.last, "Runs")->check(count_at_least(2))->capture_default_str();
  cv->add_option("--metric", o.metrics, "Metric(s) (default: ns/event allocs/event bytes/event)");
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
  changes->add_option("--last", o.last, "Runs (0: all)")->check(count_at_least(0));
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
  report->add_option("--last", o.last, "Runs (at most 100)")->check(count_at_least(1));
  report->add_option("--metric", o.metric, "Metric charted")->capture_default_str();
  report->add_option("--baseline", o.baseline, "Draw baseline medians as reference lines");
  add_filter(report, o);

  // Defaults that differ per subcommand: the report shows up to 100 runs, changes all.
  o.last = 10;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help
      app.exit(e);
      return exit_ok;
    }
    // A usage error is one line on stderr, like every other error, naming the option.
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    std::fprintf(stderr, "benchhist: error: %s (see --help)\n", what.c_str());
    return exit_error;
  }
  if (*report && report->count("--last") == 0) o.last = report_max_runs;
  if (*changes && changes->count("--last") == 0) o.last = 0;
  try {
    if (*ingest) return run_ingest(o);
    if (*list) return run_list(o);
    if (*show) return run_show(o);
    if (*compare) return run_compare(o);
    if (*check) return run_check(o);
    if (*baseline) return run_baseline(o);
    if (app.got_subcommand("platform")) {
      std::printf("%s\n", detect_platform().c_str());
      return exit_ok;
    }
    if (*cv) return run_cv(o);
    if (*med) return run_median(o);
    if (*changes) return run_changes(o);
    if (*trend) return run_trend(o);
    if (*report) return run_report(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchhist: error: %s\n", e.what());
    return exit_error;
  }
  return exit_error;
}
