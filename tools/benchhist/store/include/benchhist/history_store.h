// File: history_store.h
// The benchmark history: every ingested run (commit, branch, platform, allocator, machine) with
// every benchmark's metrics, each repetition kept. Commands talk to the abstract `history_store`
// only, so a shared server backend can be added later beside the embedded SQLite one without
// touching them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tools {

// benchmark -> metric -> values, one per repetition in repetition order.
using metric_samples = std::map<std::string, std::map<std::string, std::vector<double>>>;

struct run_info {
  std::int64_t id = 0;     // assigned by the store
  std::string commit;      // full SHA (or whatever --commit named)
  std::string parent;      // first parent, empty when unknown
  std::string merge_base;  // merge-base with main, empty when unknown
  std::string branch;
  std::string timestamp;     // ingest time, UTC ISO-8601
  std::string bench_date;    // the "date" of the benchmark JSON context
  std::string platform;      // os-arch-compiler-stdlib, e.g. linux-amd64-gcc12-libstdc++
  std::string allocator;     // glibc, mimalloc, jemalloc
  std::string machine;       // the JSON context (host_name, num_cpus, caches...) as JSON text
  std::string content_hash;  // hash of the results; with commit, platform, allocator: unique
  std::string source;        // the file it was ingested from
};

struct run_record {
  run_info info;
  metric_samples samples;
};

// Filters for listing runs; empty strings match everything.
struct run_filter {
  std::string platform;
  std::string allocator;
  std::string branch;
  std::size_t last = 0;  // only the newest `last` runs (0: all)
};

class history_store {
 public:
  virtual ~history_store() = default;
  // Adds one run atomically: afterwards the whole run is there or none of it. Throws
  // input_error when a run with the same commit, platform, allocator and content hash exists.
  // Returns the new run's id.
  virtual std::int64_t add_run(const run_record& run) = 0;
  // Runs in ingest order (oldest first).
  virtual std::vector<run_info> list_runs(const run_filter& filter) const = 0;
  virtual std::optional<run_record> get_run(std::int64_t id) const = 0;
  // The newest run of `commit` (a full SHA or a unique prefix of at least 4 characters)
  // matching the filter's platform and allocator.
  virtual std::optional<run_info> find_commit(const std::string& commit,
                                              const run_filter& filter) const = 0;
};

// The embedded backend: a SQLite database file, created (and migrated) on open. Concurrent
// writers wait for each other (busy timeout); a process killed mid-write leaves no partial run.
std::unique_ptr<history_store> open_sqlite_history(const std::string& path);

// The schema version open_sqlite_history migrates to (PRAGMA user_version).
int sqlite_history_schema_version();

}  // namespace tools
