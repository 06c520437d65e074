// Tests for the `nvidia-smi -q` reader: whole sections as NVIDIA's tool prints them (taken from
// public captures, cited per test), every line of a known section recognised, GPU attribution
// from the block's header, truncations of keys and values, and the lines that are not its.
#include "detectors/nvsmi_query.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "testing/interleaved_reports.h"

namespace detectors {
namespace {

struct read_all {
  std::vector<nvsmi_line> lines;
  std::vector<std::string> gpus;  // the reader's GPU after each line
  int recognised = 0, malformed = 0, not_ours = 0;
};

read_all read(std::string_view text, std::string_view node = "node-1") {
  nvsmi_query_reader r;
  read_all out;
  for (std::string_view l : testing::report_lines(text)) {
    const nvsmi_line n = r.read(node, l);
    out.lines.push_back(n);
    out.gpus.emplace_back(r.gpu());
    if (n.kind == nvsmi_line_kind::malformed) {
      ++out.malformed;
    } else if (n.kind == nvsmi_line_kind::not_ours) {
      ++out.not_ours;
    } else {
      ++out.recognised;
    }
  }
  return out;
}

// leptonai/gpud pkg/nvidia-query/testdata/nvidia-smi-query.535.183.01.out.0.valid (commit
// fdf5b3217dc96883f57e89229e4d75a3a2ef62e2), GPU 00000000:75:00.0 of an H100 node: SW thermal
// slowdown and HW power brake active. Lines between the sections are elided ("...").
constexpr std::string_view h100_clocks = R"(GPU 00000000:75:00.0
    Product Name                          : NVIDIA H100 80GB HBM3
    Performance State                     : P0
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
    GPU Power Readings
        Power Draw                        : 118.01 W)";

TEST(NvsmiQuery, ReadsClocksEventReasonsAndTemperatureOfAnH100) {
  const read_all r = read(h100_clocks);
  ASSERT_EQ(r.lines.size(), 25u);
  EXPECT_EQ(r.lines[0].kind, nvsmi_line_kind::gpu);
  EXPECT_EQ(r.gpus[0], "00000000:75:00.0");
  EXPECT_EQ(r.lines[1].kind, nvsmi_line_kind::not_ours);  // Product Name: no section of ours
  EXPECT_EQ(r.lines[3].kind, nvsmi_line_kind::section);
  EXPECT_EQ(r.lines[3].section, nvsmi_section::clocks_event_reasons);
  std::uint64_t active = 0;
  for (std::size_t i = 4; i <= 12; ++i) {
    ASSERT_EQ(r.lines[i].kind, nvsmi_line_kind::field) << i;
    EXPECT_EQ(r.lines[i].field, nvsmi_field::clocks_event_reason) << i;
    if (r.lines[i].value == nvsmi_value::yes) active |= r.lines[i].reason_bit;
  }
  EXPECT_EQ(active, 0x4u | 0x80u | 0x20u);  // SW power cap, HW power brake, SW thermal
  EXPECT_EQ(r.lines[13].kind, nvsmi_line_kind::not_ours);  // Sparse Operation Mode
  EXPECT_EQ(r.lines[14].section, nvsmi_section::temperature);
  EXPECT_EQ(r.lines[15].field, nvsmi_field::gpu_current_temp);
  EXPECT_EQ(r.lines[15].number, 39);
  EXPECT_EQ(r.lines[17].kind, nvsmi_line_kind::field);  // "-8 C": negative limits are fine
  EXPECT_EQ(r.lines[17].number, -8);
  EXPECT_EQ(r.lines[20].value, nvsmi_value::not_available);
  EXPECT_EQ(r.lines[21].field, nvsmi_field::memory_current_temp);
  EXPECT_EQ(r.lines[21].number, 46);
  EXPECT_EQ(r.lines[23].kind, nvsmi_line_kind::not_ours);  // GPU Power Readings
  EXPECT_EQ(r.lines[24].kind, nvsmi_line_kind::not_ours);
  EXPECT_EQ(r.malformed, 0);
  EXPECT_EQ(r.recognised, 1 + 10 + 9);  // header, clocks section, temperature section
  for (const std::string& g : r.gpus)
    EXPECT_EQ(g, "00000000:75:00.0");
}

// leptonai/gpud pkg/nvidia-query/testdata/nvidia-smi-query.535.129.03.out.0.valid.a10 (same
// commit): an A10 with 4 rows remapped after uncorrectable errors, waiting for a reset.
constexpr std::string_view a10_remap_pending = R"(GPU 00000000:07:00.0
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

TEST(NvsmiQuery, ReadsEccRetiredPagesAndRemappedRowsOfAnA10) {
  const read_all r = read(a10_remap_pending);
  EXPECT_EQ(r.malformed, 0);
  EXPECT_EQ(r.not_ours, 0);  // every line belongs to a known section
  EXPECT_EQ(r.lines[6].field, nvsmi_field::volatile_dram_uncorrectable);
  EXPECT_EQ(r.lines[6].number, 0);
  EXPECT_EQ(r.lines[3].kind, nvsmi_line_kind::field);  // SRAM Correctable
  EXPECT_EQ(r.lines[3].field, nvsmi_field::other);
  EXPECT_EQ(r.lines[4].field, nvsmi_field::volatile_sram_uncorrectable);
  EXPECT_EQ(r.lines[11].field, nvsmi_field::other);  // Aggregate DRAM Uncorrectable: history
  EXPECT_EQ(r.lines[15].field, nvsmi_field::retired_pending);
  EXPECT_EQ(r.lines[15].value, nvsmi_value::not_available);
  EXPECT_EQ(r.lines[18].field, nvsmi_field::remapped_uncorrectable);
  EXPECT_EQ(r.lines[18].number, 4);
  EXPECT_EQ(r.lines[19].field, nvsmi_field::remap_pending);
  EXPECT_EQ(r.lines[19].value, nvsmi_value::yes);
  EXPECT_EQ(r.lines[20].field, nvsmi_field::remap_failure);
  EXPECT_EQ(r.lines[20].value, nvsmi_value::no);
  EXPECT_EQ(r.lines[21].kind, nvsmi_line_kind::section);  // the histogram group
  EXPECT_EQ(r.lines[22].kind, nvsmi_line_kind::field);
  EXPECT_EQ(r.lines[22].field, nvsmi_field::other);  // "Max : 187 bank(s)"
  EXPECT_EQ(r.lines[27].section, nvsmi_section::temperature);
  EXPECT_EQ(r.gpus.back(), "00000000:07:00.0");
}

// stas00/ml-engineering compute/accelerator/nvidia/debug.md (commit
// 62d4359e484937e002469057f809c4149f02734d): an A100 after Xid 63, and a Retired Pages block
// pasted on its own with "pages" in lower case.
constexpr std::string_view a100_xid63 = R"(Attached GPUs                             : 8
GPU 00000000:10:1C.0
    Product Name                          : NVIDIA A100-SXM4-80GB
    [...]
    Remapped Rows
        Correctable Error                 : 1
        Uncorrectable Error               : 0
        Pending                           : Yes
        Remapping Failure Occurred        : No)";

