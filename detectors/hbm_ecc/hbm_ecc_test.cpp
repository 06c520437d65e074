// Tests for the hbm_ecc detector on literal dcgm-exporter lines: every label layout, each
// finding kind, thresholds and windows, counter resets, blank sentinels, malformed lines,
// bounded state, and the corpus generator's episodes.
#include "detectors/hbm_ecc.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "detectors/corpus.h"
#include "testing/interleaved_reports.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;
constexpr std::int64_t minute = 60 * ns_per_second;

constexpr std::string_view uuid = "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30";

// A modern dcgm-exporter line for GPU 0 on node-7.
std::string modern(std::string_view metric, std::string_view value) {
  return fmt::format(R"({}{{gpu="0",UUID="{}",pci_bus_id="00000000:19:00.0",device="nvidia0",)"
                     R"(modelName="NVIDIA H100 80GB HBM3",Hostname="node-7"}} {})",
                     metric, uuid, value);
}
std::string modern(std::string_view metric, std::uint64_t value) {
  return modern(metric, std::to_string(value));
}

// Replaces the "{V}" placeholder of a literal line.
std::string with_value(std::string_view line, std::uint64_t value) {
  std::string s(line);
  s.replace(s.find("{V}"), 3, std::to_string(value));
  return s;
}

class harness {
 public:
  explicit harness(const hbm_ecc_config& c = {}) : d(c) {}

  void feed(std::string_view line, std::int64_t ts_ns, std::string_view node = "node-7") {
    d.on_event(event{ts_ns, node, source::dcgm, line}, sink);
  }
  std::vector<owned_finding>& findings() { return sink.findings; }
  std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& f : sink.findings)
      n += f.kind == kind;
    return n;
  }

  hbm_ecc_detector d;
  collecting_sink sink;
};

TEST(HbmEcc, DbeVolatileIncreaseIsCriticalWithAllFields) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 0), t0);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 2), t0 + 30 * ns_per_second);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.detector, "hbm_ecc");
  EXPECT_EQ(f.node, "node-7");
  EXPECT_EQ(f.subject, uuid);
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.kind, "dbe_ecc");
  EXPECT_EQ(f.message,
            "uncorrectable (double-bit) ECC errors: DCGM_FI_DEV_ECC_DBE_VOL_TOTAL 0 -> 2 (+2)");
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 30 * ns_per_second);
  EXPECT_EQ(f.count, 2u);
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_EQ(h.d.stats().recognised, 2u);
  EXPECT_EQ(h.d.stats().findings, 1u);
  EXPECT_EQ(h.d.stats().events, 2u);
  EXPECT_EQ(h.d.name(), "hbm_ecc");
}

class DbeCounter : public ::testing::TestWithParam<std::string_view> {};

TEST_P(DbeCounter, IncreaseIsDbeEcc) {
  harness h;
  h.feed(modern(GetParam(), 1), t0);
  h.feed(modern(GetParam(), 1), t0 + minute);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern(GetParam(), 2), t0 + 2 * minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "dbe_ecc");
  EXPECT_EQ(h.findings()[0].sev, severity::critical);
  EXPECT_EQ(h.findings()[0].count, 1u);
  EXPECT_EQ(h.findings()[0].first_ns, t0 + minute);
}

INSTANTIATE_TEST_SUITE_P(AllDbeCounters, DbeCounter,
                         ::testing::Values("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
                                           "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL",
                                           "DCGM_FI_DEV_RETIRED_DBE"));

TEST(HbmEcc, FirstSampleIsABaselineEvenWhenNonZero) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", 7), t0);
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 3), t0);
  h.feed(modern("DCGM_FI_DEV_RETIRED_SBE", 5), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 5000), t0);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 4u);
}

TEST(HbmEcc, CounterDecreaseIsAResetThatRebaselines) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 5), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 0), t0 + minute);  // driver reload
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 1), t0 + 2 * minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].message,
            "uncorrectable (double-bit) ECC errors: DCGM_FI_DEV_ECC_DBE_VOL_TOTAL 0 -> 1 (+1)");
}

TEST(HbmEcc, UncorrectableRemapIncreaseIsCritical) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 0), t0);
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 1), t0 + minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "uncorrectable_remap");
  EXPECT_EQ(h.findings()[0].sev, severity::critical);
  EXPECT_EQ(h.findings()[0].recommended, action::reset_gpu);
}

TEST(HbmEcc, CorrectableRemapIncreaseIsNotAFindingWhenPendingIsExported) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 0), t0);  // the exporter says when it is due
  h.feed(modern("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", 0), t0);
  h.feed(modern("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", 4), t0 + minute);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 3u);
}

