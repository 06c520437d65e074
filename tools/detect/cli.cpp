// File: cli.cpp
// `detect`'s argument parsing; the work is scan() in scan.cpp.
#include "detect/cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/decimal.h"
#include "common/error.h"
#include "detect/line_reader.h"
#include "detect/scan.h"
#include "detectors/detector.h"

namespace tools::detect {
namespace {

// Syslog lines carry no year; --year supplies it. Plain decimal digits from 1970 (the epoch the
// timestamps count from) to 2261: CLI11 alone would take "-5", "0" or "0x7e8" and silently
// shift every syslog timestamp.
constexpr int min_year = 1970;
// The last year whose every instant fits in int64 nanoseconds since 1970 (2262-04-11 is the
// limit): a later --year would leave every syslog date without a time, silently.
constexpr int max_year = 2261;

std::string check_year(std::string& s) {
  const std::optional<std::uint64_t> v = parse_decimal(s);
  if (!v || *v < min_year || *v > max_year)
    return fmt::format("'{}' is not a year from {} to {}", s.substr(0, 40), min_year, max_year);
  return {};
}

// The node name is printed in every finding; a control character (a newline, a tab, an escape)
// would split a table row or forge one.
std::string check_node(std::string& s) {
  const auto bad = std::find_if(
      s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (bad == s.end()) return {};
  return fmt::format("contains control character 0x{:02x} at byte {}; give a plain name",
                     static_cast<unsigned char>(*bad), bad - s.begin());
}

int run_with(std::span<const std::string> args, std::ostream& out, std::ostream& err,
             bool stdin_fd) {
  scan_options o;
  o.stdin_fd = stdin_fd;
  std::string format = "jsonl";
  std::vector<std::string> files;
  bool quiet = false;
  bool list = false;
  // The detectors named here are the registry's, so the help never lags behind it.
  CLI::App app{
      fmt::format(
          "detect: run the GPU-node fault detectors ({}) over plain log files and print "
          "their findings.\nReads any mix of kernel (dmesg/syslog/journald), "
          "dcgm-exporter, nvidia-smi -q, NCCL/PyTorch and Kubernetes event lines. Findings go to "
          "stdout; a summary to stderr. A line longer than {} bytes is skipped and counted in the "
          "summary, so memory stays bounded for any input. A line with a NUL byte is skipped, and "
          "a "
          "warning names the file and the count; a compressed file (gzip, zstd, xz, bzip2) "
          "is an error: decompress it first.\n\nExit codes: 0 success, 2 unreadable "
          "input or "
          "bad arguments.",
          fmt::join(detectors::detector_names(), ", "), line_reader::max_line_bytes),
      "detect"};
  app.add_option("files", files, "Log files (default: standard input; '-' is standard input)");
  app.add_option("--node", o.node, "Node name for every line (default: from the lines)")
      ->check(CLI::Validator(check_node, "", "node"));
  app.add_option("--format", format,
                 "Findings format (none: print no findings, only the summary's counts)")
      ->check(CLI::IsMember({"jsonl", "table", "none"}))
      ->capture_default_str();
  app.add_option("--year", o.year, "Year for syslog timestamps, which omit it")
      ->check(CLI::Validator(check_year, fmt::format("in [{} - {}]", min_year, max_year), "year"))
      ->capture_default_str();
  std::string input = "text";
  app.add_option("--input", input,
                 "Input lines: text (logs; time, node and source inferred) or envelope "
                 "(ts_ns<TAB>node<TAB>source<TAB>line, as corpus-gen --format envelope writes)")
      ->check(CLI::IsMember({"text", "envelope"}))
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No summary on stderr");
  app.add_flag("--list", list, "List the detectors and exit");

  // CLI11 takes the arguments last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? exit_ok : exit_error;
  }
  if (list) {
    out << render_detector_list();
    return exit_ok;
  }
  if (files.empty()) files.push_back("-");
  o.table = format == "table";
  o.findings = format != "none";
  o.envelope_input = input == "envelope";
  o.summary = !quiet;
  try {
    return scan(files, o, out, err);
  } catch (const std::exception& e) {
    err << "detect: error: " << e.what() << "\n";
    return exit_error;
  }
}

}  // namespace

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  return run_with(args, out, err, false);
}

int run_process(std::span<const std::string> args) {
  const int rc = run_with(args, std::cout, std::cerr, true);
  // std::cout writes through stdio's buffer: the last of it reaches the descriptor only here.
  errno = 0;
  std::cout.flush();
  const bool flushed = static_cast<bool>(std::cout) && std::fflush(stdout) == 0;
  const int flush_errno = errno;
  const bool closed = std::fclose(stdout) == 0;
  if (rc == exit_ok && !(flushed && closed)) {
    std::cerr << "detect: error: writing the findings failed: "
              << std::strerror(flush_errno != 0 ? flush_errno : errno)
              << " (output full or closed?)\n";
    return exit_error;
  }
  return rc;
}

}  // namespace tools::detect
