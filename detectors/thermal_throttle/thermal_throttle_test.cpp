// Tests for the thermal_throttle detector on literal dcgm-exporter lines: both metric names,
// every label layout, the K-sample threshold, episode ends, power capping and power brake,
// temperatures, gaps, MIG duplicates, blanks, malformed lines, bounded state and the corpus
// generator's episodes.
#include "detectors/thermal_throttle.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "detectors/corpus.h"
#include "testing/interleaved_reports.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;
constexpr std::int64_t sec = ns_per_second;
constexpr std::string_view uuid = "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30";

std::string line(std::string_view metric, std::uint64_t value) {
  return fmt::format(R"({}{{gpu="0",UUID="{}",pci_bus_id="00000000:19:00.0",device="nvidia0",)"
                     R"(modelName="NVIDIA H100 80GB HBM3",Hostname="node-7"}} {})",
                     metric, uuid, value);
}
std::string reasons(std::uint64_t mask) {
  return line("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", mask);
}
std::string gpu_temp(std::uint64_t c) {
  return line("DCGM_FI_DEV_GPU_TEMP", c);
}
std::string mem_temp(std::uint64_t c) {
  return line("DCGM_FI_DEV_MEMORY_TEMP", c);
}

std::string with_value(std::string_view l, std::uint64_t value) {
  std::string s(l);
  s.replace(s.find("{V}"), 3, std::to_string(value));
  return s;
}

class harness {
 public:
  explicit harness(const thermal_throttle_config& c = {}) : d(c) {}

  void feed(std::string_view l, std::int64_t ts_ns, std::string_view node = "node-7") {
    d.on_event(event{ts_ns, node, source::dcgm, l}, sink);
  }
  // One scrape of GPU 0 at t0 + i * 30 s.
  void scrape(int i, std::uint64_t mask, std::uint64_t gpu_c = 0, std::uint64_t mem_c = 0) {
    const std::int64_t ts = t0 + i * 30 * sec;
    if (gpu_c) feed(gpu_temp(gpu_c), ts);
    if (mem_c) feed(mem_temp(mem_c), ts);
    feed(reasons(mask), ts);
  }
  std::vector<owned_finding>& findings() { return sink.findings; }
  std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& f : sink.findings)
      n += f.kind == kind;
    return n;
  }

  thermal_throttle_detector d;
  collecting_sink sink;
};

TEST(ThermalThrottle, ThreeConsecutiveHwThermalSamplesStartAnEpisode) {
  harness h;
  h.scrape(0, 0x40, 88, 94);
  h.scrape(1, 0x40, 91, 97);
  EXPECT_TRUE(h.findings().empty());
  h.scrape(2, 0x40, 90, 96);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.detector, "thermal_throttle");
  EXPECT_EQ(f.node, "node-7");
  EXPECT_EQ(f.subject, uuid);
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.kind, "thermal_throttle_start");
  EXPECT_EQ(f.message,
            "thermal throttling for 3 consecutive samples (60 s): hw_thermal_slowdown (0x40); "
            "max GPU 91 C, memory 97 C");
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 60 * sec);
  EXPECT_EQ(f.count, 3u);
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_EQ(h.d.stats().recognised, 9u);
  EXPECT_EQ(h.d.stats().findings, 1u);
  EXPECT_EQ(h.d.name(), "thermal_throttle");
}

TEST(ThermalThrottle, TwoThermalSamplesAreBelowK) {
  harness h;
  h.scrape(0, 0x20);
  h.scrape(1, 0x20);
  h.scrape(2, 0x0);
  EXPECT_TRUE(h.findings().empty());
}

TEST(ThermalThrottle, FirstNonThermalSampleEndsTheEpisodeWithItsDuration) {
  harness h;
  for (int i = 0; i < 4; ++i)
    h.scrape(i, 0x40, 85 + i);
  h.scrape(4, 0x4, 80);
  ASSERT_EQ(h.findings().size(), 2u);
  const owned_finding& end = h.findings()[1];
  EXPECT_EQ(end.kind, "thermal_throttle_end");
  EXPECT_EQ(end.sev, severity::info);
  EXPECT_EQ(end.recommended, action::observe);
  EXPECT_EQ(end.first_ns, t0);
  EXPECT_EQ(end.last_ns, t0 + 120 * sec);
  EXPECT_EQ(end.count, 4u);
  EXPECT_EQ(end.message,
            "thermal throttling ended after 120 s (4 samples): hw_thermal_slowdown (0x40); "
            "max GPU 88 C; now sw_power_cap (0x4)");
  // Only once: later quiet samples report nothing more.
  h.scrape(5, 0x0);
  EXPECT_EQ(h.findings().size(), 2u);
}

TEST(ThermalThrottle, SoftwareThermalOnlyIsObserve) {
  harness h;
  for (int i = 0; i < 3; ++i)
    h.scrape(i, 0x20);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].recommended, action::observe);
  EXPECT_EQ(h.findings()[0].message,
            "thermal throttling for 3 consecutive samples (60 s): sw_thermal_slowdown (0x20); "
            "temperature not reported");
}

struct mask_case {
  std::uint64_t mask;
  bool thermal;
};

void PrintTo(const mask_case& c, std::ostream* os) {
  *os << "0x" << std::hex << c.mask;
}

class ReasonMask : public ::testing::TestWithParam<mask_case> {};

TEST_P(ReasonMask, ThermalOnlyWithThermalBits) {
  harness h;
  for (int i = 0; i < 5; ++i)
    h.scrape(i, GetParam().mask);
  EXPECT_EQ(h.count("thermal_throttle_start"), GetParam().thermal ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(NvmlBits, ReasonMask,
                         ::testing::Values(mask_case{0x20, true},   // SW thermal
                                           mask_case{0x40, true},   // HW thermal
                                           mask_case{0x48, true},   // HW slowdown with HW thermal
                                           mask_case{0x60, true},   // both thermal
                                           mask_case{0x24, true},   // thermal while power capped
                                           mask_case{0x0, false},   // running at full clocks
                                           mask_case{0x1, false},   // idle
                                           mask_case{0x2, false},   // application clocks
                                           mask_case{0x4, false},   // SW power cap alone
                                           mask_case{0x8, false},   // HW slowdown alone
                                           mask_case{0x10, false},  // sync boost
                                           mask_case{0x80, false},  // power brake alone
                                           mask_case{0x88, false},  // HW slowdown with power brake
                                           mask_case{0x100, false}  // display clocks
                                           ));

TEST(ThermalThrottle, PowerBrakeIsReportedSeparatelyOncePerEpisode) {
  harness h;
  h.scrape(0, 0x88);
  h.scrape(1, 0x88);
  h.scrape(2, 0x80);
  h.scrape(3, 0x88);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.kind, "power_brake");
  EXPECT_EQ(f.sev, severity::info);
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.message,
            "hardware power brake: clocks cut on the board's power-brake signal; "
            "hw_slowdown, hw_power_brake_slowdown (0x88)");
  h.scrape(4, 0x0);  // released
  h.scrape(5, 0x88);
  EXPECT_EQ(h.count("power_brake"), 2u);
  EXPECT_EQ(h.count("thermal_throttle_start"), 0u);
}