// NVIDIA/dcgm-exporter etc/default-counters.csv (d5e5f510a1b6b393f39a43293ccd9dc985defc79)
// exports DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS, DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS and
// DCGM_FI_DEV_ROW_REMAP_FAILURE, and no DCGM_FI_DEV_ROW_REMAP_PENDING.
TEST(HbmEcc, StockExporterRemapCountersAloneFindPendingRemapsAndFailure) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 0), t0);
  h.feed(modern("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", 2), t0);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0), t0);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 0), t0 + minute);
  h.feed(modern("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", 3), t0 + minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "row_remap_pending");
  EXPECT_EQ(h.findings()[0].recommended, action::reset_gpu);
  EXPECT_NE(h.findings()[0].message.find("inferred"), std::string::npos);
  h.feed(modern("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 1), t0 + 2 * minute);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 1), t0 + 2 * minute);
  ASSERT_EQ(h.findings().size(), 3u);
  EXPECT_EQ(h.findings()[1].kind, "uncorrectable_remap");
  EXPECT_EQ(h.findings()[2].kind, "row_remap_failure");
  EXPECT_EQ(h.findings()[2].recommended, action::replace_gpu);
}

TEST(HbmEcc, RowRemapFailureMeansReplaceGpuOncePerEpisode) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0), t0);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 1), t0 + minute);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 1), t0 + 20 * minute);  // still failed
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.kind, "row_remap_failure");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.recommended, action::replace_gpu);
  EXPECT_EQ(f.message,
            "row remapping failed: no spare row left for a failing HBM row "
            "(DCGM_FI_DEV_ROW_REMAP_FAILURE 0 -> 1)");
}

TEST(HbmEcc, RowRemapPendingOnFirstSampleMeansResetGpu) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 1), t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "row_remap_pending");
  EXPECT_EQ(h.findings()[0].sev, severity::warning);
  EXPECT_EQ(h.findings()[0].recommended, action::reset_gpu);
  EXPECT_EQ(h.findings()[0].first_ns, t0);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 1), t0 + minute);
  EXPECT_EQ(h.findings().size(), 1u);
  // Reset clears it; a new pending remap after the repeat interval is a new finding.
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 0), t0 + 2 * minute);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 1), t0 + 10 * minute);
  EXPECT_EQ(h.findings().size(), 2u);
}

TEST(HbmEcc, ZeroPendingFlagOnFirstSampleIsQuiet) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_PENDING", 0), t0);
  h.feed(modern("DCGM_FI_DEV_RETIRED_PENDING", 0), t0);
  h.feed(modern("DCGM_FI_DEV_ROW_REMAP_FAILURE", 0), t0);
  EXPECT_TRUE(h.findings().empty());
}

TEST(HbmEcc, RetiredPagesPendingMeansResetGpu) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_RETIRED_PENDING", 0), t0);
  h.feed(modern("DCGM_FI_DEV_RETIRED_PENDING", 1), t0 + minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "retired_pages_pending");
  EXPECT_EQ(h.findings()[0].recommended, action::reset_gpu);
}

TEST(HbmEcc, RetiredSbeIncreaseIsInfo) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_RETIRED_SBE", 2), t0);
  h.feed(modern("DCGM_FI_DEV_RETIRED_SBE", 3), t0 + minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "sbe_page_retired");
  EXPECT_EQ(h.findings()[0].sev, severity::info);
  EXPECT_EQ(h.findings()[0].recommended, action::observe);
}

TEST(HbmEcc, SameFaultOnVolatileAndAggregateTotalsIsOneFinding) {
  harness h;
  for (std::string_view m : {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL"})
    h.feed(modern(m, 0), t0);
  for (std::string_view m : {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "DCGM_FI_DEV_ECC_DBE_AGG_TOTAL"})
    h.feed(modern(m, 1), t0 + 30 * ns_per_second);
  EXPECT_EQ(h.count("dbe_ecc"), 1u);
  // Within the repeat interval (5 min) more DBEs are the same incident...
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 2), t0 + 5 * minute);
  EXPECT_EQ(h.count("dbe_ecc"), 1u);
  // ...after it, a new finding.
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 3), t0 + 30 * ns_per_second + 5 * minute);
  EXPECT_EQ(h.count("dbe_ecc"), 2u);
}

// --- SBE rate -------------------------------------------------------------------------------

TEST(HbmEcc, SbeRateExactlyAtThresholdFires) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 10), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 60), t0 + 20 * minute);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 110), t0 + 59 * minute);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.kind, "sbe_rate");
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_EQ(f.count, 100u);
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 59 * minute);
  EXPECT_EQ(f.message,
            "100 corrected (single-bit) ECC errors within 3600 s "
            "(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL 10 -> 110; threshold 100)");
}

TEST(HbmEcc, SbeRateOneBelowThresholdDoesNotFire) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", 10), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", 109), t0 + 59 * minute);
  EXPECT_TRUE(h.findings().empty());
}

