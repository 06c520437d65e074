// File: ceiling_registry_fuzz.cpp
// libFuzzer target for the ceiling registry parser: any input either parses or throws
// input_error (one line, bounded length); nothing else (crash, other exception, sanitizer
// report) is allowed. A registry that parses renders to text that parses to the same render.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "ratchet/ceiling_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string rendered;
  try {
    const tools::ceiling_registry r = tools::ceiling_registry::parse(text, "fuzz.txt");
    for (const tools::ceiling& c : r.ceilings())
      if (!(c.allocs_per_event >= 0 && c.allocs_per_event <= tools::max_allocs_per_event) ||
          c.window <= 0 || c.window > tools::max_window)
        std::abort();  // a value outside the accepted range got through
    rendered = r.render();
  } catch (const tools::input_error& e) {
    const std::string message = e.what();
    if (message.find('\n') != std::string::npos || message.size() > 1000) std::abort();
    return 0;
  }
  // Rendering rounds ceilings up to 6 decimals once; after that the text is a fixed point.
  const std::string again = tools::ceiling_registry::parse(rendered, "fuzz.txt").render();
  if (tools::ceiling_registry::parse(again, "fuzz.txt").render() != again) std::abort();
  return 0;
}
