// File: commands_reports.cpp
// cv, median, changes, trend, report: what the history says over many runs.
#include <fmt/format.h>

#include <filesystem>

#include "benchhist/change_report.h"
#include "benchhist/commands.h"
#include "benchhist/history_charts.h"
#include "benchhist/history_reports.h"
#include "benchhist/html_report.h"
#include "benchhist/run_selection.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {
namespace {

run_filter window(const command_options& o) {
  run_filter f = o.filter;
  f.last = o.last;
  return f;
}

std::optional<timing_baseline> optional_baseline(const command_options& o) {
  if (o.baseline.empty()) return std::nullopt;
  return load_baseline(o.baseline);
}

}  // namespace

int cv_command(const command_options& o, std::ostream& out) {
  if (o.last < 2) throw input_error("--last must be at least 2 to measure variation");
  const auto store = open_history_store(o.db, store_access::read_only);
  cv_options c;
  if (!o.metrics.empty()) c.metrics = o.metrics;
  c.threshold_percent = o.threshold;
  const cv_report rep = make_cv_report(*store, window(o), c);
  if (rep.rows.empty())
    throw input_error(fmt::format("no runs with these metrics in {}", shown_location(o.db)));
  out << (o.format == "markdown" ? render_cv_markdown(rep) : render_cv_text(rep));
  return rep.any_nondeterministic() ? exit_regression : exit_ok;
}

int median_command(const command_options& o, std::ostream& out, std::ostream& err) {
  if (o.last < 1) throw input_error("--last must be at least 1");
  const auto store = open_history_store(o.db, store_access::read_only);
  const median_report rep = make_median_report(*store, window(o), o.metric, o.max, o.benchmark);
  if (rep.rows.empty())
    throw input_error(fmt::format("no runs with metric '{}'{} in {}", o.metric,
                                  o.benchmark.empty() ? "" : " of " + o.benchmark,
                                  shown_location(o.db)));
  out << render_median_text(rep);
  for (const auto& r : rep.rows)
    if (r.runs < rep.wanted)
      err << fmt::format(
          "benchhist: warning: {}: need >= {} runs for a rolling median over {}, have {}\n",
          r.benchmark, rep.wanted, rep.wanted, r.runs);
  return rep.over_budget() ? exit_regression : exit_ok;
}

int changes_command(const command_options& o, std::ostream& out) {
  const auto store = open_history_store(o.db, store_access::read_only);
  const history_series series = load_series(*store, window(o), o.metric, o.benchmark);
  if (series.empty())
    throw input_error(
        fmt::format("no runs with metric '{}' in {}", o.metric, shown_location(o.db)));
  out << render_changes_text(find_changes(series), o.metric, series.size());
  // Said on every run: a change older than the window is not "no change".
  if (o.last != 0)
    out << fmt::format("window: the newest {} runs (--last N; --last 0: the whole history)\n",
                       o.last);
  return exit_ok;
}

int trend_command(const command_options& o, std::ostream& out) {
  const auto store = open_history_store(o.db, store_access::read_only);
  const history_series series = load_series(*store, window(o), o.metric, o.benchmark);
  if (series.empty())
    throw input_error(
        fmt::format("no runs with metric '{}' in {}", o.metric, shown_location(o.db)));
  const std::optional<timing_baseline> baseline = optional_baseline(o);
  std::filesystem::create_directories(o.out);
  for (const auto& c : make_charts(series, o.metric, baseline ? &*baseline : nullptr, o.ceiling)) {
    const std::string path = fmt::format("{}/{}.svg", o.out, chart_file_name(c.title));
    write_file_atomically(path, render_svg_chart(c));
    out << path << '\n';
  }
  return exit_ok;
}

int report_command(const command_options& o, std::ostream& out) {
  run_filter w = window(o);
  if (w.last == 0 || w.last > report_max_runs) w.last = report_max_runs;
  const auto store = open_history_store(o.db, store_access::read_only);
  const std::optional<timing_baseline> baseline = optional_baseline(o);
  const history_series series = load_series(*store, w, o.metric, "");
  if (series.empty())
    throw input_error(
        fmt::format("no runs with metric '{}' in {}", o.metric, shown_location(o.db)));
  std::vector<chart_data> charts =
      make_charts(series, o.metric, baseline ? &*baseline : nullptr, std::nullopt);
  // Instruction counts beside the timing, when the history has them: the exact measure of
  // the same work, so a step in ns/event can be told from noise.
  std::string also;
  if (o.metric != bench::counter::instr_per_event) {
    const history_series instr =
        load_series(*store, w, std::string(bench::counter::instr_per_event), "");
    for (auto& c :
         make_charts(instr, std::string(bench::counter::instr_per_event), nullptr, std::nullopt))
      charts.push_back(std::move(c));
    if (!instr.empty()) also = fmt::format(" and {}", bench::counter::instr_per_event);
  }
  const std::vector<report_group> groups = group_by_detector(std::move(charts));
  compare_options c;
  c.threshold_percent = o.threshold;
  if (!o.metrics.empty()) c.metrics = o.metrics;
  const std::optional<compare_report> latest = latest_comparison(*store, w, c);
  const std::size_t runs = store->list_runs(w).size();
  std::filesystem::create_directories(o.out);
  const std::string path = o.out + "/index.html";
  write_file_atomically(
      path, render_html_report(
                "allocgate benchmark history",
                fmt::format("{}{} over the last {} runs (at most {}) of {}; orange lines mark "
                            "change points (E-Divisive means).",
                            o.metric, also, runs, report_max_runs, shown_location(o.db)),
                groups, latest ? &*latest : nullptr));
  out << path << '\n';
  return exit_ok;
}

}  // namespace tools