TEST(ThermalThrottle, PowerBrakeDuringThermalRunIsBoth) {
  harness h;
  for (int i = 0; i < 3; ++i)
    h.scrape(i, 0xC8);
  EXPECT_EQ(h.count("power_brake"), 1u);
  EXPECT_EQ(h.count("thermal_throttle_start"), 1u);
  EXPECT_NE(h.findings()[1].message.find(
                "hw_slowdown, hw_thermal_slowdown, hw_power_brake_slowdown (0xc8)"),
            std::string::npos);
}

TEST(ThermalThrottle, InterruptedRunRestartsTheCount) {
  harness h;
  h.scrape(0, 0x40);
  h.scrape(1, 0x40);
  h.scrape(2, 0x4);
  h.scrape(3, 0x40);
  h.scrape(4, 0x40);
  EXPECT_TRUE(h.findings().empty());
  h.scrape(5, 0x40);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].first_ns, t0 + 90 * sec);
}

TEST(ThermalThrottle, ConfiguredKApplies) {
  thermal_throttle_config c;
  c.sustain_samples = 5;
  harness h(c);
  for (int i = 0; i < 4; ++i)
    h.scrape(i, 0x40);
  EXPECT_TRUE(h.findings().empty());
  h.scrape(4, 0x40);
  EXPECT_EQ(h.count("thermal_throttle_start"), 1u);
}

TEST(ThermalThrottle, SamplesAcrossAGapAreNotConsecutive) {
  harness h;
  h.feed(reasons(0x40), t0);
  h.feed(reasons(0x40), t0 + 30 * sec);
  h.feed(reasons(0x40), t0 + 30 * sec + 5 * 60 * sec + 1);  // just over the 5 min gap
  EXPECT_TRUE(h.findings().empty());
  h.feed(reasons(0x40), t0 + 30 * sec + 10 * 60 * sec);  // just under 5 min: consecutive
  h.feed(reasons(0x40), t0 + 30 * sec + 10 * 60 * sec + 30 * sec);
  EXPECT_EQ(h.count("thermal_throttle_start"), 1u);
}

TEST(ThermalThrottle, ActiveEpisodeEndsAtItsLastSampleWhenSamplesStop) {
  harness h;
  for (int i = 0; i < 3; ++i)
    h.scrape(i, 0x40);
  h.feed(reasons(0x40), t0 + 60 * sec + 10 * 60 * sec);
  ASSERT_EQ(h.count("thermal_throttle_end"), 1u);
  const owned_finding& end = h.findings()[1];
  EXPECT_EQ(end.last_ns, t0 + 60 * sec);
  EXPECT_EQ(end.count, 3u);
  EXPECT_EQ(end.message,
            "thermal throttling ended after 60 s (3 samples): hw_thermal_slowdown (0x40); "
            "temperature not reported; no samples since the last thermal one");
}

TEST(ThermalThrottle, MigInstancesAndBothMetricNamesInOneScrapeCountOnce) {
  harness h;
  const std::string_view i1 =
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-m",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="3g.40gb",GPU_I_ID="2",Hostname="node-7"} {V})";
  const std::string_view i2 =
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-m",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="4g.40gb",GPU_I_ID="1",Hostname="node-7"} {V})";
  const std::string_view old_name =
      R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="0",UUID="GPU-m",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="4g.40gb",GPU_I_ID="1",Hostname="node-7"} {V})";
  for (int i = 0; i < 2; ++i) {
    const std::int64_t ts = t0 + i * 30 * sec;
    h.feed(with_value(i1, 0x40), ts);
    h.feed(with_value(i2, 0x40), ts + 200'000'000);  // 0.2 s later in the same scrape
    h.feed(with_value(old_name, 0x40), ts + 400'000'000);
  }
  EXPECT_TRUE(h.findings().empty());
  h.feed(with_value(i1, 0x40), t0 + 60 * sec);
  EXPECT_EQ(h.count("thermal_throttle_start"), 1u);
  EXPECT_EQ(h.d.state_size(), 1u);
}

TEST(ThermalThrottle, MaxTemperatureIncludesReadingJustBeforeRunButNotStaleOnes) {
  harness h;
  h.feed(gpu_temp(99), t0 - 10 * 60 * sec);  // stale: 10 min before the run
  h.feed(mem_temp(95), t0 - 10 * sec);       // fresh
  h.feed(reasons(0x20), t0);
  h.feed(gpu_temp(86), t0 + 1 * sec);  // after the reasons line of the same scrape
  h.feed(reasons(0x20), t0 + 30 * sec);
  h.feed(gpu_temp(89), t0 + 59 * sec);
  h.feed(mem_temp(93), t0 + 59 * sec);
  h.feed(reasons(0x20), t0 + 60 * sec);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_NE(h.findings()[0].message.find("max GPU 89 C, memory 95 C"), std::string::npos)
      << h.findings()[0].message;
}

TEST(ThermalThrottle, UnknownReasonBitsAreShownInHex) {
  harness h;
  for (int i = 0; i < 3; ++i)
    h.scrape(i, 0x1040);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_NE(h.findings()[0].message.find("hw_thermal_slowdown, unknown 0x1000 (0x1040)"),
            std::string::npos)
      << h.findings()[0].message;
}

// --- label layouts and metric names ---------------------------------------------------------

struct layout_case {
  std::string_view name;
  std::string_view line;  // with {V} for the value
  std::string_view subject;
};

void PrintTo(const layout_case& c, std::ostream* os) {
  *os << c.name;
}

class LabelLayout : public ::testing::TestWithParam<layout_case> {};

TEST_P(LabelLayout, SustainedThermalIsAttributedToTheGpu) {
  harness h;
  for (int i = 0; i < 3; ++i)
    h.feed(with_value(GetParam().line, 0x40), t0 + i * 30 * sec);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().recognised, 3u);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "thermal_throttle_start");
  EXPECT_EQ(h.findings()[0].subject, GetParam().subject);
  EXPECT_EQ(h.findings()[0].node, "node-7");
}

