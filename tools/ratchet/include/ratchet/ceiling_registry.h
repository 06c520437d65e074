// File: ceiling_registry.h
// The committed registry of allocation ceilings (baselines/alloc-ceilings.txt).
//
// One gated benchmark per line, key=value fields, so that a change to a ceiling reads on the
// diff alone:
//
//   BM_PodEvictedDetector window=1024 allocs_per_event=15.2700 bytes_per_event=1880.0 reason="..."
//
// `#` starts a comment line; blank lines are ignored. Comments and blank lines are kept when
// the file is rewritten (tighten, raise), so the file's own documentation survives.
//
// The same format holds other per-event metrics (ratchet/metric.h): the ceiling's field is
// then named after the metric (instr_per_event=...), and a registry may carry one platform
// stamp, a line of key=value fields the results must match:
//
//   platform compiler=gcc-12.2.0 stdlib=libstdc++-12-20220819 flags="-O2 -g" valgrind=3.19.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/measurement.h"

namespace tools {

struct ceiling {
  std::string benchmark;                       // e.g. "BM_PodEvictedDetector"
  std::int64_t window = bench::window_events;  // events per iteration
  // The ceiling, in the registry's metric (allocs/event unless the registry was read with
  // another value field); measured == ceiling passes.
  double allocs_per_event = 0;
  std::optional<double> bytes_per_event;  // optional second ceiling
  std::string reason;                     // why it was last raised ("" if never)
  int line = 0;                           // where it stands in the file (1-based)
};

class ceiling_registry {
 public:
  // Throws input_error naming file, line and field for anything malformed, including a
  // benchmark listed twice.
  // `value_key` names the ceiling's field (metric::registry_key).
  static ceiling_registry load(const std::string& path,
                               const std::string& value_key = "allocs_per_event");
  static ceiling_registry parse(const std::string& text, const std::string& path,
                                const std::string& value_key = "allocs_per_event");

  // The `platform` line's fields in file order (empty: the registry is not stamped), and the
  // line it stands on (0 when absent).
  using stamp = std::vector<std::pair<std::string, std::string>>;
  const stamp& platform() const noexcept { return platform_; }
  int platform_line() const noexcept { return platform_line_; }
  // Replaces the stamp (adding the line after the leading comments when there was none).
  void set_platform(stamp s);

  const std::vector<ceiling>& ceilings() const noexcept { return ceilings_; }
  // The ceiling's field name in this registry ("allocs_per_event", "instr_per_event").
  const std::string& value_key() const noexcept { return value_key_; }
  ceiling* find(const std::string& benchmark);
  const ceiling* find(const std::string& benchmark) const;

  // Adds a new entry at the end (recording a new detector's first ceiling).
  ceiling& add(ceiling c);

  // The file's text with the current values (comments and order kept).
  std::string render() const;
  // Writes render() to `path` atomically (temporary file in the same folder, then rename).
  void save(const std::string& path) const;

 private:
  // Every line of the file: either verbatim text (comment, blank) or an index into ceilings_.
  struct line_entry {
    std::string verbatim;
    int ceiling_index = -1;
  };
  std::vector<line_entry> lines_;
  // The file's line ending ("\r\n" when its first line has one), kept on rewrite so a
  // registry checked out with CRLF does not turn into a whole-file diff.
  std::string newline_ = "\n";
  std::string bom_;  // the UTF-8 byte order mark the file opened with, if any
  std::vector<ceiling> ceilings_;
  std::string value_key_ = "allocs_per_event";
  stamp platform_;
  int platform_line_ = 0;
  static constexpr int platform_index = -2;  // line_entry::ceiling_index of the platform line
};

// The largest values a registry accepts: far above any real detector, far below where a
// comparison at 6 decimals could lose precision. Anything larger is a typo or an attack.
inline constexpr double max_allocs_per_event = 1e9;
inline constexpr double max_bytes_per_event = 1e12;
inline constexpr std::int64_t max_window = 1'000'000'000;

// Any Google Benchmark name a line can hold: non-empty, at most max_name_bytes, no control
// characters (a line break would end the line). A name of printable ASCII other than space, '"',
// '=', '\\' and a leading '#' is written bare; any other is written quoted ("Dump/canada / -"),
// with '"' and '\\' escaped by a backslash.
inline constexpr std::size_t max_name_bytes = 1024;
bool valid_benchmark_name(const std::string& name);
bool bare_benchmark_name(const std::string& name);
// The name as a registry line starts with it: bare, or quoted.
std::string registry_name(const std::string& name);

// Ceilings are written with 6 decimals; rounding is always upwards so that the measurement a
// ceiling was made from still passes.
std::string format_ceiling(double value);
double round_up_6(double value);

}  // namespace tools
