// File: alloc_probe.cpp
// `detector_alloc_probe DETECTOR K`: processes K warm windows of the benchmark stream (the
// same windows and warm-up as the benchmarks) and prints what the hook counted for them:
//   allocs=N bytes=N
// `detector_alloc_probe --list`: the detectors, one per line (detectors::detector_names()), so
// that the scripts looping over detectors ask the binary instead of repeating the list.
// Used by the cross-checks: the same line from the glibc, mimalloc and jemalloc builds, and
// valgrind memcheck's heap-summary difference between K and 0 windows.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "alloc_hooks/scope.h"
#include "bench/detector_windows.h"
#include "detectors/detector.h"

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const std::string_view name : detectors::detector_names())
      std::printf("%.*s\n", static_cast<int>(name.size()), name.data());
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DETECTOR WINDOWS\n       %s --list\n", argv[0], argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  const long windows = std::atol(argv[2]);
  auto d = detectors::make_detector(name);
  if (d == nullptr || windows < 0) {
    std::fprintf(stderr, "%s: unknown detector '%s' or bad window count\n", argv[0], argv[1]);
    return 2;
  }
  bench::window_set set = bench::make_window_set(name);
  detectors::counting_sink sink;
  bench::warm_up(*d, set.windows, sink);

  alloc_hooks::scope measured;
  for (long i = 0; i < windows; ++i) {
    const auto index = static_cast<std::size_t>(i) % set.windows.list.size();
    for (const auto& e : set.windows.list[index])
      d->on_event(e, sink);
    if (index + 1 == set.windows.list.size()) set.windows.advance_cycle();
  }
  const alloc_hooks::snapshot delta = measured.delta();
  std::printf("allocs=%llu bytes=%llu\n", static_cast<unsigned long long>(delta.allocs),
              static_cast<unsigned long long>(delta.bytes_allocated));
  return 0;
}
