// File: hbm_ecc_fuzz.cpp
// libFuzzer target for the hbm_ecc detector: each input line is one event (increasing
// timestamps, alternating between two nodes so per-node state is exercised), then finish().
// Built by ALLOCGATE_FUZZ (clang, -fsanitize=fuzzer); run briefly by `make fuzz-smoke`.
#include <cstddef>
#include <cstdint>

#include "detectors/hbm_ecc.h"
#include "testing/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  detectors::hbm_ecc_detector d;
  detectors::internal::fuzz_dcgm_detector(d, data, size);
  return 0;
}
