// File: error.cpp
#include "common/error.h"

#include <fmt/format.h>

#include <algorithm>

namespace tools {
namespace {

// The longest message printed: whatever a message quotes from the input, the line stays
// readable (file, line and field come first).
constexpr std::size_t max_message = 900;

std::string escape_control(const std::string& message) {
  std::string out;
  out.reserve(std::min(message.size(), max_message));
  for (const char c : message) {
    if (out.size() >= max_message) {
      out += fmt::format("... ({} bytes)", message.size());
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n') || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

}  // namespace

input_error::input_error(const std::string& message)
    : std::runtime_error(escape_control(message)) {}

std::string truncate_for_message(std::string_view text, std::size_t max) {
  // The bound is on what is printed: an escaped control character takes four characters.
  std::string out;
  std::size_t used = 0;
  for (; used < text.size() && out.size() < max; ++used) {
    const char c = text[used];
    // Control characters would break the one-line message or hide what the input holds.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  if (used < text.size()) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

}  // namespace tools
