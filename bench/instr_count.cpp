// File: instr_count.cpp
// `detector_instr_count_<allocator>`: the workload the instruction gate runs under valgrind's
// callgrind (scripts/bench-instr-check.sh). It measures the same windows as the allocation
// gate's benchmarks (bench/detector_windows.h) and marks exactly the measured work with
// callgrind's client requests, so that setup (corpus generation, warm-up, building and
// destroying cold detectors) is never counted:
//
//   valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no
//            --callgrind-out-file=DIR/callgrind.out detector_instr_count_glibc > DIR/runner.txt
//
// For every detector and family (warm, cold, memchr scan) it processes each of the
// bench::distinct_windows windows once, collecting only while on_event runs, then dumps the
// counts to their own file (CALLGRIND_DUMP_STATS_AT), whose trigger names the benchmark and its
// window and event counts ("BM_PodEvictedDetector windows=16 window=1024 events=16384"):
//   warm    one detector, after a warm-up pass over all windows (as BM_<Name>Detector)
//   cold    a fresh detector for each window (as BM_<Name>DetectorCold)
//   memchr  memchr over the windows' text (as BM_<Name>MemchrScan, the reference)
//
// A dedicated runner rather than Google Benchmark under callgrind: the benchmark library's
// own loop, timers and counter maps would run inside the process (fewer toggles keep them
// out, but not all), its iteration counts would be fixed by its own rules, and every
// benchmark would run 64 windows plus repetitions where one pass over the 16 distinct windows
// is exact already (counts do not vary run to run). One pass keeps the gate within seconds.
//
// stdout, read by `instr-report results`:
//   platform compiler=... stdlib=... libc=... flags="..." isa=... allocator=...
//   benchmark BM_<Name>Detector windows=16 window=1024 events=16384   (one per dump)
// Natively (not under valgrind) the client requests do nothing; the runner then only checks
// that the windows run. `--list` prints the detectors, `--detector NAME` (repeatable) and
// `--family warm|cold|memchr` (repeatable) narrow the run.
#include <valgrind/callgrind.h>

#if __has_include(<gnu/libc-version.h>)
#include <gnu/libc-version.h>
#define ALLOCGATE_HAS_GLIBC 1
#endif

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/detector_windows.h"
#include "bench/measurement.h"
#include "detectors/detector.h"

#ifndef ALLOCGATE_ALLOCATOR
#define ALLOCGATE_ALLOCATOR "glibc"
#endif
#ifndef ALLOCGATE_CXX_FLAGS
#define ALLOCGATE_CXX_FLAGS ""
#endif

