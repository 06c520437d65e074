// Tests for the xid_correlation detector: the NVRM line forms it reads, the Xid catalog, and the
// per-GPU correlation (critical codes, bursts, suspected hardware) at its window edges.
#include "detectors/xid_correlation.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "detectors/corpus.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;

std::int64_t at(std::int64_t seconds) {
  return t0 + seconds * ns_per_second;
}

class XidCorrelation : public ::testing::Test {
 protected:
  void feed(std::int64_t seconds, std::string_view line, std::string_view node = "node-7") {
    feed_ns(at(seconds), line, node);
  }
  void feed_ns(std::int64_t ts, std::string_view line, std::string_view node = "node-7") {
    det.on_event(event{ts, node, source::kernel, line}, sink);
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& f : sink.findings)
      out.push_back(f.kind);
    return out;
  }
  std::size_t count_kind(std::string_view kind) const {
    return static_cast<std::size_t>(std::count_if(sink.findings.begin(), sink.findings.end(),
                                                  [&](const auto& f) { return f.kind == kind; }));
  }

  xid_correlation_detector det;
  collecting_sink sink;
};

using strings = std::vector<std::string>;

// ---- Parser ---------------------------------------------------------------------------------

TEST(XidParser, ReadsXidWithProcessContext) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:3b:00): 13, pid=2187, name=python3, Graphics SM Warp Exception on "
      "(GPC 4, TPC 1, SM 0): Out Of Range Address");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.pci, "0000:3b:00");
  EXPECT_EQ(x.code, 13u);
  EXPECT_EQ(x.pid, 2187);
  EXPECT_EQ(x.process_name, "python3");
  EXPECT_EQ(x.body, "Graphics SM Warp Exception on (GPC 4, TPC 1, SM 0): Out Of Range Address");
  EXPECT_TRUE(x.gpu_instance.empty());
}

TEST(XidParser, ReadsXidWithoutProcessContext) {
  const nvrm_line x =
      parse_nvrm_message("NVRM: Xid (PCI:0000:01:00): 79, GPU has fallen off the bus.");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.code, 79u);
  EXPECT_EQ(x.pid, -1);
  EXPECT_TRUE(x.process_name.empty());
  EXPECT_EQ(x.body, "GPU has fallen off the bus.");
}

TEST(XidParser, ReadsUnknownPid) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:c6:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the "
      "bus.");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.pid, -1);
  EXPECT_EQ(x.process_name, "<unknown>");
  EXPECT_EQ(x.body, "GPU has fallen off the bus.");
  // Process names with punctuation, as the driver's own threads print them.
  const nvrm_line y = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:c6:00): 79, pid=1101234, name=nvc:[driver], GPU has "
      "fallen off the bus.");
  EXPECT_EQ(y.pid, 1101234);
  EXPECT_EQ(y.process_name, "nvc:[driver]");
}

TEST(XidParser, ReadsOldDriverFormWithoutPid) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:02:00): 31, Ch 0000005a, intr 10000000. MMU Fault: ENGINE GRAPHICS "
      "GPCCLIENT_T1_0 faulted @ 0x7f2b_3c000000. Fault is of type FAULT_PDE ACCESS_TYPE_READ");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.code, 31u);
  EXPECT_EQ(x.pid, -1);
  EXPECT_TRUE(x.body.starts_with("Ch 0000005a, intr 10000000. MMU Fault"));
  // The oldest drivers print no "PCI:" label at all.
  const nvrm_line y = parse_nvrm_message("NVRM: Xid (0000:03:00): 14, Channel 00000001");
  EXPECT_EQ(y.kind, nvrm_kind::xid);
  EXPECT_EQ(y.pci, "0000:03:00");
  EXPECT_EQ(y.code, 14u);
}

TEST(XidParser, ReadsMigInstances) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:3b:00 GPU-I:01 GPU-CI:00): 31, pid=3421, name=python3, Ch 00000008, "
      "intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_3 faulted @ 0x7f4f_a0200000.");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.pci, "0000:3b:00");
  EXPECT_EQ(x.gpu_instance, "01");
  EXPECT_EQ(x.compute_instance, "00");
  EXPECT_EQ(x.pid, 3421);
  const nvrm_line y =
      parse_nvrm_message("NVRM: Xid (PCI:0000:af:00 GPU-I:13): 43, pid=77, name=vllm, Ch 00000018");
  EXPECT_EQ(y.gpu_instance, "13");
  EXPECT_TRUE(y.compute_instance.empty());
  EXPECT_EQ(y.code, 43u);
}

TEST(XidParser, ReadsNonZeroPciDomains) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0019:01:00): 145, RLW_REMAP Nonfatal XC0 i0 Link 04 (0x00000004 "
      "0x00000001 0x00000000 0x00000000 0x00000000 0x00000000)");
  EXPECT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.pci, "0019:01:00");
  EXPECT_EQ(x.code, 145u);
  // VMD domains are wider than four digits.
  EXPECT_EQ(parse_nvrm_message("NVRM: Xid (PCI:10000:01:00): 48, DBE").pci, "10000:01:00");
}

TEST(XidParser, ReadsTheXidThatCausedAnXid45) {
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:3b:00): 45, pid=4122, name=python3, Ch 00000028, Preemptive cleanup "
      "caused by previous Xid 79");
  EXPECT_EQ(x.code, 45u);
  EXPECT_EQ(x.caused_by, 79u);
  EXPECT_EQ(
      parse_nvrm_message("NVRM: Xid (PCI:0000:3b:00): 45, pid=1, name=a, Ch 00000010").caused_by,
      0u);
}

TEST(XidParser, ReadsTheRecoveryActionOfXid154) {
  const auto recovery = [](std::string_view to) {
    return parse_nvrm_message(
               fmt::format("NVRM: Xid (PCI:0008:01:00): 154, GPU recovery action changed from "
                           "0x0 (None) to {}",
                           to))
        .recovery;
  };
  EXPECT_EQ(recovery("0x1 (GPU Reset Required)"), gpu_recovery::gpu_reset);
  EXPECT_EQ(recovery("0x1 (PF FLR)"), gpu_recovery::gpu_reset);
  EXPECT_EQ(recovery("0x2 (Node Reboot Required)"), gpu_recovery::node_reboot);
  EXPECT_EQ(recovery("0x2 (OS Reboot)"), gpu_recovery::node_reboot);
  EXPECT_EQ(recovery("0x3 (Drain P2P)"), gpu_recovery::drain_p2p);
  EXPECT_EQ(recovery("0x4 (Drain and Reset)"), gpu_recovery::drain_and_reset);
  EXPECT_EQ(recovery("0x0 (None)"), gpu_recovery::none);
  // No value: the text decides.
  EXPECT_EQ(recovery("Drain and Reset"), gpu_recovery::drain_and_reset);
  EXPECT_EQ(recovery("0x1f (Something New)"), gpu_recovery::unknown);
  EXPECT_EQ(
      parse_nvrm_message("NVRM: Xid (PCI:0008:01:00): 154, GPU recovery action changed").recovery,
      gpu_recovery::unknown);
}

TEST(XidParser, ReadsTheFallenOffTheBusRecord) {
  const nvrm_line h =
      parse_nvrm_message("NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b");
  EXPECT_EQ(h.kind, nvrm_kind::gpu_header);
  EXPECT_EQ(h.pci, "0000:3b:00");
  EXPECT_EQ(h.uuid, "GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b");
  EXPECT_EQ(
      parse_nvrm_message("NVRM: GPU at 0000:03:00: GPU-b850f46d-d5ea-c752-ddf3-c4453e44d3f7").kind,
      nvrm_kind::gpu_header);
  const nvrm_line s = parse_nvrm_message("NVRM: GPU Board Serial Number: 1652320012345");
  EXPECT_EQ(s.kind, nvrm_kind::board_serial);
  EXPECT_EQ(s.serial, "1652320012345");
  const nvrm_line b = parse_nvrm_message("NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.");
  EXPECT_EQ(b.kind, nvrm_kind::fallen_off_bus);
  EXPECT_EQ(b.pci, "0000:3b:00");
  EXPECT_EQ(b.code, 79u);
}

TEST(XidParser, FlagsTruncatedAndGarbledLinesOfItsOwn) {
  for (std::string_view s : {
           "NVRM: Xid",
           "NVRM: Xid (PCI:0000:3b",
           "NVRM: Xid (PCI:0000:3b:00",
           "NVRM: Xid (PCI:0000:3b:00): ",
           "NVRM: Xid (PCI:0000:3b:00): abc, pid=1",
           "NVRM: Xid (PCI:0000:3b:00): 1234, too many digits",
           "NVRM: Xid (PCI:0000:3b:00): 13, pid=",
           "NVRM: Xid (PCI:0000:3b:00): 13, pid=21x",
           "NVRM: Xid (PCI:0000:3b:00): 4x",
           "NVRM: Xid (PCI:0000:3b:00.",
           "NVRM: The NVIDIA GPU 0000:18",
           "NVRM: The NVIDIA GPU 0000:18:00",
           "NVRM: (PCI ID: 10de:29",
           "NVRM: (PCI ID: 10de:2901) installed in this sys",
           "NVRM: fallen off the bus and is not resp",
           "nvidia-nvswitch0: SXid (PCI:0000:05",
           "nvidia-nvswitch0: SXid (PCI:0000:05:00.0): ",
           "nvidia-nvswitch0: SXid (PCI:0000:05:00.0): 12028 Fatal",
           "nvidia-nvswitch0: SX",
           "NVRM: Xid (PCI:0000:3b:00): 13, pid=x, name=y, z",
           "NVRM: Xid (PCI:0000:3b:00 GPU-I:): 13, z",
           "NVRM: Xid : 32, pid=2280636",
           "NVRM: GPU at PCI:0000:3b",
           "NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d",
           "NVRM: GPU Board Serial Number: ",
           "NVRM: GPU 0000:3b:00.0: GPU has fal",
       }) {
    EXPECT_EQ(parse_nvrm_message(s).kind, nvrm_kind::malformed) << s;
  }
}

TEST(XidParser, IgnoresOtherDriverMessages) {
  for (std::string_view s : {
           "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC "
           "2024",
           "NVRM: Persistence mode is deprecated and will be removed in a future release.",
           "NVRM: GPU 0000:3a:00.0: RmInitAdapter failed! (0x26:0x56:1474)",
           "NVRM: GPU0 nvAssertOkFailedNoLog: Assertion failed: Reset required",
           "NVRM: Xi",
           // The same words opening other driver records (the "not supported" notice).
           "NVRM: The NVIDIA GPU 0000:01:00.0 (PCI ID: 10de:1c03)",
           "NVRM: (PCI ID: 10de:1c03) installed in this system is not supported by the",
           "NVRM: The NVIDIA probe routine was not called for 1 device(s).",
           "nvidia-nvswitch: probe of 0000:05:00.0 failed",
           "nvidia-nvswitch3: Fabric Manager is not running",
           "",
       }) {
    EXPECT_EQ(parse_nvrm_message(s).kind, nvrm_kind::not_ours) << s;
  }
}

TEST(XidParser, NeverAllocates) {
  const std::string line =
      "NVRM: Xid (PCI:0000:3b:00 GPU-I:01 GPU-CI:00): 45, pid=4122, name=python3, Ch 00000028, "
      "Preemptive cleanup caused by previous Xid 79";
  EXPECT_ALLOCS_EQ(0, (void)parse_nvrm_message(line));
}

// ---- Catalog --------------------------------------------------------------------------------

