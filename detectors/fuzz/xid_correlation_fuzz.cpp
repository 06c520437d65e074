// File: xid_correlation_fuzz.cpp
// libFuzzer target for the xid_correlation detector: every input line becomes a kernel event
// (timestamps one second apart, two nodes alternating so per-node state is exercised), then
// the stream ends. Any crash or sanitizer report is a bug in the parser or the correlation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/xid_correlation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detectors;
  // A short window and small caps so that eviction paths run within one input.
  xid_correlation_config config;
  config.window_ns = 30 * ns_per_second;
  config.max_gpus = 4;
  config.max_xids_per_gpu = 4;
  xid_correlation_detector det(config);
  counting_sink sink;

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::int64_t ts = 1'732'000'000LL * ns_per_second;
  std::size_t start = 0;
  bool odd = false;
  while (start <= input.size()) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    det.on_event(
        event{ts, odd ? "node-1" : "node-2", source::kernel, input.substr(start, end - start)},
        sink);
    ts += ns_per_second;
    odd = !odd;
    start = end + 1;
  }
  det.finish(sink);
  (void)det.state_size();
  return 0;
}
