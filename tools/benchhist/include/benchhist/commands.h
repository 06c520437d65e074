// File: commands.h
// The bodies of benchhist's subcommands, one function each, over parsed options. They print to
// the given streams, return the exit code (0 ok, 1 regression / over budget /
// nondeterministic), and throw input_error for anything the user must fix (exit 2). cli.cpp
// parses the command line into command_options and calls one of them.
#pragma once

#include <bench/measurement.h>

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "benchhist/history_ingest.h"
#include "benchhist/history_store.h"

namespace tools {

// The HTML report shows at most this many runs per chart, so it stays small however long the
// history grows.
inline constexpr std::size_t report_max_runs = 100;

// `changes` looks at the newest this many runs unless told otherwise (`--last N`, 0 for all):
// E-Divisive's permutation test costs O(n^2) per permutation, so over a shared history that only
// grows an unbounded default would slow without limit (10,000 runs: minutes). 500 runs is months
// of nightly and per-change runs, far more than a change point needs on each side.
inline constexpr std::size_t changes_default_runs = 500;

struct command_options {
  std::string db = "bench-history.db";  // history location (see open_history_store)
  std::string results;
  ingest_options ingest;
  std::string run;
  run_filter filter;
  std::string base = "merge-base";
  std::string head;
  std::string base_file, head_file;  // compare: files named explicitly
  std::vector<std::string> metrics;  // empty: the command's default metrics
  std::string metric = std::string(bench::counter::ns_per_event);
  double threshold = 10;
  std::string format = "text";  // text | markdown
  std::string baseline;
  std::string out;
  std::string benchmark;
  double max = 0;
  std::optional<double> ceiling;
  std::size_t last = 10;
  std::string record_out;                 // ingest: also write the run's record here
  std::vector<std::string> import_paths;  // import: records, results, directories of them
};

// ---- runs: commands_runs.cpp ----
int ingest_command(command_options& o, std::ostream& out);
int list_command(const command_options& o, std::ostream& out);
int show_command(const command_options& o, std::ostream& out);

// ---- records: commands_records.cpp ----
int import_command(const command_options& o, std::ostream& out);
int export_command(command_options& o, std::ostream& out);

// ---- gates: commands_gate.cpp ----
int compare_command(const command_options& o, std::ostream& out);
int check_command(const command_options& o, std::ostream& out);
int baseline_command(command_options& o, std::ostream& out);
int platform_command(std::ostream& out);

// ---- history reports: commands_reports.cpp ----
int cv_command(const command_options& o, std::ostream& out);
int median_command(const command_options& o, std::ostream& out, std::ostream& err);
int changes_command(const command_options& o, std::ostream& out);
int trend_command(const command_options& o, std::ostream& out);
int report_command(const command_options& o, std::ostream& out);

}  // namespace tools
