// File: commands_runs.cpp
// ingest, list, show: putting runs into the history and looking at them.
#include <fmt/format.h>

#include "benchhist/commands.h"
#include "benchhist/history_compare.h"
#include "benchhist/history_records.h"
#include "benchhist/run_selection.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/stats.h"
#include "common/table.h"

namespace tools {

int ingest_command(command_options& o, std::ostream& out) {
  fill_from_git(o.ingest);
  const std::string text = read_file(o.results);
  const run_record run = make_run(text, o.results, o.ingest);
  // The record first: it is the copy that outlives the store, even when the store refuses.
  if (!o.record_out.empty())
    out << fmt::format(
        "benchhist: wrote record {}\n",
        write_record_file(o.record_out, record_file_name(run.info), make_record(run.info, text)));
  const std::int64_t id = open_history_store(o.db)->add_run(run);
  std::size_t values = 0;
  for (const auto& [b, m] : run.samples)
    for (const auto& [k, v] : m)
      values += v.size();
  out << fmt::format("benchhist: stored run {}: commit {}, {}, {}, {} benchmarks, {} values\n", id,
                     short_sha(run.info.commit), run.info.platform, run.info.allocator,
                     run.samples.size(), values);
  return exit_ok;
}

int list_command(const command_options& o, std::ostream& out) {
  const auto store = open_history_store(o.db, store_access::read_only);
  table t(
      {"run", "commit", "branch", "merge-base", "platform", "allocator", "ingested"},
      {align::right, align::left, align::left, align::left, align::left, align::left, align::left});
  for (const auto& i : store->list_runs(o.filter))
    t.add_row({std::to_string(i.id), short_sha(i.commit), i.branch, short_sha(i.merge_base),
               i.platform, i.allocator, i.timestamp});
  if (t.empty())
    out << fmt::format("benchhist: no runs in {}\n", shown_location(o.db));
  else
    out << t.render_text();
  return exit_ok;
}

int show_command(const command_options& o, std::ostream& out) {
  const auto store = open_history_store(o.db, store_access::read_only);
  const run_record r = find_run(*store, o.run, o.filter);
  const run_info& i = r.info;
  out << fmt::format(
      "run {}\ncommit:     {}\nparent:     {}\nmerge-base: {}\nbranch:     {}\nplatform:   "
      "{}\nallocator:  {}\ningested:   {}\nbench date: {}\nsource:     {}\nhash:       {}\n"
      "machine:    {}\n\n",
      i.id, i.commit, i.parent, i.merge_base, i.branch, i.platform, i.allocator, i.timestamp,
      i.bench_date, i.source, i.content_hash, i.machine);
  table t({"benchmark", "metric", "reps", "median", "values"},
          {align::left, align::left, align::right, align::right, align::left});
  for (const auto& [bench, metrics] : r.samples)
    for (const auto& [metric, values] : metrics) {
      std::string list;
      for (double v : values) {
        if (!list.empty()) list += ' ';
        list += format_value(v);
      }
      t.add_row({bench, metric, std::to_string(values.size()), format_value(median(values)), list});
    }
  out << t.render_text();
  return exit_ok;
}

}  // namespace tools
