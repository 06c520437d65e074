// File: test_records.h
// Runs for the store tests: `benchmarks` benchmarks with `reps` repetitions of ns/event and
// allocs/event each, identified by `commit`.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>

#include "benchhist/history_store.h"

namespace tools::test_support {

inline run_record make_record(const std::string& commit, int benchmarks = 3, int reps = 5) {
  run_record r;
  r.info.commit = commit;
  r.info.platform = "linux-amd64-gcc12-libstdc++";
  r.info.allocator = "glibc";
  r.info.timestamp = "2026-11-22T00:00:00Z";
  r.info.content_hash = "h-" + commit;
  for (int b = 0; b < benchmarks; ++b)
    for (int k = 0; k < reps; ++k) {
      r.samples[fmt::format("BM_{}Detector", b)]["ns/event"].push_back(100 + b + k);
      r.samples[fmt::format("BM_{}Detector", b)]["allocs/event"].push_back(2);
    }
  return r;
}

// Every value of every run in the store.
inline std::size_t stored_values(const history_store& store) {
  std::size_t n = 0;
  for (const auto& info : store.list_runs({})) {
    const std::optional<run_record> run = store.get_run(info.id);
    if (!run) continue;
    for (const auto& [bench, metrics] : run->samples)
      for (const auto& [metric, values] : metrics)
        n += values.size();
  }
  return n;
}

}  // namespace tools::test_support