TEST(XidCatalog, ClassifiesTheSpecCategories) {
  for (unsigned c : {13u, 31u, 43u, 45u, 109u}) {
    EXPECT_EQ(classify_xid(c).category, xid_category::application) << c;
    EXPECT_FALSE(classify_xid(c).hardware) << c;
    // 109 (context switch timeout) is a workload's error the catalog still resets the GPU for.
    EXPECT_EQ(classify_xid(c).critical, c == 109) << c;
  }
  for (unsigned c : {48u, 63u, 64u, 92u, 94u, 95u, 171u, 172u})
    EXPECT_EQ(classify_xid(c).category, xid_category::memory) << c;
  for (unsigned c : {74u, 137u, 144u, 145u, 146u, 147u, 148u, 149u, 150u})
    EXPECT_EQ(classify_xid(c).category, xid_category::nvlink) << c;
  EXPECT_EQ(classify_xid(79).category, xid_category::bus);
  EXPECT_EQ(classify_xid(119).category, xid_category::gsp);
  EXPECT_EQ(classify_xid(120).category, xid_category::gsp);
  EXPECT_EQ(classify_xid(61).category, xid_category::microcontroller);
  EXPECT_EQ(classify_xid(62).category, xid_category::microcontroller);
  EXPECT_EQ(classify_xid(154).category, xid_category::recovery);
  EXPECT_EQ(classify_xid(999).category, xid_category::other);
  EXPECT_EQ(classify_xid(999).code, 999u);
}

TEST(XidCatalog, MarksCriticalCodesWithTheirActions) {
  struct expectation {
    unsigned code;
    action act;
  };
  for (const auto& e :
       {expectation{48, action::reset_gpu}, expectation{64, action::replace_gpu},
        expectation{74, action::reset_gpu}, expectation{79, action::drain_node},
        expectation{95, action::reset_gpu}, expectation{119, action::reset_gpu},
        expectation{120, action::reset_gpu}, expectation{62, action::reset_gpu},
        expectation{109, action::reset_gpu}, expectation{151, action::drain_node}}) {
    EXPECT_TRUE(classify_xid(e.code).critical) << e.code;
    EXPECT_EQ(classify_xid(e.code).recommended, e.act) << e.code;
  }
  for (unsigned c : {13u, 31u, 61u, 63u, 92u, 94u, 137u, 144u, 154u, 171u, 172u, 999u})
    EXPECT_FALSE(classify_xid(c).critical) << c;
  // 137 is an illegal peer access (the application's), not hardware evidence.
  EXPECT_FALSE(classify_xid(137).hardware);
  EXPECT_TRUE(classify_xid(63).hardware);
}

// Every code of NVIDIA's catalog (https://docs.nvidia.com/deploy/xid-errors/
// analyzing-xid-catalog.html: 1-172 in the version leptonai/gpud generated on 2025-10-29) has
// an entry; a code outside it is unknown, with the conservative action.
TEST(XidCatalog, CoversEveryCodeOfNvidiasCatalog) {
  for (unsigned c = 1; c <= 172; ++c) {
    const xid_catalog_entry e = classify_xid(c);
    EXPECT_EQ(e.code, c);
    EXPECT_NE(e.resolution, xid_resolution::unknown) << c;
    EXPECT_FALSE(e.description.empty()) << c;
    EXPECT_NE(e.description, classify_xid(999).description) << c;
  }
  for (unsigned c : {0u, 173u, 200u, 999u}) {
    EXPECT_EQ(classify_xid(c).resolution, xid_resolution::unknown) << c;
    EXPECT_EQ(classify_xid(c).recommended, action::drain_node) << c;
    EXPECT_TRUE(needs_attention(classify_xid(c).resolution)) << c;
  }
}

// The "Immediate Action" column, spot-checked against the documentation page.
TEST(XidCatalog, KeepsTheCatalogsImmediateAction) {
  struct expectation {
    unsigned code;
    xid_resolution res;
  };
  for (const auto& e : {
           expectation{1, xid_resolution::contact_support},
           expectation{8, xid_resolution::restart_app},
           expectation{13, xid_resolution::restart_app},
           expectation{43, xid_resolution::ignore},
           expectation{46, xid_resolution::reset_gpu},
           expectation{48, xid_resolution::workflow},
           expectation{54, xid_resolution::check_mechanicals},
           expectation{62, xid_resolution::reset_gpu},
           expectation{63, xid_resolution::ignore},
           expectation{78, xid_resolution::update_swfw},
           expectation{79, xid_resolution::restart_bm},
           expectation{94, xid_resolution::contact_support},  // as NVSentinel expects
           expectation{109, xid_resolution::reset_gpu},
           expectation{110, xid_resolution::reset_gpu},
           expectation{136, xid_resolution::reset_gpu},
           expectation{140, xid_resolution::reset_gpu},
           expectation{143, xid_resolution::reset_gpu},
           expectation{149, xid_resolution::workflow},
           expectation{151, xid_resolution::restart_vm},
           expectation{154, xid_resolution::workflow},
           expectation{155, xid_resolution::reset_gpu},
           expectation{156, xid_resolution::reset_gpu},
           expectation{158, xid_resolution::reset_gpu},
           expectation{159, xid_resolution::check_uvm},
           expectation{167, xid_resolution::unpublished},
       }) {
    EXPECT_EQ(classify_xid(e.code).resolution, e.res) << e.code;
  }
  // Every RESET_GPU / RESTART_VM / RESTART_BM code is critical; no IGNORE / RESTART_APP code is.
  for (unsigned c = 1; c <= 172; ++c) {
    const xid_catalog_entry e = classify_xid(c);
    if (e.resolution == xid_resolution::reset_gpu || e.resolution == xid_resolution::restart_vm ||
        e.resolution == xid_resolution::restart_bm) {
      EXPECT_TRUE(e.critical) << c;
    }
    if (e.resolution == xid_resolution::ignore || e.resolution == xid_resolution::restart_app) {
      EXPECT_FALSE(e.critical) << c;
    }
  }
}

TEST(SxidCatalog, ClassifiesTheFabricManagerGuidesCodes) {
  EXPECT_TRUE(classify_sxid(24007).fatal);  // sourcetrack timeout error
  EXPECT_EQ(classify_sxid(24007).name, "sourcetrack timeout error");
  EXPECT_TRUE(classify_sxid(12028).fatal);   // egress non-posted PRIV error
  EXPECT_FALSE(classify_sxid(20009).fatal);  // RX Short Error Rate
  EXPECT_FALSE(classify_sxid(11012).fatal);  // single bit ECC
  EXPECT_FALSE(classify_sxid(28006).fatal);
  EXPECT_TRUE(classify_sxid(28006).name.empty());
}

// ---- Critical codes -------------------------------------------------------------------------

