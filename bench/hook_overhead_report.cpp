// File: hook_overhead_report.cpp
// Reads the JSON of the hook_overhead_<allocator>_<variant> runs and prints, per allocator
// and benchmark, the median ns per new/delete pair without the hook, with the full hook, and
// with the counts-only variant, and the difference each makes.
//
// Usage: hook_overhead_report DIR   (DIR holds <allocator>_<variant>.json)
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace {

// benchmark name -> median real time (ns) of one run file.
std::map<std::string, double> medians(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto doc = nlohmann::json::parse(in);
  std::map<std::string, double> out;
  for (const auto& b : doc.at("benchmarks")) {
    if (b.value("aggregate_name", "") != "median") continue;
    out[b.at("run_name").get<std::string>()] = b.at("real_time").get<double>();
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]) == "--help") {
    std::fprintf(stderr,
                 "usage: hook_overhead_report DIR\n"
                 "  DIR holds <allocator>_<none|hook|counts>.json from hook_overhead\n");
    return argc == 2 ? 0 : 2;
  }
  const std::string dir = argv[1];
  try {
    fmt::print(
        "| allocator | benchmark | no hook ns | hook ns | hook +ns | counts-only ns | "
        "counts-only +ns |\n|---|---|--:|--:|--:|--:|--:|\n");
    for (const char* allocator : {"glibc", "mimalloc", "jemalloc"}) {
      const auto none = medians(fmt::format("{}/{}_none.json", dir, allocator));
      const auto hook = medians(fmt::format("{}/{}_hook.json", dir, allocator));
      const auto counts = medians(fmt::format("{}/{}_counts.json", dir, allocator));
      for (const auto& [name, base] : none) {
        const double h = hook.at(name), c = counts.at(name);
        fmt::print("| {} | {} | {:.2f} | {:.2f} | {:+.2f} | {:.2f} | {:+.2f} |\n", allocator, name,
                   base, h, h - base, c, c - base);
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hook_overhead_report: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
