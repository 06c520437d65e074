// File: history_charts_test.cpp
// Charts from a history: reference lines, change points, file names, and the report's grouping
// of each detector's benchmarks by the measurement contract's names.
#include "benchhist/history_charts.h"

#include <bench/measurement.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tools {
namespace {

history_series step_history() {
  history_series s;
  for (int k = 0; k < 12; ++k) {
    series_point p;
    p.run.id = k + 1;
    p.run.commit = "abcdef0123456789";
    p.median = k < 6 ? 100 : 150;
    p.values = {p.median};
    s["BM_ADetector"].push_back(p);
  }
  return s;
}

TEST(HistoryCharts, LabelsValuesAndChangePoints) {
  const auto charts = make_charts(step_history(), "ns/event", nullptr, std::nullopt);
  ASSERT_EQ(charts.size(), 1u);
  EXPECT_EQ(charts[0].title, "BM_ADetector");
  EXPECT_EQ(charts[0].metric, "ns/event");
  EXPECT_EQ(charts[0].labels.at(0), "abcdef0");
  EXPECT_EQ(charts[0].values.at(11), 150);
  EXPECT_EQ(charts[0].change_points, (std::vector<std::size_t>{6}));
  EXPECT_FALSE(charts[0].reference);
}

TEST(HistoryCharts, CeilingWinsOverTheBaselineMedian) {
  timing_baseline b;
  b.benchmarks["BM_ADetector"].metrics["ns/event"] = {90, 95, 120};
  auto charts = make_charts(step_history(), "ns/event", &b, std::nullopt);
  EXPECT_EQ(charts[0].reference, 95);
  EXPECT_EQ(charts[0].reference_label, "baseline 95");
  charts = make_charts(step_history(), "ns/event", &b, 125.5);
  EXPECT_EQ(charts[0].reference, 125.5);
  EXPECT_EQ(charts[0].reference_label, "budget 125.5");
  // The baseline lacks this metric: no line.
  charts = make_charts(step_history(), "bytes/event", &b, std::nullopt);
  EXPECT_FALSE(charts[0].reference);
}

TEST(HistoryCharts, FileNamesKeepOnlySafeCharacters) {
  EXPECT_EQ(chart_file_name("BM_ADetector"), "BM_ADetector");
  EXPECT_EQ(chart_file_name("BM_A/iterations:8 x.y"), "BM_A_iterations_8_x_y");
  EXPECT_EQ(chart_file_name("../etc"), "___etc");
}

TEST(HistoryCharts, GroupsFollowTheBenchmarkNamingContract) {
  using bench::benchmark_name;
  using bench::family;
  std::vector<chart_data> charts;
  const std::vector<std::string> titles = {benchmark_name("pod_evicted", family::warm),
                                           "BM_Unrelated",
                                           benchmark_name("xid_correlation", family::cold),
                                           benchmark_name("pod_evicted", family::cold),
                                           benchmark_name("pod_evicted", family::memchr_scan),
                                           "BM_ShortCold"};
  for (const std::string& title : titles) {
    chart_data c;
    c.title = title;
    charts.push_back(c);
  }
  const auto groups = group_by_detector(charts);
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].name, "BM_PodEvicted");
  ASSERT_EQ(groups[0].charts.size(), 3u);
  EXPECT_EQ(groups[0].charts[0].title, "BM_PodEvictedDetector");  // order kept
  EXPECT_EQ(groups[0].charts[1].title, "BM_PodEvictedDetectorCold");
  EXPECT_EQ(groups[0].charts[2].title, "BM_PodEvictedMemchrScan");
  // "Cold" alone is no family suffix: a benchmark outside the contract keeps its own group.
  EXPECT_EQ(groups[1].name, "BM_ShortCold");
  EXPECT_EQ(groups[2].name, "BM_Unrelated");
  EXPECT_EQ(groups[3].name, "BM_XidCorrelation");
}

}  // namespace
}  // namespace tools