TEST(HbmEcc, SbeIncreaseSpreadBeyondTheWindowDoesNotFire) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 0), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 60), t0 + 10 * minute);
  // 120 in 70 minutes, but only 60 within the last hour.
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 120), t0 + 70 * minute);
  EXPECT_TRUE(h.findings().empty());
  // Since 10 min (60) the window holds 99, then 100.
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 159), t0 + 71 * minute);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 160), t0 + 72 * minute);
  EXPECT_EQ(h.count("sbe_rate"), 1u);
}

TEST(HbmEcc, SbeRateIsReportedOncePerWindow) {
  harness h;
  std::uint64_t v = 0;
  for (int i = 0; i <= 122; ++i) {  // 50 per minute for two hours
    h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", v), t0 + i * minute);
    v += 50;
  }
  EXPECT_EQ(h.count("sbe_rate"), 3u);  // at 2, 62 and 122 minutes
}

TEST(HbmEcc, SbeResetInsideTheWindowDoesNotCountAsErrors) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 90), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 0), t0 + minute);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 99), t0 + 2 * minute);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 100), t0 + 3 * minute);
  EXPECT_EQ(h.count("sbe_rate"), 1u);
}

TEST(HbmEcc, ConfiguredSbeThresholdAndWindowApply) {
  hbm_ecc_config c;
  c.sbe_threshold = 10;
  c.sbe_window_ns = 5 * minute;
  harness h(c);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 0), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 9), t0 + 4 * minute);
  EXPECT_TRUE(h.findings().empty());
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 10), t0 + 5 * minute);
  EXPECT_EQ(h.count("sbe_rate"), 1u);
}

// --- label layouts --------------------------------------------------------------------------

struct layout_case {
  std::string_view name;
  std::string_view line;  // with {V} for the value
  std::string_view subject;
  std::string_view node;  // expected finding node (the event's is "node-7")
};

void PrintTo(const layout_case& c, std::ostream* os) {
  *os << c.name;
}

class LabelLayout : public ::testing::TestWithParam<layout_case> {};

TEST_P(LabelLayout, DbeIncreaseIsAttributedToTheGpu) {
  harness h;
  h.feed(with_value(GetParam().line, 0), t0);
  h.feed(with_value(GetParam().line, 1), t0 + 30 * ns_per_second);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().recognised, 2u);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "dbe_ecc");
  EXPECT_EQ(h.findings()[0].subject, GetParam().subject);
  EXPECT_EQ(h.findings()[0].node, GetParam().node);
}

INSTANTIATE_TEST_SUITE_P(
    DcgmExporterGenerations, LabelLayout,
    ::testing::Values(
        layout_case{
            "modern",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30",pci_bus_id="00000000:19:00.0",device="nvidia0",modelName="NVIDIA H100 80GB HBM3",Hostname="node-7"} {V})",
            "GPU-5fd4e1b2-8c1d-6b3a-9e0f-2a7c4d1b9e30", "node-7"},
        layout_case{
            "old_two_labels_with_spaces",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="1", UUID="GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52"} {V})",
            "GPU-604ac76c-d9cf-fef3-62e9-d92044ab6e52", "node-7"},
        layout_case{
            "no_bus_id_lowercase_hostname",
            R"(DCGM_FI_DEV_ECC_DBE_AGG_TOTAL{gpu="2",UUID="GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",device="nvidia2",modelName="NVIDIA A100-SXM4-80GB",hostname="dgx-a100-12"} {V})",
            "GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", "node-7"},
        layout_case{
            "mig_instance",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="3",UUID="GPU-9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9",pci_bus_id="00000000:3A:00.0",device="nvidia3",modelName="NVIDIA A100-SXM4-80GB",GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",Hostname="node-7"} {V})",
            "GPU-9e8d7c6b-5a49-3827-1605-f4e3d2c1b0a9", "node-7"},
        layout_case{
            "kubernetes_pod",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="4",UUID="GPU-11111111-2222-3333-4444-555555555555",pci_bus_id="00000000:5D:00.0",device="nvidia4",modelName="NVIDIA H100 80GB HBM3",Hostname="node-7",container="trainer",namespace="ml-train",pod="llm-pretrain-0"} {V})",
            "GPU-11111111-2222-3333-4444-555555555555", "node-7"},
        layout_case{
            "sorted_labels",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{Hostname="node-7",UUID="GPU-22222222-3333-4444-5555-666666666666",device="nvidia5",gpu="5",modelName="NVIDIA H100 80GB HBM3",pci_bus_id="00000000:9A:00.0"} {V})",
            "GPU-22222222-3333-4444-5555-666666666666", "node-7"},
        layout_case{
            "escaped_model_name",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="6",UUID="GPU-33333333-4444-5555-6666-777777777777",device="nvidia6",modelName="NVIDIA H100 80GB HBM3 \"SXM5\"",Hostname="node-7"} {V})",
            "GPU-33333333-4444-5555-6666-777777777777", "node-7"},
        layout_case{
            "with_timestamp",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="7",UUID="GPU-44444444-5555-6666-7777-888888888888",Hostname="node-7"} {V} 1732000000000)",
            "GPU-44444444-5555-6666-7777-888888888888", "node-7"},
        layout_case{
            "spaces_after_every_comma",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0", UUID="GPU-55555555-6666-7777-8888-999999999999", pci_bus_id="00000000:18:00.0", device="nvidia0", modelName="NVIDIA H100 80GB HBM3", Hostname="node-7"} {V})",
            "GPU-55555555-6666-7777-8888-999999999999", "node-7"},
        layout_case{
            "pci_bus_id_without_uuid",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="5",pci_bus_id="00000000:9A:00.0",device="nvidia5"} {V})",
            "00000000:9A:00.0", "node-7"},
        layout_case{
            "empty_uuid_falls_back_to_bus_id",
            R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="7",UUID="",pci_bus_id="00000000:DB:00.0"} {V})",
            "00000000:DB:00.0", "node-7"},
        layout_case{"gpu_index_only", R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="6"} {V})", "gpu6",
                    "node-7"},
        layout_case{"escaped_uuid",
                    R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-\"odd\\id\""} {V})",
                    R"(GPU-"odd\id")", "node-7"}),
    [](const auto& info) { return std::string(info.param.name); });

