// File: timing_gate.h
// The committed per-platform timing baseline (baselines/<platform>.json) that `make
// bench-check` gates ns/event against. It keeps every repetition (the U test needs them, a
// single number cannot say whether a difference is noise) and a gate level per benchmark:
// "soft" benchmarks report only, "hard" ones fail the build. New benchmarks start soft and are
// promoted by hand once `benchhist cv` says their noise allows it.
#pragma once

#include <map>
#include <string>

#include "benchhist/history_compare.h"
#include "common/gbench_results.h"

namespace tools {

struct baseline_benchmark {
  std::string gate = "soft";  // "soft" or "hard"
  std::map<std::string, std::vector<double>> metrics;
};

struct timing_baseline {
  std::string platform;
  std::string allocator;
  std::string commit;
  std::string captured;  // UTC ISO-8601
  std::string machine;   // the benchmark JSON context, as JSON text
  std::map<std::string, baseline_benchmark> benchmarks;

  sample_set samples(const std::string& label) const;
  std::set<std::string> soft_benchmarks() const;
  // The benchmarks gated "hard": each must be measured by the results checked against it.
  std::set<std::string> hard_benchmarks() const;
};

// The metrics a baseline keeps.
const std::vector<std::string>& baseline_metrics();

// True when `text` is a baseline file (has the "allocgate_baseline" marker).
bool is_baseline_text(const std::string& text);
// Throws input_error naming the file and the field on anything malformed.
timing_baseline parse_baseline(const std::string& text, const std::string& path);
timing_baseline load_baseline(const std::string& path);
// Pretty, stable JSON (sorted keys), so a re-capture diffs line by line.
std::string serialize_baseline(const timing_baseline& b);

// A baseline from fresh results; gate levels are carried over from `previous` (new benchmarks
// start soft).
timing_baseline make_baseline(const gbench_results& results, const std::string& platform,
                              const std::string& allocator, const std::string& commit,
                              const timing_baseline* previous);

}  // namespace tools
