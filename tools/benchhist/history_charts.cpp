// File: history_charts.cpp
#include "benchhist/history_charts.h"

#include <bench/measurement.h>
#include <fmt/format.h>

#include <cctype>
#include <map>

#include "benchhist/changepoints.h"
#include "benchhist/history_compare.h"
#include "common/stats.h"

namespace tools {

std::vector<chart_data> make_charts(const history_series& series, const std::string& metric,
                                    const timing_baseline* baseline,
                                    std::optional<double> ceiling) {
  std::vector<chart_data> charts;
  for (const auto& [bench, points] : series) {
    chart_data c;
    c.title = bench;
    c.metric = metric;
    for (const auto& p : points) {
      c.labels.push_back(p.run.commit.substr(0, 7));
      c.values.push_back(p.median);
    }
    for (const auto& cp : e_divisive(c.values))
      if (cp.located) c.change_points.push_back(cp.index);
    if (ceiling) {
      c.reference = ceiling;
      c.reference_label = fmt::format("budget {}", format_value(*ceiling));
    } else if (baseline != nullptr) {
      const auto b = baseline->benchmarks.find(bench);
      if (b != baseline->benchmarks.end()) {
        const auto m = b->second.metrics.find(metric);
        if (m != b->second.metrics.end() && !m->second.empty()) {
          c.reference = median(m->second);
          c.reference_label = fmt::format("baseline {}", format_value(*c.reference));
        }
      }
    }
    charts.push_back(std::move(c));
  }
  return charts;
}

std::string chart_file_name(const std::string& benchmark) {
  std::string s = benchmark;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return s;
}

std::vector<report_group> group_by_detector(std::vector<chart_data> charts) {
  std::map<std::string, report_group> groups;
  for (auto& c : charts) {
    const auto parsed = bench::parse_benchmark_name(c.title);
    std::string name = parsed ? std::string(parsed->stem) : c.title;
    report_group& g = groups[name];
    g.name = std::move(name);
    g.charts.push_back(std::move(c));
  }
  std::vector<report_group> ordered;
  ordered.reserve(groups.size());
  for (auto& [_, g] : groups)
    ordered.push_back(std::move(g));
  return ordered;
}

}  // namespace tools
