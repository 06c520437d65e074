// File: gbench_results.h
// Reading Google Benchmark's JSON output (--benchmark_format=json / --benchmark_out).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tools {

// One entry of the "benchmarks" array.
struct benchmark_entry {
  std::string name;            // full name, e.g. "BM_PodEvictedDetector/iterations:64"
  std::string run_name;        // name without the aggregate suffix
  std::string key;             // run_name up to its first '/': the name a registry or baseline uses
  bool aggregate = false;      // run_type == "aggregate" (mean, median, stddev, cv)
  std::string aggregate_name;  // "median", ... when aggregate
  std::int64_t repetition_index = 0;
  std::int64_t iterations = 0;
  double real_time = 0;  // per iteration, in time_unit
  double cpu_time = 0;
  std::string time_unit;                   // "ns", "us", "ms", "s"
  std::map<std::string, double> counters;  // user counters and MemoryManager fields
  // Counters whose value is not a finite number (NaN, inf, a string...), with the raw value:
  // a gate must not silently drop a repetition because its counter was unreadable.
  std::map<std::string, std::string> invalid_counters;
};

// "BM_X/8/iterations:64/repeats:5/real_time" -> "BM_X/8"
std::string benchmark_key(const std::string& run_name);

struct gbench_results {
  std::string path;
  std::map<std::string, std::string> context;  // string-valued context fields (date, host_name...)
  std::vector<benchmark_entry> entries;

  // Values of `counter` over the repetitions (non-aggregate entries) of benchmark `key`, in
  // file order; empty when the benchmark or counter is absent.
  std::vector<double> repetitions(const std::string& key, const std::string& counter) const;
  // Distinct keys in file order.
  std::vector<std::string> keys() const;
  // Real time per iteration in nanoseconds, over the repetitions of `key`.
  std::vector<double> real_time_ns(const std::string& key) const;
};

// Throws input_error naming the file when it is unreadable, not JSON, or not Google
// Benchmark's output (no "context" object or no "benchmarks" array).
gbench_results load_gbench_results(const std::string& path);
gbench_results parse_gbench_results(const std::string& text, const std::string& path);

}  // namespace tools
