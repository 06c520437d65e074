// File: pcie_aer_fuzz.cpp
// libFuzzer target for the pcie_aer detector: every input line is an event, so the parser, the
// record assembly (open records, firmware dumps, timeouts) and the caps all see hostile input.
// Small caps and short windows make eviction and expiry happen within one input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/event.h"
#include "detectors/finding.h"
#include "detectors/pcie_aer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detectors;
  pcie_aer_config config;
  config.corrected_storm_threshold = 3;
  config.max_devices = 8;
  config.max_nodes = 2;
  config.max_firmware_records = 2;
  config.max_fatal_per_node = 2;
  pcie_aer_detector det(config);
  counting_sink sink;

  static constexpr std::string_view nodes[] = {"node-0", "node-1", "node-2"};
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::int64_t ts = 1'700'000'000LL * ns_per_second;
  std::size_t index = 0;
  while (!input.empty()) {
    const std::size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    // Steps from tens of microseconds to seconds, so records both assemble and time out.
    ts += static_cast<std::int64_t>(1 + line.size() % 7) *
          (line.size() % 3 == 0 ? ns_per_second : 10'000);
    det.on_event(event{ts, nodes[index++ % 3], source::kernel, line}, sink);
  }
  det.finish(sink);
  return 0;
}
