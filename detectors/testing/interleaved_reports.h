// File: interleaved_reports.h
// The test that several nodes' nvidia-smi -q reports interleaved line by line (logs aggregated
// before `detect`) give a detector the same findings as the same reports one after the other.
// Reports come from the detectors' testdata/real_lines (public captures, cited there).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/finding.h"

namespace detectors::testing {

// A file under the detectors' tree (e.g. "hbm_ecc/testdata/real_lines/x.txt"), whole.
inline std::string detectors_file(std::string_view relative) {
  std::ifstream in(std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) + "/" + std::string(relative),
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::string_view> report_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// Finishes `d` and returns what `sink` collected, as JSON lines in sorted order (so that two
// runs compare whatever order their findings came in).
inline std::vector<std::string> sorted_findings(detector& d, collecting_sink& sink) {
  d.finish(sink);
  std::vector<std::string> out;
  for (const owned_finding& f : sink.findings)
    out.push_back(to_json(f));
  std::sort(out.begin(), out.end());
  return out;
}

// The findings of `reports[i]` fed as node "node-i", one report after the other
// (interleave = false) or a line of each node in turn, and then finish(); sorted, so that
// only what is found counts, not when.
inline std::vector<std::string> findings_of_reports(
    const std::function<std::unique_ptr<detector>()>& make,
    const std::vector<std::string_view>& reports, bool interleave, std::int64_t ts_ns) {
  std::unique_ptr<detector> d = make();
  collecting_sink sink;
  std::vector<std::vector<std::string_view>> lines;
  std::vector<std::string> nodes;
  for (std::size_t n = 0; n < reports.size(); ++n) {
    lines.push_back(report_lines(reports[n]));
    nodes.push_back("node-" + std::to_string(n));
  }
  const auto feed = [&](std::size_t n, std::size_t i) {
    d->on_event(event{ts_ns, nodes[n], source::nvidia_smi, lines[n][i]}, sink);
  };
  if (interleave) {
    for (std::size_t i = 0;; ++i) {
      bool any = false;
      for (std::size_t n = 0; n < lines.size(); ++n)
        if (i < lines[n].size()) {
          feed(n, i);
          any = true;
        }
      if (!any) break;
    }
  } else {
    for (std::size_t n = 0; n < lines.size(); ++n)
      for (std::size_t i = 0; i < lines[n].size(); ++i)
        feed(n, i);
  }
  return sorted_findings(*d, sink);
}

// Interleaved or one after the other, the same findings, and at least `min_findings` of them.
inline void expect_interleaving_changes_nothing(
    const std::function<std::unique_ptr<detector>()>& make,
    const std::vector<std::string_view>& reports, std::size_t min_findings) {
  constexpr std::int64_t ts = 1'732'000'000LL * ns_per_second;
  const std::vector<std::string> alone = findings_of_reports(make, reports, false, ts);
  const std::vector<std::string> mixed = findings_of_reports(make, reports, true, ts);
  EXPECT_GE(alone.size(), min_findings);
  EXPECT_EQ(alone, mixed);
}

// `report` fed as node "x" alone, and then with the lines of `passers` other nodes (a metric
// and a kernel line in turn, nothing a report reader reads) between each two of its lines:
// the same findings, and at least `min_findings` of them. Such nodes must take nothing of the
// reader's bounded per-node state from the report.
inline void expect_passing_nodes_change_nothing(
    const std::function<std::unique_ptr<detector>()>& make, std::string_view report,
    std::size_t passers, std::size_t min_findings) {
  constexpr std::int64_t ts = 1'732'000'000LL * ns_per_second;
  const std::vector<std::string_view> lines = report_lines(report);
  std::vector<std::string> nodes;
  for (std::size_t n = 0; n < passers; ++n)
    nodes.push_back("passer-" + std::to_string(n));
  const std::string_view metric =
      R"(DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1",pci_bus_id="00000000:19:00.0"} 300)";
  const std::string_view kernel = "NVRM: GPU at PCI:0000:19:00: GPU-1";
  const auto findings = [&](bool crowd) {
    std::unique_ptr<detector> d = make();
    collecting_sink sink;
    for (const std::string_view l : lines) {
      d->on_event(event{ts, "x", source::nvidia_smi, l}, sink);
      if (crowd)
        for (std::size_t n = 0; n < nodes.size(); ++n)
          d->on_event(event{ts, nodes[n], source::dcgm, n % 2 ? metric : kernel}, sink);
    }
    return sorted_findings(*d, sink);
  };
  const std::vector<std::string> alone = findings(false);
  EXPECT_GE(alone.size(), min_findings);
  EXPECT_EQ(findings(true), alone);
}

}  // namespace detectors::testing