INSTANTIATE_TEST_SUITE_P(
    DcgmExporterGenerations, LabelLayout,
    ::testing::Values(
        layout_case{
            "new_name_modern",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30",pci_bus_id="00000000:19:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="node-7"} {V})",
            "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30"},
        layout_case{
            "old_name_modern",
            R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="0",UUID="GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30",pci_bus_id="00000000:19:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="node-7"} {V})",
            "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30"},
        layout_case{
            "old_two_labels_with_spaces",
            R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="1", UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52"} {V})",
            "GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52"},
        layout_case{
            "lowercase_hostname",
            R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="2",UUID="GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",device="nvidia2",modelName="NVIDIA A100-SXM4-80GB",hostname="dgx-a100-12"} {V})",
            "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"},
        layout_case{
            "mig_instance",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="3",UUID="GPU-9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9",pci_bus_id="00000000:3A:00.0",device="nvidia3",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",Hostname="node-7"} {V})",
            "GPU-9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9"},
        layout_case{
            "kubernetes_pod_with_escaped_label",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="4",UUID="GPU-11111111-2222-3333-4444-555555555555",pci_bus_id="00000000:5D:00.0",device="nvidia4",modelName="NVIDIA H100 80GB HBM3",Hostname="node-7",container="trainer",namespace="ml-train",pod="sweep-3",job_desc="lr=\"3e-4\" bs=\"1024\""} {V})",
            "GPU-11111111-2222-3333-4444-555555555555"},
        layout_case{
            "sorted_labels",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{Hostname="node-7",UUID="GPU-22222222-3333-4444-5555-666666666666",device="nvidia5",gpu="5",modelName="NVIDIA H100 80GB HBM3",pci_bus_id="00000000:9A:00.0"} {V})",
            "GPU-22222222-3333-4444-5555-666666666666"},
        layout_case{
            "with_timestamp",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="7",UUID="GPU-44444444-5555-6666-7777-888888888888",Hostname="node-7"} {V} 1732000000000)",
            "GPU-44444444-5555-6666-7777-888888888888"},
        layout_case{
            "spaces_after_every_comma",
            R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0", UUID="GPU-55555555-6666-7777-8888-999999999999", pci_bus_id="00000000:18:00.0", device="nvidia0", Hostname="node-7"} {V})",
            "GPU-55555555-6666-7777-8888-999999999999"},
        layout_case{
            "pci_bus_id_without_uuid",
            R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="5",pci_bus_id="00000000:9A:00.0"} {V})",
            "00000000:9A:00.0"},
        layout_case{"gpu_index_only", R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="6"} {V})",
                    "gpu6"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ThermalThrottle, NodeFallsBackToHostnameLabelWhenEventHasNone) {
  harness h;
  const std::string_view l =
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a",Hostname="dgx-h100-03"} 64)";
  for (int i = 0; i < 3; ++i)
    h.feed(l, t0 + i * 30 * sec, "");
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].node, "dgx-h100-03");
}

TEST(ThermalThrottle, GpusAreTrackedSeparately) {
  harness h;
  const std::string_view a = R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a"} {V})";
  const std::string_view b = R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="1",UUID="GPU-b"} {V})";
  for (int i = 0; i < 3; ++i) {
    h.feed(with_value(a, i == 1 ? 0x0 : 0x40), t0 + i * 30 * sec);
    h.feed(with_value(b, 0x40), t0 + i * 30 * sec);
    h.feed(with_value(b, 0x40), t0 + i * 30 * sec, "node-8");  // same UUID, other node
  }
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].subject, "GPU-b");
  EXPECT_EQ(h.findings()[0].node, "node-7");
  EXPECT_EQ(h.findings()[1].node, "node-8");
  EXPECT_EQ(h.d.state_size(), 3u);
}

// --- blanks, comments, malformed, foreign lines ---------------------------------------------

TEST(ThermalThrottle, DcgmBlankSentinelsAreNoValueAndDoNotBreakARun) {
  harness h;
  h.scrape(0, 0x40);
  h.feed(reasons(9223372036854775794ULL), t0 + 45 * sec);
  h.feed(mem_temp(9223372036854775792ULL), t0 + 45 * sec);
  h.scrape(2, 0x40);
  EXPECT_TRUE(h.findings().empty());
  h.scrape(3, 0x40);
  EXPECT_EQ(h.count("thermal_throttle_start"), 1u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().recognised, 5u);
}

TEST(ThermalThrottle, HelpAndTypeLinesAreIgnored) {
  harness h;
  for (std::string_view l : {"# HELP DCGM_FI_DEV_CLOCKS_EVENT_REASONS Current clock event reasons.",
                             "# TYPE DCGM_FI_DEV_CLOCKS_EVENT_REASONS gauge",
                             "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).", ""}) {
    h.feed(l, t0);
  }
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
}

TEST(ThermalThrottle, MalformedAndTruncatedLinesAreCountedAndSkipped) {
  harness h;
  const std::string full = reasons(0x40);
  const std::vector<std::string> bad = {
      full.substr(0, full.size() - 3),     // cut before the value
      full.substr(0, 50),                  // inside a label value
      "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",  // name only
      "DCGM_FI_DEV_CLOCKS_EV",             // inside the name
      "DCGM_FI_DEV_GPU_TE",
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a"} -64)",   // negative mask
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a"} 64.5)",  // fractional mask
      R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a"} 0x40)",  // hex is not Prometheus
      R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} NaN)",               // no temperature
      R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 85 x)",              // trailing junk
      R"(DCGM_FI_DEV_MEMORY_TEMP{Hostname="node-7"} 90)",                // no GPU identity
  };
  for (int i = 0; i < 3; ++i)
    for (const std::string& l : bad)
      h.feed(l, t0 + i * 30 * sec);
  EXPECT_EQ(h.d.stats().malformed, 3 * bad.size());
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.state_size(), 0u);
}

TEST(ThermalThrottle, OtherDetectorsLinesAreIgnored) {
  harness h;
  for (std::string_view l : {
           "[31543.449443] NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python3, GPU has "
           "fallen off the bus.",
           R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a",Hostname="node-7"} 2)",
           R"(DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a",Hostname="node-7"} 698.5)",
           R"(DCGM_FI_DEV_SM_CLOCK{gpu="0", UUID="GPU-a"} 1980)",
           "pcieport 0000:00:03.1: AER: Multiple Corrected error received: 0000:3b:00.0",
           R"({"type":"ADDED","object":{"kind":"Event","reason":"Evicted"}})",
           "DCGM_FI_DEV_",
           "node_hwmon_temp_celsius{chip=\"platform_coretemp_0\",sensor=\"temp1\"} 97",
       }) {
    h.feed(l, t0);
  }
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().events, 8u);
}

// --- what a stock dcgm-exporter sends -------------------------------------------------------
//
// NVIDIA/dcgm-exporter (d5e5f510a1b6b393f39a43293ccd9dc985defc79): etc/default-counters.csv
// lists DCGM_EXP_CLOCK_EVENTS_COUNT and the DCGM_FI_DEV_*_VIOLATION counters (commented out:
// one line to enable); internal/pkg/collector/clock_events_collector.go labels each count with
// clock_event="hw_thermal" etc. and window_size_in_ms (pkg/cmd/app.go: 300000 by default). Its
// first release (commit 8000183) named it DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT with a
// throttle_reason label. The lines below follow the exporter's output format.