TEST_F(XidCorrelation, ReportsACriticalXidImmediately) {
  feed(10,
       "NVRM: Xid (PCI:0000:3b:00): 48, pid=2187, name=python3, An uncorrectable double bit "
       "error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.");
  ASSERT_EQ(sink.findings.size(), 1u);
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.detector, "xid_correlation");
  EXPECT_EQ(f.node, "node-7");
  EXPECT_EQ(f.subject, "0000:3b:00");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.kind, "xid_critical");
  EXPECT_EQ(f.first_ns, at(10));
  EXPECT_EQ(f.last_ns, at(10));
  EXPECT_EQ(f.count, 1u);
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_NE(f.message.find("Xid 48 (memory: Double-bit ECC error (DBE))"), std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("pid 2187"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("partition 6"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find('\n'), std::string::npos);
  EXPECT_EQ(det.stats().recognised, 1u);
  EXPECT_EQ(det.stats().findings, 1u);
}

TEST_F(XidCorrelation, UsesTheCatalogActionForEachCriticalCode) {
  struct critical_case {
    std::string_view line;
    action act;
  };
  const critical_case cases[] = {
      {"NVRM: Xid (PCI:0000:18:00): 48, DBE", action::reset_gpu},
      {"NVRM: Xid (PCI:0000:2a:00): 79, GPU has fallen off the bus.", action::drain_node},
      {"NVRM: Xid (PCI:0000:3a:00): 95, pid='<unknown>', name=<unknown>, Uncontained: LTC TAG "
       "(0x2,0x0). RST: Yes, D-RST: No",
       action::reset_gpu},
      {"NVRM: Xid (PCI:0000:5d:00): 119, Timeout after 6s of waiting for RPC response from GPU1 "
       "GSP! Expected function 76 (GSP_RM_CONTROL) (0x2080014b 0x5).",
       action::reset_gpu},
      {"NVRM: Xid (PCI:0000:9a:00): 120, GSP task exception", action::reset_gpu},
      {"NVRM: Xid (PCI:0000:ab:00): 74, pid=1, name=a, NVLink: fatal error detected on link 3(0x0, "
       "0x0, 0x10000, 0x0, 0x0, 0x0, 0x0)",
       action::reset_gpu},
      {"NVRM: Xid (PCI:0000:ba:00): 64, Row Remapper Error: Failed to remap row",
       action::replace_gpu},
      {"NVRM: Xid (PCI:0000:db:00): 154, GPU recovery action changed from 0x0 (None) to 0x1 (GPU "
       "Reset Required)",
       action::reset_gpu},
      {"NVRM: Xid (PCI:0008:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x2 "
       "(Node Reboot Required)",
       action::drain_node},
      {"NVRM: Xid (PCI:0009:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x4 "
       "(Drain and Reset)",
       action::reset_gpu},
  };
  std::int64_t t = 0;
  for (const auto& c : cases) {
    sink.findings.clear();
    feed(t += 1000, c.line);  // apart, so no burst or correlation interferes
    ASSERT_EQ(sink.findings.size(), 1u) << c.line;
    EXPECT_EQ(sink.findings[0].kind, "xid_critical") << c.line;
    EXPECT_EQ(sink.findings[0].recommended, c.act) << c.line;
  }
}

TEST_F(XidCorrelation, NonCriticalXidAloneReportsNothing) {
  std::int64_t t = 0;
  for (std::string_view line : {
           "NVRM: Xid (PCI:0000:3b:00): 13, pid=2187, name=python3, Graphics Exception: ESR "
           "0x524648=0x102000e",
           "NVRM: Xid (PCI:0000:3b:00): 63, Row Remapper: New row (0x00000000001f3a2b) marked for "
           "remapping, reset gpu to activate.",
           "NVRM: Xid (PCI:0000:3b:00): 92, High single-bit ECC error rate detected.",
           "NVRM: Xid (PCI:0000:3b:00): 154, GPU recovery action changed from 0x1 (GPU Reset "
           "Required) to 0x0 (None)",
           "NVRM: Xid (PCI:0000:3b:00): 154, GPU recovery action changed from 0x0 (None) to 0x3 "
           "(Drain P2P)",
           "NVRM: Xid (PCI:0019:01:00): 144, SAW_MVB Nonfatal XC0 i0 Link 02 (0x00000001 "
           "0x00000001 0x00000000 0x00000000 0x00000000 0x00000000)",
       }) {
    feed(t += 1000, line);
  }
  EXPECT_EQ(det.stats().recognised, 6u);
  EXPECT_TRUE(sink.findings.empty()) << sink.findings[0].message;
}

TEST_F(XidCorrelation, ReportsARepeatedCriticalCodeOncePerWindow) {
  const std::string_view dbe = "NVRM: Xid (PCI:0000:3b:00): 48, DBE";
  feed(0, dbe);
  feed(200, dbe);  // same fault still being reported
  EXPECT_EQ(count_kind("xid_critical"), 1u);
  feed(501, dbe);  // 301 s after the last report: a new incident
  EXPECT_EQ(count_kind("xid_critical"), 2u);
  // A different critical code on the same GPU is its own finding.
  feed(502, "NVRM: Xid (PCI:0000:3b:00): 64, Row Remapper Error");
  EXPECT_EQ(count_kind("xid_critical"), 3u);
}

TEST_F(XidCorrelation, ReportsARecoveryActionThatEscalates) {
  feed(0,
       "NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x1 "
       "(GPU Reset Required)");
  feed(1,
       "NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x0 (None) to 0x1 "
       "(GPU Reset Required)");
  feed(2,
       "NVRM: Xid (PCI:0000:01:00): 154, GPU recovery action changed from 0x1 (GPU Reset "
       "Required) to 0x2 (Node Reboot Required)");
  ASSERT_EQ(kinds(), (strings{"xid_critical", "xid_critical", "xid_burst"}));
  EXPECT_EQ(sink.findings[0].recommended, action::reset_gpu);
  EXPECT_EQ(sink.findings[1].recommended, action::drain_node);
  EXPECT_NE(sink.findings[1].message.find("node reboot required"), std::string::npos)
      << sink.findings[1].message;
}

TEST_F(XidCorrelation, TreatsFallenOffTheBusWithoutXidAsABusFault) {
  feed(0, "[ 8123.000001] NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b");
  feed(0, "[ 8123.000002] NVRM: GPU Board Serial Number: 1652320012345");
  EXPECT_TRUE(sink.findings.empty());
  feed(0, "[ 8123.000003] NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.");
  ASSERT_EQ(sink.findings.size(), 1u);
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.kind, "xid_critical");
  EXPECT_EQ(f.subject, "0000:3b:00");
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_NE(f.message.find("treated as Xid 79"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b"), std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("serial 1652320012345"), std::string::npos) << f.message;
  EXPECT_EQ(det.stats().recognised, 3u);
}

TEST_F(XidCorrelation, CountsXid79AndItsFallenOffTheBusLineAsOneFault) {
  feed(0, "NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b");
  feed(0, "NVRM: GPU Board Serial Number: 1652320012345");
  feed(0,
       "NVRM: Xid (PCI:0000:3b:00): 79, pid=1101234, name=nvc:[driver], GPU has fallen off "
       "the bus.");
  feed(0, "NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.");
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_NE(sink.findings[0].message.find("serial 1652320012345"), std::string::npos);
  // One fault plus one Xid 45 is two Xids: no burst yet.
  feed(1,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4122, name=python3, Ch 00000028, Preemptive "
       "cleanup caused by previous Xid 79");
  EXPECT_EQ(count_kind("xid_burst"), 0u);
  feed(1,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4123, name=python3, Ch 00000029, Preemptive "
       "cleanup caused by previous Xid 79");
  EXPECT_EQ(count_kind("xid_burst"), 1u);
  // Processes torn down by a bus fault are not evidence of a bad workload or of a second fault.
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
}

TEST_F(XidCorrelation, AttachesTheBoardSerialToTheHeaderOfItsOwnNode) {
  feed(0, "NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b", "node-1");
  feed(0, "NVRM: GPU at PCI:0000:18:00: GPU-00000000-1111-2222-3333-444444444444", "node-2");
  feed(0, "NVRM: GPU Board Serial Number: 1111111111111", "node-1");
  feed(0, "NVRM: GPU Board Serial Number: 2222222222222", "node-2");
  feed(0, "NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.", "node-1");
  feed(0, "NVRM: Xid (PCI:0000:18:00): 79, GPU has fallen off the bus.", "node-2");
  ASSERT_EQ(sink.findings.size(), 2u);
  EXPECT_EQ(sink.findings[0].node, "node-1");
  EXPECT_NE(sink.findings[0].message.find("serial 1111111111111"), std::string::npos);
  EXPECT_EQ(sink.findings[1].node, "node-2");
  EXPECT_NE(sink.findings[1].message.find("GPU-00000000-1111-2222-3333-444444444444, serial "
                                          "2222222222222"),
            std::string::npos)
      << sink.findings[1].message;
}

// ---- Bursts ---------------------------------------------------------------------------------

constexpr std::string_view xid13 =
    "NVRM: Xid (PCI:0000:3b:00): 13, pid=2187, name=python3, Graphics SM Warp Exception on (GPC "
    "4, TPC 1, SM 0): Out Of Range Address";

TEST_F(XidCorrelation, FiresABurstAtTheThresholdNotBelow) {
  feed(0, xid13);
  feed(1, xid13);
  EXPECT_TRUE(sink.findings.empty());
  feed(2, xid13);
  ASSERT_EQ(kinds(), strings{"xid_burst"});
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.subject, "0000:3b:00");
  EXPECT_EQ(f.count, 3u);
  EXPECT_EQ(f.first_ns, at(0));
  EXPECT_EQ(f.last_ns, at(2));
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_NE(f.message.find("13 x3"), std::string::npos) << f.message;
  // The rest of the burst is not reported line by line.
  for (int i = 3; i < 50; ++i)
    feed(i, xid13);
  EXPECT_EQ(sink.findings.size(), 1u);
}

TEST_F(XidCorrelation, CountsAnXidExactlyAWindowOldButNotOlder) {
  feed(0, xid13);
  feed(150, xid13);
  feed(300, xid13);  // the first is exactly 300 s old: inside
  EXPECT_EQ(count_kind("xid_burst"), 1u);

  xid_correlation_detector other;
  collecting_sink s;
  other.on_event(event{at(0), "node-7", source::kernel, xid13}, s);
  other.on_event(event{at(150), "node-7", source::kernel, xid13}, s);
  other.on_event(event{at(300) + 1, "node-7", source::kernel, xid13}, s);  // 1 ns too late
  EXPECT_TRUE(s.findings.empty());
}

TEST_F(XidCorrelation, FiresANewBurstOnlyAfterTheLastOneEnded) {
  feed(0, xid13);
  feed(1, xid13);
  feed(2, xid13);
  EXPECT_EQ(count_kind("xid_burst"), 1u);
  // Quiet for longer than the window: the burst is over, the GPU forgotten.
  feed(1000, xid13);
  feed(1001, xid13);
  EXPECT_EQ(count_kind("xid_burst"), 1u);
  feed(1002, xid13);
  EXPECT_EQ(count_kind("xid_burst"), 2u);
}

TEST_F(XidCorrelation, TakesTheBurstActionFromItsWorstXid) {
  feed(0, xid13);
  feed(1, "NVRM: Xid (PCI:0000:3b:00): 63, Row Remapper: New row (0x1) marked for remapping");
  EXPECT_EQ(count_kind("xid_burst"), 0u);
  feed(2, "NVRM: Xid (PCI:0000:3b:00): 92, High single-bit ECC error rate detected.");
  ASSERT_EQ(count_kind("xid_burst"), 1u);
  const auto it = std::find_if(sink.findings.begin(), sink.findings.end(),
                               [](const auto& f) { return f.kind == "xid_burst"; });
  EXPECT_EQ(it->recommended, action::reset_gpu);  // 63: reset to activate the remapped row
}

TEST_F(XidCorrelation, KeepsGpusApartByNodeAndPciButJoinsMigInstances) {
  feed(0, xid13, "node-1");
  feed(1, xid13, "node-2");
  feed(2, "NVRM: Xid (PCI:0000:18:00): 13, pid=2187, name=python3, x", "node-1");
  EXPECT_EQ(count_kind("xid_burst"), 0u);
  // Three MIG instances of one GPU: one physical GPU, one burst.
  feed(3, "NVRM: Xid (PCI:0000:af:00 GPU-I:01 GPU-CI:00): 43, pid=5, name=a, Ch 00000018");
  feed(4, "NVRM: Xid (PCI:0000:af:00 GPU-I:02): 43, pid=5, name=a, Ch 00000018");
  feed(5, "NVRM: Xid (PCI:0000:AF:00 GPU-I:03): 43, pid=5, name=a, Ch 00000018");
  ASSERT_EQ(count_kind("xid_burst"), 1u);
  EXPECT_EQ(sink.findings.back().subject, "0000:af:00");
}

// ---- Suspected hardware ---------------------------------------------------------------------

TEST_F(XidCorrelation, EscalatesApplicationXidsFromDistinctPids) {
  feed(0, xid13);
  feed(10, xid13);  // same process: still one job's bug
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
  feed(20,
       "NVRM: Xid (PCI:0000:3b:00): 31, pid=9001, name=torchrun, Ch 00000008, intr "
       "00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_3 faulted @ 0x7f4f_a0200000.");
  ASSERT_EQ(count_kind("xid_suspected_hardware"), 1u);
  const auto it = std::find_if(sink.findings.begin(), sink.findings.end(),
                               [](const auto& f) { return f.kind == "xid_suspected_hardware"; });
  EXPECT_EQ(it->sev, severity::critical);
  EXPECT_EQ(it->recommended, action::reset_gpu);
  EXPECT_EQ(it->first_ns, at(0));
  EXPECT_EQ(it->last_ns, at(20));
  EXPECT_EQ(it->count, 3u);
  EXPECT_NE(it->message.find("2 distinct processes"), std::string::npos) << it->message;
  // Not again within the window.
  feed(30, "NVRM: Xid (PCI:0000:3b:00): 43, pid=9002, name=vllm, Ch 00000018");
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 1u);
}

TEST_F(XidCorrelation, DoesNotEscalateDistinctPidsOutsideTheWindow) {
  feed(0, xid13);
  feed(301, "NVRM: Xid (PCI:0000:3b:00): 43, pid=9002, name=vllm, Ch 00000018");
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
}

TEST_F(XidCorrelation, DoesNotCountUnknownPidsAsDistinctProcesses) {
  feed(0, "NVRM: Xid (PCI:0000:3b:00): 43, pid='<unknown>', name=<unknown>, Ch 00000018");
  feed(1,
       "NVRM: Xid (PCI:0000:3b:00): 31, Ch 0000005a, intr 10000000. MMU Fault: ENGINE "
       "GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f2b_3c000000. Fault is of type FAULT_PDE "
       "ACCESS_TYPE_READ");
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
}

TEST_F(XidCorrelation, EscalatesAnApplicationXidFollowedByAHardwareXid) {
  // Old driver: no pid, so only the hardware Xid that follows can incriminate the GPU.
  feed(0,
       "NVRM: Xid (PCI:0000:3b:00): 31, Ch 0000005a, intr 10000000. MMU Fault: ENGINE "
       "GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f2b_3c000000.");
  feed(120, "NVRM: Xid (PCI:0000:3b:00): 92, High single-bit ECC error rate detected.");
  ASSERT_EQ(kinds(), strings{"xid_suspected_hardware"});
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_EQ(f.first_ns, at(0));
  EXPECT_EQ(f.last_ns, at(120));
  EXPECT_NE(f.message.find("application Xid 31 followed by hardware-class Xid 92"),
            std::string::npos)
      << f.message;
}

TEST_F(XidCorrelation, EscalatesToTheHardwareXidsActionWhenItIsWorse) {
  feed(0, xid13);
  feed(10, "NVRM: Xid (PCI:0000:3b:00): 64, Row Remapper Error: Failed to remap row");
  ASSERT_EQ(kinds(), (strings{"xid_critical", "xid_suspected_hardware"}));
  EXPECT_EQ(sink.findings[1].recommended, action::replace_gpu);
}

TEST_F(XidCorrelation, DoesNotEscalateAHardwareXidAfterTheWindow) {
  feed(0, xid13);
  feed(301, "NVRM: Xid (PCI:0000:3b:00): 92, High single-bit ECC error rate detected.");
  EXPECT_TRUE(sink.findings.empty());
}

