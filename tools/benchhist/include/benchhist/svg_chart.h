// File: svg_chart.h
// One benchmark's history as a self-contained SVG line chart: runs on x (short commit labels),
// the metric on y, an optional reference line (budget or baseline) and change points marked.
// Plain SVG text, no scripts or fonts to fetch, so it renders offline and inline in HTML.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tools {

struct chart_data {
  std::string title;                       // benchmark name
  std::string metric;                      // y axis label
  std::vector<std::string> labels;         // one per point: short commit SHAs
  std::vector<double> values;              // one per point: the run's median
  std::optional<double> reference;         // drawn as a dashed horizontal line
  std::string reference_label;             // e.g. "baseline 12.3"
  std::vector<std::size_t> change_points;  // indices into values: a new level starts here
};

std::string render_svg_chart(const chart_data& chart, int width = 760, int height = 320);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string xml_escape(const std::string& s);

}  // namespace tools
