// File: cli.cpp
// `detect`'s argument parsing; the work is scan() in scan.cpp.
#include "detect/cli.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <vector>

#include "common/error.h"
#include "detect/scan.h"
#include "detectors/detector.h"

namespace tools::detect {

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  scan_options o;
  std::string format = "jsonl";
  std::vector<std::string> files;
  bool quiet = false;
  bool list = false;
  // The detectors named here are the registry's, so the help never lags behind it.
  CLI::App app{
      fmt::format("detect: run the GPU-node fault detectors ({}) over plain log files and print "
                  "their findings.\nReads any mix of kernel (dmesg/syslog/journald), "
                  "dcgm-exporter, NCCL/PyTorch and Kubernetes event lines. Findings go to "
                  "stdout; a summary to stderr.\n\nExit codes: 0 success, 2 unreadable input or "
                  "bad arguments.",
                  fmt::join(detectors::detector_names(), ", ")),
      "detect"};
  app.add_option("files", files, "Log files (default: standard input; '-' is standard input)");
  app.add_option("--node", o.node, "Node name for every line (default: from the lines)");
  app.add_option("--format", format, "Findings format")
      ->check(CLI::IsMember({"jsonl", "table"}))
      ->capture_default_str();
  app.add_option("--year", o.year, "Year for syslog timestamps, which omit it")
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
  o.summary = !quiet;
  try {
    return scan(files, o, out, err);
  } catch (const std::exception& e) {
    err << "detect: error: " << e.what() << "\n";
    return exit_error;
  }
}

}  // namespace tools::detect
