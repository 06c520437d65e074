// File: baseline_fuzz.cpp
// libFuzzer target for the timing baseline reader (baselines/<platform>.json, read by
// `benchhist check`): any input either parses or throws input_error; nothing else (crash,
// other exception, sanitizer report) is allowed. A baseline that parses is written back and
// must read back the same.
#include <cstdint>
#include <string>

#include "benchhist/timing_gate.h"
#include "common/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tools::timing_baseline b;
  try {
    b = tools::parse_baseline(text, "fuzz");
  } catch (const tools::input_error&) {
    return 0;
  }
  (void)b.hard_benchmarks();
  (void)b.soft_benchmarks();
  (void)b.samples("fuzz");
  const tools::timing_baseline again =
      tools::parse_baseline(tools::serialize_baseline(b), "fuzz-rewritten");
  if (again.platform != b.platform || again.benchmarks.size() != b.benchmarks.size())
    __builtin_trap();
  for (const auto& [name, bb] : b.benchmarks) {
    const auto it = again.benchmarks.find(name);
    if (it == again.benchmarks.end() || it->second.gate != bb.gate ||
        it->second.metrics != bb.metrics)
      __builtin_trap();
  }
  return 0;
}