constexpr std::string_view retired_pending_paste = R"(    Retired pages
        Single Bit ECC             : 2
        Double Bit ECC             : 0
        Pending Page Blacklist    : Yes)";

TEST(NvsmiQuery, ReadsPastesWithElisionsAndWithoutTheGpuHeader) {
  const read_all a = read(a100_xid63);
  EXPECT_EQ(a.lines[0].kind, nvsmi_line_kind::not_ours);
  EXPECT_EQ(a.lines[1].kind, nvsmi_line_kind::gpu);
  EXPECT_EQ(a.gpus[1], "00000000:10:1C.0");
  EXPECT_EQ(a.lines[3].kind, nvsmi_line_kind::not_ours);  // "[...]"
  EXPECT_EQ(a.lines[7].field, nvsmi_field::remap_pending);
  EXPECT_EQ(a.lines[7].value, nvsmi_value::yes);
  EXPECT_EQ(a.gpus[7], "00000000:10:1C.0");
  EXPECT_EQ(a.malformed, 0);

  const read_all b = read(retired_pending_paste);
  EXPECT_EQ(b.recognised, 4);
  EXPECT_EQ(b.lines[0].section, nvsmi_section::retired_pages);
  EXPECT_EQ(b.lines[1].field, nvsmi_field::retired_single_bit);
  EXPECT_EQ(b.lines[1].number, 2);
  EXPECT_EQ(b.lines[3].field, nvsmi_field::retired_pending);
  EXPECT_EQ(b.lines[3].value, nvsmi_value::yes);
  EXPECT_EQ(b.gpus[3], "");  // no GPU header: unattributed
}

