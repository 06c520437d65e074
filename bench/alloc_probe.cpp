// File: alloc_probe.cpp
// `detector_alloc_probe DETECTOR K`: processes K warm windows of the benchmark stream (the
// same windows and warm-up as the benchmarks) and prints what the hook counted for them:
//   allocs=N bytes=N
// Used by the cross-checks: the same line from the glibc, mimalloc and jemalloc builds, and
// valgrind memcheck's heap-summary difference between K and 0 windows.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "alloc_hooks/scope.h"
#include "detector_windows.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DETECTOR WINDOWS\n", argv[0]);
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