TEST_F(XidCorrelation, TreatsApplicationXidsAfterAHardwareXidAsConsequences) {
  feed(0, "NVRM: Xid (PCI:0000:3b:00): 48, DBE");
  feed(1, xid13);
  feed(2, "NVRM: Xid (PCI:0000:3b:00): 43, pid=9002, name=vllm, Ch 00000018");
  feed(3, "NVRM: Xid (PCI:0000:3b:00): 95, Uncontained: LTC TAG (0x2,0x0). RST: Yes");
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
  EXPECT_EQ(count_kind("xid_critical"), 2u);
  EXPECT_EQ(count_kind("xid_burst"), 1u);
}

TEST_F(XidCorrelation, TreatsAnXid45CausedByAHardwareXidAsAConsequence) {
  // The Xid 48 itself is not in this log (rotated away, or another file): the 45s still name it.
  feed(0,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4122, name=python3, Ch 00000028, Preemptive "
       "cleanup caused by previous Xid 48");
  feed(1,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4123, name=torchrun, Ch 00000029, Preemptive "
       "cleanup caused by previous Xid 48");
  EXPECT_TRUE(sink.findings.empty());
  // Caused by an application Xid, they are application evidence like any other.
  feed(1000,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4122, name=python3, Ch 00000028, Preemptive "
       "cleanup caused by previous Xid 13");
  feed(1001,
       "NVRM: Xid (PCI:0000:3b:00): 45, pid=4123, name=torchrun, Ch 00000029, Preemptive "
       "cleanup caused by previous Xid 13");
  EXPECT_EQ(kinds(), strings{"xid_suspected_hardware"});
}

// ---- Line handling --------------------------------------------------------------------------

TEST_F(XidCorrelation, AcceptsEveryKernelPrefix) {
  const std::string_view prefixes[] = {"",
                                       "[31543.449443] ",
                                       "[Fri Aug 30 11:43:09 2024] ",
                                       "2024-11-15T12:02:03,470068+00:00 ",
                                       "kern  :warn  : [  219.470994] ",
                                       "Dec  2 11:38:47 host kernel: [  219.470994] ",
                                       "Apr 19 13:16:41 host kernel: ",
                                       "kernel: "};
  std::int64_t t = 0;
  for (std::string_view p : prefixes) {
    sink.findings.clear();
    feed(t += 1000,
         fmt::format("{}NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.", p));
    ASSERT_EQ(kinds(), strings{"xid_critical"}) << p;
  }
  EXPECT_EQ(det.stats().recognised, std::size(prefixes));
}

TEST_F(XidCorrelation, NamesTheSyslogHostWhenTheEventHasNoNode) {
  feed(0,
       "Dec  2 11:38:47 gpu-node-12 kernel: [  219.470994] NVRM: Xid (PCI:0019:01:00): 79, "
       "pid='<unknown>', name=<unknown>, GPU has fallen off the bus.",
       "");
  ASSERT_EQ(sink.findings.size(), 1u);
  EXPECT_EQ(sink.findings[0].node, "gpu-node-12");
  EXPECT_EQ(sink.findings[0].subject, "0019:01:00");
}

TEST_F(XidCorrelation, CountsMalformedLinesAndSkipsThem) {
  const std::string_view lines[] = {
      "[ 8123.000001] NVRM: Xid (PCI:0000:3b",        "NVRM: Xid (PCI:0000:3b:00): 4x",
      "kernel: NVRM: Xid (PCI:0000:3b:00): 48, pid=", "NVRM: GPU at PCI:0000:3b:00: GPU-2f6e",
      "NVRM: GPU 0000:3b:00.0: GPU has fallen off t", "NVRM: Xid (PCI:0000:3b:00\xff\xfe): 79, x",
  };
  std::int64_t t = 0;
  for (std::string_view l : lines)
    feed(t++, l);
  EXPECT_EQ(det.stats().events, std::size(lines));
  EXPECT_EQ(det.stats().malformed, std::size(lines));
  EXPECT_EQ(det.stats().recognised, 0u);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.state_size(), 0u);
}

TEST_F(XidCorrelation, SurvivesEveryTruncationOfItsLines) {
  const std::string_view lines[] = {
      "Dec  2 11:38:47 host kernel: [  219.470994] NVRM: Xid (PCI:0000:3b:00 GPU-I:01 GPU-CI:00): "
      "45, pid=4122, name=python3, Ch 00000028, Preemptive cleanup caused by previous Xid 79",
      "[Fri Aug 30 11:43:09 2024] NVRM: Xid (PCI:0019:01:00): 154, GPU recovery action changed "
      "from 0x0 (None) to 0x2 (Node Reboot Required)",
      "NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the "
      "bus.",
      "NVRM: GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b",
      "NVRM: GPU Board Serial Number: 1652320012345",
      "NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.",
  };
  std::int64_t t = 0;
  std::uint64_t n = 0;
  for (std::string_view l : lines) {
    for (std::size_t len = 0; len <= l.size(); ++len, ++n)
      feed(t++, l.substr(0, len));
  }
  const detector_stats& s = det.stats();
  EXPECT_EQ(s.events, n);
  EXPECT_GT(s.malformed, 60u);    // cut inside the PCI address, the code, the pid, the uuid...
  EXPECT_GT(s.recognised, 100u);  // cut inside a body: the Xid itself is intact
  EXPECT_LE(s.recognised + s.malformed, n);
  // Two GPUs, each with at most 64 Xids, 8 pids and a few reported codes; one pending header.
  EXPECT_LE(det.state_size(), 2u * (1 + 64 + 8 + 8) + 1);
}

// The rejection looks at the message after the prefix, not anywhere in the line: "NVRM: "
// quoted inside another message, or after an unrecognised prefix, is not an NVRM line.
TEST_F(XidCorrelation, ReadsNvrmOnlyAtTheStartOfTheMessage) {
  const std::string_view lines[] = {
      "audit: msg='NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.'",
      "[not an uptime] NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
      "Dec  2 11:38:47 host sshd: NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
      " NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
      "NVRM:Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.",
      "NVRM",
  };
  std::int64_t t = 0;
  for (std::string_view l : lines)
    feed(t++, l);
  EXPECT_EQ(det.stats().events, std::size(lines));
  EXPECT_EQ(det.stats().recognised, 0u);
  EXPECT_EQ(det.stats().malformed, 0u);
  EXPECT_TRUE(sink.findings.empty());
  // The same Xid behind a recognised prefix is read.
  feed(t++, "kernel: NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus.");
  EXPECT_EQ(kinds(), strings{"xid_critical"});
}

TEST_F(XidCorrelation, IgnoresOtherDetectorsLines) {
  const std::string_view lines[] = {
      "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0",
      "nvidia 0000:3b:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction "
      "Layer, (Requester ID)",
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu=\"0\",UUID=\"GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b\","
      "pci_bus_id=\"00000000:3B:00.0\",Hostname=\"node-7\"} 1",
      "DCGM_FI_DEV_CLOCKS_EVENT_REASONS{gpu=\"0\"} 64",
      "[rank3]:[E1119 07:06:40.123456789 ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught "
      "collective operation timeout: WorkNCCL(SeqNum=42, OpType=ALLREDUCE, Timeout(ms)=600000) "
      "ran for 600012 milliseconds before timing out.",
      "node-7:12345:12399 [3] NCCL WARN NET/IB : Got completion from peer 10.0.0.2<45678> with "
      "error 12, opcode 0, len 0, vendor err 129",
      R"({"type":"ADDED","object":{"kind":"Event","reason":"Evicted","message":"The node was low on resource: memory. "}})",
      "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024",
      "Nov 19 07:06:40 node-7 systemd[1]: Started Session 42 of User root.",
  };
  std::int64_t t = 0;
  for (std::string_view l : lines)
    feed(t++, l);
  EXPECT_EQ(det.stats().events, std::size(lines));
  EXPECT_EQ(det.stats().recognised, 0u);
  EXPECT_EQ(det.stats().malformed, 0u);
  EXPECT_TRUE(sink.findings.empty());
}

TEST_F(XidCorrelation, RejectsForeignLinesWithoutAllocating) {
  const event ev{at(0), "node-7", source::kernel,
                 "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0"};
  EXPECT_ALLOCS_EQ(0, det.on_event(ev, sink));
}

// ---- NVIDIA's whole catalog -----------------------------------------------------------------

// One line of each code the catalog resolves with a GPU reset or a VM restart is a finding on
// its own. 46 is NVIDIA/NVSentinel's literal line
// (health-monitors/syslog-health-monitor/pkg/xid/parser/csv_test.go, "Minimal XID format");
// the others are the same header with the catalog's codes
// (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
TEST_F(XidCorrelation, ReportsEveryCatalogResetOrRestartCodeAlone) {
  struct single_case {
    unsigned code;
    action act;
  };
  const single_case cases[] = {
      {46, action::reset_gpu},  {62, action::reset_gpu},   {109, action::reset_gpu},
      {110, action::reset_gpu}, {136, action::reset_gpu},  {140, action::reset_gpu},
      {143, action::reset_gpu}, {151, action::drain_node}, {155, action::reset_gpu},
      {156, action::reset_gpu}, {158, action::reset_gpu},
  };
  std::int64_t t = 0;
  for (const auto& c : cases) {
    sink.findings.clear();
    const std::string line = fmt::format("NVRM: Xid (PCI:0000:3f:00): {}", c.code);
    feed(t += 1000, line);
    ASSERT_EQ(kinds(), strings{"xid_critical"}) << line;
    EXPECT_EQ(sink.findings[0].recommended, c.act) << line;
    EXPECT_EQ(sink.findings[0].sev, severity::critical) << line;
    EXPECT_NE(sink.findings[0].message.find(fmt::format("Xid {} (", c.code)), std::string::npos)
        << sink.findings[0].message;
  }
  EXPECT_EQ(det.stats().recognised, std::size(cases));
  EXPECT_EQ(det.stats().malformed, 0u);
}

// Codes the catalog sends to a person, and codes outside it, are a warning with the
// conservative action. 999 and its line are NVSentinel's ("Unknown XID defaults to
// CONTACT_SUPPORT" in pkg/xid/parser/csv_test.go); so is the expectation for 94.
TEST_F(XidCorrelation, NeverStaysSilentAboutAnUnexpectedXid) {
  struct unexpected_case {
    std::string_view line;
    std::string_view resolution;
  };
  const unexpected_case cases[] = {
      {"NVRM: Xid (PCI:0000:66:00): 999, pid=1234, name=test", "not in the catalog"},
      {"NVRM: Xid (PCI:0000:67:00): 94, pid=2187, name=python3, Contained: SM (0x1). RST: No, "
       "D-RST: No",
       "CONTACT_SUPPORT"},
      {"NVRM: Xid (PCI:0000:68:00): 54, Auxiliary power is not connected to the GPU board",
       "CHECK_MECHANICALS"},
      {"NVRM: Xid (PCI:0000:69:00): 167, PCIE_FATAL_TIMEOUT", "none published"},
      {"NVRM: Xid (PCI:0000:6a:00): 7", "CONTACT_SUPPORT"},
  };
  std::int64_t t = 0;
  for (const auto& c : cases) {
    sink.findings.clear();
    feed(t += 1000, c.line);
    ASSERT_EQ(kinds(), strings{"xid_attention"}) << c.line;
    EXPECT_EQ(sink.findings[0].sev, severity::warning) << c.line;
    EXPECT_EQ(sink.findings[0].recommended, action::drain_node) << c.line;
    EXPECT_NE(sink.findings[0].message.find(fmt::format("catalog resolution: {}", c.resolution)),
              std::string::npos)
        << sink.findings[0].message;
  }
}

