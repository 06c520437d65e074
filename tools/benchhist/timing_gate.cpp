// File: timing_gate.cpp
#include "benchhist/timing_gate.h"

#include <bench/measurement.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "benchhist/history_ingest.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {

const std::vector<std::string>& baseline_metrics() {
  static const std::vector<std::string> m = {
      std::string(bench::counter::ns_per_event), std::string(bench::counter::allocs_per_event),
      std::string(bench::counter::bytes_per_event), std::string(bench::counter::events_per_second)};
  return m;
}

sample_set timing_baseline::samples(const std::string& label) const {
  sample_set s;
  s.label = label;
  for (const auto& [name, b] : benchmarks)
    for (const auto& [metric, values] : b.metrics)
      s.samples[name][metric] = values;
  return s;
}

std::set<std::string> timing_baseline::soft_benchmarks() const {
  std::set<std::string> out;
  for (const auto& [name, b] : benchmarks)
    if (b.gate == "soft") out.insert(name);
  return out;
}

std::set<std::string> timing_baseline::hard_benchmarks() const {
  std::set<std::string> out;
  for (const auto& [name, b] : benchmarks)
    if (b.gate == "hard") out.insert(name);
  return out;
}

bool is_baseline_text(const std::string& text) {
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  return doc.is_object() && doc.contains("allocgate_baseline");
}

timing_baseline parse_baseline(const std::string& text, const std::string& path) {
  check_json_depth(text, path);  // "machine" is re-serialized, recursively
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw input_error(fmt::format("{}: not valid JSON", path));
  // Compared as JSON: value<int>() would throw a type error on a marker that is no number.
  if (!doc.is_object() || !doc.contains("allocgate_baseline") || doc["allocgate_baseline"] != 1)
    throw input_error(
        fmt::format("{}: not an allocgate timing baseline (\"allocgate_baseline\": 1)", path));
  timing_baseline b;
  try {
    b.platform = doc.at("platform").get<std::string>();
    b.allocator = doc.value("allocator", "glibc");
    b.commit = doc.value("commit", "");
    b.captured = doc.value("captured", "");
    b.machine = doc.contains("machine") ? doc["machine"].dump() : "{}";
    for (const auto& [name, entry] : doc.at("benchmarks").items()) {
      baseline_benchmark bb;
      bb.gate = entry.value("gate", "soft");
      if (bb.gate != "soft" && bb.gate != "hard")
        throw input_error(
            fmt::format("{}: benchmarks.{}.gate: expected \"soft\" or \"hard\", got "
                        "\"{}\"",
                        path, name, bb.gate));
      for (const auto& [metric, values] : entry.at("metrics").items())
        bb.metrics[metric] = values.get<std::vector<double>>();
      b.benchmarks[name] = std::move(bb);
    }
  } catch (const nlohmann::json::exception& e) {
    throw input_error(fmt::format("{}: malformed baseline: {}", path, e.what()));
  }
  return b;
}

timing_baseline load_baseline(const std::string& path) {
  return parse_baseline(read_file(path), path);
}

std::string serialize_baseline(const timing_baseline& b) {
  nlohmann::json doc;
  doc["allocgate_baseline"] = 1;
  doc["platform"] = b.platform;
  doc["allocator"] = b.allocator;
  doc["commit"] = b.commit;
  doc["captured"] = b.captured;
  doc["machine"] = nlohmann::json::parse(b.machine.empty() ? "{}" : b.machine);
  doc["benchmarks"] = nlohmann::json::object();
  for (const auto& [name, bb] : b.benchmarks) {
    nlohmann::json e;
    e["gate"] = bb.gate;
    e["metrics"] = bb.metrics;
    doc["benchmarks"][name] = e;
  }
  return doc.dump(1) + "\n";
}

timing_baseline make_baseline(const gbench_results& results, const std::string& platform,
                              const std::string& allocator, const std::string& commit,
                              const timing_baseline* previous) {
  timing_baseline b;
  b.platform = platform;
  b.allocator = allocator;
  b.commit = commit;
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  b.captured = buf;
  nlohmann::json ctx = nlohmann::json::object();
  for (const auto& [k, v] : results.context)
    ctx[k] = v;
  b.machine = ctx.dump();
  const metric_samples all = samples_from_results(results);
  for (const auto& [name, metrics] : all) {
    baseline_benchmark bb;
    if (previous != nullptr) {
      if (auto it = previous->benchmarks.find(name); it != previous->benchmarks.end())
        bb.gate = it->second.gate;
    }
    for (const auto& m : baseline_metrics())
      if (auto it = metrics.find(m); it != metrics.end()) bb.metrics[m] = it->second;
    if (!bb.metrics.empty()) b.benchmarks[name] = std::move(bb);
  }
  if (b.benchmarks.empty())
    throw input_error(
        fmt::format("{}: no benchmark publishes {}", results.path, bench::counter::ns_per_event));
  return b;
}

}  // namespace tools