// markbucklin/markbucklin matlab-code-merge/codemess/matlab/ign/queryGpu.m (commit
// 8ecca6e49baba96f77c023899ef94ef715bf8587): driver 369.30 prints "Clocks Throttle Reasons",
// a four-digit PCI domain and a reason it cannot name. The ECC groups are the pre-R450 layout
// (Single Bit / Double Bit, one line per memory), as that file's ECC Errors section opens; the
// counts are ours.
constexpr std::string_view old_driver = R"(GPU 0000:06:00.0
    Performance State               : P0
    Clocks Throttle Reasons
        Idle                        : Not Active
        Applications Clocks Setting : Active
        SW Power Cap                : Not Active
        HW Slowdown                 : Not Active
        Sync Boost                  : Not Active
        Unknown                     : Not Active
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
            Single Bit
                Total               : 7
            Double Bit
                Total               : 5
    Retired Pages
        Single Bit ECC              : 1
        Double Bit ECC              : 2
        Pending                     : Yes
    Temperature
        Gpu                         : 29 C)";

TEST(NvsmiQuery, ReadsTheOlderThrottleReasonsAndSingleDoubleBitLayout) {
  const read_all r = read(old_driver);
  EXPECT_EQ(r.malformed, 0);
  EXPECT_EQ(r.gpus[0], "0000:06:00.0");
  EXPECT_EQ(r.lines[2].section, nvsmi_section::clocks_event_reasons);
  EXPECT_EQ(r.lines[4].reason_bit, 0x2u);
  EXPECT_EQ(r.lines[4].value, nvsmi_value::yes);
  EXPECT_EQ(r.lines[8].kind, nvsmi_line_kind::field);  // "Unknown": recognised, no bit
  EXPECT_EQ(r.lines[8].field, nvsmi_field::other);
  EXPECT_EQ(r.lines[14].field, nvsmi_field::other);  // Volatile > Single Bit > Total
  EXPECT_EQ(r.lines[18].field, nvsmi_field::volatile_double_bit_total);
  EXPECT_EQ(r.lines[18].number, 2);
  EXPECT_EQ(r.lines[23].kind, nvsmi_line_kind::field);  // Aggregate > Double Bit > Total
  EXPECT_EQ(r.lines[23].field, nvsmi_field::other);
  EXPECT_EQ(r.lines[27].field, nvsmi_field::retired_pending);
  EXPECT_EQ(r.lines[27].value, nvsmi_value::yes);
  EXPECT_EQ(r.lines[29].field, nvsmi_field::gpu_current_temp);
  EXPECT_EQ(r.lines[29].number, 29);
}

// kubeflow/kubeflow issue #68 (comment by flx42, 2018-01-09): `nvidia-smi -q | grep -A8
// 'Clocks Throttle'` on a 2017 driver, HW Thermal Slowdown nested under HW Slowdown.
TEST(NvsmiQuery, ReadsAGreppedOlderThrottleSection) {
  const read_all r = read(R"(    Clocks Throttle Reasons
        Idle                        : Active
        Applications Clocks Setting : Not Active
        SW Power Cap                : Not Active
        HW Slowdown                 : Not Active
            HW Thermal Slowdown     : Not Active
            HW Power Brake Slowdown : Not Active
        Sync Boost                  : Not Active
        SW Thermal Slowdown         : Not Active)");
  EXPECT_EQ(r.recognised, 9);
  EXPECT_EQ(r.malformed, 0);
  EXPECT_EQ(r.lines[5].reason_bit, 0x40u);
  EXPECT_EQ(r.lines[5].value, nvsmi_value::no);
  EXPECT_EQ(r.lines[1].value, nvsmi_value::yes);
  EXPECT_EQ(r.gpus.back(), "");  // grep kept no GPU header
}

