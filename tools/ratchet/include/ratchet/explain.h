// File: explain.h
// Where a benchmark's allocations come from: re-run it under the attribution build of the
// hook, symbolize the recorded stacks (addr2line) and rank the responsible call sites.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alloc_hooks/attribution_file.h"

namespace tools {

struct allocation_site {
  std::string function;  // the first frame in project code, e.g. "detectors::parse_message"
  std::string location;  // "detectors/pod_evicted/pod_evicted.cpp:142", relative to its source root
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

// Which source files are the project's. A frame in a file under one of `roots` is project code
// and is printed relative to its root; a frame under `hook_folder` (relative to a root) is the
// counting hook itself and is skipped; anything else is a library the project called into.
struct code_roots {
  std::vector<std::string> roots;
  std::string hook_folder;
  // Library folders whose frames count as project code too (a header-only dependency a user
  // wants expanded), printed relative to the folder's parent: "nlohmann/detail/x.hpp:12".
  std::vector<std::string> expanded;
  // The source tree this binary was built from and the hook's folder in it (from CMake).
  static code_roots of_build();
  // The source directory of the CMake build a binary lies in (CMAKE_HOME_DIRECTORY of the
  // nearest CMakeCache.txt above it); nullopt outside a CMake build tree.
  static std::optional<std::string> cmake_source_dir_of(const std::string& binary);
  // "detectors/x/x.cpp" for a file under a root (paths normalised first); nullopt otherwise.
  std::optional<std::string> project_relative(const std::string& file) const;
  bool is_hook(const std::string& file) const;
};

struct explain_options {
  int top = 8;
  // Empty: the source directory of the bench binary's CMake build, else
  // code_roots::of_build().roots.
  std::vector<std::string> source_roots;
  std::vector<std::string> expand;  // code_roots::expanded
};

// The --benchmark_filter that runs exactly `benchmark` (a name from the results: any text,
// regex characters escaped) and its library-added suffixes ("/iterations:64").
std::string exact_benchmark_filter(const std::string& benchmark);

// Runs `bench_binary` (built with alloc_hooks_attribution) for one benchmark and reads back
// its site table. Throws input_error when the binary cannot run or wrote no attribution.
explanation explain_benchmark(const std::string& bench_binary, const std::string& benchmark,
                              const explain_options& options);

// Symbolizes the sites of an attribution file (alloc_hooks/attribution_file.h) and ranks them.
explanation explain_attribution(const alloc_hooks::attribution_file::contents& contents,
                                const std::string& benchmark, int top, const code_roots& roots);

// A readable name from a demangled one: template arguments, the argument list, the return
// type and ABI tags dropped ("std::pair<..> std::unordered_map<..>::emplace<..>(..)" ->
// "std::unordered_map::emplace").
std::string short_function(const std::string& demangled);

// `ceiling` < 0: no ceiling line.
std::string render_explanation_text(const explanation& e, double ceiling);
std::string render_explanation_markdown(const explanation& e, double ceiling);

}  // namespace tools
