// File: attribution_file.h
// The attribution file format: its one writer (used by the attribution build of the hook at
// exit) and its one reader (used by `ratchet explain`), so both ends agree by construction.
//
//   # allocgate attribution v1
//   events <events processed while armed>
//   dropped <allocations that found the site table full>
//   site <allocs> <bytes> <frame count>
//   frame <hex offset in object> <object path, or '?' with an absolute address>
//   ...                                  (<frame count> frame lines per site, innermost first)
//
// Numbers are decimal except the frame offset (hex, no 0x). Lines end with '\n'.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace alloc_hooks::attribution_file {

inline constexpr std::string_view header_line = "# allocgate attribution v1";

// Streams the format to a FILE. Allocates nothing itself, so it can run inside the hook's
// process at exit; every call after a failed write is a no-op and ok() turns false.
class writer {
 public:
  explicit writer(std::FILE* f) noexcept : f_(f) {}
  void header(std::uint64_t events, std::uint64_t dropped) noexcept;
  void site(std::uint64_t allocs, std::uint64_t bytes, int frame_count) noexcept;
  // `object` nullptr: the address could not be mapped to an object (written as '?').
  void frame(std::uint64_t offset, const char* object) noexcept;
  bool ok() const noexcept { return ok_; }

 private:
  std::FILE* f_;
  bool ok_ = true;
};

struct frame {
  std::uint64_t offset = 0;
  std::string object;  // "?" when unknown
};

struct site {
  std::uint64_t allocs = 0;
  std::uint64_t bytes = 0;
  std::vector<frame> frames;  // innermost first
};

struct contents {
  std::uint64_t events = 0;
  std::uint64_t dropped = 0;
  std::vector<site> sites;
};

// A malformed file. what() names the file, the line and the field, e.g.
// "/tmp/a.txt:4: field 'bytes': expected a decimal number, got 'x'".
class format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses a whole file's text; `file_name` only labels errors. Throws format_error.
contents read(std::string_view text, std::string_view file_name);

}  // namespace alloc_hooks::attribution_file
