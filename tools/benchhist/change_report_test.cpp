// File: change_report_test.cpp
// Change points with their commits and the median level of the segments around them.
#include "benchhist/change_report.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tools {
namespace {

// One benchmark's series: runs 1, 2, ... with commits c01, c02, ... and the given medians.
history_series series_of(const std::string& bench, const std::vector<double>& medians) {
  history_series s;
  for (std::size_t k = 0; k < medians.size(); ++k) {
    series_point p;
    p.run.id = static_cast<std::int64_t>(k + 1);
    p.run.commit = (k + 1 < 10 ? "c0" : "c") + std::to_string(k + 1) + "aaaaaaaa";
    p.values = {medians[k]};
    p.median = medians[k];
    s[bench].push_back(std::move(p));
  }
  return s;
}

std::vector<double> levels(std::initializer_list<std::pair<int, double>> parts) {
  std::vector<double> v;
  for (const auto& [count, level] : parts)
    v.insert(v.end(), count, level);
  return v;
}

TEST(ChangeReport, EachShiftIsMeasuredAgainstTheSegmentBeforeIt) {
  // 100 -> 130 at run 9, 130 -> 110 at run 17; a flat benchmark beside it.
  history_series s = series_of("BM_ADetector", levels({{8, 100}, {8, 130}, {8, 110}}));
  s.merge(series_of("BM_BDetector", levels({{24, 50}})));
  const auto rows = find_changes(s);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].benchmark, "BM_ADetector");
  EXPECT_EQ(rows[0].run.id, 9);
  EXPECT_EQ(rows[0].before, 100);
  EXPECT_EQ(rows[0].after, 130);
  EXPECT_LE(rows[0].p, 0.05);
  EXPECT_EQ(rows[1].run.id, 17);
  EXPECT_EQ(rows[1].before, 130);  // the level after the first shift, not the start
  EXPECT_EQ(rows[1].after, 110);
}

TEST(ChangeReport, SegmentMediansAreMediansNotMeans) {
  // Before: 100 x 5 and one outlier of 1000 at the start; after: 200 x 6.
  std::vector<double> v = levels({{6, 100}, {6, 200}});
  v[0] = 1000;
  const auto rows = find_changes(series_of("BM_ADetector", v));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].run.id, 7);
  EXPECT_EQ(rows[0].before, 100);
  EXPECT_EQ(rows[0].after, 200);
}

TEST(ChangeReport, RenderedWithTheirCommitsAndTheMethod) {
  const auto s = series_of("BM_ADetector", levels({{6, 100}, {6, 130}}));
  const std::string text = render_changes_text(find_changes(s), "ns/event", s.size());
  EXPECT_NE(text.find("c07aaaaaa"), std::string::npos) << text;
  EXPECT_NE(text.find("+30.00%"), std::string::npos) << text;
  EXPECT_NE(text.find("(199 seeded permutations, p <= 0.05)"), std::string::npos) << text;
  const std::string none = render_changes_text({}, "ns/event", 2);
  EXPECT_EQ(none.rfind("benchhist: no change points in ns/event (2 benchmark(s))\n", 0), 0u)
      << none;
  // A zero level has no relative change.
  change_row zero{"BM_Z", {}, 0, 5, 0.01};
  EXPECT_NE(render_changes_text({zero}, "allocs/event", 1).find(" - "), std::string::npos);
}

TEST(ChangeReport, ANewestRunAloneIsNotBlamedOnItsCommit) {
  // 45 runs at 100 (a little jitter), then one at 110: beyond every run of its level, p =
  // 2/46, but one run cannot locate a change: a line naming it, no row in the table.
  std::vector<double> v;
  for (int k = 0; k < 45; ++k)
    v.push_back(100 + (k % 3) * 0.5);
  v.push_back(110);
  const auto s = series_of("BM_ADetector", v);
  const auto rows = find_changes(s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].located);
  EXPECT_EQ(rows[0].run.id, 46);
  EXPECT_EQ(rows[0].before, 100.5);
  EXPECT_EQ(rows[0].after, 110);
  const std::string text = render_changes_text(rows, "ns/event", 1);
  EXPECT_NE(text.find("benchhist: no change points in ns/event (1 benchmark(s))\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("BM_ADetector: the newest run 46 (c46aaaaaaa) is beyond every run of its "
                      "level (100.5 -> 110, +9.45%, p = 0.0435); one run cannot locate a change "
                      "yet\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace tools
