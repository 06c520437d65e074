// File: run_selection.cpp
#include "benchhist/run_selection.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <filesystem>

#include "benchhist/history_ingest.h"
#include "benchhist/timing_gate.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/gbench_results.h"

namespace tools {

std::string short_sha(const std::string& sha) {
  return sha.substr(0, 10);
}

std::string run_label(const run_info& i) {
  return fmt::format("run {} ({}{}{}, {}, {})", i.id, short_sha(i.commit),
                     i.branch.empty() ? "" : " on ", i.branch, i.platform, i.allocator);
}

sample_set run_samples(const run_record& r) {
  return {run_label(r.info), r.samples, {}};
}

run_record find_run(const history_store& store, const std::string& spec, const run_filter& f) {
  if (!spec.empty() && spec.find_first_not_of("0123456789") == std::string::npos) {
    // All digits: a run id, or a commit whose (abbreviated) SHA has no letter.
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), id);
    std::optional<run_record> by_id;
    if (ec == std::errc{} && end == spec.data() + spec.size()) by_id = store.get_run(id);
    const auto by_commit = store.find_commit(spec, f);
    if (by_id && by_commit && by_commit->id != by_id->info.id)
      throw input_error(
          fmt::format("'{}' is both run {} and a prefix of commit {}: pass a longer commit prefix",
                      spec, by_id->info.id, by_commit->commit));
    if (by_id) return *by_id;
    if (by_commit) return *store.get_run(by_commit->id);
    // Commit prefixes are at least 4 characters; shorter digits can only be an id.
    throw input_error(spec.size() < 4 ? fmt::format("no run with id {}", spec)
                                      : fmt::format("no run with id {} and no stored run of "
                                                    "commit '{}'",
                                                    spec, spec));
  }
  if (auto i = store.find_commit(spec, f)) return *store.get_run(i->id);
  throw input_error(fmt::format("no stored run of commit '{}'{}", spec,
                                f.platform.empty() ? "" : " on " + f.platform));
}

sample_set file_samples(const std::string& path) {
  const std::string text = read_file(path);
  if (is_baseline_text(text))
    return parse_baseline(text, path).samples(fmt::format("{} (baseline)", path));
  const gbench_results results = parse_gbench_results(text, path);
  sample_set s{path, samples_from_results(results), {}};
  for (const auto& e : results.entries)
    if (!e.aggregate)
      for (const auto& [metric, raw] : e.invalid_counters)
        ++s.unusable[e.key][metric];
  return s;
}

namespace {

bool is_keyword(const std::string& spec) {
  return spec == "merge-base" || spec == "previous";
}

bool names_file(const std::string& spec) {
  return !spec.empty() && !is_keyword(spec) && std::filesystem::exists(spec);
}

// A side given as --base-file / --head-file is that file; otherwise --base / --head, a file
// when one of that name exists and the name is no keyword.
bool base_is_file(const compare_request& r) {
  return !r.base_file.empty() || names_file(r.base);
}
bool head_is_file(const compare_request& r) {
  return !r.head_file.empty() || names_file(r.head);
}

}  // namespace

bool compare_needs_store(const compare_request& r) {
  return !head_is_file(r) || !base_is_file(r);
}

compare_sides resolve_compare_sides(const compare_request& r, const history_store* store,
                                    const std::function<std::string()>& worktree_merge_base) {
  if (store == nullptr && compare_needs_store(r))
    throw input_error(fmt::format("comparing '{}' with '{}' needs a history store", r.base,
                                  r.head.empty() ? "the newest run" : r.head));
  compare_sides sides;
  std::optional<run_info> head_run;
  if (head_is_file(r)) {
    sides.head = file_samples(r.head_file.empty() ? r.head : r.head_file);
  } else {
    run_record head;
    if (r.head.empty()) {
      run_filter latest = r.filter;
      latest.last = 1;
      const auto runs = store->list_runs(latest);
      if (runs.empty()) throw input_error(fmt::format("no runs in {} to compare", r.location));
      head = *store->get_run(runs.back().id);
    } else {
      head = find_run(*store, r.head, r.filter);
    }
    sides.head = run_samples(head);
    head_run = head.info;
  }

  run_filter same = r.filter;
  if (head_run) {
    same.platform = head_run->platform;
    same.allocator = head_run->allocator;
  }
  if (base_is_file(r)) {
    sides.base = file_samples(r.base_file.empty() ? r.base : r.base_file);
  } else if (r.base == "merge-base") {
    const std::string mb = head_run ? head_run->merge_base : worktree_merge_base();
    if (mb.empty())
      throw input_error(
          "the head has no known merge-base (ingest with --merge-base, or pass --base RUN)");
    const auto i = store->find_commit(mb, same);
    if (!i)
      throw input_error(
          fmt::format("no stored run of the merge-base {} ({}); run the benchmarks "
                      "there and ingest them, or pass --base",
                      short_sha(mb), same.platform));
    sides.base = run_samples(*store->get_run(i->id));
  } else if (r.base == "previous") {
    const run_info* prev = nullptr;
    const auto runs = store->list_runs(same);
    for (const auto& run : runs)
      if (!head_run || run.id < head_run->id) prev = &run;
    if (prev == nullptr) throw input_error("no previous run to compare with");
    sides.base = run_samples(*store->get_run(prev->id));
  } else {
    sides.base = run_samples(find_run(*store, r.base, same));
  }
  return sides;
}

std::optional<compare_report> latest_comparison(const history_store& store,
                                                const run_filter& window,
                                                const compare_options& options) {
  const auto runs = store.list_runs(window);
  if (runs.size() < 2) return std::nullopt;
  run_filter same;
  same.platform = runs.back().platform;
  same.allocator = runs.back().allocator;
  const auto comparable = store.list_runs(same);
  if (comparable.size() < 2) return std::nullopt;
  return compare_samples(run_samples(*store.get_run(comparable[comparable.size() - 2].id)),
                         run_samples(*store.get_run(comparable.back().id)), options);
}

}  // namespace tools
