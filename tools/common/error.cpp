// File: error.cpp
#include "common/error.h"

#include <fmt/format.h>

namespace tools {
namespace {

std::string escape_control(const std::string& message) {
  std::string out;
  out.reserve(message.size());
  for (const char c : message) {
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
  std::string out;
  for (char c : text.substr(0, max)) {
    // Control characters would break the one-line message or hide what the input holds.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else
      out += c;
  }
  if (text.size() > max) out += fmt::format("... ({} bytes)", text.size());
  return out;
}

}  // namespace tools
