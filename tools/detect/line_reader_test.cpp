// File: line_reader_test.cpp
// Tests of `detect`'s chunked line reader: lines across chunk borders, line endings, read
// errors, and memory that stays bounded whatever the length of a line.
#include "detect/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "detect/scan.h"

namespace tools::detect {
namespace {

// The lines read, each cut to 64 bytes and its length, so a failure never prints megabytes.
std::vector<std::string> read_all(line_reader& r) {
  std::vector<std::string> lines;
  std::string_view line;
  while (r.next(line))
    lines.push_back(line.size() <= 64 ? std::string(line)
                                      : std::string(line.substr(0, 64)) + "... (" +
                                            std::to_string(line.size()) + " bytes)");
  return lines;
}

std::string shown(const std::string& line) {
  return line.size() <= 64 ? line
                           : line.substr(0, 64) + "... (" + std::to_string(line.size()) + " bytes)";
}

TEST(LineReader, SplitsLinesAcrossChunkBordersAndStripsCr) {
  const std::string long_line(line_reader::chunk_size + 10, 'a');
  std::istringstream in("one\r\n\n" + long_line + "\nlast without newline");
  line_reader r(in);
  EXPECT_EQ(read_all(r),
            (std::vector<std::string>{"one", "", shown(long_line), "last without newline"}));
}

TEST(LineReader, ReadErrorCarriesItsErrno) {
  line_reader r(-1);
  std::string_view line;
  try {
    r.next(line);
    FAIL() << "reading descriptor -1 did not throw";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EBADF);
  }
}

// A line far above the cap (64 MiB through an istream) is skipped and counted, and the reader
// never holds more than the cap for it: memory is bounded for any input.
TEST(LineReader, OverlongLineIsSkippedWithBoundedMemory) {
  const std::size_t huge = std::size_t{64} << 20;
  std::string input = "before\n";
  input.append(huge, 'x');
  input += "\nafter\n";
  std::istringstream in(std::move(input));
  line_reader r(in);
  EXPECT_EQ(read_all(r), (std::vector<std::string>{"before", "after"}));
  EXPECT_LE(r.line_capacity(), line_reader::max_line_bytes);
  EXPECT_EQ(r.overlong_lines(), 1u);
}

TEST(LineReader, OverlongLastLineWithoutNewlineIsCounted) {
  std::istringstream in("a\n" + std::string(line_reader::max_line_bytes + 1, 'y'));
  line_reader r(in);
  EXPECT_EQ(read_all(r), (std::vector<std::string>{"a"}));
  EXPECT_EQ(r.overlong_lines(), 1u);
}

TEST(LineReader, LineOfExactlyTheCapIsKept) {
  const std::string at_cap(line_reader::max_line_bytes, 'z');
  std::istringstream in(at_cap + "\n");
  line_reader r(in);
  EXPECT_EQ(read_all(r), (std::vector<std::string>{shown(at_cap)}));
  EXPECT_EQ(r.overlong_lines(), 0u);
}

// What the user sees: the skipped line is counted in the summary.
TEST(Scan, SummaryCountsOverlongLines) {
  std::istringstream in("x\n" + std::string(line_reader::max_line_bytes * 3, 'q') + "\ny\n");
  std::streambuf* saved = std::cin.rdbuf(in.rdbuf());
  std::ostringstream out, err;
  const std::vector<std::string> files{"-"};
  const int rc = scan(files, scan_options{}, out, err);
  std::cin.rdbuf(saved);
  EXPECT_EQ(rc, 0) << err.str();
  EXPECT_NE(err.str().find("detect: 3 lines (1 longer than 1048576 bytes, skipped"),
            std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace tools::detect
