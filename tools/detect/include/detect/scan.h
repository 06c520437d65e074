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
  std::string node;      // "" = from each line
  int year = 2024;       // for syslog timestamps, which omit it
  bool table = false;    // fixed-width rows instead of JSON lines
  bool findings = true;  // false: count findings for the summary, print none
  bool summary = true;   // per-detector counts on `err` at the end
  // "-" reads file descriptor 0 directly (the process's real standard input, so a closed or
  // directory stdin is a read error with its errno) instead of std::cin.
  bool stdin_fd = false;
  // Lines are allocgate's envelope records (ts_ns<TAB>node<TAB>source<TAB>line, as written by
  // `corpus-gen --format envelope`): the detectors see exactly those events, nothing inferred.
  bool envelope_input = false;
};

// Runs every detector over `files` ("-" is std::cin, or descriptor 0 with `stdin_fd`), reading
// in fixed-size chunks. Returns 0, or 2 after printing one line "detect: error: ..." on `err`
// when a file cannot be opened or read (with the errno text) or `out` fails (full, closed).
int scan(std::span<const std::string> files, const scan_options& options, std::ostream& out,
         std::ostream& err);

// `detect --list`: the detectors as an aligned table.
std::string render_detector_list();

}  // namespace tools::detect
