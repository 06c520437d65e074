// File: history_records.h
// Run records: one self-describing JSON file per run, from which any history store can be
// rebuilt, so that no store is the only copy of the history. CI uploads each run's record as
// an artifact; `benchhist import` reads records (and raw Google Benchmark results) back into a
// store, skipping what it already has.
//
// A record (format "allocgate-bench-record", version 1):
//   {
//     "format": "allocgate-bench-record", "version": 1,
//     "run": {"commit", "parent", "merge_base", "branch", "platform", "allocator",
//             "ingested" (UTC ISO-8601), "bench_date", "source", "content_hash"},
//     "results": {Google Benchmark JSON: "context" (the machine) and "benchmarks" (every
//                 repetition)}
//   }
// The reader and the writer are both here, so they cannot disagree.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "benchhist/history_ingest.h"
#include "benchhist/history_store.h"

namespace tools {

inline constexpr const char* record_format = "allocgate-bench-record";
inline constexpr int record_version = 1;

// The record of a run whose Google Benchmark JSON is `results_json` (as ingested).
std::string make_record(const run_info& info, const std::string& results_json);

// The record of a stored run: its benchmarks rebuilt as Google Benchmark entries (one per
// repetition; real_time / cpu_time from real_time_ns / cpu_time_ns, every other metric a
// counter) and its machine description as the context. Importing it stores the same run.
std::string make_record(const run_record& run);

// "<commit>-<platform>-<allocator>-<content hash>.json", characters outside [A-Za-z0-9._+-]
// replaced by '_': one name per run, the same on every export.
std::string record_file_name(const run_info& info);

// The run a record holds. Throws input_error naming `path` and the field when it is not a
// complete record of a version this benchhist reads.
run_record read_record(const std::string& text, const std::string& path);

// The run a JSON file holds, for import: a record's run; Google Benchmark results ingested
// with `options` (which must name the commit); nullopt for any other JSON (a baseline, a
// report). Throws input_error naming `path` (and the line or field) when it is not JSON, is a
// malformed record, or is results without a commit.
std::optional<run_record> read_run_file(const std::string& text, const std::string& path,
                                        const ingest_options& options);

// Writes `content` as DIR/NAME atomically (DIR created when missing); returns the path.
std::string write_record_file(const std::string& dir, const std::string& name,
                              const std::string& content);

// The JSON files a list of paths names: files as given, directories walked (recursively,
// sorted by path, only *.json). Throws input_error for a path that does not exist.
std::vector<std::string> json_files_under(const std::vector<std::string>& paths);

}  // namespace tools
