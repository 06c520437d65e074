// File: history_ingest.h
// Turning a Google Benchmark JSON file into a history run: metrics per repetition, the machine
// description from its context, the platform, and the git coordinates of the code measured.
#pragma once

#include <cstddef>
#include <string>

#include "benchhist/history_store.h"
#include "common/gbench_results.h"

namespace tools {

// What the caller knows about the run; empty fields are filled from git (when inside a
// repository) and from the build of this tool (platform).
struct ingest_options {
  std::string commit;
  std::string parent;
  std::string merge_base;
  std::string branch;
  std::string allocator = "glibc";
  std::string platform;
  std::string timestamp;  // ingest time, UTC ISO-8601 (empty: now)
};

// os-arch-compiler-stdlib of this build, e.g. "linux-amd64-gcc12-libstdc++". benchhist is
// built with the same toolchain as the benchmarks it ingests, so this names theirs.
std::string detect_platform();

// Every metric of every benchmark, each repetition kept: "real_time_ns", "cpu_time_ns" and
// each counter (ns/event, allocs/event, ...). Aggregate entries (mean, median...) are skipped:
// they are recomputed from the repetitions.
metric_samples samples_from_results(const gbench_results& results);

// Parses `text` (the content of `path`) and builds the run. Throws input_error when it is not
// Google Benchmark JSON, is truncated, holds no benchmarks, or no commit is known.
run_record make_run(const std::string& text, const std::string& path, ingest_options options);

// Fills commit, parent, merge_base and branch from `git` where still empty; silently leaves
// them empty outside a repository.
void fill_from_git(ingest_options& options);

// The deepest JSON nesting benchhist reads. Google Benchmark output and baselines nest 4
// levels; serializing (dump) a deeper document recurses once per level, so 100,000 levels
// overflow the stack.
inline constexpr std::size_t max_json_depth = 64;
// Throws input_error naming `path` and the byte offset when `text` nests arrays and objects
// deeper than max_json_depth. Strings are skipped; the JSON need not be valid.
void check_json_depth(const std::string& text, const std::string& path);

// Google Benchmark writes bare NaN / inf, which is not JSON: outside strings those tokens
// become null (the counters they stood for are then absent, as parse_gbench_results reads
// them), so that the whole document parses.
std::string sanitize_gbench_json(const std::string& text);

// 16 hex digits of FNV-1a 64 over `text`.
std::string content_hash(const std::string& text);

}  // namespace tools
