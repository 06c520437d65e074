// File: commands_records.cpp
// import and export: moving runs between stores and run records (history_records.h).
//
// import reads every file before it opens the store: a malformed one stops it with nothing
// written. Runs go in in the order they were first ingested (their records' "ingested" time),
// so a store rebuilt from records lists them as the original did; what the store already has
// is skipped, so importing the same records twice stores them once.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "benchhist/commands.h"
#include "benchhist/history_records.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {
namespace {

std::optional<run_record> run_in_file(const std::string& path, const ingest_options& options) {
  return read_run_file(read_file(path), path, options);
}

}  // namespace

int import_command(const command_options& o, std::ostream& out) {
  const std::vector<std::string> files = json_files_under(o.import_paths);
  // First pass: every file is read and checked, and the runs ordered; nothing is kept but the
  // order, so that ten thousand records do not all sit in memory at once.
  std::vector<std::tuple<std::string, std::string>> order;  // (ingested, path)
  std::vector<std::string> others;
  for (const std::string& f : files) {
    if (const auto run = run_in_file(f, o.ingest))
      order.emplace_back(run->info.timestamp, f);
    else
      others.push_back(f);
  }
  std::stable_sort(order.begin(), order.end());
  const auto store = open_history_store(o.db);
  std::size_t stored = 0, present = 0;
  for (const auto& [when, path] : order) {
    try {
      store->add_run(*run_in_file(path, o.ingest));
      ++stored;
    } catch (const duplicate_run_error&) {
      ++present;
    }
  }
  for (const std::string& f : others)
    out << fmt::format("benchhist: skipped {}: neither a run record nor benchmark results\n", f);
  out << fmt::format("benchhist: imported {} runs into {} ({} already stored, {} files read)\n",
                     stored, shown_location(o.db), present, files.size());
  return exit_ok;
}

int export_command(command_options& o, std::ostream& out) {
  std::size_t written = 0;
  if (!o.results.empty()) {
    // A results file straight to its record, no store involved (per-change CI).
    fill_from_git(o.ingest);
    const std::string text = read_file(o.results);
    const run_record run = make_run(text, o.results, o.ingest);
    out << fmt::format(
        "benchhist: wrote record {}\n",
        write_record_file(o.out, record_file_name(run.info), make_record(run.info, text)));
    return exit_ok;
  }
  const auto store = open_history_store(o.db, store_access::read_only);
  for (const run_info& info : store->list_runs(o.filter)) {
    const std::optional<run_record> run = store->get_run(info.id);
    if (!run) continue;
    write_record_file(o.out, record_file_name(info), make_record(*run));
    ++written;
  }
  out << fmt::format("benchhist: wrote {} records to {}\n", written, o.out);
  return exit_ok;
}

}  // namespace tools
