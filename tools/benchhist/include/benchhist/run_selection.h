// File: run_selection.h
// Which results a command looks at: a stored run named by id or commit prefix, a results or
// baseline file, and the base a comparison is measured against ("merge-base", "previous", a
// run, a file). The rules live here so they are unit-tested; the commands only print.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "benchhist/history_compare.h"
#include "benchhist/history_store.h"

namespace tools {

// The first 10 characters of a commit SHA (all of a shorter one).
std::string short_sha(const std::string& sha);

// "run 3 (aaaa111122 on main, linux-amd64-gcc12-libstdc++, glibc)".
std::string run_label(const run_info& info);
// A stored run as one side of a comparison, labelled with run_label.
sample_set run_samples(const run_record& run);

// A stored run named by its id (all digits) or by a commit (prefix) matching the filter's
// platform and allocator. Throws input_error naming what was asked for when there is none.
run_record find_run(const history_store& store, const std::string& spec, const run_filter& filter);

// A results file: Google Benchmark JSON, or a timing baseline (labelled "PATH (baseline)").
sample_set file_samples(const std::string& path);

// What `benchhist compare` was asked to compare.
// The keywords merge-base and previous always mean the stored runs, even when a file of that
// name exists; base_file / head_file name files explicitly and win over base / head.
struct compare_request {
  std::string base = "merge-base";  // merge-base | previous | RUN id | commit | FILE
  std::string head;                 // RUN id | commit | FILE; empty: the newest run
  std::string base_file;            // results or baseline JSON; overrides base
  std::string head_file;            // results JSON; overrides head
  run_filter filter;                // platform, allocator, branch of the runs considered
  std::string location;             // the store's location, for messages
};

// True unless both sides name existing files: only then can a comparison run without a store.
bool compare_needs_store(const compare_request& request);

struct compare_sides {
  sample_set base, head;
};

// Resolves both sides. The head is a file, a run, or the newest run matching the filter. The
// base is a file, "merge-base" (the newest stored run of the head run's merge-base, or of
// `worktree_merge_base()` when the head is a file), "previous" (the newest run before the
// head), or a run. A stored base must share the head run's platform and allocator, so runs of
// different machines are never compared. `store` may be null only when compare_needs_store is
// false. Throws input_error when a side cannot be found.
compare_sides resolve_compare_sides(const compare_request& request, const history_store* store,
                                    const std::function<std::string()>& worktree_merge_base);

// The newest run among those `window` selects against the run before it on the same platform
// and allocator (regardless of the window's branch); nullopt with fewer than two such runs.
std::optional<compare_report> latest_comparison(const history_store& store,
                                                const run_filter& window,
                                                const compare_options& options);

}  // namespace tools