// Steady state allocates nothing: after one pass over the focused corpus (DCGM samples and
// nvidia-smi -q reports, GPUs seen and evicted, every message kind formatted once), later passes
// over the same stream moved forward in time process each window without allocating.
TEST(HbmEcc, WarmWindowsAllocateNothing) {
  hbm_ecc_detector d;
  testing::expect_warm_windows_allocate_nothing("hbm_ecc", d);
}

TEST(HbmEcc, NodeFallsBackToHostnameLabelWhenEventHasNone) {
  harness h;
  const std::string_view l1 =
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a",Hostname="dgx-h100-03"} 0)";
  const std::string_view l2 =
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a",hostname="dgx-h100-04"} 0)";
  h.feed(l1, t0, "");
  h.feed(l2, t0, "");
  h.feed(R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a",Hostname="dgx-h100-03"} 1)",
         t0 + minute, "");
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].node, "dgx-h100-03");
  EXPECT_EQ(h.d.state_size(), 2u);  // the same UUID on two hosts is two GPUs
}

TEST(HbmEcc, GpusAreTrackedSeparately) {
  harness h;
  const std::string_view a = R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a"} {V})";
  const std::string_view b = R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="1",UUID="GPU-b"} {V})";
  h.feed(with_value(a, 0), t0);
  h.feed(with_value(b, 5), t0);
  h.feed(with_value(a, 0), t0 + minute);
  h.feed(with_value(b, 6), t0 + minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "GPU-b");
  // Same GPU name on another node: separate state, its first sample is a baseline.
  h.feed(with_value(b, 9), t0 + 2 * minute, "node-8");
  EXPECT_EQ(h.findings().size(), 1u);
}

TEST(HbmEcc, MigInstancesRepeatingDeviceCountersAreOneGpu) {
  harness h;
  const std::string_view i1 =
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-m",GPU_I_PROFILE="3g.40gb",GPU_I_ID="1",Hostname="node-7"} {V})";
  const std::string_view i2 =
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-m",GPU_I_PROFILE="4g.40gb",GPU_I_ID="2",Hostname="node-7"} {V})";
  h.feed(with_value(i1, 0), t0);
  h.feed(with_value(i2, 0), t0);
  h.feed(with_value(i1, 1), t0 + minute);
  h.feed(with_value(i2, 1), t0 + minute);
  EXPECT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.d.state_size(), 1u);
}

// --- blanks, comments, malformed, foreign lines ---------------------------------------------

TEST(HbmEcc, DcgmBlankSentinelsAreNoValue) {
  harness h;
  const std::string_view l = R"(DCGM_FI_DEV_ROW_REMAP_PENDING{gpu="0",UUID="GPU-v100"} {V})";
  for (std::uint64_t v = 9223372036854775792ULL; v <= 9223372036854775795ULL; ++v)
    h.feed(with_value(l, v), t0);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 4u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  // A blank between two samples is neither a reset nor a baseline.
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 2), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "9223372036854775794"), t0 + minute);
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 3), t0 + 2 * minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].message,
            "uncorrectable (double-bit) ECC errors: DCGM_FI_DEV_ECC_DBE_VOL_TOTAL 2 -> 3 (+1)");
  // A value next to the sentinels is a real (huge) value, not a blank.
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", 0), t0 + 10 * minute);
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "9223372036854775791"), t0 + 11 * minute);
  EXPECT_EQ(h.count("dbe_ecc"), 2u);
}

TEST(HbmEcc, HelpAndTypeLinesAreIgnored) {
  harness h;
  for (std::string_view l :
       {"# HELP DCGM_FI_DEV_ECC_DBE_VOL_TOTAL Total number of double-bit volatile ECC errors.",
        "# TYPE DCGM_FI_DEV_ECC_DBE_VOL_TOTAL counter", ""}) {
    h.feed(l, t0);
  }
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().events, 3u);
}

