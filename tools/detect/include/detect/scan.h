// File: scan.h
// `detect`'s work apart from its command line: every registered detector over a set of log
// files (or standard input), findings printed as they are made, a per-detector summary.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tools::detect {

struct scan_options {
  std::string node;     // "" = from each line
  int year = 2024;      // for syslog timestamps, which omit it
  bool table = false;   // fixed-width rows instead of JSON lines
  bool summary = true;  // per-detector counts on `err` at the end
};

// Runs every detector over `files` ("-" is std::cin), reading line by line into one reused
// buffer so memory does not grow with the input. Returns 0, or 2 after printing
// "detect: error: ..." on `err` when a file cannot be opened or read.
int scan(std::span<const std::string> files, const scan_options& options, std::ostream& out,
         std::ostream& err);

// `detect --list`: the detectors as an aligned table.
std::string render_detector_list();

}  // namespace tools::detect
