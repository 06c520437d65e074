// File: attribution_file_fuzz.cpp
// libFuzzer target for the attribution file reader: any input either parses or throws
// format_error; nothing else (crash, other exception, sanitizer report) is allowed. A file
// that parses is written back and must read back the same.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "alloc_hooks/attribution_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace af = alloc_hooks::attribution_file;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  af::contents c;
  try {
    c = af::read(text, "fuzz");
  } catch (const af::format_error&) {
    return 0;
  }
  char* buffer = nullptr;
  std::size_t length = 0;
  std::FILE* f = open_memstream(&buffer, &length);
  if (f == nullptr) return 0;
  af::writer w(f);
  w.header(c.events, c.dropped);
  for (const af::site& s : c.sites) {
    w.site(s.allocs, s.bytes, static_cast<int>(s.frames.size()));
    for (const af::frame& fr : s.frames)
      w.frame(fr.offset, fr.object.c_str());
  }
  std::fclose(f);
  // Objects with a newline or leading spaces cannot round-trip; the reader never yields one.
  const af::contents again = af::read(std::string_view(buffer, length), "fuzz-rewritten");
  if (again.events != c.events || again.sites.size() != c.sites.size()) __builtin_trap();
  for (std::size_t i = 0; i < c.sites.size(); ++i)
    if (again.sites[i].frames.size() != c.sites[i].frames.size()) __builtin_trap();
  std::free(buffer);
  return 0;
}