std::string event_count(std::string_view metric, std::string_view label, std::string_view reason,
                        std::uint64_t n) {
  return fmt::format(R"({}{{gpu="0",UUID="{}",pci_bus_id="00000000:19:00.0",device="nvidia0",)"
                     R"(modelName="NVIDIA H100 80GB HBM3",Hostname="node-7",{}="{}",)"
                     R"(window_size_in_ms="300000"}} {})",
                     metric, uuid, label, reason, n);
}
std::string clock_events(std::string_view reason, std::uint64_t n) {
  return event_count("DCGM_EXP_CLOCK_EVENTS_COUNT", "clock_event", reason, n);
}

TEST(ThermalThrottleStockExporter, WindowedHwThermalCountStartsAnEpisodeOnce) {
  harness h;
  h.feed(gpu_temp(89), t0);
  h.feed(clock_events("power_cap", 40), t0);
  h.feed(clock_events("hw_thermal", 12), t0);
  h.feed(clock_events("sw_thermal", 9), t0);  // the same episode
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.kind, "thermal_throttle_start");
  EXPECT_EQ(f.subject, uuid);
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_EQ(f.count, 12u);
  EXPECT_NE(f.message.find("hw_thermal 12 times within its 300000 ms window"), std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("GPU 89 C"), std::string::npos) << f.message;
  // Still throttling on the next scrapes: no repeat. Long after the last count: a new episode.
  h.feed(clock_events("hw_thermal", 14), t0 + 30 * sec);
  h.feed(clock_events("hw_thermal", 3), t0 + 60 * sec);
  EXPECT_EQ(h.findings().size(), 1u);
  h.feed(clock_events("hw_thermal", 4), t0 + 60 * sec + 6 * 60 * sec);
  EXPECT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.d.stats().recognised, 7u);
}

TEST(ThermalThrottleStockExporter, CountsBelowKAndOtherReasonsAreNoEpisode) {
  harness h;
  h.feed(clock_events("hw_thermal", 2), t0);  // twice in five minutes: a blip
  h.feed(clock_events("power_cap", 300), t0);
  h.feed(clock_events("hw_power_brake", 5), t0);
  h.feed(clock_events("gpu_idle", 10), t0);
  EXPECT_TRUE(h.findings().empty());
  h.feed(clock_events("sw_thermal", 3), t0 + 30 * sec);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].recommended, action::observe);  // software thermal only
}

// The exporter's own output, verbatim: NVIDIA/dcgm-exporter pull request #261 (the rename to
// DCGM_EXP_CLOCK_EVENTS_COUNT) and #254 (DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT), from their
// descriptions. One thermal observation each within five minutes: below K, no episode.
TEST(ThermalThrottleStockExporter, ExporterPullRequestOutputIsReadAndBelowK) {
  harness h;
  for (
      std::string_view l : {
          R"(# TYPE DCGM_EXP_CLOCK_EVENTS_COUNT gauge)",
          R"(DCGM_EXP_CLOCK_EVENTS_COUNT{gpu="0",UUID="GPU-b9f9e81b-bee7-34bc-af17-132ef6592740",device="nvidia0",modelName="NVIDIA T400 4GB",Hostname="home",DCGM_FI_DRIVER_VERSION="545.29.02",clock_event="gpu_idle",window_size_in_ms="300000"} 2)",
          R"(DCGM_EXP_CLOCK_EVENTS_COUNT{gpu="0",UUID="GPU-b9f9e81b-bee7-34bc-af17-132ef6592740",device="nvidia0",modelName="NVIDIA T400 4GB",Hostname="home",DCGM_FI_DRIVER_VERSION="545.29.02",clock_event="sw_thermal",window_size_in_ms="300000"} 1)",
          R"(DCGM_EXP_CLOCK_EVENTS_COUNT{gpu="0",UUID="GPU-b9f9e81b-bee7-34bc-af17-132ef6592740",device="nvidia0",modelName="NVIDIA T400 4GB",Hostname="home",DCGM_FI_DRIVER_VERSION="545.29.02",clock_event="hw_thermal",window_size_in_ms="300000"} 1)",
          R"(DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT{gpu="0",UUID="GPU-b9f9e81b-bee7-34bc-af17-132ef6592740",device="nvidia0",modelName="NVIDIA T400 4GB",Hostname="localhost",DCGM_FI_DRIVER_VERSION="545.29.02",throttle_reason="sw_thermal",window_size_in_ms="300000"} 1)",
          R"(DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT{gpu="0",UUID="GPU-b9f9e81b-bee7-34bc-af17-132ef6592740",device="nvidia0",modelName="NVIDIA T400 4GB",Hostname="localhost",DCGM_FI_DRIVER_VERSION="545.29.02",throttle_reason="hw_thermal",window_size_in_ms="300000"} 1)",
      })
    h.feed(l, t0);
  EXPECT_EQ(h.d.stats().recognised, 5u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_TRUE(h.findings().empty());
}

TEST(ThermalThrottleStockExporter, OlderThrottleReasonsCountName) {
  harness h;
  h.feed(
      event_count("DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT", "throttle_reason", "hw_thermal", 7),
      t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].recommended, action::drain_node);
}

TEST(ThermalThrottleStockExporter, CountsWithoutAKnownReasonAreMalformed) {
  harness h;
  const std::string full = clock_events("hw_thermal", 7);
  h.feed(event_count("DCGM_EXP_CLOCK_EVENTS_COUNT", "clock_event", "warp_drive", 7), t0);
  h.feed(R"(DCGM_EXP_CLOCK_EVENTS_COUNT{gpu="0",UUID="GPU-a",window_size_in_ms="300000"} 7)", t0);
  h.feed(full.substr(0, full.size() - 4), t0);  // cut inside the labels
  h.feed("DCGM_EXP_CLOCK_EVEN", t0);            // inside the name
  EXPECT_EQ(h.d.stats().malformed, 4u);
  EXPECT_TRUE(h.findings().empty());
}

std::string violation(std::string_view metric, std::uint64_t ns) {
  // The layout of gpu-monitoring-tools-era exporters: gpu and UUID, ", " between labels.
  return fmt::format(R"({}{{gpu="0", UUID="{}"}} {})", metric, uuid, ns);
}

TEST(ThermalThrottleStockExporter, RisingThermalViolationIsThrottling) {
  harness h;
  std::uint64_t total = 51'488'379'168;                           // ns throttled so far
  h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", total), t0);  // baseline
  for (int i = 1; i <= 3; ++i) {
    total += 4'000'000'000ULL;
    h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", total), t0 + i * 30 * sec);
  }
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "thermal_throttle_start");
  EXPECT_EQ(h.findings()[0].recommended, action::observe);  // not known to be HW slowdown
  EXPECT_NE(h.findings()[0].message.find("thermal_violation"), std::string::npos);
  h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", total), t0 + 4 * 30 * sec);  // flat: over
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[1].kind, "thermal_throttle_end");
}

