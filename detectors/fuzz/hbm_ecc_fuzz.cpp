// File: hbm_ecc_fuzz.cpp
// libFuzzer target for the hbm_ecc detector: each input line is one event (increasing
// timestamps, alternating between two nodes so per-node state is exercised), then finish().
// Built by ALLOCGATE_FUZZ (clang, -fsanitize=fuzzer); run briefly by `make fuzz-smoke`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/hbm_ecc.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  detectors::hbm_ecc_detector d;
  detectors::counting_sink sink;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::int64_t ts = 1'732'000'000LL * detectors::ns_per_second;
  std::size_t start = 0;
  for (std::size_t i = 0; start <= input.size(); ++i) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const detectors::event ev{ts, i % 2 == 0 ? "node-7" : "node-8", detectors::source::dcgm,
                              input.substr(start, end - start)};
    d.on_event(ev, sink);
    // Uneven steps reach both the sub-second duplicate path and the windows' edges.
    ts += static_cast<std::int64_t>((i % 7) * 20) * detectors::ns_per_second / 3;
    start = end + 1;
  }
  d.finish(sink);
  return 0;
}
