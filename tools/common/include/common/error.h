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
//
// Control characters that an input carried into the message (a benchmark named "BM_X\u0000..."
// in a results file) are written as \xNN: a NUL would end what() there and drop the rest of
// the message, an escape sequence would reach the terminal. Newlines stay: a few messages end
// with the command that fixes the problem, on a line of its own.
class input_error : public std::runtime_error {
 public:
  explicit input_error(const std::string& message);
  explicit input_error(const char* message) : input_error(std::string(message)) {}
};

// `text` cut to `max` bytes with "..." and the full size appended when longer, so that an
// error message echoing an input stays one readable line whatever the input holds.
std::string truncate_for_message(std::string_view text, std::size_t max = 80);

}  // namespace tools
