// File: short_text.h
// A short text kept inside its owner (an OpType name, a WARN's peer address, an Event's uid),
// for state that is reused event after event without allocating.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string_view>

namespace detectors {

// Up to `Inline` bytes (every real value) need no allocation; a longer, garbled one spills to
// the heap, and the buffer keeps that capacity when reassigned, so bad input still reads back
// whole. fmt's buffer is the stack-first storage used for this.
template <std::size_t Inline>
class short_text {
 public:
  void assign(std::string_view s) {
    buf_.clear();
    buf_.append(s);
  }
  std::string_view view() const noexcept { return {buf_.data(), buf_.size()}; }
  bool empty() const noexcept { return buf_.size() == 0; }

 private:
  fmt::basic_memory_buffer<char, Inline> buf_;
};

}  // namespace detectors