TEST(NvsmiQuery, TruncatedLinesOfAKnownSectionAreMalformed) {
  // The A10 capture above, cut at various points.
  const std::string_view head = "GPU 00000000:07:00.0\n    Remapped Rows\n";
  for (std::string_view cut : {
           "        Pending",                           // cut before the colon
           "        Remapping Failure Occ",             // inside the key
           "        Pending                     :",     // cut after the colon
           "        Pending                     : Ye",  // inside the value
           "        Uncorrectable Error         : 4x",  // not a count
       }) {
    const read_all r = read(std::string(head) + std::string(cut));
    EXPECT_EQ(r.lines.back().kind, nvsmi_line_kind::malformed) << cut;
  }
  const read_all temp = read("GPU 00000000:07:00.0\n    Temperature\n        GPU Current Temp : 3");
  EXPECT_EQ(temp.lines.back().kind, nvsmi_line_kind::malformed);  // the unit was cut off
  const read_all reason =
      read("GPU 00000000:07:00.0\n    Clocks Event Reasons\n        HW Thermal Slowdown : Not Act");
  EXPECT_EQ(reason.lines.back().kind, nvsmi_line_kind::malformed);
  const read_all header = read("GPU 00000000:07:0");
  EXPECT_EQ(header.lines.back().kind, nvsmi_line_kind::malformed);
  EXPECT_EQ(header.gpus.back(), "");
}

TEST(NvsmiQuery, OtherLinesAreNotItsKind) {
  for (std::string_view l : {
           "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-2b416d09-4537-ecc1-54fd-c6c83a764be9)",
           "Timestamp                                 : Wed Jun  7 19:32:16 2023",
           R"(DCGM_FI_DEV_GPU_TEMP{gpu="0"} 41)",
           "[  1.0] NVRM: Xid (PCI:0000:3b:00): 79, pid=1, GPU has fallen off the bus.",
           "    Pending                           : Yes",  // no section open
           "  reason: Evicted",
           "",
       }) {
    nvsmi_query_reader r;
    EXPECT_EQ(r.read("n", l).kind, nvsmi_line_kind::not_ours) << l;
  }
}

TEST(NvsmiQuery, BlocksEndAtBlankAndUnindentedLinesOfTheirNodeAndTheNextGpu) {
  nvsmi_query_reader r;
  EXPECT_FALSE(r.read("a", "GPU 00000000:18:00.0").ends_block);
  EXPECT_FALSE(r.read("a", "    Remapped Rows").ends_block);
  EXPECT_EQ(r.read("a", "        Pending : Yes").field, nvsmi_field::remap_pending);
  // Another node's line: that node has no report open, so "Pending" there is nobody's...
  const nvsmi_line other = r.read("b", "        Pending : Yes");
  EXPECT_FALSE(other.ends_block);
  EXPECT_EQ(other.kind, nvsmi_line_kind::not_ours);
  EXPECT_EQ(r.gpu(), "");
  // ...and node a's report goes on where it was.
  EXPECT_EQ(r.read("a", "        Remapping Failure Occurred : No").field,
            nvsmi_field::remap_failure);
  EXPECT_EQ(r.gpu(), "00000000:18:00.0");
  // An unindented line of b ends nothing of a's.
  EXPECT_FALSE(r.read("b", "Dec  6 13:00:00 node-b kernel: eth0 up").ends_block);
  EXPECT_TRUE(r.read("a", "Dec  6 13:00:00 node-a kernel: eth0 up").ends_block);
  r.read("a", "GPU 00000000:18:00.0");
  EXPECT_TRUE(r.read("a", "GPU 00000000:2A:00.0").ends_block);
  EXPECT_EQ(r.gpu(), "00000000:2A:00.0");
  EXPECT_TRUE(r.read("a", "").ends_block);
  EXPECT_FALSE(r.in_block());
  // A section line at section level closes the section but not the GPU's block.
  r.read("a", "GPU 00000000:2A:00.0");
  r.read("a", "    Remapped Rows");
  EXPECT_EQ(r.read("a", "    Temperature").section, nvsmi_section::temperature);
  EXPECT_EQ(r.read("a", "    FB Memory Usage").kind, nvsmi_line_kind::not_ours);
  EXPECT_EQ(r.read("a", "        Pending : Yes").kind, nvsmi_line_kind::not_ours);
  EXPECT_EQ(r.gpu(), "00000000:2A:00.0");
}

