// File: xid_correlation_fuzz.cpp
// libFuzzer target for the xid_correlation detector: every input line becomes a kernel event
// (timestamps one second apart, two nodes alternating so per-node state is exercised), then
// the stream ends. Any crash or sanitizer report is a bug in the parser or the correlation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/xid_correlation.h"
#include "testing/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detectors;
  // A short window and small caps so that eviction paths run within one input.
  xid_correlation_config config;
  config.window_ns = 30 * ns_per_second;
  config.max_gpus = 4;
  config.max_xids_per_gpu = 4;
  xid_correlation_detector det(config);
  counting_sink sink;

  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  internal::for_each_fuzz_line(data, size, [&](std::size_t i, std::string_view line) {
    det.on_event(event{ts, i % 2 == 0 ? "node-2" : "node-1", source::kernel, line}, sink);
    ts += ns_per_second;
  });
  det.finish(sink);
  (void)det.state_size();
  return 0;
}
