// File: nvsmi_query_fuzz.cpp
// libFuzzer target for the `nvidia-smi -q` reader: each input line is read in order, mostly
// on one node (so sections and groups stay open across lines) and now and then on one of two
// others, with a reader of two node contexts (so contexts switch and are taken mid-block). Built by
// ALLOCGATE_FUZZ; run briefly by `make fuzz-smoke`.
#include <cstddef>
#include <cstdint>

#include "detectors/nvsmi_query.h"
#include "testing/fuzz_lines.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  detectors::nvsmi_query_reader reader(2);
  detectors::internal::for_each_fuzz_line(data, size, [&](std::size_t i, std::string_view line) {
    const detectors::nvsmi_line l = reader.read(i % 11 == 10 ? "node-b"
                                                : i % 7 == 6 ? "node-c"
                                                             : "node-a",
                                                line);
    if (l.context >= reader.max_nodes()) __builtin_trap();
    // The GPU the reader attributes to is always a bus id it copied whole.
    if (reader.gpu().size() > 32) __builtin_trap();
    if (l.kind == detectors::nvsmi_line_kind::gpu && reader.gpu().empty()) __builtin_trap();
  });
  return 0;
}