TEST(ThermalThrottleStockExporter, OtherViolationsAreReadButNotThermal) {
  harness h;
  for (int i = 0; i < 6; ++i)
    for (std::string_view m :
         {"DCGM_FI_DEV_POWER_VIOLATION", "DCGM_FI_DEV_SYNC_BOOST_VIOLATION",
          "DCGM_FI_DEV_BOARD_LIMIT_VIOLATION", "DCGM_FI_DEV_LOW_UTIL_VIOLATION",
          "DCGM_FI_DEV_RELIABILITY_VIOLATION"})
      h.feed(violation(m, 1'000'000'000ULL * static_cast<std::uint64_t>(i)), t0 + i * 30 * sec);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 30u);
  // A reset (driver reload) re-baselines the thermal counter without a finding.
  h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", 900), t0);
  h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", 100), t0 + 30 * sec);
  h.feed(violation("DCGM_FI_DEV_THERMAL_VIOLATION", 100), t0 + 60 * sec);
  EXPECT_TRUE(h.findings().empty());
}

// --- nvidia-smi -q reports ------------------------------------------------------------------

void feed_text(harness& h, std::string_view text, std::int64_t ts, std::string_view node = "n1") {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    h.feed(text.substr(0, nl), ts, node);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// leptonai/gpud pkg/nvidia-query/testdata/nvidia-smi-query.535.183.01.out.0.valid (commit
// fdf5b3217dc96883f57e89229e4d75a3a2ef62e2), GPU 00000000:75:00.0, sections as printed.
constexpr std::string_view h100_sw_thermal = R"(GPU 00000000:75:00.0
    Product Name                          : NVIDIA H100 80GB HBM3
    Clocks Event Reasons
        Idle                              : Not Active
        Applications Clocks Setting       : Not Active
        SW Power Cap                      : Active
        HW Slowdown                       : Not Active
            HW Thermal Slowdown           : Not Active
            HW Power Brake Slowdown       : Active
        Sync Boost                        : Not Active
        SW Thermal Slowdown               : Active
        Display Clock Setting             : Not Active
    Sparse Operation Mode                 : Disabled
    Temperature
        GPU Current Temp                  : 39 C
        GPU T.Limit Temp                  : 47 C
        GPU Shutdown T.Limit Temp         : -8 C
        GPU Slowdown T.Limit Temp         : -2 C
        GPU Max Operating T.Limit Temp    : 0 C
        GPU Target Temperature            : N/A
        Memory Current Temp               : 46 C
        Memory Max Operating T.Limit Temp : 0 C

GPU 00000000:86:00.0)";

TEST(ThermalThrottleNvidiaSmi, ActiveThermalSlowdownInAReportIsAFinding) {
  harness h;
  feed_text(h, h100_sw_thermal, t0);
  ASSERT_EQ(h.findings().size(), 2u);
  const owned_finding& start = h.findings()[0];
  EXPECT_EQ(start.kind, "thermal_throttle_start");
  EXPECT_EQ(start.node, "n1");
  EXPECT_EQ(start.subject, "00000000:75:00.0");
  EXPECT_EQ(start.recommended, action::observe);  // SW thermal slowdown only
  EXPECT_NE(start.message.find("nvidia-smi -q report"), std::string::npos) << start.message;
  EXPECT_NE(start.message.find("sw_thermal_slowdown"), std::string::npos) << start.message;
  EXPECT_NE(start.message.find("GPU 39 C, memory 46 C"), std::string::npos) << start.message;
  EXPECT_EQ(h.findings()[1].kind, "power_brake");
  // Header, the clocks section (10 lines), the temperature section (9), the next header.
  EXPECT_EQ(h.d.stats().recognised, 21u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
}

// leptonai/gpud e2e/mock/nvidia-smi/test_data.go (commit
// 8ddf848ef5b37d52f66fe71a20a6449ea0e10551), NormalQueryOutput: an idle A10.
constexpr std::string_view a10_idle = R"(==============NVSMI LOG==============

Timestamp                                 : Wed Jan 22 04:28:41 2025
Driver Version                            : 550.127.05
CUDA Version                              : 12.4

Attached GPUs                             : 1
GPU 00000000:06:00.0
    Performance State                     : P8
    Clocks Event Reasons
        Idle                              : Active
        Applications Clocks Setting       : Not Active
        SW Power Cap                      : Not Active
        HW Slowdown                       : Not Active
            HW Thermal Slowdown           : Not Active
            HW Power Brake Slowdown       : Not Active
        Sync Boost                        : Not Active
        SW Thermal Slowdown               : Not Active
        Display Clock Setting             : Not Active
    Sparse Operation Mode                 : N/A)";

TEST(ThermalThrottleNvidiaSmi, HealthyReportIsNoFindingAndEndsAnEpisode) {
  harness h;
  feed_text(h, a10_idle, t0);
  h.d.finish(h.sink);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 12u);  // log header, GPU header, clocks section

  // The same GPU thermal-throttled in one report and not in the next: start, then end.
  std::string hot(a10_idle);
  hot.replace(hot.find("HW Thermal Slowdown           : Not Active"),
              std::string_view("HW Thermal Slowdown           : Not Active").size(),
              "HW Thermal Slowdown           : Active");
  harness g;
  feed_text(g, hot, t0);
  feed_text(g, a10_idle, t0 + 60 * sec);
  g.d.finish(g.sink);
  ASSERT_EQ(g.findings().size(), 2u);
  EXPECT_EQ(g.findings()[0].kind, "thermal_throttle_start");
  EXPECT_EQ(g.findings()[0].recommended, action::drain_node);
  EXPECT_EQ(g.findings()[1].kind, "thermal_throttle_end");
}

TEST(ThermalThrottleNvidiaSmi, TruncatedReportsAreCountedAndTheirLastBlockCompleted) {
  // The report cut after its HW thermal line: finish() completes the block.
  std::string hot(a10_idle);
  hot.replace(hot.find("HW Thermal Slowdown           : Not Active"),
              std::string_view("HW Thermal Slowdown           : Not Active").size(),
              "HW Thermal Slowdown           : Active");
  hot.resize(hot.find("HW Power Brake") + 8);  // "HW Power"
  harness h;
  feed_text(h, hot, t0);
  EXPECT_EQ(h.d.stats().malformed, 1u);  // cut inside the key: no colon
  EXPECT_TRUE(h.findings().empty());
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "00000000:06:00.0");
  // A value cut short is malformed, not "Not Active".
  harness g;
  feed_text(g, "GPU 00000000:06:00.0\n    Clocks Event Reasons\n        SW Thermal Slowdown : Act",
            t0);
  g.d.finish(g.sink);
  EXPECT_EQ(g.d.stats().malformed, 1u);
  EXPECT_TRUE(g.findings().empty());
}

