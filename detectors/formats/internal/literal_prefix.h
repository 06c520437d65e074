// File: literal_prefix.h
// Prefix tests against string literals for the kernel-log parsers (kernel_prefix, pcie_aer,
// xid_correlation), which try several literals on every line they read.
//
// The literal's length is a compile-time constant, so a test is one or two word compares
// (8, 4 or 2 bytes, the last one overlapping) instead of a memcmp call (GCC -O2 does not
// inline memcmp for most of these lengths) or a byte loop: a full match of "PCIe Bus Error:"
// costs two 8-byte compares.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace detectors::internal {

// The `sizeof(Word)` bytes at a and at b are equal (unaligned loads).
template <typename Word>
bool same_bytes(const char* a, const char* b) noexcept {
  Word x;
  Word y;
  std::memcpy(&x, a, sizeof x);
  std::memcpy(&y, b, sizeof y);
  return x == y;
}

// s starts with the literal `prefix` (its terminating NUL excluded).
template <std::size_t N>
bool has_prefix(std::string_view s, const char (&prefix)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  if (s.size() < n) return false;
  const char* p = s.data();
  if constexpr (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (!same_bytes<std::uint64_t>(p + i, prefix + i)) return false;
    return same_bytes<std::uint64_t>(p + n - 8, prefix + n - 8);
  } else if constexpr (n >= 4) {
    return same_bytes<std::uint32_t>(p, prefix) &&
           same_bytes<std::uint32_t>(p + n - 4, prefix + n - 4);
  } else if constexpr (n >= 2) {
    return same_bytes<std::uint16_t>(p, prefix) &&
           same_bytes<std::uint16_t>(p + n - 2, prefix + n - 2);
  } else if constexpr (n == 1) {
    return p[0] == prefix[0];
  } else {
    return true;
  }
}

// Removes the literal `prefix` from the front of s when s starts with it.
template <std::size_t N>
bool consume(std::string_view& s, const char (&prefix)[N]) noexcept {
  if (!has_prefix(s, prefix)) return false;
  s.remove_prefix(N - 1);
  return true;
}

}  // namespace detectors::internal