TEST(HbmEcc, MalformedAndTruncatedLinesAreCountedAndSkipped) {
  harness h;
  const std::string full = modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 1);
  const std::vector<std::string> bad = {
      full.substr(0, full.size() - 2),                                 // cut before the value
      full.substr(0, 60),                                              // inside a label value
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",                                 // name only
      "DCGM_FI_DEV_ECC_DBE_VO",                                        // inside the name
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a"} -1)",     // negative counter
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a"} 1.5)",    // fractional counter
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a"} NaN)",    // not a count
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-a"} 1 2 3)",  // trailing junk
      R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{Hostname="node-7"} 1)",         // no GPU identity
      R"(DCGM_FI_DEV_ROW_REMAP_FAILURE{gpu="0",UUID="GPU-a} 1)",       // unterminated value
  };
  for (const std::string& l : bad)
    h.feed(l, t0);
  EXPECT_EQ(h.d.stats().malformed, bad.size());
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.state_size(), 0u);
}

TEST(HbmEcc, OtherDetectorsLinesAreIgnored) {
  harness h;
  for (std::string_view l : {
           "[31543.449443] NVRM: Xid (PCI:0000:3b:00): 48, pid=1234, name=python3, DBE (0x1)",
           "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0",
           R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a",Hostname="node-7"} 87)",
           R"(DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu="0",UUID="GPU-a",Hostname="node-7"} 64)",
           R"(DCGM_FI_DEV_ECC_SBE_VOL_DEV{gpu="0",UUID="GPU-a"} 3)",
           "[rank3]:[E ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation "
           "timeout: WorkNCCL(SeqNum=1, OpType=ALLREDUCE) ran for 600000 milliseconds",
           R"({"type":"ADDED","object":{"kind":"Event","reason":"Evicted"}})",
           "DCGM_FI_DEV_",
           "node_memory_MemFree_bytes 1.2e+10",
       }) {
    h.feed(l, t0);
  }
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().events, 9u);
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

// leptonai/gpud pkg/nvidia-query/testdata/nvidia-smi-query.535.129.03.out.0.valid.a10 (commit
// fdf5b3217dc96883f57e89229e4d75a3a2ef62e2): 4 rows remapped after uncorrectable errors, the
// remap waiting for a reset.
constexpr std::string_view a10_remap_pending = R"(==============NVSMI LOG==============

Timestamp                                 : Tue Mar 19 05:12:55 2024
Driver Version                            : 535.129.03
CUDA Version                              : 12.2

Attached GPUs                             : 1
GPU 00000000:07:00.0
    Product Name                          : NVIDIA A10
    ECC Mode
        Current                           : Enabled
        Pending                           : Enabled
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 0
        Aggregate
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 0
    Retired Pages
        Single Bit ECC                    : N/A
        Double Bit ECC                    : N/A
        Pending Page Blacklist            : N/A
    Remapped Rows
        Correctable Error                 : 0
        Uncorrectable Error               : 4
        Pending                           : Yes
        Remapping Failure Occurred        : No
        Bank Remap Availability Histogram
            Max                           : 187 bank(s)
            High                          : 5 bank(s)
            Partial                       : 0 bank(s)
            Low                           : 0 bank(s)
            None                          : 0 bank(s)
    Temperature
        GPU Current Temp                  : 35 C)";

