// File: nccl_hang_fuzz.cpp
// libFuzzer target for the nccl_hang detector: every input line is an event (timestamps one
// second apart, two nodes alternating so that network WARNs and timeouts meet across jobs),
// then finish() reports what is still settling. Crashes and sanitizer reports are the failure.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/finding.h"
#include "detectors/nccl_hang.h"

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

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  std::size_t index = 0;
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const event ev{ts, index % 2 == 0 ? "node-a" : "node-b", source::workload,
                   input.substr(start, end - start)};
    detector.on_event(ev, sink);
    ts += ns_per_second;
    ++index;
    start = end + 1;
  }
  detector.finish(sink);
  return 0;
}
