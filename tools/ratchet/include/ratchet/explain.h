// File: explain.h
// Where a benchmark's allocations come from: re-run it under the attribution build of the
// hook, symbolize the recorded stacks (addr2line) and rank the responsible call sites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tools {

struct allocation_site {
  std::string function;  // the first frame in project code, e.g. "detectors::parse_message"
  std::string location;  // "detectors/src/pod_evicted.cpp:142"
  std::string via;       // the library frame it called into, e.g. "std::string::_M_create"
  std::uint64_t allocs = 0;
  std::uint64_t bytes = 0;
};

struct explanation {
  std::string benchmark;
  std::uint64_t events = 0;
  std::uint64_t allocs = 0;
  std::vector<allocation_site> sites;  // most allocations first
  double per_event(std::uint64_t n) const { return events ? double(n) / double(events) : 0.0; }
};

// "pod_evicted" -> "BM_PodEvictedDetector"; a name that already starts with BM_ is kept.
std::string benchmark_name_for(const std::string& detector_or_benchmark);

// Runs `bench_binary` (built with alloc_hooks_attribution) for one benchmark and reads back
// its site table. Throws input_error when the binary cannot run or wrote no attribution.
explanation explain_benchmark(const std::string& bench_binary, const std::string& benchmark,
                              int top);

// Parses the attribution file format (see alloc_hooks/attribution.h) and symbolizes it.
explanation parse_attribution(const std::string& text, const std::string& benchmark, int top);

// `ceiling` < 0: no ceiling line.
std::string render_explanation_text(const explanation& e, double ceiling);
std::string render_explanation_markdown(const explanation& e, double ceiling);

}  // namespace tools
