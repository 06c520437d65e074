// File: phase_runs_test.cpp
// Tests for detector_phases' runs on a real detector: the plan's rounding to whole passes, and
// that every mode profiles exactly the windows and events the plan asks for. Each profiled
// window also checks (aborting) that its phases' allocations add up to the window's. No timing
// assertions: the machine is shared and noisy.
#include "phases/phase_runs.h"

#include <gtest/gtest.h>

#include <string>

#include "bench/detector_windows.h"
#include "bench/measurement.h"

namespace {

using phase_profile::make_plan;
using phase_profile::run_plan;

constexpr auto per_pass = static_cast<std::int64_t>(bench::distinct_windows);
const std::string detector = "pcie_aer";

TEST(PhasePlan, RoundsWarmWindowsUpToWholePasses) {
  EXPECT_EQ(make_plan(1, 5).warm_windows, per_pass);
  EXPECT_EQ(make_plan(per_pass, 5).warm_windows, per_pass);
  EXPECT_EQ(make_plan(per_pass + 1, 5).warm_windows, 2 * per_pass);
  EXPECT_EQ(make_plan(64, 3).repetitions, 3);
}

TEST(PhasePlan, OneColdPassPer64WarmWindowsAtLeastOne) {
  EXPECT_EQ(make_plan(1, 1).cold_passes, 1);
  EXPECT_EQ(make_plan(64, 1).cold_passes, 1);
  EXPECT_EQ(make_plan(128, 1).cold_passes, 2);
  EXPECT_EQ(make_plan(200, 1).cold_passes, 3);  // 208 warm windows
}

TEST(PhaseRuns, WarmProfilesEveryWindowAcrossCycles) {
  const bench::window_set set = bench::make_window_set(detector);
  // Past one cycle, so the timestamps advance once.
  const std::int64_t windows = per_pass + 3;
  const auto per_window = phase_profile::run_warm(detector, set.windows, windows);
  ASSERT_EQ(static_cast<std::int64_t>(per_window.size()), windows);
  for (const auto& t : per_window)
    EXPECT_EQ(t.events, bench::window_events);
}

TEST(PhaseRuns, ColdProfilesEachDistinctWindowPerPass) {
  const bench::window_set set = bench::make_window_set(detector);
  const auto per_window = phase_profile::run_cold(detector, set.windows, 2);
  ASSERT_EQ(per_window.size(), 2 * bench::distinct_windows);
  for (const auto& t : per_window)
    EXPECT_EQ(t.events, bench::window_events);
}

TEST(PhaseRuns, ProfileDetectorFollowsThePlan) {
  run_plan plan;
  plan.warm_windows = per_pass;
  plan.cold_passes = 1;
  plan.repetitions = 2;
  const phase_profile::detector_result r = phase_profile::profile_detector(detector, plan);
  EXPECT_EQ(r.name, detector);
  EXPECT_EQ(r.warm.windows, bench::distinct_windows);
  EXPECT_EQ(r.cold.windows, bench::distinct_windows);
  EXPECT_EQ(r.warm.repetitions, 2u);
  EXPECT_EQ(r.cold.repetitions, 2u);
  EXPECT_EQ(r.warm.t.events, bench::distinct_windows * bench::window_events);
  EXPECT_EQ(r.cold.t.events, bench::distinct_windows * bench::window_events);
  EXPECT_TRUE(r.marked());
}

}  // namespace