TEST(ThermalThrottleNvidiaSmi, ReportsInterleavedWithMetricsKeepTheirGpus) {
  harness h;
  // A report of node n1 broken by a metric line of n1: the block ends there, its reasons
  // count. (Lines of other nodes do not end it: see ReportsOfNodesInterleaved...)
  feed_text(h, std::string(h100_sw_thermal.substr(0, h100_sw_thermal.find("    Sparse"))), t0);
  h.feed(reasons(0x0), t0, "n2");
  EXPECT_TRUE(h.findings().empty());
  h.feed(reasons(0x0), t0, "n1");
  ASSERT_GE(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "00000000:75:00.0");
  // An indented line of another node is no part of n1's report.
  harness g;
  g.feed("GPU 00000000:75:00.0", t0, "n1");
  g.feed("    Clocks Event Reasons", t0, "n1");
  g.feed("        SW Thermal Slowdown               : Active", t0, "n2");
  g.d.finish(g.sink);
  EXPECT_TRUE(g.findings().empty());
}

// --- bounded state --------------------------------------------------------------------------

TEST(ThermalThrottle, StateStaysBoundedByCountOverAMillionEvents) {
  thermal_throttle_config c;
  c.max_gpus = 100;
  thermal_throttle_detector d(c);
  counting_sink sink;
  std::size_t peak = 0;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    // 10k GPUs in rotation within 10 s of event time: only the cap bounds them.
    const std::string l =
        fmt::format(R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{{gpu="0",UUID="GPU-{}"}} {})", i % 10'000,
                    (i / 10'000) % 4 == 0 ? 0 : 0x40);
    d.on_event(event{t0 + i * 10'000, "node-7", source::dcgm, l}, sink);
    peak = std::max(peak, d.state_size());
  }
  EXPECT_EQ(peak, 100u);
  EXPECT_EQ(d.stats().recognised, 1'000'000u);
}

TEST(ThermalThrottle, IdleGpusAreEvictedByTime) {
  thermal_throttle_detector d;  // defaults: forgotten after 15 min without a sample
  counting_sink sink;
  std::size_t peak = 0;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    // Each GPU sampled three times ~33 s apart, a new GPU every 10 s.
    const std::string l = fmt::format(
        R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{{gpu="0",UUID="GPU-{}"}} 64)", i / 3 - (i % 3) * 3);
    d.on_event(event{t0 + i * (10 * sec / 3), "node-7", source::dcgm, l}, sink);
    peak = std::max(peak, d.state_size());
  }
  // GPUs sampled within the last 15 min: one starts every 10 s and is sampled over 67 s.
  EXPECT_LE(peak, 90u + 7u + 1u);
  EXPECT_GE(peak, 96u);
  EXPECT_GT(sink.by_severity[static_cast<int>(severity::warning)], 300'000u);
}

// Steady state allocates nothing: after one pass over a focused corpus (GPUs seen, evicted
// and replaced, every message kind formatted once), later passes over the same stream moved
// forward in time process each window of the measurement contract without allocating.
TEST(ThermalThrottle, WarmWindowsAllocateNothing) {
  thermal_throttle_detector d;
  testing::expect_warm_windows_allocate_nothing("thermal_throttle", d);
}

// --- generator ------------------------------------------------------------------------------

std::vector<stream_builder::line_record> generate(std::uint64_t seed, std::size_t lines,
                                                  bool with_faults) {
  stream_builder b(seed, 12, t0);
  std::int64_t episodes = 0;
  while (b.lines().size() < lines) {
    // Faulty periods of 40 episodes out of every 200.
    b.set_faulty(with_faults && episodes % 200 >= 160);
    generate_thermal_throttle_episode(b);
    b.advance(b.uniform(1, 20) * ns_per_second);
    ++episodes;
  }
  return b.lines();
}

std::map<std::string, int> run(const std::vector<stream_builder::line_record>& lines,
                               thermal_throttle_detector& d) {
  collecting_sink sink;
  for (const auto& r : lines) {
    const std::string node = fmt::format("node-{:03}", r.node_index);
    d.on_event(event{r.ts_ns, node, r.src, r.line}, sink);
  }
  std::map<std::string, int> kinds;
  for (const auto& f : sink.findings)
    ++kinds[f.kind];
  return kinds;
}

TEST(ThermalThrottleGenerator, EpisodesWithFaultsProduceFindingsAndParseCleanly) {
  const auto lines = generate(7, 20'000, true);
  thermal_throttle_detector d;
  collecting_sink sink;
  for (const auto& r : lines)
    d.on_event(event{r.ts_ns, fmt::format("node-{:03}", r.node_index), r.src, r.line}, sink);
  std::map<std::string, int> kinds, starts_by_origin;
  for (const auto& f : sink.findings) {
    ++kinds[f.kind];
    if (f.kind != "thermal_throttle_start") continue;
    for (std::string_view origin :
         {"consecutive samples", "nvidia-smi -q report", "dcgm-exporter counted"})
      if (f.message.find(origin) != std::string::npos) ++starts_by_origin[std::string(origin)];
  }
  // Every line is recognised but comments and the lines of an nvidia-smi report outside the
  // sections thermal_throttle reads (and the blank line that ends the report).
  std::size_t not_ours = 0;
  for (const auto& r : lines) {
    const std::string_view l = r.line;
    not_ours += l.starts_with('#') || l.empty() || l.starts_with("Driver Version") ||
                l.starts_with("Attached GPUs") || l.starts_with("    Product Name") ||
                l.starts_with("    Performance State") || l.starts_with("    Sparse") ||
                l.starts_with("    GPU Power Readings") || l.starts_with("        Power Draw");
  }
  EXPECT_EQ(d.stats().malformed, 0u);
  EXPECT_EQ(d.stats().recognised, lines.size() - not_ours);
  EXPECT_GT(kinds["thermal_throttle_start"], 0);
  EXPECT_GT(kinds["power_brake"], 0);
  // Every kind of input shows its thermal episodes.
  EXPECT_GT(starts_by_origin["consecutive samples"], 0);
  EXPECT_GT(starts_by_origin["nvidia-smi -q report"], 0);
  EXPECT_GT(starts_by_origin["dcgm-exporter counted"], 0);
  // Every run of samples the generator starts it also ends; windowed counts have no end
  // (the exporter stops sending the reason), and a report ends only at a later report.
  EXPECT_GE(kinds["thermal_throttle_end"], starts_by_origin["consecutive samples"]);
  EXPECT_LE(kinds["thermal_throttle_end"], kinds["thermal_throttle_start"]);
  // A GPU is tracked under its UUID (metrics) and its bus id (reports).
  EXPECT_LE(d.state_size(), 12u * 8u * 2u);
}

TEST(ThermalThrottleGenerator, HealthyEpisodesProduceNoFindings) {
  const auto lines = generate(11, 20'000, false);
  thermal_throttle_detector d;
  const auto kinds = run(lines, d);
  EXPECT_GT(d.stats().recognised, 15'000u);
  EXPECT_EQ(d.stats().malformed, 0u);
  EXPECT_TRUE(kinds.empty());
}

TEST(ThermalThrottleGenerator, SameSeedGivesIdenticalLines) {
  const auto a = generate(3, 2'000, true);
  const auto b = generate(3, 2'000, true);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].line, b[i].line);
    EXPECT_EQ(a[i].ts_ns, b[i].ts_ns);
  }
}

TEST(ThermalThrottle, FactoryMakesADefaultDetector) {
  const auto d = make_thermal_throttle_detector();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "thermal_throttle");
  EXPECT_EQ(d->state_size(), 0u);
}

// An nvidia-smi -q block with Clocks Event Reasons (all Not Active: the flags' layout of
// leptonai/gpud e2e/mock/nvidia-smi/test_data.go, driver 550.127.05) and Clocks Event Reasons
// Counters (the layout of the report in ssprea/ssprea-nvidia-control issue #17, values set
// here): `flags` false leaves the flags out (a `-d PERFORMANCE` paste cut to the counters).
std::string counters_report(std::uint64_t sw_us, std::uint64_t hw_us, bool flags = true) {
  std::string r = "GPU 00000000:06:00.0\n";
  if (flags)
    r += R"(    Clocks Event Reasons
        Idle                              : Not Active
        SW Power Cap                      : Not Active
        HW Slowdown                       : Not Active
            HW Thermal Slowdown           : Not Active
            HW Power Brake Slowdown       : Not Active
        SW Thermal Slowdown               : Not Active
)";
  r += fmt::format(R"(    Clocks Event Reasons Counters
        SW Power Capping                               : 12234991553 us
        Sync Boost                                     : 0 us
        SW Thermal Slowdown                            : {} us
        HW Thermal Slowdown                            : {} us
        HW Power Braking                               : 0 us
    Sparse Operation Mode                              : N/A
)",
                   sw_us, hw_us);
  return r;
}

// Slowdown time that rose between two reports of a GPU is thermal throttling in between, even
// with every flag Not Active at the instant of the report (see flush_snapshot for why).
TEST(ThermalThrottleNvidiaSmi, ThermalCounterRisingBetweenReportsIsThermal) {
  harness h;
  feed_text(h, counters_report(11591399010, 0), t0);
  feed_text(h, counters_report(11591399010, 0), t0 + 60 * sec);  // no rise: cool
  EXPECT_TRUE(h.findings().empty());
  feed_text(h, counters_report(11596399010, 0), t0 + 120 * sec);  // +5 s of SW slowdown
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& start = h.findings()[0];
  EXPECT_EQ(start.kind, "thermal_throttle_start");
  EXPECT_EQ(start.subject, "00000000:06:00.0");
  EXPECT_EQ(start.recommended, action::observe);
  EXPECT_NE(start.message.find("sw_thermal_slowdown_time_rose"), std::string::npos)
      << start.message;
  // Each counter line is recognised: GPU header, 2 section headers, 6 flags, 5 counters.
  EXPECT_EQ(h.d.stats().recognised, 3 * 14u);
  EXPECT_EQ(h.d.stats().malformed, 0u);

  // HW thermal slowdown time rising drains, as HW thermal slowdown Active does; the next
  // report without a rise ends the episode.
  harness g;
  feed_text(g, counters_report(0, 100), t0);
  feed_text(g, counters_report(0, 2'000'100), t0 + 60 * sec);
  feed_text(g, counters_report(0, 2'000'100), t0 + 120 * sec);
  g.d.finish(g.sink);
  ASSERT_EQ(g.findings().size(), 2u);
  EXPECT_EQ(g.findings()[0].kind, "thermal_throttle_start");
  EXPECT_EQ(g.findings()[0].recommended, action::drain_node);
  EXPECT_NE(g.findings()[0].message.find("hw_thermal_slowdown_time_rose"), std::string::npos);
  EXPECT_EQ(g.findings()[1].kind, "thermal_throttle_end");
}

TEST(ThermalThrottleNvidiaSmi, CountersAloneAreNoSampleUntilTheyCanBeCompared) {
  // A first report is a baseline however large its counters, a decrease a reset (driver
  // reload): neither is a rise. With the flags left out, such a report is no sample at all.
  harness h;
  feed_text(h, counters_report(99'000'000, 7'000'000, false), t0);
  feed_text(h, counters_report(5, 0, false), t0 + 60 * sec);  // reset
  h.d.finish(h.sink);
  EXPECT_TRUE(h.findings().empty());
  feed_text(h, counters_report(1'000'005, 0, false), t0 + 120 * sec);  // rose since the reset
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "thermal_throttle_start");

  // Reports of different GPUs (or nodes) are not compared with each other.
  harness g;
  feed_text(g, counters_report(0, 0), t0, "n1");
  feed_text(g, counters_report(5'000'000, 0), t0 + 60 * sec, "n2");
  g.d.finish(g.sink);
  EXPECT_TRUE(g.findings().empty());
}

TEST(ThermalThrottleNvidiaSmi, TruncatedCounterLinesAreMalformed) {
  harness h;
  std::string cut = counters_report(10, 0);
  cut.replace(cut.find("10 us"), 5, "10");  // the unit cut off
  feed_text(h, cut, t0);
  EXPECT_EQ(h.d.stats().malformed, 1u);
  feed_text(h, counters_report(20, 0), t0 + 60 * sec);
  h.d.finish(h.sink);
  // The cut counter was no value: the second report is the first comparable one.
  EXPECT_TRUE(h.findings().empty());
}

// Reports of several nodes interleaved line by line find what they find one after the other:
// the 8 x H100 report with GPU 00000000:75:00.0 in SW thermal slowdown and power brake
// (leptonai/gpud nvidia-smi-query.535.183.01.out.0.valid) and the older Clocks Throttle Reasons
// paste of kubeflow/kubeflow#68, sources in testdata/real_lines/SOURCES.md.
TEST(ThermalThrottleNvidiaSmi, ReportsOfNodesInterleavedFindWhatEachFindsAlone) {
  const std::string h100 = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  const std::string kubeflow = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/kubeflow-issue68-nvidia-smi-q.txt");
  ASSERT_FALSE(h100.empty());
  ASSERT_FALSE(kubeflow.empty());
  const auto make = [] { return make_thermal_throttle_detector(); };
  testing::expect_interleaving_changes_nothing(make, {h100, h100}, 4);
  testing::expect_interleaving_changes_nothing(make, {h100, kubeflow, h100, h100}, 6);
}

// The reader keeps 64 node contexts. Up to that many nodes interleaved, every report is read
// whole; past it, a node seen least recently loses its context to the new one (its block ends
// there), and what follows of its report reads as a paste without its GPU header: not counted,
// never attributed to another node's GPU. Round robin over more nodes than contexts is the
// worst case: each node's context is gone by the time its next line comes.
TEST(ThermalThrottleNvidiaSmi, PastTheReadersBoundNoFindingGoesToAnotherGpu) {
  const std::string h100 = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  const std::vector<std::string_view> lines = testing::report_lines(h100);
  for (const int node_count : {64, 80}) {
    thermal_throttle_detector d;
    collecting_sink sink;
    std::vector<std::string> nodes;
    for (int n = 0; n < node_count; ++n)
      nodes.push_back("node-" + std::to_string(n));
    const auto feed_all = [&] {
      for (std::size_t i = 0; i < lines.size(); ++i)
        for (const std::string& n : nodes)
          d.on_event(event{t0, n, source::nvidia_smi, lines[i]}, sink);
    };
    feed_all();
    d.finish(sink);
    std::size_t starts = 0;
    for (const owned_finding& f : sink.findings) {
      EXPECT_EQ(f.subject, "00000000:75:00.0") << f.node << " " << f.kind;
      starts += f.kind == "thermal_throttle_start";
    }
    // Within the bound, every node's GPU 75 is found; past it, in round robin, none is.
    EXPECT_EQ(starts, node_count == 64 ? nodes.size() : 0u) << node_count << " nodes";
  }
}

// A report older than the GPU's last counters (files given out of order) is late: were its
// counters taken, they would read as a reset, and the next report's unchanged ones as a rise.
TEST(ThermalThrottleNvidiaSmi, ALateReportsCountersAreNotABaseline) {
  harness h;
  feed_text(h, counters_report(1000, 0, false), t0 + 100 * sec);
  feed_text(h, counters_report(500, 0, false), t0 + 50 * sec);
  feed_text(h, counters_report(1000, 0, false), t0 + 200 * sec);  // unchanged since t0 + 100 s
  h.d.finish(h.sink);
  EXPECT_TRUE(h.findings().empty()) << h.findings()[0].message;
  EXPECT_EQ(h.d.stats().late, 1u);
  // In order, the same counters rising are still found.
  feed_text(h, counters_report(2000, 0, false), t0 + 300 * sec);
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "thermal_throttle_start");
}

// A node whose reader context is taken by 64 others mid-block reads the rest of its block
// without the GPU header: the counters of two of its GPUs read that way are not compared (the
// larger one is another GPU's, not time that rose).
TEST(ThermalThrottleNvidiaSmi, CountersOfBlocksWithoutTheirGpuHeaderAreNotCompared) {
  harness h;
  const auto take_contexts = [&](std::int64_t ts) {
    for (int n = 0; n < 64; ++n)
      h.feed("GPU 00000000:01:00.0", ts, "other-" + std::to_string(n));
  };
  std::string a = counters_report(1000, 0, false);
  std::string b = counters_report(9000, 0, false);
  b.replace(b.find("06:00.0"), 7, "07:00.0");
  const std::size_t header = a.find('\n');
  feed_text(h, a.substr(0, header), t0, "X");
  take_contexts(t0);
  feed_text(h, a.substr(header + 1), t0, "X");
  feed_text(h, b.substr(0, header), t0 + 60 * sec, "X");
  take_contexts(t0 + 60 * sec);
  feed_text(h, b.substr(header + 1), t0 + 60 * sec, "X");
  h.d.finish(h.sink);
  EXPECT_TRUE(h.findings().empty()) << h.findings()[0].subject << " " << h.findings()[0].message;
  // With its header, GPU 07's counters rising are found.
  feed_text(h, counters_report(9000, 0, false), t0 + 120 * sec, "X");
  feed_text(h, counters_report(9500, 0, false), t0 + 180 * sec, "X");
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "00000000:06:00.0");
}

