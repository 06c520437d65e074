// File: scan.cpp
// The run loop of `detect` (scan.h): envelopes from line_envelope.h, every detector of the
// registry, findings printed as they are made.
#include "detect/scan.h"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "common/error.h"
#include "common/table.h"
#include "detect/line_envelope.h"
#include "detectors/detector.h"

namespace tools::detect {
namespace {

using namespace detectors;

// Prints each finding as it is made (JSON lines, or fixed-width table rows).
class printing_sink final : public finding_sink {
 public:
  printing_sink(bool table, std::ostream& out) : table_(table), out_(out) {
    if (table_)
      out_ << fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", "SEVERITY",
                          "DETECTOR", "NODE", "SUBJECT", "KIND", "ACTION", "MESSAGE");
  }
  void on_finding(const finding& f) override {
    ++by_severity[static_cast<int>(f.sev)];
    if (table_)
      out_ << fmt::format("{:<8}  {:<16}  {:<10}  {:<22}  {:<26}  {:<12}  {}\n", to_string(f.sev),
                          f.detector, f.node, f.subject, f.kind, to_string(f.recommended),
                          f.message);
    else
      out_ << to_json(owned_finding(f)) << "\n";
  }
  std::uint64_t by_severity[3] = {0, 0, 0};

 private:
  bool table_;
  std::ostream& out_;
};

}  // namespace

int scan(std::span<const std::string> files, const scan_options& options, std::ostream& out,
         std::ostream& err) {
  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : detector_names())
    all.push_back(make_detector(name));
  printing_sink sink(options.table, out);
  envelope_builder envelope(options.node, options.year);

  std::uint64_t lines = 0;
  std::string line;
  for (const std::string& path : files) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
      file.open(path, std::ios::binary);
      if (!file) {
        err << "detect: error: " << path << ": cannot open\n";
        return exit_error;
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
      err << "detect: error: " << path << ": read failed after " << lines << " lines\n";
      return exit_error;
    }
  }
  for (auto& d : all)
    d->finish(sink);
  out.flush();

  if (options.summary) {
    table t({"detector", "recognised", "malformed", "findings"},
            {align::left, align::right, align::right, align::right});
    for (const auto& d : all)
      t.add_row({std::string(d->name()), std::to_string(d->stats().recognised),
                 std::to_string(d->stats().malformed), std::to_string(d->stats().findings)});
    err << fmt::format("\ndetect: {} lines; findings: {} critical, {} warning, {} info\n{}", lines,
                       sink.by_severity[2], sink.by_severity[1], sink.by_severity[0],
                       t.render_text());
  }
  return exit_ok;
}

std::string render_detector_list() {
  table t({"detector", "finds"}, {align::left, align::left});
  for (const detectors::detector_info& d : detectors::detector_catalog())
    t.add_row({std::string(d.name), std::string(d.summary)});
  return t.render_text();
}

}  // namespace tools::detect
