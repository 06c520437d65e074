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

// Text at addresses that do not depend on the heap. memchr, memcmp and memcpy take different
// paths for different alignments, so a line's instruction count depends on where it lies:
// left in the corpus's own strings, it would move with the allocator (glibc, mimalloc and
// jemalloc place them differently) and with any unrelated allocation made during setup. Each
// piece of text here starts on its own 64-byte boundary of a page-aligned block.
class pinned_text {
 public:
  static constexpr std::size_t alignment = 64;

  // Copies every line and node name of the windows here and points the events at the copies.
  void pin(bench::windows& w) {
    std::size_t size = 0;
    for (const auto& window : w.list)
      for (const detectors::event& e : window)
        size += padded(e.line.size()) + padded(e.node.size());
    char* next = reserve(size);
    for (auto& window : w.list)
      for (detectors::event& e : window) {
        e.line = place(next, e.line);
        e.node = place(next, e.node);
      }
  }

  // One block of text (the memchr reference's window text), aligned the same way.
  std::string_view hold(std::string_view text) {
    char* next = reserve(padded(text.size()));
    return place(next, text);
  }

 private:
  struct page_aligned_delete {
    void operator()(char* p) const noexcept { ::operator delete[](p, std::align_val_t{4096}); }
  };

  static std::size_t padded(std::size_t n) { return (n + alignment) / alignment * alignment; }

  char* reserve(std::size_t size) {
    blocks_.emplace_back(static_cast<char*>(::operator new[](size + 1, std::align_val_t{4096})));
    return blocks_.back().get();
  }

  static std::string_view place(char*& next, std::string_view text) {
    std::memcpy(next, text.data(), text.size());
    next[text.size()] = '\0';
    const std::string_view placed(next, text.size());
    next += padded(text.size());
    return placed;
  }

  std::vector<std::unique_ptr<char, page_aligned_delete>> blocks_;
};

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

// A detector after its warm-up pass, with its own copy of the windows (their timestamps moved
// on by one cycle), prepared before instrumentation starts.
struct warmed {
  std::unique_ptr<detectors::detector> d;
  bench::windows w;
};

warmed warm_up(const std::string& name, const bench::window_set& set,
               detectors::counting_sink& sink) {
  warmed out{detectors::make_detector(name), set.windows};
  bench::warm_up(*out.d, out.w, sink);
  return out;
}

run_stats run_warm(warmed& state, detectors::counting_sink& sink) {
  run_stats stats;
  for (const auto& window : state.w.list)
    measured_window(*state.d, window, sink, stats);
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
std::vector<std::string_view> memchr_texts(const bench::window_set& set, pinned_text& pinned) {
  std::vector<std::string_view> texts;
  for (const auto& window : set.windows.list) {
    std::string text;
    for (const detectors::event& e : window) {
      text += e.line;
      text += '\n';
    }
    texts.push_back(pinned.hold(text));
  }
  return texts;
}

run_stats run_memchr(const std::vector<std::string_view>& texts, std::uint64_t& lines) {
  run_stats stats;
  for (const std::string_view text : texts) {
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

  // Setup runs uninstrumented (fast under valgrind): every window set is built and every warm
  // detector warmed up first.
  detectors::counting_sink sink;
  pinned_text pinned;
  struct prepared {
    std::string name;
    bench::window_set set;
    warmed warm;
    std::vector<std::string_view> texts;
  };
  std::vector<prepared> all;
  for (const std::string_view name : detectors::detector_names()) {
    if (!selected(only_detectors, name)) continue;
    prepared p{std::string(name), bench::make_window_set(name), {}, {}};
    pinned.pin(p.set.windows);
    p.warm = warm_up(p.name, p.set, sink);
    p.texts = memchr_texts(p.set, pinned);
    all.push_back(std::move(p));
  }

  std::uint64_t lines = 0;
  CALLGRIND_START_INSTRUMENTATION;
  for (auto& [name, set, warm, texts] : all) {
    for (const family f : {family::warm, family::cold, family::memchr_scan}) {
      const char* label = f == family::warm ? "warm" : f == family::cold ? "cold" : "memchr";
      if (!selected(only_families, label)) continue;
      const std::string benchmark = bench::benchmark_name(name, f);
      CALLGRIND_ZERO_STATS;
      const run_stats stats = f == family::warm   ? run_warm(warm, sink)
                              : f == family::cold ? run_cold(name, set, sink)
                                                  : run_memchr(texts, lines);
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