// Whole real reports: leptonai/gpud
// pkg/nvidia-query/testdata/nvidia-smi-query.535.183.01.out.0.valid (8 x H100) and
// nvidia-smi-query.535.129.03.out.0.valid.a10 at fdf5b3217dc96883f57e89229e4d75a3a2ef62e2, kept in
// the detectors' testdata/real_lines.
std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) + "/" + relative, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
const std::string& h100x8_report() {
  static const std::string text =
      read_file("thermal_throttle/testdata/real_lines/gpud-nvidia-smi-query.535.183.01.h100x8.txt");
  return text;
}
const std::string& a10_report() {
  static const std::string text =
      read_file("hbm_ecc/testdata/real_lines/gpud-nvidia-smi-query.535.129.03.a10.txt");
  return text;
}

// What the reader says of one line, context index aside.
std::string describe(const nvsmi_line& l, std::string_view gpu) {
  return fmt::format("{} {} {} {} {} {} {} {}", static_cast<int>(l.kind), l.ends_block,
                     static_cast<int>(l.section), static_cast<int>(l.field),
                     static_cast<int>(l.value), l.number, l.reason_bit, gpu);
}

// Each node's report read alone, and all of them interleaved line by line (round robin, a
// line of each node in turn): per node, the reader must say the same of every line.
void expect_interleaving_changes_nothing(const std::vector<std::string_view>& reports,
                                         std::size_t max_nodes) {
  std::vector<std::vector<std::string>> alone(reports.size()), mixed(reports.size());
  std::vector<std::vector<std::string_view>> lines;
  for (std::size_t n = 0; n < reports.size(); ++n) {
    lines.push_back(testing::report_lines(reports[n]));
    nvsmi_query_reader r(max_nodes);
    for (std::string_view l : lines[n]) {
      const nvsmi_line read = r.read("node-" + std::to_string(n), l);
      alone[n].push_back(describe(read, r.gpu()));
    }
  }
  nvsmi_query_reader r(max_nodes);
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (std::size_t n = 0; n < reports.size(); ++n) {
      if (i >= lines[n].size()) continue;
      any = true;
      const nvsmi_line read = r.read("node-" + std::to_string(n), lines[n][i]);
      mixed[n].push_back(describe(read, r.gpu()));
    }
    if (!any) break;
  }
  for (std::size_t n = 0; n < reports.size(); ++n) {
    ASSERT_EQ(alone[n].size(), mixed[n].size());
    for (std::size_t i = 0; i < alone[n].size(); ++i)
      ASSERT_EQ(alone[n][i], mixed[n][i]) << "node " << n << " line " << i << ": " << lines[n][i];
  }
}

TEST(NvsmiQuery, ReportsOfNodesInterleavedReadAsEachAlone) {
  ASSERT_GT(h100x8_report().size(), 10000u);
  ASSERT_GT(a10_report().size(), 1000u);
  expect_interleaving_changes_nothing({h100x8_report(), a10_report()}, 2);
  // More nodes than two, reports of different lengths, the bound just large enough.
  expect_interleaving_changes_nothing(
      {a10_report(), h100x8_report(), a10_report(), h100x8_report(), a10_report()}, 5);
  expect_interleaving_changes_nothing({h100x8_report(), a10_report(), h100x8_report()},
                                      nvsmi_query_reader::default_max_nodes);
}

