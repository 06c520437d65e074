// File: history_store.h
// The benchmark history: every ingested run (commit, branch, platform, allocator, machine) with
// every benchmark's metrics, each repetition kept. This header is the whole contract between
// benchhist and a storage backend; commands talk to `history_store` only, and
// `open_history_store` picks the backend from a location string. The backends live in
// store/<name>/ (store/sqlite/, store/postgres/); store/README.md explains how to add one.
//
// What every backend must provide
// -------------------------------
// * Persistence: a run added through one `history_store` object is visible to every store
//   opened on the same location afterwards, in this process or another.
// * Transactions: `add_run` is all or nothing. A process killed half-way through leaves either
//   the whole run or none of it; readers never see a run without its samples.
// * Concurrency: several processes may ingest into one location at once (parallel CI jobs);
//   each waits for the others, none fails or loses a run because another is writing.
// * Duplicates: a run is identified by (commit, platform, allocator, content_hash). Adding an
//   identical run again throws duplicate_run_error naming the stored run's id, and writes
//   nothing.
// * Ids: `add_run` assigns ids that increase with ingest order; listing is by id.
// * Values: every repetition of every metric comes back exactly as stored (doubles
//   bit-for-bit, except that SQLite reads -0.0 back as 0.0; repetitions in order, benchmarks
//   and metrics sorted by name).
// * Migrations: a backend with a schema records its version in the store itself, upgrades an
//   older store on open (each step atomic, so an interrupted upgrade is retried, never half
//   applied) and refuses, with input_error, a store written by a newer benchhist rather than
//   misreading it. A reader (store_access::read_only) never creates, migrates or writes.
// * Errors: every failure the user can cause or fix (unreadable location, locked too long,
//   corrupt or newer store) is an input_error whose message names the location; benchhist
//   turns it into one line on stderr and exit 2.
//
// tools/benchhist/store/store_conformance_test.cpp checks these promises for every backend.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

namespace tools {

// add_run of a run the store already has: an input_error (benchhist ingest exits 2), which
// import tells apart to skip what is stored.
class duplicate_run_error : public input_error {
 public:
  duplicate_run_error(const std::string& what, std::int64_t stored_id)
      : input_error(what), stored_id_(stored_id) {}
  std::int64_t stored_id() const { return stored_id_; }

 private:
  std::int64_t stored_id_;
};

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
  // duplicate_run_error when a run with the same commit, platform, allocator and content hash
  // exists.
  // Returns the new run's id.
  virtual std::int64_t add_run(const run_record& run) = 0;
  // The runs matching the filter's platform, allocator and branch (its newest `last` when
  // `last` is not 0), in ingest order (oldest first).
  virtual std::vector<run_info> list_runs(const run_filter& filter) const = 0;
  // The run with this id and all its samples; nullopt when there is none.
  virtual std::optional<run_record> get_run(std::int64_t id) const = 0;
  // The newest run of `commit` (a full SHA or a unique prefix of at least 4 characters)
  // matching the filter's platform and allocator; nullopt when there is none or the prefix is
  // shorter than 4. Throws input_error when the prefix names two different commits.
  virtual std::optional<run_info> find_commit(const std::string& commit,
                                              const run_filter& filter) const = 0;
};

// Commands that only read open the store read_only: it must exist and be benchhist's, and
// nothing is created, migrated or written (a read-only file in a read-only directory can be read).
enum class store_access { read_write, read_only };

// The backend a location names, opened (read_write: created and migrated when needed):
//   PATH                  a SQLite database file (the default backend)
//   sqlite:PATH           the same, explicitly (a path containing ':' is written this way)
//   postgresql://...      a database on a PostgreSQL server (libpq URI; postgres:// too);
//                         what it leaves out comes from the PG* environment variables
// Any other `scheme:` prefix throws input_error listing the known schemes.
std::unique_ptr<history_store> open_history_store(const std::string& location,
                                                  store_access access = store_access::read_write);

// The location as messages and reports show it: a password in it replaced by "***".
std::string shown_location(const std::string& location);

}  // namespace tools
