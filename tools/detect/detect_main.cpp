// File: detect_main.cpp
// `detect`: runs the six detectors over plain log files (or stdin) and prints findings.
//
// Streaming and constant-memory: lines are read one at a time into a reused buffer, and every
// detector keeps bounded state, so input size does not matter.
// Exit codes: 0 success, 2 unreadable input or bad arguments.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "detectors/detector.h"
#include "common/error.h"
#include "detect/line_envelope.h"
#include "common/table.h"

namespace {

using namespace detectors;

// Prints each finding as it is made (JSON lines, or fixed-width table rows).
class printing_sink final : public finding_sink {
 public:
  explicit printing_sink(bool table) : table_(table) {
    if (table_)
      std::fputs(fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", "SEVERITY",
                             "DETECTOR", "NODE", "SUBJECT", "KIND", "ACTION", "MESSAGE")
                     .c_str(),
                 stdout);
  }
  void on_finding(const finding& f) override {
    ++by_severity[static_cast<int>(f.sev)];
    if (table_) {
      std::fputs(
          fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", to_string(f.sev),
                      f.detector, f.node, f.subject, f.kind, to_string(f.recommended), f.message)
              .c_str(),
          stdout);
    } else {
      std::fputs((to_json(owned_finding(f)) + "\n").c_str(), stdout);
    }
  }
  std::uint64_t by_severity[3] = {0, 0, 0};

 private:
  bool table_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string node;
  std::string format = "jsonl";
  std::vector<std::string> files;
  int year = 2024;
  bool quiet = false;
  CLI::App app{
      "detect: run the six GPU-node fault detectors (pod_evicted, xid_correlation, hbm_ecc, "
      "nccl_hang, thermal_throttle, pcie_aer) over plain log files and print their findings.\n"
      "Reads any mix of kernel (dmesg/syslog/journald), dcgm-exporter, NCCL/PyTorch and "
      "Kubernetes event lines. Findings go to stdout; a summary to stderr.\n\n"
      "Exit codes: 0 success, 2 unreadable input or bad arguments."};
  app.add_option("files", files, "Log files (default: standard input; '-' is standard input)");
  app.add_option("--node", node, "Node name for every line (default: from the lines)");
  app.add_option("--format", format, "Findings format")
      ->check(CLI::IsMember({"jsonl", "table"}))
      ->capture_default_str();
  app.add_option("--year", year, "Year for syslog timestamps, which omit it")
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No summary on stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? tools::exit_ok : tools::exit_error;
  }
  if (files.empty()) files.push_back("-");

  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : detector_names())
    all.push_back(make_detector(name));
  printing_sink sink(format == "table");
  tools::envelope_builder envelope(node, year);

  std::uint64_t lines = 0;
  std::string line;
  for (const std::string& path : files) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
      file.open(path, std::ios::binary);
      if (!file) {
        std::fprintf(stderr, "detect: error: %s: cannot open\n", path.c_str());
        return tools::exit_error;
      }
      in = &file;
    }
    while (std::getline(*in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      ++lines;
      const event ev = envelope.build(line);
      for (auto& d : all)
        d->on_event(ev, sink);
    }
    if (in->bad()) {
      std::fprintf(stderr, "detect: error: %s: read failed after %llu lines\n", path.c_str(),
                   static_cast<unsigned long long>(lines));
      return tools::exit_error;
    }
  }
  for (auto& d : all)
    d->finish(sink);
  std::fflush(stdout);

  if (!quiet) {
    tools::table t(
        {"detector", "recognised", "malformed", "findings"},
        {tools::align::left, tools::align::right, tools::align::right, tools::align::right});
    for (const auto& d : all)
      t.add_row({std::string(d->name()), std::to_string(d->stats().recognised),
                 std::to_string(d->stats().malformed), std::to_string(d->stats().findings)});
    std::fprintf(stderr,
                 "\ndetect: %llu lines; findings: %llu critical, %llu warning, %llu info\n%s",
                 static_cast<unsigned long long>(lines),
                 static_cast<unsigned long long>(sink.by_severity[2]),
                 static_cast<unsigned long long>(sink.by_severity[1]),
                 static_cast<unsigned long long>(sink.by_severity[0]), t.render_text().c_str());
  }
  return tools::exit_ok;
}
