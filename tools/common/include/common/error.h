// File: error.h
// The error type of the command-line tools: one line that names the file, line and field,
// and the exit code it maps to.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tools {

// Stable exit codes shared by every tool.
inline constexpr int exit_ok = 0;
inline constexpr int exit_regression = 1;  // a gate failed: breach, regression, over budget
inline constexpr int exit_error = 2;       // configuration or input error: fail closed

// An input or configuration problem. what() is one line, e.g.
// "baselines/alloc-ceilings.txt:7: field 'window': expected a positive integer, got 'x'".
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `text` cut to `max` bytes with "..." and the full size appended when longer, so that an
// error message echoing an input stays one readable line whatever the input holds.
std::string truncate_for_message(std::string_view text, std::size_t max = 80);

}  // namespace tools
