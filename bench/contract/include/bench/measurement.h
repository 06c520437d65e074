// File: measurement.h
// The measurement contract between the detector benchmarks, the zero-allocation tests, the
// allocation gate (ratchet check/explain) and the history reports (benchhist): how big a
// window is, which stream it is cut from, what the counters are called and how a detector's
// benchmarks are named. Everything that writes or reads one of these reads it from here.
//
// Header-only and dependency-free on purpose: the gate and the history tools include it
// without linking the detectors or the allocation hook.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bench {

// One benchmark iteration processes one window of this many events.
inline constexpr std::size_t window_events = 1024;
// Iterations cycle through this many distinct windows of the detector's focused stream.
inline constexpr std::size_t distinct_windows = 16;
// The stream the windows are cut from (detectors::generate_corpus(detector, {seed...})).
inline constexpr std::uint64_t corpus_seed = 20241119;

// The counters a gated benchmark publishes in Google Benchmark's JSON.
namespace counter {
inline constexpr std::string_view window = "window";  // events per iteration
inline constexpr std::string_view allocs_per_op = "allocs/op";
inline constexpr std::string_view bytes_per_op = "bytes/op";
inline constexpr std::string_view allocs_per_event = "allocs/event";
inline constexpr std::string_view bytes_per_event = "bytes/event";
inline constexpr std::string_view peak_live_bytes = "peak_live_bytes";
inline constexpr std::string_view ns_per_event = "ns/event";
inline constexpr std::string_view events_per_second = "events/s";
// The instruction gate's counts (valgrind --tool=callgrind, exact): instructions per window
// and per event.
inline constexpr std::string_view instr_per_op = "instr/op";
inline constexpr std::string_view instr_per_event = "instr/event";
}  // namespace counter

// The slack of instruction counts, in percent. Counts are exact for one platform; the slack
// covers only what a platform stamp does not name (a CPU feature valgrind's virtual CPU presents
// differently, a libc patch that moves an instruction in memchr). The instruction ceilings sit
// this far above the measurement (ratchet --metric instr), and benchhist compare calls an
// increase within it "~".
inline constexpr double instr_slack_percent = 0.2;

// The environment variable that arms call-site attribution in a benchmark binary linked with
// allocgate::alloc_hooks_attribution: the file it names is written at exit.
inline constexpr const char* attribution_out_env = "ALLOCGATE_ATTRIBUTION_OUT";

// Every benchmark name starts with this prefix (Google Benchmark's convention, which the
// ceiling registry requires).
inline constexpr std::string_view benchmark_prefix = "BM_";

// The benchmarks each detector has:
//   warm         BM_<Camel>Detector      one detector, warmed up, cycling through the windows
//   cold         BM_<Camel>DetectorCold  a fresh detector for every window
//   memchr_scan  BM_<Camel>MemchrScan    reference (memchr over the same text), not gated
enum class family { warm, cold, memchr_scan };

inline constexpr std::string_view family_suffix(family f) noexcept {
  switch (f) {
    case family::warm:
      return "Detector";
    case family::cold:
      return "DetectorCold";
    case family::memchr_scan:
      return "MemchrScan";
  }
  return "";
}

// "pod_evicted" -> "PodEvicted".
inline std::string camel_case(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool upper = true;
  for (const char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

// ("pod_evicted", cold) -> "BM_PodEvictedDetectorCold".
inline std::string benchmark_name(std::string_view detector, family f) {
  std::string out(benchmark_prefix);
  out += camel_case(detector);
  out += family_suffix(f);
  return out;
}

// The inverse for report grouping: "BM_PodEvictedDetectorCold" -> {"BM_PodEvicted", cold};
// nullopt for a name that is not a detector benchmark. `stem` is the name without the family
// suffix, shared by a detector's warm, cold and reference benchmarks.
struct parsed_benchmark_name {
  std::string_view stem;
  family kind;
};
inline std::optional<parsed_benchmark_name> parse_benchmark_name(std::string_view name) {
  if (name.substr(0, benchmark_prefix.size()) != benchmark_prefix) return std::nullopt;
  // No family's suffix ends another's ("DetectorCold" does not end in "Detector"), so a name
  // matches at most one and the order of the tries does not matter.
  for (const family f : {family::cold, family::warm, family::memchr_scan}) {
    const std::string_view suffix = family_suffix(f);
    if (name.size() > benchmark_prefix.size() + suffix.size() &&
        name.substr(name.size() - suffix.size()) == suffix)
      return parsed_benchmark_name{name.substr(0, name.size() - suffix.size()), f};
  }
  return std::nullopt;
}

}  // namespace bench
