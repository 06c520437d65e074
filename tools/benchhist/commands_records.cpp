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
#include <vector>

#include "benchhist/commands.h"
#include "benchhist/history_records.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {
namespace {

std::optional<run_record> run_in_file(const std::string& path, const ingest_options& options) {
  return read_run_file(read_file(path), path, options);
}

// True when the store's newest run of this commit, platform and allocator has these results:
// a second import then costs one query per run instead of reading each file again. Anything
// else (another run of the commit is newer, an ambiguous short commit) leaves it to add_run.
bool already_stored(const history_store& store, const run_info& identity) {
  run_filter same;
  same.platform = identity.platform;
  same.allocator = identity.allocator;
  try {
    const std::optional<run_info> newest = store.find_commit(identity.commit, same);
    return newest && newest->commit == identity.commit &&
           newest->content_hash == identity.content_hash;
  } catch (const input_error&) {
    return false;
  }
}

}  // namespace

int import_command(const command_options& o, std::ostream& out) {
  const std::vector<std::string> files = json_files_under(o.import_paths);
  // First pass: every file is read and checked, and the runs ordered; nothing is kept but the
  // order, so that ten thousand records do not all sit in memory at once.
  struct pending {
    std::string ingested, path;
    run_info identity;  // commit, platform, allocator, content hash
    bool operator<(const pending& o) const {
      return std::tie(ingested, path) < std::tie(o.ingested, o.path);
    }
  };
  std::vector<pending> order;
  std::vector<std::string> others;
  for (const std::string& f : files) {
    if (auto run = run_in_file(f, o.ingest)) {
      run->samples.clear();
      run->info.machine.clear();
      order.push_back({run->info.timestamp, f, std::move(run->info)});
    } else {
      others.push_back(f);
    }
  }
  std::sort(order.begin(), order.end());
  const auto store = open_history_store(o.db);
  std::size_t stored = 0, present = 0;
  for (const pending& p : order) {
    if (already_stored(*store, p.identity)) {
      ++present;
      continue;
    }
    try {
      store->add_run(*run_in_file(p.path, o.ingest));
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
