// File: fuzz_lines.h
// The input handling the detector fuzz targets share: a libFuzzer input is cut at '\n' and
// each piece handed on with its index. An input ending in '\n' (and an empty input) yields a
// final empty line, so detectors see blank lines too. The DCGM targets also share how they
// feed those lines to their detector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/detector.h"

namespace detectors::internal {

// Calls on_line(index, line) for each line of data[0, size), in order.
template <typename OnLine>
void for_each_fuzz_line(const std::uint8_t* data, std::size_t size, OnLine&& on_line) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  for (std::size_t i = 0; start <= input.size(); ++i) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    on_line(i, input.substr(start, end - start));
    start = end + 1;
  }
}

// Feeds each line to a DCGM detector (hbm_ecc, thermal_throttle) as one event, with
// increasing timestamps and alternating between two nodes so per-node state is exercised,
// then calls finish().
inline void fuzz_dcgm_detector(detector& d, const std::uint8_t* data, std::size_t size) {
  counting_sink sink;
  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  for_each_fuzz_line(data, size, [&](std::size_t i, std::string_view line) {
    const event ev{ts, i % 2 == 0 ? "node-7" : "node-8", source::dcgm, line};
    d.on_event(ev, sink);
    // Uneven steps reach both the sub-second duplicate path and the windows' edges.
    ts += static_cast<std::int64_t>((i % 7) * 20) * ns_per_second / 3;
  });
  d.finish(sink);
}

}  // namespace detectors::internal
