// File: history_charts.h
// From a metric's history to what `trend` and `report` draw: one chart per benchmark with its
// change points and reference line, file names for the charts, and the report's grouping of a
// detector's benchmarks (warm, cold, reference scan) into one section.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "benchhist/history_reports.h"
#include "benchhist/html_report.h"
#include "benchhist/svg_chart.h"
#include "benchhist/timing_gate.h"

namespace tools {

// One chart per benchmark of `series`: short commit labels, per-run medians, change points.
// The reference line is the ceiling when given, else the baseline's median of this benchmark
// and metric when the baseline has one, else none.
std::vector<chart_data> make_charts(const history_series& series, const std::string& metric,
                                    const timing_baseline* baseline, std::optional<double> ceiling);

// A benchmark name as a file name: anything but letters, digits, '_' and '-' becomes '_'.
std::string chart_file_name(const std::string& benchmark);

// Charts grouped by detector through the measurement contract's benchmark names
// (bench::parse_benchmark_name): BM_XDetector and BM_XDetectorCold share the group BM_X.
// A chart whose title is no detector benchmark forms a group of its own name. Groups are
// sorted by name; charts keep their order within a group.
std::vector<report_group> group_by_detector(std::vector<chart_data> charts);

}  // namespace tools