TEST(HbmEccNvidiaSmi, PendingRemapInAReportIsAFinding) {
  harness h;
  feed_text(h, a10_remap_pending, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.kind, "row_remap_pending");
  EXPECT_EQ(f.node, "n1");
  EXPECT_EQ(f.subject, "00000000:07:00.0");
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_NE(f.message.find("nvidia-smi Remapped Rows > Pending"), std::string::npos) << f.message;
  // Log and GPU headers, ECC Errors (11 lines), Retired Pages (4), Remapped Rows (11).
  EXPECT_EQ(h.d.stats().recognised, 2u + 11u + 4u + 11u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  // The same report an hour later: still pending, reported again (once per repeat_suppress).
  feed_text(h, a10_remap_pending, t0 + 60 * minute);
  EXPECT_EQ(h.findings().size(), 1u);  // unchanged since: no rise from zero
  // After the reset the flag clears; a new pending remap is reported.
  std::string cleared(a10_remap_pending);
  cleared.replace(cleared.find("Pending                           : Yes"), 39,
                  "Pending                           : No ");
  feed_text(h, cleared, t0 + 61 * minute);
  feed_text(h, a10_remap_pending, t0 + 70 * minute);
  EXPECT_EQ(h.findings().size(), 2u);
}

// stas00/ml-engineering compute/accelerator/nvidia/debug.md (commit
// 62d4359e484937e002469057f809c4149f02734d): an A100 after Xid 63 (pasted with "[...]"
// elisions), and a Retired Pages block pasted without its GPU.
TEST(HbmEccNvidiaSmi, PastedExcerptsAreRead) {
  harness h;
  feed_text(h, R"(Attached GPUs                             : 8
GPU 00000000:10:1C.0
    Product Name                          : NVIDIA A100-SXM4-80GB
    [...]
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 177
            DRAM Uncorrectable            : 0
        Aggregate
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 177
            DRAM Uncorrectable            : 0
    Retired Pages
        Single Bit ECC                    : N/A
        Double Bit ECC                    : N/A
        Pending Page Blacklist            : N/A
    Remapped Rows
        Correctable Error                 : 1
        Uncorrectable Error               : 0
        Pending                           : Yes
        Remapping Failure Occurred        : No
        Bank Remap Availability Histogram
            Max                           : 639 bank(s)
            High                          : 1 bank(s)
            Partial                       : 0 bank(s)
            Low                           : 0 bank(s)
            None                          : 0 bank(s)
[...])",
            t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].kind, "row_remap_pending");
  EXPECT_EQ(h.findings()[0].subject, "00000000:10:1C.0");
  EXPECT_EQ(h.d.stats().malformed, 0u);

  harness g;
  feed_text(g, R"(    Retired pages
        Single Bit ECC             : 2
        Double Bit ECC             : 0
        Pending Page Blacklist    : Yes)",
            t0);
  ASSERT_EQ(g.findings().size(), 1u);
  EXPECT_EQ(g.findings()[0].kind, "retired_pages_pending");
  EXPECT_EQ(g.findings()[0].subject, "unknown");  // no GPU header in the paste
}

// The pre-R450 layout (Single Bit / Double Bit groups, "Pending" under Retired Pages), as in
// markbucklin/markbucklin matlab-code-merge/codemess/matlab/ign/queryGpu.m (commit
// 8ecca6e49baba96f77c023899ef94ef715bf8587), with a V100's counts.
TEST(HbmEccNvidiaSmi, OlderDoubleBitLayoutAndUncorrectableErrors) {
  harness h;
  feed_text(h, R"(GPU 00000000:D8:00.0
    ECC Errors
        Volatile
            Single Bit
                Device Memory       : 3
                Register File       : 0
                Total               : 3
            Double Bit
                Device Memory       : 2
                Register File       : 0
                Total               : 2
        Aggregate
            Double Bit
                Total               : 5
    Retired Pages
        Single Bit ECC              : 1
        Double Bit ECC              : 2
        Pending                     : Yes
)",
            t0);
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].kind, "dbe_ecc");
  EXPECT_EQ(h.findings()[0].sev, severity::critical);
  EXPECT_NE(h.findings()[0].message.find("Double Bit > Total 0 -> 2"), std::string::npos)
      << h.findings()[0].message;
  EXPECT_EQ(h.findings()[1].kind, "retired_pages_pending");
  EXPECT_EQ(h.d.stats().recognised, 18u);
}

TEST(HbmEccNvidiaSmi, RemapFailureAndVolatileDramUncorrectable) {
  // The A10 capture with the failure flag and a volatile DRAM error set.
  std::string bad(a10_remap_pending);
  bad.replace(bad.find("Remapping Failure Occurred        : No"), 38,
              "Remapping Failure Occurred        : Yes");
  bad.replace(bad.find("DRAM Uncorrectable            : 0"), 33,
              "DRAM Uncorrectable            : 3");
  harness h;
  feed_text(h, bad, t0);
  ASSERT_EQ(h.findings().size(), 3u);
  EXPECT_EQ(h.findings()[0].kind, "dbe_ecc");
  EXPECT_EQ(h.findings()[0].count, 3u);
  EXPECT_EQ(h.findings()[1].kind, "row_remap_pending");
  EXPECT_EQ(h.findings()[2].kind, "row_remap_failure");
  EXPECT_EQ(h.findings()[2].recommended, action::replace_gpu);
}

TEST(HbmEccNvidiaSmi, HealthyReportsAndOtherSectionsAreNoFinding) {
  // leptonai/gpud e2e/mock/nvidia-smi/test_data.go (commit
  // 8ddf848ef5b37d52f66fe71a20a6449ea0e10551), NormalQueryOutput's memory sections.
  harness h;
  feed_text(h, R"(GPU 00000000:06:00.0
    Clocks Event Reasons
        Idle                              : Active
        HW Slowdown                       : Not Active
            HW Thermal Slowdown           : Not Active
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable Parity     : 0
            SRAM Uncorrectable SEC-DED    : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 0
        Aggregate
            SRAM Correctable              : 0
            SRAM Uncorrectable Parity     : 0
            SRAM Uncorrectable SEC-DED    : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : 0
            SRAM Threshold Exceeded       : No
        Aggregate Uncorrectable SRAM Sources
            SRAM L2                       : 0
            SRAM SM                       : 0
            SRAM Microcontroller          : 0
            SRAM PCIE                     : 0
            SRAM Other                    : 0
    Retired Pages
        Single Bit ECC                    : N/A
        Double Bit ECC                    : N/A
        Pending Page Blacklist            : N/A
    Remapped Rows
        Correctable Error                 : 0
        Uncorrectable Error               : 0
        Pending                           : No
        Remapping Failure Occurred        : No)",
            t0);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 1u + 20u + 4u + 5u);  // not the clocks section
  EXPECT_EQ(h.d.stats().malformed, 0u);
}