TEST(NvsmiQuery, PastTheBoundTheLeastRecentNodesContextIsReused) {
  nvsmi_query_reader r(2);
  EXPECT_EQ(r.max_nodes(), 2u);
  r.read("a", "GPU 00000000:18:00.0");
  r.read("a", "    Remapped Rows");
  r.read("b", "GPU 00000000:2A:00.0");
  r.read("b", "    Remapped Rows");
  EXPECT_TRUE(r.any_block());
  // a was seen least recently: c takes its context, and a's block ends there.
  const nvsmi_line c = r.read("c", "GPU 00000000:3A:00.0");
  EXPECT_TRUE(c.ends_block);
  EXPECT_EQ(c.kind, nvsmi_line_kind::gpu);
  EXPECT_EQ(r.gpu(), "00000000:3A:00.0");
  // b's report goes on untouched...
  EXPECT_EQ(r.read("b", "        Pending : Yes").field, nvsmi_field::remap_pending);
  EXPECT_EQ(r.gpu(), "00000000:2A:00.0");
  // ...while a's comes back as a paste without its header: no GPU, no section (the lines
  // are not counted as anyone's; none is mistaken for another node's GPU). A line that
  // cannot open a block takes no context; one that can takes that of c, now the least
  // recently seen, whose open block ends.
  const nvsmi_line a = r.read("a", "        Pending : Yes");
  EXPECT_FALSE(a.ends_block);
  EXPECT_EQ(a.kind, nvsmi_line_kind::not_ours);
  const nvsmi_line a_section = r.read("a", "    Remapped Rows");
  EXPECT_TRUE(a_section.ends_block);
  EXPECT_EQ(a_section.kind, nvsmi_line_kind::section);
  EXPECT_EQ(r.gpu(), "");
  // A node whose context was free to take (b's is not) ends nothing.
  nvsmi_query_reader fresh(2);
  fresh.read("a", "GPU 00000000:18:00.0");
  EXPECT_FALSE(fresh.read("b", "GPU 00000000:2A:00.0").ends_block);
  EXPECT_EQ(fresh.read("a", "    Remapped Rows").section, nvsmi_section::remapped_rows);
}

// Lines of nodes without a context that cannot open a block (metrics, kernel logs of a whole
// cluster) take no context: however many such nodes pass by, an open report keeps its own.
TEST(NvsmiQuery, LinesThatCannotOpenABlockTakeNoContext) {
  nvsmi_query_reader r(2);
  r.read("a", "GPU 00000000:18:00.0");
  r.read("a", "    Remapped Rows");
  for (int n = 0; n < 100; ++n) {
    const std::string node = "passer-by-" + std::to_string(n);
    EXPECT_FALSE(r.read(node, R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-1"} 40)").ends_block);
    EXPECT_FALSE(r.read(node, "NVRM: Xid (PCI:0000:18:00): 79, pid=1").ends_block);
    EXPECT_FALSE(r.read(node, "").ends_block);
    EXPECT_FALSE(r.read(node, "        Pending : Yes").ends_block);
  }
  EXPECT_TRUE(r.any_block());
  const nvsmi_line l = r.read("a", "        Pending : Yes");
  EXPECT_FALSE(l.ends_block);
  EXPECT_EQ(l.field, nvsmi_field::remap_pending);
  EXPECT_EQ(r.gpu(), "00000000:18:00.0");
}

// A section pasted without its GPU header is a block of its own: the line that closes it ends
// it, so what a consumer accumulated of it is not carried into the GPU block that follows.
TEST(NvsmiQuery, AHeaderlessSectionEndsWhereItCloses) {
  nvsmi_query_reader r;
  EXPECT_EQ(r.read("a", "    Clocks Event Reasons").kind, nvsmi_line_kind::section);
  EXPECT_EQ(r.read("a", "        SW Thermal Slowdown : Active").field,
            nvsmi_field::clocks_event_reason);
  const nvsmi_line closing = r.read("a", "    Sparse Operation Mode : N/A");
  EXPECT_TRUE(closing.ends_block);
  EXPECT_EQ(closing.kind, nvsmi_line_kind::not_ours);
  EXPECT_FALSE(r.any_block());
  EXPECT_FALSE(r.read("a", "GPU 00000000:75:00.0").ends_block);
  // Within a GPU's block, one section closing ends nothing: the block goes on.
  EXPECT_EQ(r.read("a", "    Clocks Event Reasons").kind, nvsmi_line_kind::section);
  EXPECT_FALSE(r.read("a", "    Sparse Operation Mode : N/A").ends_block);
  EXPECT_FALSE(r.read("a", "    Temperature").ends_block);
  EXPECT_EQ(r.gpu(), "00000000:75:00.0");
}

