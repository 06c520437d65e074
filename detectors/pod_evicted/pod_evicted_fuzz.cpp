// File: pod_evicted_fuzz.cpp
// libFuzzer target for the pod_evicted detector: every input line is an event (uneven
// increasing timestamps, two envelope nodes alternating so describe contexts and per-node
// windows cross), then finish(). The parsers are also called directly on each line, since the
// detector skips lines its cheap checks reject. Crashes and sanitizer reports are the failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/finding.h"
#include "detectors/pod_evicted.h"
#include "testing/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace detectors;
  // Small caps and windows so that eviction of state and storms happen within one input.
  pod_evicted_config config;
  config.storm_threshold = 2;
  config.storm_window_ns = 5 * ns_per_second;
  config.max_nodes = 3;
  config.max_window_entries = 3;
  config.describe_context_ns = 4 * ns_per_second;
  pod_evicted_detector d(config);
  counting_sink sink;

  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  internal::for_each_fuzz_line(data, size, [&](std::size_t i, std::string_view line) {
    d.on_event(event{ts, i % 2 == 0 ? "node-7" : "node-8", source::kubernetes, line}, sink);
    (void)parse_eviction_message(line);
    (void)parse_k8s_quantity(line);
    ts += static_cast<std::int64_t>(i % 5) * ns_per_second;
  });
  d.finish(sink);
  return 0;
}