TEST(HbmEccNvidiaSmi, TruncatedLinesAreMalformedNotFindings) {
  const std::string head = "GPU 00000000:07:00.0\n    Remapped Rows\n";
  for (std::string_view cut : {
           "        Pending",
           "        Pending                           :",
           "        Pending                           : Ye",
           "        Remapping Failure Occ",
           "        Uncorrectable Error               : 4 rows",
       }) {
    harness h;
    feed_text(h, head + std::string(cut), t0);
    EXPECT_EQ(h.d.stats().malformed, 1u) << cut;
    EXPECT_TRUE(h.findings().empty()) << cut;
  }
  // A report cut short keeps what it had: the pending flag above the cut is reported.
  std::string cut(a10_remap_pending);
  cut.resize(cut.find("Remapping Failure") + 10);
  harness h;
  feed_text(h, cut, t0);
  EXPECT_EQ(h.count("row_remap_pending"), 1u);
  EXPECT_EQ(h.d.stats().malformed, 1u);
}

// --- bounded state --------------------------------------------------------------------------

TEST(HbmEcc, StateStaysBoundedByCountOverAMillionEvents) {
  hbm_ecc_config c;
  c.max_gpus = 64;
  c.max_sbe_points = 16;
  hbm_ecc_detector d(c);
  counting_sink sink;
  std::size_t peak = 0;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    // 32 hot GPUs whose SBE totals climb at every sample (every sample is a change point,
    // all within the hour), and a churn of GPUs seen once that overflows the GPU cap.
    const std::int64_t gpu = i % 10 == 0 ? 1000 + i : i % 32;
    const std::string line =
        fmt::format(R"(DCGM_FI_DEV_ECC_SBE_VOL_TOTAL{{gpu="0",UUID="GPU-{}"}} {})", gpu, i);
    d.on_event(event{t0 + i * 1'000'000, "node-7", source::dcgm, line}, sink);
    peak = std::max(peak, d.state_size());
  }
  EXPECT_LE(peak, 64u + 64u * 16u);
  EXPECT_GE(peak, 32u * 16u);
  EXPECT_GT(sink.by_severity[static_cast<int>(severity::warning)], 0u);  // the storms: sbe_rate
  EXPECT_EQ(d.stats().recognised, 1'000'000u);
}

TEST(HbmEcc, IdleGpusAreEvictedByTime) {
  hbm_ecc_detector d;  // defaults: evicted after 2 h without a sample
  counting_sink sink;
  std::size_t peak = 0;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    // A new GPU every 10 s, each seen once: only ~2 h worth can be held.
    const std::string line =
        fmt::format(R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{{gpu="0",UUID="GPU-{}"}} 0)", i);
    d.on_event(event{t0 + i * 10 * ns_per_second, "node-7", source::dcgm, line}, sink);
    peak = std::max(peak, d.state_size());
  }
  // The GPUs of the last 2 h (one per 10 s) and the current one.
  EXPECT_EQ(peak, 721u);
}