TEST(NvsmiQuery, ManyNodesInterleavedAllocateNothing) {
  nvsmi_query_reader r;
  const std::vector<std::string_view> lines = testing::report_lines(a10_report());
  std::vector<std::string> nodes;
  for (int n = 0; n < 100; ++n)  // more nodes than contexts: reuse goes on all the time
    nodes.push_back(
        fmt::format("node-{:03}-with-a-name-longer-than-the-64-bytes-the-context-keeps-{}", n, n));
  const auto read_all = [&] {
    for (std::string_view l : lines)
      for (const std::string& n : nodes)
        r.read(n, l);
  };
  EXPECT_ALLOCS_EQ(0, read_all());
}

// Clocks Event Reasons Counters (newer drivers), as printed in the nvidia-smi -q output pasted
// in ssprea/ssprea-nvidia-control issue #17 (https://github.com/ssprea/ssprea-nvidia-control/
// issues/17): after Clocks Event Reasons, the five counters in microseconds. The N/A form is
// what NVIDIA/k8s-test-infra pull request #691 describes for a driver that does not report
// them ("All five counters in the nvidia-smi -q Clocks Event Reasons Counters block read N/A").
constexpr std::string_view counters_section = R"(GPU 00000000:01:00.0
    Clocks Event Reasons
        Idle                                           : Not Active
        SW Thermal Slowdown                            : Not Active
        Display Clock Setting                          : Not Active
    Clocks Event Reasons Counters
        SW Power Capping                               : 0 us
        Sync Boost                                     : 0 us
        SW Thermal Slowdown                            : 0 us
        HW Thermal Slowdown                            : 0 us
        HW Power Braking                               : 0 us
    Sparse Operation Mode                              : N/A)";

TEST(NvsmiQuery, ReadsClocksEventReasonsCounters) {
  const read_all r = read(counters_section);
  ASSERT_EQ(r.lines.size(), 12u);
  EXPECT_EQ(r.lines[5].kind, nvsmi_line_kind::section);
  EXPECT_EQ(r.lines[5].section, nvsmi_section::clocks_event_reasons_counters);
  const std::uint64_t bits[] = {0x4, 0x10, 0x20, 0x40, 0x80};
  for (std::size_t i = 0; i < 5; ++i) {
    const nvsmi_line& l = r.lines[6 + i];
    EXPECT_EQ(l.kind, nvsmi_line_kind::field) << i;
    EXPECT_EQ(l.section, nvsmi_section::clocks_event_reasons_counters) << i;
    EXPECT_EQ(l.field, nvsmi_field::clocks_event_counter) << i;
    EXPECT_EQ(l.value, nvsmi_value::number) << i;
    EXPECT_EQ(l.number, 0) << i;
    EXPECT_EQ(l.reason_bit, bits[i]) << i;
    EXPECT_EQ(r.gpus[6 + i], "00000000:01:00.0");
  }
  EXPECT_EQ(r.lines[11].kind, nvsmi_line_kind::not_ours);  // the next section ends it
  EXPECT_EQ(r.malformed, 0);
  EXPECT_EQ(r.recognised, 11);  // every line but Sparse Operation Mode

  // Cumulative microseconds run to eleven digits and more; N/A is a counter not reported.
  nvsmi_query_reader q;
  q.read("n", "GPU 00000000:01:00.0");
  q.read("n", "    Clocks Event Reasons Counters");
  const nvsmi_line big =
      q.read("n", "        SW Thermal Slowdown                            : 11591399010 us");
  EXPECT_EQ(big.kind, nvsmi_line_kind::field);
  EXPECT_EQ(big.number, 11591399010);
  const nvsmi_line na = q.read("n", "        HW Thermal Slowdown                            : N/A");
  EXPECT_EQ(na.kind, nvsmi_line_kind::field);
  EXPECT_EQ(na.value, nvsmi_value::not_available);
  EXPECT_EQ(na.reason_bit, 0x40u);
  // A reason a later driver may add: its line is the section's, read, acted on by no one.
  const nvsmi_line later =
      q.read("n", "        Reliability                                    : 0 us");
  EXPECT_EQ(later.kind, nvsmi_line_kind::field);
  EXPECT_EQ(later.field, nvsmi_field::other);
}