TEST_F(XidCorrelation, ReportsAnUnexpectedXidOncePerWindow) {
  feed(0, "NVRM: Xid (PCI:0000:66:00): 999, pid=1234, name=test");
  feed(10, "NVRM: Xid (PCI:0000:66:00): 999, pid=1235, name=test");
  EXPECT_EQ(count_kind("xid_attention"), 1u);
  feed(400, "NVRM: Xid (PCI:0000:66:00): 999, pid=1236, name=test");
  EXPECT_EQ(count_kind("xid_attention"), 2u);
}

TEST_F(XidCorrelation, IgnoresCatalogCodesThatNeedNoAction) {
  // IGNORE / RESTART_APP codes alone: the workload's business (NVSentinel's XID 32 and 69
  // lines, pkg/xid/parser/csv_test.go; NVSentinel recommends NONE for both).
  feed(0,
       "NVRM: Xid (PCI:0000:66:00): 32, pid=2280636, name=train.3, Channel ID 0000000d intr0 "
       "00040000");
  feed(1000,
       "NVRM: Xid (PCI:0001:ab:cd): 69, pid=1310987, name=train.3, Class Error: ChId 0008, Class "
       "0000cbc0, Offset 00000184, Data ffffffff, ErrorCode 00000004");
  feed(2000, "NVRM: Xid (PCI:0000:9b:00): 8, pid=5678, name=idle_timeout");
  EXPECT_TRUE(sink.findings.empty()) << sink.findings[0].message;
  EXPECT_EQ(det.stats().recognised, 3u);
}

// ---- NVLink5 (Xids 144-150) -----------------------------------------------------------------

TEST(XidParser, ReadsTheNvlink5Words) {
  // NVIDIA/NVSentinel health-monitors/syslog-health-monitor/pkg/xid/parser/csv_test.go ("NL5
  // XID"): two spaces after the unit, three after the severity.
  const nvrm_line x = parse_nvrm_message(
      "NVRM: Xid (PCI:0018:01:00): 149, NETIR_LINK_EVT  Fatal   XC0 i0 Link 09 (0x025525c6 "
      "0x00000000 0x00000000 0x00000000 0x00000000 0x00000000)");
  ASSERT_EQ(x.kind, nvrm_kind::xid);
  EXPECT_EQ(x.pci, "0018:01:00");
  EXPECT_EQ(x.code, 149u);
  EXPECT_EQ(x.unit, "NETIR_LINK_EVT");
  EXPECT_EQ(x.unit_sev, unit_severity::fatal);
  EXPECT_EQ(x.containment, "XC0");
  EXPECT_EQ(x.injected, "i0");
  EXPECT_EQ(x.link, 9);
  EXPECT_EQ(x.intrinfo, 0x025525c6u);
  EXPECT_EQ(x.error_status, 0u);
  // The same file, with a PCI function and a process-less Nonfatal RLW_REMAP on XC1.
  const nvrm_line y = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:00:08.0): 145, RLW_REMAP Nonfatal XC1 i0 Link 10 (0x00000082 "
      "0x00000040 0x00000000 0x00000000 0x00000000 0x00000000)");
  ASSERT_EQ(y.kind, nvrm_kind::xid);
  EXPECT_EQ(y.pci, "0000:00:08");
  EXPECT_EQ(y.unit, "RLW_REMAP");
  EXPECT_EQ(y.unit_sev, unit_severity::nonfatal);
  EXPECT_EQ(y.containment, "XC1");
  EXPECT_EQ(y.link, 10);
  EXPECT_EQ(y.intrinfo, 0x82u);
  EXPECT_EQ(y.error_status, 0x40u);
  // leptonai/gpud components/accelerator/nvidia/xid/nvlink_logs_test.go: a unit with a sub-unit.
  const nvrm_line z = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:04:00): 146, TLW_RX/TLW_RX_PIPE0 Fatal XC0 i0 Link 00 (0x0000000a "
      "0x00000004 0x00000000 0x00000000)");
  EXPECT_EQ(z.unit, "TLW_RX/TLW_RX_PIPE0");
  EXPECT_EQ(z.unit_sev, unit_severity::fatal);
  EXPECT_EQ(z.link, 0);
  EXPECT_EQ(z.error_status, 4u);
}

TEST(XidParser, ReadsWhatIsLeftOfACutNvlink5Body) {
  const std::string_view full =
      "NVRM: Xid (PCI:0018:01:00): 149, NETIR_LINK_EVT  Fatal   XC0 i0 Link 09 (0x025525c6 "
      "0x00000000 0x00000000 0x00000000 0x00000000 0x00000000)";
  const std::size_t body = full.find("NETIR");
  for (std::size_t len = body; len <= full.size(); ++len) {
    const nvrm_line x = parse_nvrm_message(full.substr(0, len));
    ASSERT_EQ(x.kind, nvrm_kind::xid) << full.substr(0, len);
    EXPECT_EQ(x.code, 149u);
    // The severity is read once the word is whole (and followed by its spaces).
    if (len >= full.find("Fatal") + 5) {
      EXPECT_EQ(x.unit_sev, unit_severity::fatal) << len;
    } else {
      EXPECT_EQ(x.unit_sev, unit_severity::unknown) << len;
    }
  }
  // Not an NVLink5 body: the code's other fields stay unset.
  const nvrm_line y = parse_nvrm_message("NVRM: Xid (PCI:0018:01:00): 149, something else");
  EXPECT_EQ(y.unit_sev, unit_severity::unknown);
  EXPECT_EQ(y.link, -1);
}

TEST_F(XidCorrelation, ReportsOneFatalNvlink5LineAsCritical) {
  feed(0,
       "[171167.620236] NVRM: Xid (PCI:0009:01:00): 149, NETIR_LINK_EVT  Fatal   XC0 i0 Link 01 "
       "(0x021425c6 0x00000000 0x00000000 0x00000000 0x00000000 0x00000000)");
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.subject, "0009:01:00");
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_NE(f.message.find("unit NETIR_LINK_EVT Fatal, link 1"), std::string::npos) << f.message;
  // Nonfatal ones alone are not (gpud: warning; the catalog: IGNORE for most).
  feed(1000,
       "NVRM: Xid (PCI:0000:04:00): 149, NETIR_BER_EVENT Nonfatal XC0 i0 Link 00 (0x00000013 "
       "0x00000001 0x00000000 0x00000000)");
  EXPECT_EQ(sink.findings.size(), 1u);
}

// ---- Fallen off the bus without an Xid ------------------------------------------------------

// leptonai/gpud components/accelerator/nvidia/xid/kmsg_test.go ("multiline fallen-off-bus
// fallback without explicit Xid").
constexpr std::string_view bus_record[] = {
    "NVRM: The NVIDIA GPU 0000:18:00.0",
    "NVRM: (PCI ID: 10de:2901) installed in this system has",
    "NVRM: fallen off the bus and is not responding to commands.",
};

TEST(XidParser, ReadsTheThreeLineFallenOffTheBusRecord) {
  const nvrm_line a = parse_nvrm_message(bus_record[0]);
  EXPECT_EQ(a.kind, nvrm_kind::bus_record_gpu);
  EXPECT_EQ(a.pci, "0000:18:00");
  EXPECT_EQ(parse_nvrm_message(bus_record[1]).kind, nvrm_kind::bus_record_id);
  // NVSentinel pkg/gpufallen/gpufallen_handler_test.go: the middle line without the PCI ID.
  EXPECT_EQ(parse_nvrm_message("NVRM: installed in this system has").kind,
            nvrm_kind::bus_record_id);
  EXPECT_EQ(parse_nvrm_message("NVRM: installed in this system is not supported by the").kind,
            nvrm_kind::not_ours);
  const nvrm_line c = parse_nvrm_message(bus_record[2]);
  EXPECT_EQ(c.kind, nvrm_kind::bus_record_tail);
  EXPECT_EQ(c.code, 79u);
  // gpud: "fallen-off-bus text without valid BDF is ignored".
  EXPECT_EQ(parse_nvrm_message("NVRM: The NVIDIA GPU invalid-bdf.0").kind, nvrm_kind::not_ours);
  // Without a domain, and one-line without a domain (gpud's "normalizes missing PCI domain").
  EXPECT_EQ(parse_nvrm_message("NVRM: The NVIDIA GPU 18:00.0").pci, "18:00");
  const nvrm_line d = parse_nvrm_message("NVRM: GPU 18:00.0: GPU has fallen off the bus.");
  EXPECT_EQ(d.kind, nvrm_kind::fallen_off_bus);
  EXPECT_EQ(d.pci, "18:00");
}

TEST_F(XidCorrelation, ReportsTheThreeLineRecordAsABusFault) {
  for (std::string_view l : bus_record) {
    EXPECT_TRUE(sink.findings.empty());
    feed(0, fmt::format("[ 1234.5678] {}", l));
  }
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.subject, "0000:18:00");
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_NE(f.message.find("treated as Xid 79"), std::string::npos) << f.message;
  EXPECT_EQ(det.stats().recognised, 3u);
  EXPECT_EQ(det.state_size(), 3u);  // the GPU, its Xid and its reported code; no record pending
}

// The driver prints the record with one printk, so `dmesg` shows its second and third lines as
// continuations, indented to the width of the timestamp (NVIDIA/NVSentinel
// health-monitors/syslog-health-monitor/pkg/gpufallen/gpufallen_handler_test.go).
TEST_F(XidCorrelation, ReportsTheRecordAsDmesgPrintsIt) {
  feed(0, "[ 1843.308145] NVRM: The NVIDIA GPU 0000:b3:00.0");
  feed(0, "               NVRM: (PCI ID: 10de:26b5) installed in this system has");
  EXPECT_TRUE(sink.findings.empty());
  feed(0, "               NVRM: fallen off the bus and is not responding to commands.");
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_EQ(sink.findings[0].subject, "0000:b3:00");
  EXPECT_EQ(det.stats().recognised, 3u);
  // The variant without the PCI ID, on another GPU.
  feed(1, "[ 1843.308145] NVRM: The NVIDIA GPU 0000:18:00.0");
  feed(1, "               NVRM: installed in this system has");
  feed(1, "               NVRM: fallen off the bus and is not responding to commands.");
  ASSERT_EQ(sink.findings.size(), 2u);
  EXPECT_EQ(sink.findings[1].subject, "0000:18:00");
  // An indented line that is not the driver's is still not ours, nor a line indented less
  // than any timestamp.
  feed(2, "               NVRMx: fallen off the bus and is not responding to commands.");
  feed(2, "        Pending                           : No");
  feed(2, "        NVRM: fallen off the bus and is not responding to commands.");
  EXPECT_EQ(det.stats().recognised, 6u);
  EXPECT_EQ(det.stats().malformed, 0u);
}

TEST_F(XidCorrelation, KeepsEachNodesRecordApart) {
  feed(0, bus_record[0], "node-1");
  feed(0, "NVRM: The NVIDIA GPU 0000:3b:00.0", "node-2");
  feed(0, bus_record[1], "node-2");
  feed(0, bus_record[1], "node-1");
  feed(0, bus_record[2], "node-2");
  feed(0, bus_record[2], "node-1");
  ASSERT_EQ(sink.findings.size(), 2u);
  EXPECT_EQ(sink.findings[0].node, "node-2");
  EXPECT_EQ(sink.findings[0].subject, "0000:3b:00");
  EXPECT_EQ(sink.findings[1].node, "node-1");
  EXPECT_EQ(sink.findings[1].subject, "0000:18:00");
}

