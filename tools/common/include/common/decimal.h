// File: decimal.h
// Strict reading of a whole number given on a command line: plain decimal digits only. The
// standard conversions (and CLI11's) take "-1" into an unsigned as 2^64-1, "0x10" as hex and ""
// as 0; an option that silently became another number would pick another stream, year or count.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tools {

// The value of `text` when it is one or more decimal digits that fit in 64 bits; nullopt
// otherwise (empty, a sign, a space, hex, an overflow).
inline std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  for (const char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace tools