// Node names of any length: the pending sample and the GPU keys grow to a long name once, and
// then the same reports allocate nothing.
TEST(ThermalThrottleNvidiaSmi, LongNodeNamesAllocateNothingWarm) {
  const std::string h100 = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  const std::vector<std::string_view> lines = testing::report_lines(h100);
  for (const std::size_t size : {63u, 64u, 65u, 200u, 255u, 256u, 1000u}) {
    SCOPED_TRACE(size);
    thermal_throttle_detector d;
    collecting_sink sink;
    std::vector<std::string> nodes;
    for (char n = 0; n < 3; ++n)
      nodes.push_back(std::string(size - 1, 'n') + static_cast<char>('a' + n));
    const auto pass = [&](std::int64_t ts) {
      for (const std::string_view l : lines)
        for (const std::string& n : nodes)
          d.on_event(event{ts, n, source::nvidia_smi, l}, sink);
    };
    pass(t0);
    pass(t0 + 60 * sec);
    d.finish(sink);
    EXPECT_EQ(sink.findings.size(), 3u * 2u);  // per node: GPU 75's start and power brake
    sink.findings.reserve(64);
    EXPECT_ALLOCS_EQ(0, pass(t0 + 120 * sec));
  }
}

// A report read while a whole cluster's other lines pass by (metrics and kernel logs of 200
// nodes between each two of its lines) finds what it finds alone: nodes whose lines cannot
// open a report take no reader context from it.
TEST(ThermalThrottleNvidiaSmi, AReportAmongManyNodesOtherLinesFindsWhatItFindsAlone) {
  const std::string h100 = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  const std::vector<std::string_view> lines = testing::report_lines(h100);
  std::vector<std::string> nodes;
  for (int n = 0; n < 200; ++n)
    nodes.push_back("node-" + std::to_string(n));
  const std::string metric =
      R"(DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1",pci_bus_id="00000000:19:00.0"} 300)";
  const std::string kernel = "NVRM: GPU at PCI:0000:19:00: GPU-1";
  const auto findings = [&](bool crowd) {
    harness h;
    for (const std::string_view l : lines) {
      h.feed(l, t0, "x");
      if (crowd)
        for (std::size_t n = 0; n < nodes.size(); ++n)
          h.feed(n % 2 ? metric : kernel, t0, nodes[n]);
    }
    h.d.finish(h.sink);
    std::vector<std::string> out;
    for (const owned_finding& f : h.findings())
      out.push_back(f.node + " " + f.subject + " " + f.kind);
    return out;
  };
  const std::vector<std::string> alone = findings(false);
  ASSERT_EQ(alone.size(), 2u);  // GPU 75: SW thermal slowdown, power brake
  EXPECT_EQ(findings(true), alone);
}

// A Clocks Event Reasons section pasted without its GPU header, closed by the next section
// line, is one sample of GPU "unknown"; the headed block after it is GPU 75's own sample, not
// merged into the paste's.
TEST(ThermalThrottleNvidiaSmi, AHeaderlessPasteAndTheNextGpuBlockAreSeparateSamples) {
  harness h;
  feed_text(h, R"(    Clocks Event Reasons
        SW Thermal Slowdown : Active
    Sparse Operation Mode : N/A
GPU 00000000:75:00.0
    Clocks Event Reasons
        HW Thermal Slowdown : Active
        SW Thermal Slowdown : Not Active
)",
            t0, "A");
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].subject, "unknown");
  EXPECT_EQ(h.findings()[0].recommended, action::observe);  // SW only
  EXPECT_EQ(h.findings()[1].subject, "00000000:75:00.0");
  EXPECT_EQ(h.findings()[1].recommended, action::drain_node);
  EXPECT_EQ(h.findings()[1].message.find("sw_thermal"), std::string::npos)
      << h.findings()[1].message;
}

}  // namespace
}  // namespace detectors