TEST_F(XidCorrelation, ReportsACutRecordWithoutLosingTheFault) {
  // Only the tail (the head rotated away, or a partial paste): the fault, on an unnamed GPU.
  feed(0, bus_record[2]);
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_EQ(sink.findings[0].subject, "unknown");
  // Only the head and the middle: nothing yet, and the pending record expires.
  sink.findings.clear();
  feed(1000, bus_record[0], "node-9");
  feed(1000, bus_record[1], "node-9");
  EXPECT_TRUE(sink.findings.empty());
  feed(1011, "NVRM: Xid (PCI:0000:3b:00): 13, pid=1, name=x, y", "node-9");
  // The unnamed GPU is long idle; one GPU with its Xid and pid, and no record pending.
  EXPECT_EQ(det.state_size(), 3u);
  // A tail after the head expired is not pinned on the old GPU.
  feed(1012, bus_record[2], "node-9");
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_EQ(sink.findings[0].subject, "unknown");
  // Every cut of the three lines: recognised or malformed, never a crash or a stray finding.
  xid_correlation_detector d;
  collecting_sink s;
  std::int64_t t = 0;
  for (std::string_view l : bus_record)
    for (std::size_t len = 0; len < l.size(); ++len)
      d.on_event(event{at(t += 100), "node-7", source::kernel, l.substr(0, len)}, s);
  // Only the last line without its final period still states the fault.
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].subject, "unknown");
  EXPECT_GT(d.stats().malformed, 40u);
}

TEST_F(XidCorrelation, FilesTheOneLineFormWithoutDomainUnderDomainZero) {
  feed(0, "NVRM: Xid (PCI:0000:18:00): 79, GPU has fallen off the bus.");
  feed(0, "NVRM: GPU 18:00.0: GPU has fallen off the bus.");
  // One GPU, one fault: the two lines are the driver's pair.
  ASSERT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_EQ(sink.findings[0].subject, "0000:18:00");
  EXPECT_EQ(det.state_size(), 3u);  // one GPU, one Xid, one reported code
}

// ---- Tolerant Xid headers -------------------------------------------------------------------

TEST(XidParser, ReadsTheShortenedFormsRealLogsCarry) {
  // NVIDIA/NVSentinel pkg/xid/parser/csv_test.go: no body, and a line that ends after the name.
  const nvrm_line a = parse_nvrm_message("NVRM: Xid (PCI:0000:3f:00): 46");
  EXPECT_EQ(a.kind, nvrm_kind::xid);
  EXPECT_EQ(a.pci, "0000:3f:00");
  EXPECT_EQ(a.code, 46u);
  EXPECT_TRUE(a.body.empty());
  const nvrm_line b =
      parse_nvrm_message("NVRM: Xid (PCI:0000:9b:00): 8, pid=5678, name=idle_timeout");
  EXPECT_EQ(b.kind, nvrm_kind::xid);
  EXPECT_EQ(b.pid, 5678);
  EXPECT_EQ(b.process_name, "idle_timeout");
  // A pid without a name (NVSentinel pkg/gpufallen/gpufallen_handler_test.go).
  const nvrm_line e = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:b3:00.0): 79, pid=12345, GPU has fallen off the bus.");
  EXPECT_EQ(e.kind, nvrm_kind::xid);
  EXPECT_EQ(e.pid, 12345);
  EXPECT_TRUE(e.process_name.empty());
  EXPECT_EQ(e.body, "GPU has fallen off the bus.");
  // Cut inside the name label: no body.
  const nvrm_line f = parse_nvrm_message("NVRM: Xid (PCI:0000:3b:00): 95, pid=12, na");
  EXPECT_EQ(f.kind, nvrm_kind::xid);
  EXPECT_EQ(f.pid, 12);
  EXPECT_TRUE(f.body.empty());
  // Cut after the pid.
  const nvrm_line c = parse_nvrm_message("NVRM: Xid (PCI:0000:3b:00): 31, pid=1234");
  EXPECT_EQ(c.kind, nvrm_kind::xid);
  EXPECT_EQ(c.code, 31u);
  EXPECT_EQ(c.pid, 1234);
  // A PCI function.
  const nvrm_line d = parse_nvrm_message(
      "NVRM: Xid (PCI:0000:00:08.0): 145, RLW_REMAP Nonfatal XC1 i0 Link 10 (0x00000004 "
      "0x00000040 0x00000000 0x00000000 0x00000000 0x00000000)");
  EXPECT_EQ(d.kind, nvrm_kind::xid);
  EXPECT_EQ(d.pci, "0000:00:08");
  // A code that ends the line is read as printed; "79" cut to "7" cannot be told apart.
  EXPECT_EQ(parse_nvrm_message("NVRM: Xid (PCI:0000:3b:00): 7").code, 7u);
}

TEST_F(XidCorrelation, RecognisesRedactedPrefixesAndShortenedLines) {
  // leptonai/gpud components/accelerator/nvidia/xid/kmsg_test.go.
  feed(0, "[...] NVRM: Xid (0000:03:00): 14, Channel 00000001");
  feed(1,
       "[...] NVRM: Xid (PCI:0000:05:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen "
       "off the bus.");
  feed(2, "NVRM: Xid (PCI:0000:3f:00): 46");
  feed(3, "NVRM: Xid (PCI:0000:3b:00): 31, pid=1234");
  EXPECT_EQ(det.stats().recognised, 4u);
  EXPECT_EQ(det.stats().malformed, 0u);
  EXPECT_EQ(count_kind("xid_critical"), 2u);   // 79 and 46
  EXPECT_EQ(count_kind("xid_attention"), 0u);  // 14: IGNORE
}

// ---- NVSwitch SXids -------------------------------------------------------------------------

TEST(XidParser, ReadsSxids) {
  // NVIDIA/NVSentinel health-monitors/syslog-health-monitor/pkg/sxid/sxid_handler_test.go.
  const nvrm_line a = parse_nvrm_message(
      "nvidia-nvswitch3: SXid (PCI:0000:c1:00.0): 28006, Non-fatal, Link 46 MC TS crumbstore "
      "MCTO (First)");
  ASSERT_EQ(a.kind, nvrm_kind::sxid);
  EXPECT_EQ(a.nvswitch, 3);
  EXPECT_EQ(a.pci, "0000:c1:00");
  EXPECT_EQ(a.code, 28006u);
  EXPECT_EQ(a.unit_sev, unit_severity::nonfatal);
  EXPECT_EQ(a.link, 46);
  EXPECT_EQ(a.body, "MC TS crumbstore MCTO (First)");
  const nvrm_line b = parse_nvrm_message(
      "nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 24007, Fatal, Link 28 sourcetrack timeout "
      "error (First)");
  EXPECT_EQ(b.unit_sev, unit_severity::fatal);
  EXPECT_EQ(b.link, 28);
  // No severity and link: still an SXid.
  const nvrm_line c =
      parse_nvrm_message("nvidia-nvswitch0: SXid (PCI:0004:00:00.0): 26008, SOE Watchdog error");
  EXPECT_EQ(c.kind, nvrm_kind::sxid);
  EXPECT_EQ(c.unit_sev, unit_severity::unknown);
  EXPECT_EQ(c.link, -1);
  EXPECT_EQ(c.body, "SOE Watchdog error");
  // Cut inside the link: the code and severity are intact.
  const nvrm_line d =
      parse_nvrm_message("nvidia-nvswitch1: SXid (PCI:0000:06:00.0): 20009, Non-fatal, Li");
  EXPECT_EQ(d.kind, nvrm_kind::sxid);
  EXPECT_EQ(d.unit_sev, unit_severity::nonfatal);
  EXPECT_EQ(d.link, -1);
}

TEST_F(XidCorrelation, ReportsFatalSxidsPerSwitch) {
  // NVSentinel's fixtures (pkg/sxid/sxid_handler_test.go) and gpud's (sxid/kmsg.go).
  feed(0,
       "[ 1108.858286] nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 24007, Fatal, Link 28 "
       "sourcetrack timeout error (First)");
  ASSERT_EQ(kinds(), strings{"sxid_critical"});
  EXPECT_EQ(sink.findings[0].subject, "0000:c3:00");
  EXPECT_EQ(sink.findings[0].sev, severity::critical);
  EXPECT_EQ(sink.findings[0].recommended, action::drain_node);
  EXPECT_NE(sink.findings[0].message.find("SXid 24007 (sourcetrack timeout error, printed Fatal) "
                                          "on NVSwitch 0 0000:c3:00 link 28"),
            std::string::npos)
      << sink.findings[0].message;
  // The same code again: one incident.
  feed(1,
       "[ 1108.958286] nvidia-nvswitch0: SXid (PCI:0000:c3:00.0): 24007, Fatal, Link 29 "
       "sourcetrack timeout error");
  EXPECT_EQ(sink.findings.size(), 1u);
  // Non-fatal ones are recognised, not reported...
  feed(2,
       "[73309.599396] nvidia-nvswitch0: SXid (PCI:0000:06:00.0): 20009, Non-fatal, Link 04 RX "
       "Short Error Rate");
  // (NVSentinel's line starts "[123] ", which is no dmesg uptime: dropped here.)
  feed(3,
       "nvidia-nvswitch3: SXid (PCI:0000:c1:00.0): 28006, Non-fatal, Link 46 MC TS "
       "crumbstore MCTO (First)");
  EXPECT_EQ(sink.findings.size(), 1u);
  // ...unless the Fabric Manager guide lists the code as fatal (gpud's table).
  feed(4,
       "[111111111.111] nvidia-nvswitch3: SXid (PCI:0000:05:00.0): 12028, Non-fatal, Link 32 "
       "egress non-posted PRIV error (First)");
  ASSERT_EQ(sink.findings.size(), 2u);
  EXPECT_EQ(sink.findings[1].kind, "sxid_critical");
  EXPECT_EQ(det.stats().recognised, 5u);
  EXPECT_EQ(det.stats().malformed, 0u);
}

// ---- Bounded state --------------------------------------------------------------------------

// Distinct GPUs: 64 nodes x 256 PCI buses.
std::vector<std::string> many_gpu_lines() {
  std::vector<std::string> lines;
  for (int bus = 0; bus < 256; ++bus)
    lines.push_back(fmt::format("NVRM: Xid (PCI:0000:{:02x}:00): 13, pid={}, name=python3, Ch 1",
                                bus, 1000 + bus));
  return lines;
}

std::vector<std::string> node_names(int n) {
  std::vector<std::string> nodes;
  for (int i = 0; i < n; ++i)
    nodes.push_back(fmt::format("node-{}", i));
  return nodes;
}

TEST(XidCorrelationState, EvictsIdleGpus) {
  xid_correlation_detector det;
  counting_sink sink;
  const auto lines = many_gpu_lines();
  std::size_t peak = 0;
  const auto nodes = node_names(64);
  // One event a second on an ever-changing GPU: only the last window's GPUs are alive.
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    const std::string& node = nodes[static_cast<std::size_t>(i / 256 % 64)];
    det.on_event(event{at(i), node, source::kernel, lines[static_cast<std::size_t>(i % 256)]},
                 sink);
    if (i % 997 == 0) peak = std::max(peak, det.state_size());
  }
  // At most 301 GPUs were active within the last 300 s, each holding one Xid and one pid.
  EXPECT_LE(peak, 301u * 3);
  EXPECT_GE(det.state_size(), 3u * 300);
  EXPECT_EQ(det.stats().recognised, 1'000'000u);
}

TEST(XidCorrelationState, CapsTheNumberOfGpus) {
  xid_correlation_config config;
  config.max_gpus = 100;
  xid_correlation_detector det(config);
  counting_sink sink;
  const auto lines = many_gpu_lines();
  std::size_t peak = 0;
  const auto nodes = node_names(1000);
  // A microsecond apart: everything is inside the window, so only the cap bounds the state.
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    const std::string& node = nodes[static_cast<std::size_t>(i / 256 % 1000)];
    det.on_event(
        event{t0 + i * 1000, node, source::kernel, lines[static_cast<std::size_t>(i % 256)]}, sink);
    if (i % 997 == 0) peak = std::max(peak, det.state_size());
  }
  EXPECT_LE(peak, 100u * 3);
  EXPECT_EQ(det.state_size(), 100u * 3);
}

