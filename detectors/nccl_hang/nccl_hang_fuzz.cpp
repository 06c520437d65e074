// File: nccl_hang_fuzz.cpp
// libFuzzer target for the nccl_hang detector: every input line is an event (timestamps one
// second apart, two nodes alternating so that network WARNs and timeouts meet across jobs),
// then finish() reports what is still settling. Crashes and sanitizer reports are the failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/finding.h"
#include "detectors/nccl_hang.h"
#include "testing/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detectors;
  // Small caps and windows so that eviction and settling run within one input.
  nccl_hang_config config;
  config.max_jobs = 4;
  config.max_nodes = 2;
  config.max_ranks_per_job = 4;
  config.max_network_warns_per_node = 3;
  config.timeout_settle_ns = 3 * ns_per_second;
  config.straggler_duration_ns = 2 * ns_per_second;
  nccl_hang_detector detector(config);
  counting_sink sink;

  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  internal::for_each_fuzz_line(data, size, [&](std::size_t index, std::string_view line) {
    const event ev{ts, index % 2 == 0 ? "node-a" : "node-b", source::workload, line};
    detector.on_event(ev, sink);
    ts += ns_per_second;
  });
  detector.finish(sink);
  return 0;
}
