// File: line_reader.h
// Reads `detect`'s input line by line from a file descriptor or an istream in fixed-size
// chunks, reporting read failures with their errno instead of taking them for the end of input.
// Memory is bounded for any input: a line longer than max_line_bytes is skipped and counted,
// never held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tools::detect {

class line_reader {
 public:
  static constexpr std::size_t chunk_size = std::size_t{64} << 10;
  // Real log lines are at most a few KiB (a Kubernetes event with its JSON); 1 MiB leaves room
  // for any of them and bounds what one line can cost.
  static constexpr std::size_t max_line_bytes = std::size_t{1} << 20;

  // Reads `fd` (not owned, not closed).
  explicit line_reader(int fd);
  // Reads `in` (the golden tests point std::cin at a file).
  explicit line_reader(std::istream& in);

  // The next line of at most max_line_bytes (longer ones are skipped and counted in
  // overlong_lines()) without its '\n' and a trailing '\r'; false at the end of input. The view is
  // valid until the next call. Throws std::system_error with the read's errno on a failed read
  // (a closed descriptor, a directory, an I/O error).
  bool next(std::string_view& line);

  // Up to the first 8 bytes of the input (reading the first chunk if need be), to recognise a
  // compressed file; call it before next().
  std::string_view first_bytes();

  // Bytes the reader holds for a line that spans chunks (for tests of its memory).
  std::size_t line_capacity() const noexcept { return line_.capacity(); }

  // Lines longer than max_line_bytes, skipped so far.
  std::uint64_t overlong_lines() const noexcept { return overlong_; }

 private:
  std::size_t fill();

  int fd_ = -1;
  std::istream* in_ = nullptr;
  std::unique_ptr<char[]> chunk_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
  std::vector<char> line_;  // a line that spans chunks
  bool skipping_ = false;   // inside a line already found too long, until its '\n'
  std::uint64_t overlong_ = 0;
};

}  // namespace tools::detect