TEST(XidCorrelationState, CapsTheXidsHeldPerGpu) {
  xid_correlation_detector det;
  counting_sink sink;
  for (std::int64_t i = 0; i < 1'000'000; ++i)
    det.on_event(event{t0 + i * 1000, "node-7", source::kernel, xid13}, sink);
  // One GPU, one pid: 64 Xids + 1 pid + the GPU.
  EXPECT_EQ(det.state_size(), 64u + 1 + 1);
  EXPECT_EQ(sink.total(), 1u);  // one burst, never repeated
}

// ---- dcgm-exporter's DCGM_FI_DEV_XID_ERRORS ---------------------------------------------------

// The metric is on in dcgm-exporter's default counter list (NVIDIA/dcgm-exporter
// etc/default-counters.csv: "DCGM_FI_DEV_XID_ERRORS, gauge, Value of the last XID error
// encountered."); the labels are those of dcgm-exporter 3.3+ (gpu, UUID, pci_bus_id, device,
// modelName, Hostname; its README's sample output).
std::string xid_sample(std::string_view value, std::string_view bus = "00000000:18:00.0",
                       std::string_view tail = "") {
  return fmt::format(
      "DCGM_FI_DEV_XID_ERRORS{{gpu=\"0\",UUID=\"GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b\","
      "pci_bus_id=\"{}\",device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\","
      "Hostname=\"node-7\"}} {}{}",
      bus, value, tail);
}

class XidCorrelationDcgm : public XidCorrelation {
 protected:
  void sample(std::int64_t seconds, std::string_view line, std::string_view node = "node-7") {
    det.on_event(event{at(seconds), node, source::dcgm, line}, sink);
  }
};

TEST_F(XidCorrelationDcgm, ReportsAFatalLastXidLikeTheKernelLine) {
  sample(10, xid_sample("79"));
  ASSERT_EQ(sink.findings.size(), 1u);
  const owned_finding& f = sink.findings[0];
  EXPECT_EQ(f.kind, "xid_critical");
  EXPECT_EQ(f.sev, severity::critical);
  // The GPU as NVRM prints it, so that the sample and the kernel lines share a window.
  EXPECT_EQ(f.subject, "0000:18:00");
  EXPECT_EQ(f.node, "node-7");
  EXPECT_EQ(f.first_ns, at(10));
  EXPECT_NE(f.message.find("Xid 79 (bus: "), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("dcgm-exporter (DCGM_FI_DEV_XID_ERRORS"), std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b"), std::string::npos)
      << f.message;
  // The same verdict as the kernel's line of that code.
  xid_correlation_detector kernel;
  collecting_sink ks;
  kernel.on_event(event{at(10), "node-7", source::kernel,
                        "NVRM: Xid (PCI:0000:18:00): 79, GPU has fallen off the bus."},
                  ks);
  ASSERT_EQ(ks.findings.size(), 1u);
  EXPECT_EQ(f.recommended, ks.findings[0].recommended);
  EXPECT_EQ(f.kind, ks.findings[0].kind);
  EXPECT_EQ(det.stats().recognised, 1u);
}

TEST_F(XidCorrelationDcgm, JudgesEachCodeByTheCatalog) {
  sample(0, xid_sample("48 1732000000000", "00000000:2A:00.0"));  // with a timestamp
  sample(1, xid_sample("94", "00000000:3A:00.0"));                // contact support
  sample(2, xid_sample("13", "00000000:5D:00.0"));                // the application's
  sample(3, xid_sample("43", "00000000:9A:00.0"));
  EXPECT_EQ(kinds(), (strings{"xid_critical", "xid_attention"}));
  EXPECT_EQ(sink.findings[0].subject, "0000:2a:00");
  EXPECT_EQ(sink.findings[0].recommended, action::reset_gpu);
  EXPECT_EQ(det.stats().recognised, 4u);
  EXPECT_EQ(det.stats().malformed, 0u);
}

TEST_F(XidCorrelationDcgm, ReadsNothingIntoZeroOrARepeatedValue) {
  for (int i = 0; i < 10; ++i)
    sample(i * 30, xid_sample("0"));
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.state_size(), 0u);  // no GPU tracked for "no Xid"
  // The last Xid stays in the gauge: one Xid, however many scrapes show it.
  for (int i = 10; i < 40; ++i)
    sample(i * 30, xid_sample("31"));
  EXPECT_EQ(det.state_size(), 2u);  // the GPU and its one Xid
  sample(1200, xid_sample("48"));   // a new last Xid: a change
  sample(1230, xid_sample("48"));
  EXPECT_EQ(kinds(), strings{"xid_critical"});
  // Back to none and the same code again is a new Xid (here out of the first one's window).
  sample(1500, xid_sample("0"));
  sample(1530, xid_sample("0"));
  sample(1560, xid_sample("48"));
  EXPECT_EQ(kinds(), (strings{"xid_critical", "xid_critical"}));
  EXPECT_EQ(det.stats().recognised, 45u);
}

TEST_F(XidCorrelationDcgm, BurstsOnChangesOfTheLastXid) {
  sample(0, xid_sample("13"));
  sample(30, xid_sample("31"));
  sample(60, xid_sample("31"));
  EXPECT_TRUE(sink.findings.empty());
  sample(90, xid_sample("43"));
  EXPECT_EQ(kinds(), strings{"xid_burst"});
  // Sample Xids name no process and are never application evidence: no suspected hardware
  // from the application codes before this hardware one.
  sample(120, xid_sample("92"));
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 0u);
}

TEST_F(XidCorrelationDcgm, CountsTheSampleOfAKernelXidOnce) {
  feed(0,
       "NVRM: Xid (PCI:0000:18:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off "
       "the bus.");
  feed(0, "NVRM: GPU 0000:18:00.0: GPU has fallen off the bus.");
  sample(25, xid_sample("79"));  // the exporter's next collection
  sample(55, xid_sample("79"));
  EXPECT_EQ(kinds(), strings{"xid_critical"});
  EXPECT_EQ(det.state_size(), 3u);  // one GPU, one Xid, its one reported critical
}

TEST_F(XidCorrelationDcgm, LetsAKernelLineAfterTheSampleTakeItsPlace) {
  sample(0, xid_sample("13"));
  feed(5, "NVRM: Xid (PCI:0000:18:00): 13, pid=2187, name=python3, Graphics Exception");
  feed(10, "NVRM: Xid (PCI:0000:18:00): 31, pid=2187, name=python3, MMU Fault");
  // Two Xids, not three: no burst.
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.state_size(), 1u + 2 + 1);  // the GPU, two Xids, one pid
  // Another process's application Xid: the kernel line's pid counts (distinct pids).
  feed(15, "NVRM: Xid (PCI:0000:18:00): 13, pid=4242, name=python3, Graphics Exception");
  EXPECT_EQ(count_kind("xid_suspected_hardware"), 1u);
}

TEST_F(XidCorrelationDcgm, KeepsTheSameCodeApartBeyondTheSameEventTime) {
  feed(0, "NVRM: Xid (PCI:0000:18:00): 43, pid=2187, name=python3, Ch 00000010");
  sample(90, xid_sample("43"));  // later than one collection and scrape: another Xid 43
  sample(100, xid_sample("31"));
  EXPECT_EQ(kinds(), strings{"xid_burst"});
  // A sample on another GPU, or another node, is never the kernel line's Xid.
  xid_correlation_detector other;
  collecting_sink os;
  other.on_event(
      event{at(0), "node-7", source::kernel, "NVRM: Xid (PCI:0000:18:00): 48, Double bit ECC"}, os);
  other.on_event(event{at(5), "node-7", source::dcgm, xid_sample("48", "00000000:2A:00.0")}, os);
  other.on_event(event{at(5), "node-8", source::dcgm, xid_sample("48")}, os);
  ASSERT_EQ(os.findings.size(), 3u);
  EXPECT_EQ(os.findings[1].subject, "0000:2a:00");
  EXPECT_EQ(os.findings[2].node, "node-8");
}

TEST_F(XidCorrelationDcgm, NamesTheGpuByWhateverLabelsTheExporterSet) {
  // dcgm-exporter 2.x: no pci_bus_id; gpu-monitoring-tools 1.x: gpu and UUID only, ", "
  // between labels; a scrape without envelope node names the host in Hostname.
  det.on_event(event{at(0), "", source::dcgm,
                     "DCGM_FI_DEV_XID_ERRORS{gpu=\"3\",UUID=\"GPU-aaaaaaaa-1111-2222-3333-"
                     "444444444444\",device=\"nvidia3\",Hostname=\"node-9\"} 79"},
               sink);
  sample(1,
         "DCGM_FI_DEV_XID_ERRORS{gpu=\"1\", UUID=\"GPU-bbbbbbbb-1111-2222-3333-444444444444\"} 79");
  sample(2, "DCGM_FI_DEV_XID_ERRORS{gpu=\"5\"} 79");
  ASSERT_EQ(sink.findings.size(), 3u);
  EXPECT_EQ(sink.findings[0].node, "node-9");
  EXPECT_EQ(sink.findings[0].subject, "GPU-aaaaaaaa-1111-2222-3333-444444444444");
  EXPECT_EQ(sink.findings[1].subject, "GPU-bbbbbbbb-1111-2222-3333-444444444444");
  EXPECT_EQ(sink.findings[2].subject, "gpu5");
  // MIG: the device metric repeated per GPU instance is one GPU and one Xid.
  sample(3, xid_sample("48", "00000000:18:00.0", ""));
  sample(3, xid_sample("48", "00000000:18:00.0", ""));
  EXPECT_EQ(count_kind("xid_critical"), 4u);
}

// The label sets of exporter output as operators paste it: dcgm-exporter 4.x with the driver
// version and err_code / err_msg labels on this metric, and a MIG node whose device metric is
// repeated per GPU instance (GPU_I_PROFILE, GPU_I_ID) without pci_bus_id.
TEST_F(XidCorrelationDcgm, ReadsTheLabelSetsOfRecentExporters) {
  const std::string_view lines[] = {
      R"(DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-f809e614-a528-4083-acbf-334600000000",pci_bus_id="00000000:03:00.0",device="nvidia0",modelName="GRID A100-8C",Hostname="vks-cluster-0-0-np1-worker-xtxww-xw4wp-wn7j2",DCGM_FI_DRIVER_VERSION="580.65.06",err_code="0",err_msg="No Error"} 0)",
      R"(DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-f809e614-a528-4083-acbf-334600000000",pci_bus_id="00000000:03:00.0",device="nvidia0",modelName="GRID A100-8C",Hostname="vks-cluster-0-0-np1-worker-xtxww-xw4wp-wn7j2",DCGM_FI_DRIVER_VERSION="580.65.06",err_code="48",err_msg="DBE"} 48)",
      R"(DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418",device="nvidia0",modelName="NVIDIA A800-SXM4-80GB",GPU_I_PROFILE="2g.20gb",GPU_I_ID="3",Hostname="msxf-hpc-64-35-ai",DCGM_FI_DRIVER_VERSION="535.129.03",DCGM_FI_PROCESS_NAME="/usr/bin/dcgm-exporter"} 79)",
      R"(DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418",device="nvidia0",modelName="NVIDIA A800-SXM4-80GB",GPU_I_PROFILE="2g.20gb",GPU_I_ID="5",Hostname="msxf-hpc-64-35-ai",DCGM_FI_DRIVER_VERSION="535.129.03",DCGM_FI_PROCESS_NAME="/usr/bin/dcgm-exporter"} 79)",
  };
  for (std::string_view l : lines)
    det.on_event(event{at(0), "", source::dcgm, l}, sink);
  EXPECT_EQ(det.stats().recognised, std::size(lines));
  ASSERT_EQ(kinds(), (strings{"xid_critical", "xid_critical"}));
  EXPECT_EQ(sink.findings[0].node, "vks-cluster-0-0-np1-worker-xtxww-xw4wp-wn7j2");
  EXPECT_EQ(sink.findings[0].subject, "0000:03:00");
  EXPECT_EQ(sink.findings[1].node, "msxf-hpc-64-35-ai");
  EXPECT_EQ(sink.findings[1].subject, "GPU-1f027ee8-6e1e-2b8c-0108-3d370e5f0418");
}

