// File: change_report.cpp
#include "benchhist/change_report.h"

#include <fmt/format.h>

#include <span>

#include "benchhist/run_selection.h"
#include "common/stats.h"
#include "common/table.h"

namespace tools {

std::vector<change_row> find_changes(const history_series& series,
                                     const changepoint_options& options) {
  std::vector<change_row> rows;
  for (const auto& [bench, points] : series) {
    std::vector<double> v;
    v.reserve(points.size());
    for (const auto& p : points)
      v.push_back(p.median);
    const auto cps = e_divisive(v, options);
    std::size_t seg_start = 0;
    for (std::size_t k = 0; k < cps.size(); ++k) {
      const std::size_t at = cps[k].index;
      const std::size_t seg_end = k + 1 < cps.size() ? cps[k + 1].index : v.size();
      const std::span<const double> all(v);
      rows.push_back({bench, points[at].run, median(all.subspan(seg_start, at - seg_start)),
                      median(all.subspan(at, seg_end - at)), cps[k].p, cps[k].located});
      seg_start = at;
    }
  }
  return rows;
}

std::string render_changes_text(const std::vector<change_row>& rows, const std::string& metric,
                                std::size_t benchmarks, const changepoint_options& options) {
  std::string out;
  std::vector<change_row> located, pending;
  for (const auto& r : rows)
    (r.located ? located : pending).push_back(r);
  const auto change = [](const change_row& r) {
    return r.before != 0 ? fmt::format("{:+.2f}%", (r.after - r.before) * 100 / r.before)
                         : std::string("-");
  };
  if (located.empty()) {
    out = fmt::format("benchhist: no change points in {} ({} benchmark(s))\n", metric, benchmarks);
  } else {
    table t({"benchmark", "run", "commit", "before", "after", "change", "p"},
            {align::left, align::right, align::left, align::right, align::right, align::right,
             align::right});
    for (const auto& r : located)
      t.add_row({r.benchmark, std::to_string(r.run.id), short_sha(r.run.commit),
                 format_value(r.before), format_value(r.after), change(r), format_p_value(r.p)});
    out = t.render_text();
  }
  for (const auto& r : pending)
    out += fmt::format(
        "{}: the newest run {} ({}) is beyond every run of its level ({} -> {}, {}, p = {}); one "
        "run cannot locate a change yet\n",
        r.benchmark, r.run.id, short_sha(r.run.commit), format_value(r.before),
        format_value(r.after), change(r), format_p_value(r.p));
  out += fmt::format(
      "method: E-Divisive means (Matteson & James 2014) on per-run medians, permutation test "
      "({} seeded permutations, p <= {})\n",
      options.permutations, options.alpha);
  return out;
}

}  // namespace tools