TEST(HbmEcc, StateSizeCountsGpusAndSbeWindowPoints) {
  harness h;
  h.feed(modern("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 0), t0);
  EXPECT_EQ(h.d.state_size(), 1u);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 0), t0);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 5), t0 + minute);
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 5), t0 + 2 * minute);  // unchanged: no point
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 7), t0 + 3 * minute);
  EXPECT_EQ(h.d.state_size(), 1u + 3u);
  // Two hours later the old points have left the window, except the last one before it opened
  // (its baseline).
  h.feed(modern("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 8), t0 + 119 * minute);
  EXPECT_EQ(h.d.state_size(), 1u + 2u);
}

// --- generator ------------------------------------------------------------------------------

std::vector<stream_builder::line_record> generate(std::uint64_t seed, std::size_t lines,
                                                  bool with_faults) {
  stream_builder b(seed, 12, t0);
  std::int64_t episodes = 0;
  while (b.lines().size() < lines) {
    // Faulty periods of 40 episodes out of every 200.
    b.set_faulty(with_faults && episodes % 200 >= 160);
    generate_hbm_ecc_episode(b);
    b.advance(b.uniform(1, 20) * ns_per_second);
    ++episodes;
  }
  return b.lines();
}

TEST(HbmEccGenerator, EpisodesWithFaultsProduceFindingsAndParseCleanly) {
  const auto lines = generate(7, 20'000, true);
  hbm_ecc_detector d;
  collecting_sink sink;
  std::size_t comments = 0;
  for (const auto& r : lines) {
    const std::string node = fmt::format("node-{:03}", r.node_index);
    d.on_event(event{r.ts_ns, node, r.src, r.line}, sink);
    // Comments, and the lines of an nvidia-smi report outside the sections hbm_ecc reads (and
    // the blank line that ends the report), are not its.
    const std::string_view l = r.line;
    comments += l.starts_with('#') || l.empty() || l.starts_with("Driver Version") ||
                l.starts_with("Attached GPUs") || l.starts_with("    Product Name") ||
                l.starts_with("    ECC Mode") || l.starts_with("        Current") ||
                l.starts_with("        Pending                           : Enabled") ||
                l.starts_with("    Temperature") || l.starts_with("        GPU Current Temp");
  }
  EXPECT_EQ(d.stats().malformed, 0u);
  EXPECT_EQ(d.stats().recognised, lines.size() - comments);
  std::map<std::string, int> kinds;
  for (const auto& f : sink.findings)
    ++kinds[f.kind];
  for (std::string_view k :
       {"dbe_ecc", "uncorrectable_remap", "row_remap_failure", "row_remap_pending", "sbe_rate"}) {
    EXPECT_GT(kinds[std::string(k)], 0) << k;
  }
  // Each input shows its faults: reports, and the stock exporter's inferred pending remaps.
  std::size_t from_reports = 0, inferred = 0;
  for (const auto& f : sink.findings) {
    from_reports += f.message.find("(nvidia-smi ") != std::string::npos;
    inferred += f.message.find("inferred") != std::string::npos;
  }
  EXPECT_GT(from_reports, 0u);
  EXPECT_GT(inferred, 0u);
  EXPECT_LT(d.state_size(), 12u * 8u * 8u);
}

TEST(HbmEccGenerator, HealthyEpisodesProduceNoFindings) {
  const auto lines = generate(11, 20'000, false);
  hbm_ecc_detector d;
  collecting_sink sink;
  for (const auto& r : lines) {
    const std::string node = fmt::format("node-{:03}", r.node_index);
    d.on_event(event{r.ts_ns, node, r.src, r.line}, sink);
  }
  EXPECT_GT(d.stats().recognised, 15'000u);
  EXPECT_EQ(d.stats().malformed, 0u);
  for (const auto& f : sink.findings)
    ADD_FAILURE() << to_json(f);
}

TEST(HbmEccGenerator, SameSeedGivesIdenticalLines) {
  const auto a = generate(3, 2'000, true);
  const auto b = generate(3, 2'000, true);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].line, b[i].line);
    EXPECT_EQ(a[i].ts_ns, b[i].ts_ns);
  }
}

TEST(HbmEcc, FactoryMakesADefaultDetector) {
  const auto d = make_hbm_ecc_detector();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "hbm_ecc");
  EXPECT_EQ(d->state_size(), 0u);
}

// Reports of several nodes interleaved line by line find what they find one after the other:
// the A10 with a pending remap (leptonai/gpud nvidia-smi-query.535.129.03.out.0.valid.a10), the
// A100 excerpts of stas00/ml-engineering debug.md (pending remap; retired pages pending) and the
// 8 x H100 report (no memory faults), sources in testdata/real_lines/SOURCES.md.
TEST(HbmEccNvidiaSmi, ReportsOfNodesInterleavedFindWhatEachFindsAlone) {
  const std::string a10 = testing::detectors_file(
      "hbm_ecc/testdata/real_lines/gpud-nvidia-smi-query.535.129.03.a10.txt");
  const std::string a100 =
      testing::detectors_file("hbm_ecc/testdata/real_lines/ml-engineering-debug-md.txt");
  const std::string h100 = testing::detectors_file(
      "thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  ASSERT_FALSE(a10.empty());
  ASSERT_FALSE(a100.empty());
  ASSERT_FALSE(h100.empty());
  const auto make = [] { return make_hbm_ecc_detector(); };
  testing::expect_interleaving_changes_nothing(make, {a10, a100}, 3);
  testing::expect_interleaving_changes_nothing(make, {a10, h100, a100, a10, h100}, 4);
}

// A report read while 200 other nodes' metrics and kernel lines pass by between each two of
// its lines finds what it finds alone (the reader keeps 64 node contexts).
TEST(HbmEccNvidiaSmi, AReportAmongManyNodesOtherLinesFindsWhatItFindsAlone) {
  const std::string a100 =
      testing::detectors_file("hbm_ecc/testdata/real_lines/ml-engineering-debug-md.txt");
  ASSERT_FALSE(a100.empty());
  testing::expect_passing_nodes_change_nothing([] { return make_hbm_ecc_detector(); }, a100, 200,
                                               1);
}

}  // namespace
}  // namespace detectors