TEST_F(XidCorrelationDcgm, CountsBrokenSamplesOfItsMetricAsMalformed) {
  const std::string lines[] = {
      xid_sample("abc"),
      xid_sample("-1"),
      xid_sample("1.5"),
      xid_sample("79 notatime"),
      xid_sample("65536"),
      "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-2f6e5b1a",
      "DCGM_FI_DEV_XID_ERR",
      "DCGM_FI_DEV_XID_ERRORS",
      // No label naming the GPU.
      "DCGM_FI_DEV_XID_ERRORS{Hostname=\"node-7\",modelName=\"NVIDIA H100 80GB HBM3\"} 79",
      "DCGM_FI_DEV_XID_ERRORS 79",
      "DCGM_FI_DEV_XID_ERRORS{gpu=\"\"} 79",
  };
  std::int64_t t = 0;
  for (const std::string& l : lines)
    sample(t++, l);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.stats().malformed, std::size(lines));
  EXPECT_EQ(det.stats().recognised, 0u);
  EXPECT_EQ(det.state_size(), 0u);
}

TEST_F(XidCorrelationDcgm, LeavesOtherMetricsAndLinesStartingWithDAlone) {
  const std::string_view lines[] = {
      "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.",
      "# TYPE DCGM_FI_DEV_XID_ERRORS gauge",
      "DCGM_FI_DEV_XID_ERRORS_TOTAL{gpu=\"0\"} 79",
      "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\",pci_bus_id=\"00000000:18:00.0\"} 79",
      "DCGM_EXP_XID_ERRORS_COUNT{gpu=\"0\",xid=\"79\",window_size_in_ms=\"300000\"} 1",
      "Dec  6 11:00:00 node-7 kernel: usb 1-1: new high-speed USB device",
  };
  for (std::string_view l : lines)
    sample(0, l);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.stats().recognised, 0u);
  EXPECT_EQ(det.stats().malformed, 0u);
  // A syslog line starting with 'D' still reaches the NVRM parser.
  feed(1,
       "Dec  6 11:00:01 node-7 kernel: NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the "
       "bus.");
  EXPECT_EQ(kinds(), strings{"xid_critical"});
}

TEST_F(XidCorrelationDcgm, TreatsDcgmBlankAsNoValue) {
  sample(0, xid_sample("9223372036854775792"));
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.stats().recognised, 1u);
  EXPECT_EQ(det.stats().malformed, 0u);
}

TEST_F(XidCorrelationDcgm, ReadsWarmSamplesWithoutAllocating) {
  counting_sink counts;
  const std::string same = xid_sample("31");
  const std::string zero = xid_sample("0", "00000000:2A:00.0");
  const std::string change_a = xid_sample("13", "00000000:3A:00.0");
  const std::string change_b = xid_sample("43", "00000000:3A:00.0");
  for (int i = 0; i < 4; ++i) {
    det.on_event(event{at(i), "node-7", source::dcgm, same}, counts);
    det.on_event(event{at(i), "node-7", source::dcgm, zero}, counts);
    det.on_event(event{at(i), "node-7", source::dcgm, i % 2 ? change_a : change_b}, counts);
  }
  EXPECT_ALLOCS_EQ(0, det.on_event(event{at(5), "node-7", source::dcgm, same}, counts));
  EXPECT_ALLOCS_EQ(0, det.on_event(event{at(5), "node-7", source::dcgm, zero}, counts));
  EXPECT_ALLOCS_EQ(0, det.on_event(event{at(6), "node-7", source::dcgm, change_a}, counts));
  EXPECT_ALLOCS_EQ(0, det.on_event(event{at(7), "node-7", source::dcgm, change_b}, counts));
}

// ---- The corpus generator -------------------------------------------------------------------

stream_builder generate(std::uint64_t seed, std::size_t min_lines, int faulty_every) {
  stream_builder b(seed, 16, t0);
  int episode = 0;
  while (b.lines().size() < min_lines) {
    // Faulty periods of 50 episodes, every `faulty_every` episodes (0: never).
    b.set_faulty(faulty_every > 0 && episode % faulty_every < 50);
    generate_xid_correlation_episode(b);
    b.advance(b.uniform(1, 20) * ns_per_second);
    ++episode;
  }
  return b;
}

struct replay_result {
  detector_stats stats;
  std::vector<owned_finding> findings;
};

replay_result replay(const stream_builder& b) {
  xid_correlation_detector det;
  collecting_sink sink;
  for (const auto& r : b.lines())
    det.on_event(event{r.ts_ns, b.node(r.node_index), r.src, r.line}, sink);
  det.finish(sink);
  return {det.stats(), std::move(sink.findings)};
}

TEST(XidCorrelationCorpus, GeneratedEpisodesDriveTheDetector) {
  const stream_builder b = generate(7, 20'000, 300);
  const replay_result r = replay(b);
  EXPECT_EQ(r.stats.events, b.lines().size());
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_GT(r.stats.recognised, b.lines().size() * 3 / 4);
  std::size_t critical = 0, burst = 0, suspected = 0;
  for (const auto& f : r.findings) {
    critical += f.kind == "xid_critical";
    burst += f.kind == "xid_burst";
    suspected += f.kind == "xid_suspected_hardware";
    EXPECT_EQ(f.message.find('\n'), std::string::npos);
    EXPECT_FALSE(f.subject.empty());
    EXPECT_TRUE(f.node.starts_with("node-")) << f.node;
  }
  EXPECT_GT(critical, 50u);
  EXPECT_GT(burst, 10u);
  EXPECT_GT(suspected, 10u);
  EXPECT_EQ(r.findings.size(), r.stats.findings);
}

TEST(XidCorrelationCorpus, HealthyEpisodesRaiseNoCriticalXid) {
  const stream_builder b = generate(11, 5'000, 0);
  const replay_result r = replay(b);
  EXPECT_EQ(r.stats.malformed, 0u);
  EXPECT_GT(r.stats.recognised, 2'000u);
  for (const auto& f : r.findings)
    EXPECT_NE(f.kind, "xid_critical") << f.message;
  // A few coincidences (two jobs' bugs on one GPU within 5 min) are fine; a stream of them
  // would mean the healthy generator is not healthy.
  EXPECT_LT(r.findings.size(), r.stats.recognised / 50);
}

TEST(XidCorrelationCorpus, GeneratorIsDeterministic) {
  const stream_builder a = generate(3, 2'000, 100);
  const stream_builder b = generate(3, 2'000, 100);
  const stream_builder c = generate(4, 2'000, 100);
  ASSERT_EQ(a.lines().size(), b.lines().size());
  for (std::size_t i = 0; i < a.lines().size(); ++i) {
    ASSERT_EQ(a.lines()[i].line, b.lines()[i].line) << i;
    ASSERT_EQ(a.lines()[i].ts_ns, b.lines()[i].ts_ns) << i;
    ASSERT_EQ(a.lines()[i].node_index, b.lines()[i].node_index) << i;
  }
  EXPECT_NE(a.lines()[5].line, c.lines()[5].line);
}

TEST(XidCorrelationCorpus, GeneratorCoversEveryVariant) {
  const stream_builder b = generate(5, 20'000, 200);
  const std::string_view needles[] = {
      ", pid=",                           // process context
      "pid='<unknown>', name=<unknown>",  // unknown process
      "intr 10000000. MMU Fault",         // old driver, no pid
      "NVRM: Xid (0000:",                 // oldest drivers, no "PCI:"
      " GPU-I:",
      " GPU-CI:",
      "(PCI:0019:01:00)",  // Grace/GB200 domain
      "caused by previous Xid 79",
      "NVRM: GPU at PCI:",
      "NVRM: GPU Board Serial Number: ",
      ".0: GPU has fallen off the bus.",
      "to 0x2 (OS Reboot)",
      "(PF FLR)",
      "Nonfatal XC0",
      "NVRM: loading NVIDIA",
      "[Tue Nov 19 ",  // dmesg -T of the start date
      "kern  :warn  : [",
      " kernel: [",
      "+00:00 NVRM",
      "[...] NVRM: ",                 // pasted, redacted
      "NETIR_LINK_EVT  Fatal   XC0",  // padded NVLink5 words
      "NVRM: The NVIDIA GPU ",        // the three-line record
      ") installed in this system has",
      "NVRM: fallen off the bus and is not responding to commands.",
      ":00.0): 43, pid=",    // a PCI function
      ", Non-fatal, Link ",  // SXids
      ", Fatal, Link ",
      "): 46",  // no body
      "DCGM_FI_DEV_XID_ERRORS{",
  };
  for (std::string_view n : needles) {
    const bool found = std::any_of(b.lines().begin(), b.lines().end(), [&](const auto& r) {
      return r.line.find(n) != std::string::npos;
    });
    EXPECT_TRUE(found) << n;
  }
  // The one-line fallen-off-the-bus message without a domain, and a line cut after the pid.
  EXPECT_TRUE(std::any_of(b.lines().begin(), b.lines().end(), [](const auto& r) {
    const std::size_t at = r.line.find("NVRM: GPU ");
    return at != std::string::npos && r.line.ends_with(".0: GPU has fallen off the bus.") &&
           r.line.size() - at ==
               std::string_view("NVRM: GPU 18:00.0: GPU has fallen off the bus.").size();
  }));
  EXPECT_TRUE(std::any_of(b.lines().begin(), b.lines().end(), [](const auto& r) {
    const std::size_t at = r.line.rfind(", pid=");
    return at != std::string::npos &&
           r.line.find_first_not_of("0123456789", at + 6) == std::string::npos;
  }));
  // Every Xid code of the catalog subset appears.
  for (unsigned code : {13u,  31u,  43u,  45u,  46u,  48u,  54u,  61u,  62u,  63u,  64u,  69u,
                        74u,  79u,  92u,  94u,  95u,  109u, 110u, 119u, 120u, 136u, 137u, 140u,
                        143u, 144u, 150u, 151u, 154u, 155u, 156u, 158u, 167u, 171u, 172u, 173u}) {
    const std::string needle = fmt::format("): {},", code);
    const std::string bare = fmt::format("): {}", code);  // no body
    const bool found = std::any_of(b.lines().begin(), b.lines().end(), [&](const auto& r) {
      return r.line.find(needle) != std::string::npos || r.line.ends_with(bare);
    });
    EXPECT_TRUE(found) << code;
  }
}

// Steady state allocates nothing: after one pass over a focused corpus (GPUs seen, evicted
// and replaced, headers and serials paired, every message kind formatted once), later passes
// over the same stream moved forward in time process each window of the measurement contract
// without a single allocation.
TEST(XidCorrelationAllocs, WarmWindowsAllocateNothing) {
  xid_correlation_detector d;
  testing::expect_warm_windows_allocate_nothing("xid_correlation", d);
}

}  // namespace
}  // namespace detectors
