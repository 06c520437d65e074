// File: svg_chart.cpp
#include "benchhist/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "benchhist/history_compare.h"

namespace tools {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_svg_chart(const chart_data& c, int width, int height) {
  const double left = 70, right = 20, top = 30, bottom = 70;
  const double pw = width - left - right, ph = height - top - bottom;
  double lo = INFINITY, hi = -INFINITY;
  for (double v : c.values) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (c.reference) {
    lo = std::min(lo, *c.reference);
    hi = std::max(hi, *c.reference);
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  // Some headroom, and a visible range even for a flat (deterministic) series.
  const double pad = hi > lo ? (hi - lo) * 0.1 : (std::fabs(hi) > 0 ? std::fabs(hi) * 0.05 : 1);
  lo -= pad;
  hi += pad;
  const std::size_t n = c.values.size();
  const auto x = [&](std::size_t i) {
    return left + (n <= 1 ? pw / 2 : pw * static_cast<double>(i) / static_cast<double>(n - 1));
  };
  const auto y = [&](double v) { return top + ph * (1 - (v - lo) / (hi - lo)); };

  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n"
      "<title>{2}: {3}</title>\n<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"{4}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{2}</text>\n",
      width, height, xml_escape(c.title), xml_escape(c.metric), left);
  // Axes and y grid (5 ticks).
  s += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\"/>\n"
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#444\"/>\n",
      left, top, top + ph, left + pw);
  for (int t = 0; t <= 4; ++t) {
    const double v = lo + (hi - lo) * t / 4;
    s += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#e4e4e4\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, y(v), left + pw, left - 6, y(v) + 4, xml_escape(fmt::format("{:.4g}", v)));
  }
  s += fmt::format(
      "<text x=\"14\" y=\"{0:.1f}\" transform=\"rotate(-90 14 {0:.1f})\" "
      "text-anchor=\"middle\">{1}</text>\n",
      top + ph / 2, xml_escape(c.metric));
  if (c.reference) {
    s += fmt::format(
        "<line class=\"reference\" x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" "
        "stroke=\"#c0392b\" stroke-dasharray=\"6 4\"/><text x=\"{2}\" y=\"{3:.1f}\" "
        "text-anchor=\"end\" fill=\"#c0392b\">{4}</text>\n",
        left, y(*c.reference), left + pw, y(*c.reference) - 4, xml_escape(c.reference_label));
  }
  for (std::size_t cp : c.change_points) {
    if (cp >= n) continue;
    // Between the last run of the old level and the first of the new one.
    const double cx = cp == 0 ? x(0) : (x(cp - 1) + x(cp)) / 2;
    s += fmt::format(
        "<line class=\"changepoint\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
        "stroke=\"#e67e22\" stroke-width=\"2\" stroke-dasharray=\"3 3\"/><text x=\"{3:.1f}\" "
        "y=\"{4}\" fill=\"#e67e22\">change @ {5}</text>\n",
        cx, top, top + ph, cx + 3, top + 10, xml_escape(cp < c.labels.size() ? c.labels[cp] : ""));
  }
  if (n > 0) {
    s += "<polyline fill=\"none\" stroke=\"#2c6fbb\" stroke-width=\"1.5\" points=\"";
    for (std::size_t i = 0; i < n; ++i)
      s += fmt::format("{}{:.1f},{:.1f}", i ? " " : "", x(i), y(c.values[i]));
    s += "\"/>\n";
  }
  // Label at most ~25 runs so that the labels stay readable.
  const std::size_t every = std::max<std::size_t>(1, (n + 24) / 25);
  for (std::size_t i = 0; i < n; ++i) {
    s += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"#2c6fbb\"><title>{}: {}</title>"
        "</circle>\n",
        x(i), y(c.values[i]), xml_escape(i < c.labels.size() ? c.labels[i] : ""),
        format_value(c.values[i]));
    if (i % every == 0 && i < c.labels.size())
      s += fmt::format(
          "<text x=\"{0:.1f}\" y=\"{1}\" transform=\"rotate(-45 {0:.1f} {1})\" "
          "text-anchor=\"end\" font-family=\"monospace\">{2}</text>\n",
          x(i), top + ph + 14, xml_escape(c.labels[i]));
  }
  s += "</svg>\n";
  return s;
}

}  // namespace tools