namespace {

using bench::family;

// What the counts depend on besides the code: they are exact on one platform only.
std::string compiler() {
#if defined(__clang__)
  return "clang-" + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__) + "." +
         std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc-" + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

std::string standard_library() {
#if defined(_GLIBCXX_RELEASE)
  return "libstdc++-" + std::to_string(_GLIBCXX_RELEASE) + "-" + std::to_string(__GLIBCXX__);
#elif defined(_LIBCPP_VERSION)
  return "libc++-" + std::to_string(_LIBCPP_VERSION);
#else
  return "unknown";
#endif
}

// memchr, memcmp and strlen are the C library's code: a libc update moves their counts.
std::string c_library() {
#if defined(ALLOCGATE_HAS_GLIBC)
  return std::string("glibc-") + gnu_get_libc_version();
#else
  return "unknown";
#endif
}

// glibc picks memchr, memcmp and strlen by the CPU features it sees (IFUNC); under valgrind
// those are the features valgrind's virtual CPU reports, so this is read in the measured run.
std::string isa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512bw")) return "x86-64-avx512";
  if (__builtin_cpu_supports("avx2")) return "x86-64-avx2";
  if (__builtin_cpu_supports("sse4.2")) return "x86-64-sse4.2";
  return "x86-64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "other";
#endif
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

struct run_stats {
  std::size_t windows = 0;
  std::size_t events = 0;
};

// Processing one window, the only code collected. The toggles sit directly around the loop.
void measured_window(detectors::detector& d, const std::vector<detectors::event>& window,
                     detectors::finding_sink& sink, run_stats& stats) {
  CALLGRIND_TOGGLE_COLLECT;
  for (const detectors::event& e : window)
    d.on_event(e, sink);
  CALLGRIND_TOGGLE_COLLECT;
  ++stats.windows;
  stats.events += window.size();
}

run_stats run_warm(const std::string& name, const bench::window_set& set,
                   detectors::counting_sink& sink) {
  bench::windows w = set.windows;
  auto d = detectors::make_detector(name);
  bench::warm_up(*d, w, sink);
  run_stats stats;
  for (const auto& window : w.list)
    measured_window(*d, window, sink, stats);
  return stats;
}

run_stats run_cold(const std::string& name, const bench::window_set& set,
                   detectors::counting_sink& sink) {
  run_stats stats;
  for (const auto& window : set.windows.list) {
    auto d = detectors::make_detector(name);
    measured_window(*d, window, sink, stats);
  }
  return stats;
}

// The reference: finding the line boundaries of the same windows' text with memchr.
run_stats run_memchr(const bench::window_set& set, std::uint64_t& lines) {
  std::vector<std::string> texts;
  for (const auto& window : set.windows.list) {
    std::string text;
    for (const detectors::event& e : window) {
      text += e.line;
      text += '\n';
    }
    texts.push_back(std::move(text));
  }
  run_stats stats;
  for (const std::string& text : texts) {
    const char* p = text.data();
    const char* const end = p + text.size();
    CALLGRIND_TOGGLE_COLLECT;
    while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    CALLGRIND_TOGGLE_COLLECT;
    ++stats.windows;
    stats.events += bench::window_events;
  }
  return stats;
}

bool selected(const std::vector<std::string>& chosen, std::string_view value) {
  if (chosen.empty()) return true;
  for (const auto& c : chosen)
    if (c == value) return true;
  return false;
}

int usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [--detector NAME]... [--family warm|cold|memchr]...\n"
               "       %s --list\n"
               "Runs under valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no\n",
               program, program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> only_detectors, only_families;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--list") {
      for (const std::string_view name : detectors::detector_names())
        std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
      return 0;
    }
    if ((arg == "--detector" || arg == "--family") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--family") {
        if (value != "warm" && value != "cold" && value != "memchr") return usage(argv[0]);
        only_families.push_back(value);
      } else {
        if (detectors::make_detector(value) == nullptr) {
          std::fprintf(stderr, "%s: unknown detector '%s'\n", argv[0], value.c_str());
          return 2;
        }
        only_detectors.push_back(value);
      }
      continue;
    }
    return usage(argv[0]);
  }

  std::printf("platform compiler=%s stdlib=%s libc=%s flags=%s isa=%s allocator=%s\n",
              compiler().c_str(), standard_library().c_str(), c_library().c_str(),
              quoted(ALLOCGATE_CXX_FLAGS).c_str(), isa().c_str(), ALLOCGATE_ALLOCATOR);

  // Setup runs uninstrumented (fast under valgrind): every window set is built first.
  std::vector<std::pair<std::string, bench::window_set>> sets;
  for (const std::string_view name : detectors::detector_names())
    if (selected(only_detectors, name))
      sets.emplace_back(std::string(name), bench::make_window_set(name));

  detectors::counting_sink sink;
  std::uint64_t lines = 0;
  CALLGRIND_START_INSTRUMENTATION;
  for (const auto& [name, set] : sets) {
    for (const family f : {family::warm, family::cold, family::memchr_scan}) {
      const char* label = f == family::warm ? "warm" : f == family::cold ? "cold" : "memchr";
      if (!selected(only_families, label)) continue;
      const std::string benchmark = bench::benchmark_name(name, f);
      CALLGRIND_ZERO_STATS;
      const run_stats stats = f == family::warm   ? run_warm(name, set, sink)
                              : f == family::cold ? run_cold(name, set, sink)
                                                  : run_memchr(set, lines);
      // The dump names its benchmark and how many events it covers, so that each profile
      // file describes itself (a stored one can serve as a base without this run's output).
      char trigger[256];
      std::snprintf(trigger, sizeof trigger, "%s windows=%zu window=%zu events=%zu",
                    benchmark.c_str(), stats.windows, bench::window_events, stats.events);
      CALLGRIND_DUMP_STATS_AT(trigger);
      std::printf("benchmark %s\n", trigger);
    }
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  // Keeps the measured work observable (nothing the compiler may drop).
  std::fprintf(stderr, "detector_instr_count: %llu findings, %llu lines scanned\n",
               static_cast<unsigned long long>(sink.total()),
               static_cast<unsigned long long>(lines));
  return 0;
}
