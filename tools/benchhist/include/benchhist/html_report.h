// File: html_report.h
// A self-contained static HTML page: grouped inline-SVG charts and the latest comparison
// table. No external scripts, styles or fonts, so it works offline and as a CI artifact; its
// size is bounded by the caller capping the runs per chart.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "benchhist/history_compare.h"
#include "benchhist/svg_chart.h"

namespace tools {

struct report_group {
  std::string name;  // e.g. the detector
  std::vector<chart_data> charts;
};

std::string render_html_report(const std::string& title, const std::string& subtitle,
                               const std::vector<report_group>& groups,
                               const compare_report* latest);

}  // namespace tools
