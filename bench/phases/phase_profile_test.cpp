// File: phase_profile_test.cpp
// Tests for the phase profile: the recorder charges exactly the allocations made in each
// phase (a fake detector marks phases and allocates known amounts), and the report presents
// unmarked detectors, the per-mode tables and the Pareto ranking as documented. Compiled with
// DETECTORS_PHASE_PROFILING, so the fake's marks reach the recorder. No timing assertions
// beyond "non-negative": the machine is shared and noisy.
#include "phases/phase_profile.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/detector.h"
#include "detectors/phase.h"
#include "phases/phase_report.h"

#if !defined(DETECTORS_PHASE_PROFILING)
#error "phase_profile_test needs the DETECTORS_PHASE marks live"
#endif

namespace {

using detectors::phase;
using phase_profile::totals;

class null_sink final : public detectors::finding_sink {
 public:
  void on_finding(const detectors::finding&) override {}
};

// A detector whose event line is a script of space-separated steps:
//   parse | state | emit | reject   DETECTORS_PHASE(that phase)
//   alloc:N                          one operator new of N bytes (freed at once)
class fake_detector final : public detectors::detector {
 public:
  std::string_view name() const noexcept override { return "fake"; }
  std::size_t state_size() const noexcept override { return 0; }

  void on_event(const detectors::event& ev, detectors::finding_sink&) override {
    std::string_view script = ev.line;
    while (!script.empty()) {
      const std::size_t space = script.find(' ');
      const std::string_view step = script.substr(0, space);
      script = space == std::string_view::npos ? std::string_view() : script.substr(space + 1);
      if (step == "parse") {
        DETECTORS_PHASE(parse);
      } else if (step == "state") {
        DETECTORS_PHASE(state);
      } else if (step == "emit") {
        DETECTORS_PHASE(emit);
      } else if (step == "reject") {
        DETECTORS_PHASE(reject);
      } else if (step.starts_with("alloc:")) {
        std::size_t n = 0;
        for (char c : step.substr(6))
          n = n * 10 + static_cast<std::size_t>(c - '0');
        // Called explicitly, operator new is never elided (a new-expression may be).
        void* p = ::operator new(n);
        ::operator delete(p, n);
      }
    }
  }
};

std::vector<detectors::event> events_of(const std::vector<std::string_view>& scripts) {
  std::vector<detectors::event> out;
  for (std::string_view s : scripts)
    out.push_back(detectors::event{0, "node-1", detectors::source::kernel, s});
  return out;
}

totals profile(const std::vector<std::string_view>& scripts) {
  const std::vector<detectors::event> events = events_of(scripts);
  fake_detector d;
  null_sink sink;
  phase_profile::take_totals();
  phase_profile::profile_events(d, events, sink);
  return phase_profile::take_totals();
}

TEST(PhaseRecorder, ChargesEachAllocationToThePhaseItHappensIn) {
  const totals t = profile({
      "alloc:8 parse alloc:16 alloc:16 state alloc:32 emit alloc:64 alloc:64 alloc:64",
      "alloc:8",
      "parse alloc:16 state",
  });
  EXPECT_EQ(t.events, 3u);
  EXPECT_EQ(t.marks, 5u);
  EXPECT_EQ(t[phase::reject].allocs, 2u);
  EXPECT_EQ(t[phase::reject].bytes, 16u);
  EXPECT_EQ(t[phase::parse].allocs, 3u);
  EXPECT_EQ(t[phase::parse].bytes, 48u);
  EXPECT_EQ(t[phase::state].allocs, 1u);
  EXPECT_EQ(t[phase::state].bytes, 32u);
  EXPECT_EQ(t[phase::emit].allocs, 3u);
  EXPECT_EQ(t[phase::emit].bytes, 192u);
  EXPECT_EQ(t[phase::reject].events, 3u);
  EXPECT_EQ(t[phase::parse].events, 2u);
  EXPECT_EQ(t[phase::state].events, 2u);
  EXPECT_EQ(t[phase::emit].events, 1u);
  EXPECT_TRUE(t.marked());
}

TEST(PhaseRecorder, PhaseEnteredTwiceInOneEventAccumulates) {
  const totals t = profile({"parse alloc:10 state alloc:20 parse alloc:30 alloc:40"});
  EXPECT_EQ(t[phase::parse].entries, 2u);
  EXPECT_EQ(t[phase::parse].events, 1u);
  EXPECT_EQ(t[phase::parse].allocs, 3u);
  EXPECT_EQ(t[phase::parse].bytes, 80u);
  EXPECT_EQ(t[phase::state].allocs, 1u);
  EXPECT_EQ(t[phase::state].bytes, 20u);
  EXPECT_EQ(t[phase::reject].allocs, 0u);
}

TEST(PhaseRecorder, EventWithoutMarksChargesReject) {
  const totals t = profile({"alloc:5 alloc:7", ""});
  EXPECT_EQ(t.events, 2u);
  EXPECT_EQ(t.marks, 0u);
  EXPECT_EQ(t[phase::reject].allocs, 2u);
  EXPECT_EQ(t[phase::reject].bytes, 12u);
  EXPECT_EQ(t[phase::reject].entries, 2u);
  for (phase p : {phase::parse, phase::state, phase::emit})
    EXPECT_EQ(t[p], phase_profile::phase_totals{}) << detectors::phase_name(p);
  EXPECT_FALSE(t.marked());
}

TEST(PhaseRecorder, MarksOutsideAnEventAreIgnored) {
  fake_detector d;
  null_sink sink;
  phase_profile::take_totals();
  const std::vector<detectors::event> events = events_of({"parse alloc:8 emit alloc:8"});
  d.on_event(events[0], sink);  // as in a warm-up pass: no begin_event()
  EXPECT_EQ(phase_profile::take_totals(), totals{});
}

TEST(PhaseRecorder, AllocationsBetweenEventsAreNotCharged) {
  phase_profile::take_totals();
  void* p = ::operator new(100);
  ::operator delete(p, 100);
  phase_profile::begin_event();
  phase_profile::end_event();
  const totals t = phase_profile::take_totals();
  EXPECT_EQ(t[phase::reject].allocs, 0u);
  EXPECT_EQ(t.events, 1u);
}

TEST(PhaseRecorder, CalibrationLeavesTheCallersTotalsAlone) {
  phase_profile::take_totals();
  phase_profile::begin_event();
  void* p = ::operator new(24);
  ::operator delete(p, 24);
  phase_profile::end_event();
  const phase_profile::calibration c = phase_profile::calibrate();
  const totals t = phase_profile::take_totals();
  EXPECT_EQ(t.events, 1u);
  EXPECT_EQ(t[phase::reject].allocs, 1u);
  EXPECT_GE(c.interval_overhead_ns, 0.0);
  EXPECT_GE(c.event_cost_ns, 0.0);
  EXPECT_GE(c.mark_cost_ns, 0.0);
}

TEST(PhaseRecorder, ClockIsCalibrated) {
  const phase_profile::clock_info& c = phase_profile::select_clock();
  EXPECT_GT(c.ns_per_tick, 0.0);
  EXPECT_GE(c.steady_clock_read_ns, 0.0);
  EXPECT_EQ(&c, &phase_profile::select_clock());  // chosen once
}

TEST(PhaseRecorder, MedianOverRunsIgnoresOneInterruptedWindow) {
  const auto window = [](std::uint64_t parse_ticks) {
    totals t;
    t.events = 4;
    t.marks = 2;
    t[phase::reject] = {4, 4, 40, 1, 8};
    t[phase::parse] = {2, 2, parse_ticks, 0, 0};
    return t;
  };
  // Three runs over two windows; run 1 was preempted in window 0's parse phase.
  const std::vector<std::vector<totals>> runs = {
      {window(100), window(120)}, {window(900000), window(110)}, {window(105), window(130)}};
  const totals t = phase_profile::median_over_runs(runs);
  EXPECT_EQ(t[phase::parse].ticks, 105u + 120u);
  EXPECT_EQ(t[phase::reject].ticks, 80u);
  EXPECT_EQ(t[phase::reject].allocs, 2u);
  EXPECT_EQ(t[phase::reject].bytes, 16u);
  EXPECT_EQ(t.events, 8u);
  EXPECT_EQ(t.marks, 4u);
  EXPECT_EQ(t[phase::parse].entries, 4u);
}

// ---- Report ----

phase_profile::run_info fixed_info() {
  phase_profile::run_info info;
  info.clock.ns_per_tick = 1.0;
  info.cal.interval_overhead_ns = 2.0;
  info.window_events = 1024;
  return info;
}

// 100 events: every one in reject (4 ns each incl. 2 ns overhead), 10 in parse (50 ns),
// 10 in state (30 ns, 3 allocs of 8 bytes), 5 in emit (20 ns).
totals marked_totals(std::uint64_t scale) {
  totals t;
  t.events = 100;
  t.marks = 25;
  t[phase::reject] = {100, 100, 400 * scale, 0, 0};
  t[phase::parse] = {10, 10, 520 * scale, 0, 0};
  t[phase::state] = {10, 10, 320 * scale, 3, 24};
  t[phase::emit] = {5, 5, 110 * scale, 0, 0};
  return t;
}

totals unmarked_totals() {
  totals t;
  t.events = 100;
  t[phase::reject] = {100, 100, 900, 1, 64};
  return t;
}

std::vector<phase_profile::detector_result> sample_results() {
  phase_profile::detector_result marked{
      "marked_one", {16, 1, marked_totals(2)}, {64, 3, marked_totals(1)}};
  phase_profile::detector_result unmarked{
      "plain_one", {16, 1, unmarked_totals()}, {64, 3, unmarked_totals()}};
  return {marked, unmarked};
}

TEST(PhaseReport, SubtractsCalibratedOverheadPerEntryAndNormalisesPerEvent) {
  const phase_profile::mode_summary s =
      phase_profile::summarize(marked_totals(1), true, fixed_info());
  ASSERT_EQ(s.rows.size(), 4u);
  EXPECT_DOUBLE_EQ(s.rows[0].ns_per_event, 2.0);  // (400 - 100 x 2) / 100
  EXPECT_DOUBLE_EQ(s.rows[1].ns_per_event, 5.0);  // (520 - 10 x 2) / 100
  EXPECT_DOUBLE_EQ(s.rows[2].ns_per_event, 3.0);
  EXPECT_DOUBLE_EQ(s.rows[3].ns_per_event, 1.0);
  EXPECT_DOUBLE_EQ(s.ns_per_event, 11.0);
  EXPECT_DOUBLE_EQ(s.raw_ns_per_event, 13.5);
  EXPECT_DOUBLE_EQ(s.overhead_ns_per_event, 2.5);
  EXPECT_DOUBLE_EQ(s.rows[2].allocs_per_event, 0.03);
  EXPECT_DOUBLE_EQ(s.rows[2].bytes_per_event, 0.24);
  EXPECT_DOUBLE_EQ(s.rows[1].events_entered_share, 0.1);
  EXPECT_DOUBLE_EQ(s.transitions_per_event, 1.25);
  EXPECT_DOUBLE_EQ(s.marks_per_event, 0.25);
}

TEST(PhaseReport, OverheadLargerThanTheMeasurementClampsAtZero) {
  totals t;
  t.events = 10;
  t[phase::reject] = {10, 10, 5, 0, 0};  // 0.5 ns recorded per entry, 2 ns to subtract
  const phase_profile::mode_summary s = phase_profile::summarize(t, false, fixed_info());
  ASSERT_EQ(s.rows.size(), 1u);
  EXPECT_EQ(s.rows[0].ns_per_event, 0.0);
  EXPECT_GE(s.ns_per_event, 0.0);
}

TEST(PhaseReport, UnmarkedDetectorSaysNoPhaseMarks) {
  const std::string text =
      phase_profile::render(sample_results(), fixed_info(), phase_profile::report_format::text);
  const std::size_t section = text.find("== plain_one ==");
  ASSERT_NE(section, std::string::npos) << text;
  EXPECT_NE(text.find("no phase marks", section), std::string::npos) << text;
  EXPECT_EQ(text.find("no phase marks"), text.find("no phase marks", section))
      << "only the unmarked detector says so";
  EXPECT_NE(text.find("reject (no marks)"), std::string::npos) << "in the Pareto table";
}

TEST(PhaseReport, TextSaysTimesCarryOverheadAndAllocationsAreExact) {
  const std::string text =
      phase_profile::render(sample_results(), fixed_info(), phase_profile::report_format::text);
  EXPECT_NE(text.find("carry instrumentation overhead"), std::string::npos);
  EXPECT_NE(text.find("Allocation counts are exact"), std::string::npos);
}

TEST(PhaseReport, MarkdownHasHeaderAndAlignmentRows) {
  const std::string md =
      phase_profile::render(sample_results(), fixed_info(), phase_profile::report_format::markdown);
  EXPECT_NE(md.find("| phase | events entered | % events | ns/event | allocs/event | "
                    "bytes/event | share of time |\n|:--|--:|"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| rank | detector | phase | warm ns/event |"), std::string::npos) << md;
}

TEST(PhaseReport, ParetoRanksByWarmNsPerEventWithCumulativeShare) {
  const std::vector<phase_profile::pareto_row> rows =
      phase_profile::pareto(sample_results(), fixed_info());
  // plain_one reject: (900 - 200) / 100 = 7; marked_one: parse 5, state 3, reject 2, emit 1.
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].detector, "plain_one");
  EXPECT_FALSE(rows[0].marked);
  EXPECT_EQ(rows[1].p, phase::parse);
  EXPECT_EQ(rows[2].p, phase::state);
  EXPECT_EQ(rows[3].p, phase::reject);
  EXPECT_EQ(rows[4].p, phase::emit);
  EXPECT_DOUBLE_EQ(rows[0].warm_share, 7.0 / 18.0);
  double previous = 0;
  for (const auto& r : rows) {
    EXPECT_GE(r.cumulative_share, previous);
    previous = r.cumulative_share;
  }
  EXPECT_NEAR(rows.back().cumulative_share, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(rows[1].cold_ns_per_event, (1040.0 - 20.0) / 100);  // cold row of the same phase
}

TEST(PhaseReport, JsonCarriesEveryDetectorAndThePareto) {
  const nlohmann::json doc = nlohmann::json::parse(
      phase_profile::render(sample_results(), fixed_info(), phase_profile::report_format::json));
  ASSERT_EQ(doc["detectors"].size(), 2u);
  EXPECT_EQ(doc["detectors"][0]["marked"], true);
  EXPECT_EQ(doc["detectors"][1]["marked"], false);
  EXPECT_TRUE(doc["detectors"][1].contains("note"));
  EXPECT_EQ(doc["detectors"][0]["warm"]["phases"].size(), 4u);
  EXPECT_EQ(doc["detectors"][0]["warm"]["phases"][2]["allocs"], 3);
  EXPECT_EQ(doc["pareto"].size(), 5u);
  EXPECT_EQ(doc["pareto"][0]["rank"], 1);
}

}  // namespace