TEST(NvsmiQuery, TruncatedCounterLinesAreMalformedAndLookalikesAreNotCounters) {
  const auto line_after_header = [](std::string_view header, std::string_view line) {
    nvsmi_query_reader q;
    q.read("n", "GPU 00000000:01:00.0");
    q.read("n", header);
    return q.read("n", line);
  };
  constexpr std::string_view header = "    Clocks Event Reasons Counters";
  for (const std::string_view cut : {
           "        SW Thermal Slowdown                            : 12",      // unit cut
           "        SW Thermal Slowdown                            : 12 u",    // unit cut
           "        SW Thermal Slowdown                            :",         // value cut
           "        SW Thermal Slowd",                                         // key cut
           "        HW Thermal Slowdown                            : -5 us",   // not a duration
           "        HW Thermal Slowdown                            : 12 C",    // another unit
           "        HW Power Braking                               : Active",  // a flag
       }) {
    const nvsmi_line l = line_after_header(header, cut);
    EXPECT_EQ(l.kind, nvsmi_line_kind::malformed) << cut;
    EXPECT_EQ(l.section, nvsmi_section::clocks_event_reasons_counters) << cut;
  }
  // The header cut short names no section: what follows is no counter.
  const nvsmi_line cut_header =
      line_after_header("    Clocks Event Reasons Coun", "        SW Thermal Slowdown : 5 us");
  EXPECT_EQ(cut_header.kind, nvsmi_line_kind::not_ours);
  // The same names under Clocks Event Reasons are flags, not counters...
  const nvsmi_line flag =
      line_after_header("    Clocks Event Reasons", "        SW Thermal Slowdown : Active");
  EXPECT_EQ(flag.field, nvsmi_field::clocks_event_reason);
  // ...a duration there is no flag (the sections are not mixed up)...
  EXPECT_EQ(
      line_after_header("    Clocks Event Reasons", "        SW Thermal Slowdown : 5 us").kind,
      nvsmi_line_kind::malformed);
  // ...and under another section nobody's.
  EXPECT_EQ(line_after_header("    FB Memory Usage", "        SW Thermal Slowdown : 5 us").kind,
            nvsmi_line_kind::not_ours);
}

// A line may_open_block turns away is one the reader, with no block open, calls not_ours
// without opening anything: checked on every line of the real reports and pastes above, and on
// YAML and log lines that are indented like them.
TEST(NvsmiQuery, LinesThatCannotOpenABlockAreNotOursWhenNoneIsOpen) {
  std::vector<std::string_view> all;
  for (const std::string_view text :
       {std::string_view(h100x8_report()), std::string_view(a10_report()), h100_clocks,
        a10_remap_pending, a100_xid63, retired_pending_paste, old_driver, counters_section})
    for (std::string_view l : testing::report_lines(text))
      all.push_back(l);
  for (const std::string_view l :
       {"  reason: Evicted", "    message: The node was low on resource", "\t at java.lang",
        "    Retired pages", "\tTemperature", "  ecc errors", " c", "", "   ", "Gx",
        "==============NVSMI LOG=============="})
    all.push_back(l);
  std::size_t turned_away = 0;
  for (const std::string_view l : all) {
    if (nvsmi_query_reader::may_open_block(l)) continue;
    ++turned_away;
    nvsmi_query_reader r;
    const nvsmi_line read = r.read("n", l);
    EXPECT_EQ(read.kind, nvsmi_line_kind::not_ours) << l;
    EXPECT_FALSE(r.any_block()) << l;
  }
  EXPECT_GT(turned_away, 1000u);
  EXPECT_TRUE(nvsmi_query_reader::may_open_block("    Clocks Event Reasons Counters"));
  EXPECT_TRUE(nvsmi_query_reader::may_open_block("GPU 00000000:18:00.0"));
  EXPECT_FALSE(nvsmi_query_reader::may_open_block("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 41"));
}

TEST(NvsmiQuery, ReadingAllocatesNothing) {
  nvsmi_query_reader r;
  r.read("node-000", "GPU 00000000:18:00.0");  // the node name's buffer fits from the start
  const std::vector<std::string_view> lines = testing::report_lines(a10_remap_pending);
  EXPECT_ALLOCS_EQ(0, for (int round = 0; round < 4; ++round) for (std::string_view l
                                                                   : lines) r.read("node-000", l));
}

}  // namespace
}  // namespace detectors
