// File: line_envelope_fuzz.cpp
// libFuzzer target for what `detect` infers from a line before any detector sees it: the
// timestamp forms, the node, the source (envelope_builder) and an envelope record read back
// (parse_envelope_record). Each line of the input goes through both; an event's views must
// point into the line or the builder, an envelope's time is never negative, and nothing may
// crash or throw.
#include <cstdint>
#include <string_view>

#include "detect/line_envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tools::envelope_builder inferred("");
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

    const detectors::event ev = inferred.build(line);
    if (ev.line.data() != line.data() || ev.node.empty()) __builtin_trap();
    const tools::envelope_record r = tools::parse_envelope_record(line);
    if (r.bad_field.empty()) {
      if (r.ev.ts_ns < 0 || r.ev.node.empty()) __builtin_trap();
      if (r.ev.line.data() < line.data() ||
          r.ev.line.data() + r.ev.line.size() != line.data() + line.size())
        __builtin_trap();
    }
  }
  return 0;
}
