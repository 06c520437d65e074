// File: pcie_aer_test.cpp
// Tests for the pcie_aer detector on literal kernel lines: every record form (kernel
// generations, firmware-first dumps and their re-logging), record assembly and completion, the
// corrected-storm and Xid 79 windows at their edges, malformed lines, foreign lines, bounded
// state, and the detector fed with its own generator's episodes.
#include "detectors/pcie_aer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "detectors/corpus.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

using internal::aer_line_kind;
using internal::aer_severity;
using internal::parse_aer_line;

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = ns_per_second;
constexpr std::size_t replay_metric_size() {
  return std::string_view("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{").size();
}

// --- literal records ------------------------------------------------------------------------

// 4.19-5.7: notice with "AER: ", device lines without it.
constexpr std::array<std::string_view, 4> corrected_v4 = {
    "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0",
    "nvidia 0000:3b:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)",
    "nvidia 0000:3b:00.0:   device [10de:2330] error status/mask=00000001/0000e000",
    "nvidia 0000:3b:00.0:    [ 0] RxErr                  (First)",
};

// 5.8+: "AER: " on every line.
constexpr std::array<std::string_view, 5> fatal_v5 = {
    "pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0",
    "nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction "
    "Layer, (Requester ID)",
    "nvidia 0000:01:00.0: AER:   device [10de:20b0] error status/mask=00004000/00000000",
    "nvidia 0000:01:00.0: AER:    [14] CmpltTO                (First)",
    "nvidia 0000:01:00.0: AER:   TLP Header: 00000000 00000000 00000000 00000000",
};

// 6.10+: "error message received from", Correctable / Uncorrectable, 0x TLP words.
constexpr std::array<std::string_view, 5> nonfatal_v6 = {
    "pcieport 0000:17:01.0: AER: Uncorrectable (Non-Fatal) error message received from "
    "0000:1a:00.0",
    "mlx5_core 0000:1a:00.0: AER: PCIe Bus Error: severity=Uncorrectable (Non-Fatal), "
    "type=Transaction Layer, (Requester ID)",
    "mlx5_core 0000:1a:00.0: AER:   device [15b3:1021] error status/mask=00100000/00000000",
    "mlx5_core 0000:1a:00.0: AER:    [20] UnsupReq               (First)",
    "mlx5_core 0000:1a:00.0: AER:   TLP Header: 0x40000001 0x0000000f 0x90028090 0x00000000",
};

constexpr std::array<std::string_view, 4> corrected_v6 = {
    "pcieport 0000:00:1c.5: AER: Correctable error message received from 0000:3b:00.0",
    "nvidia 0000:3b:00.0: AER: PCIe Bus Error: severity=Correctable, type=Data Link Layer, "
    "(Transmitter ID)",
    "nvidia 0000:3b:00.0: AER:   device [10de:2330] error status/mask=00001000/00002000",
    "nvidia 0000:3b:00.0: AER:    [12] Timeout               ",
};

// Before 4.19: the source as a requester ID, long bit names, "Error of this Agent".
constexpr std::array<std::string_view, 5> nonfatal_old_id = {
    "pcieport 0000:00:03.0: AER: Uncorrected (Non-Fatal) error received: id=0018",
    "pcieport 0000:00:03.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction "
    "Layer, id=0018(Requester ID)",
    "pcieport 0000:00:03.0:   device [8086:2f08] error status/mask=00004000/00000000",
    "pcieport 0000:00:03.0:    [14] Completion Timeout     (First)",
    "pcieport 0000:00:03.0:   Error of this Agent(0018) is reported first",
};

// The root port names its endpoint by id: 0x3b00 is bus 3b, device 0, function 0.
constexpr std::array<std::string_view, 4> corrected_old_id = {
    "pcieport 0000:00:1c.5: AER: Corrected error received: id=3b00",
    "nvidia 0000:3b:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, "
    "id=3b00(Receiver ID)",
    "nvidia 0000:3b:00.0:   device [10de:1db6] error status/mask=00000001/00002000",
    "nvidia 0000:3b:00.0:    [ 0] Receiver Error         (First)",
};

constexpr std::array<std::string_view, 5> multiple_corrected = {
    "pcieport 0000:00:03.1: AER: Multiple Corrected error received: 0000:3b:00.0",
    "nvidia 0000:3b:00.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, "
    "(Receiver ID)",
    "nvidia 0000:3b:00.0: AER:   device [10de:2330] error status/mask=00000041/00002000",
    "nvidia 0000:3b:00.0: AER:    [ 0] RxErr                  (First)",
    "nvidia 0000:3b:00.0: AER:    [ 6] BadTLP                ",
};

constexpr std::array<std::string_view, 14> firmware_corrected = {
    "{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1",
    "{1}[Hardware Error]: It has been corrected by h/w and requires no further action",
    "{1}[Hardware Error]: event severity: corrected",
    "{1}[Hardware Error]:  Error 0, type: corrected",
    "{1}[Hardware Error]:   section_type: PCIe error",
    "{1}[Hardware Error]:   port_type: 0, PCIe end point",
    "{1}[Hardware Error]:   version: 3.0",
    "{1}[Hardware Error]:   command: 0x0547, status: 0x0010",
    "{1}[Hardware Error]:   device_id: 0000:3b:00.0",
    "{1}[Hardware Error]:   slot: 0",
    "{1}[Hardware Error]:   secondary_bus: 0x00",
    "{1}[Hardware Error]:   vendor_id: 0x10de, device_id: 0x2330",
    "{1}[Hardware Error]:   class_code: 030200",
    "{1}[Hardware Error]:   aer_cor_status: 0x00000001, aer_cor_mask: 0x00002000",
};

// What aer_recover_queue prints after a non-fatal firmware-first dump.
constexpr std::array<std::string_view, 3> relog_corrected = {
    "nvidia 0000:3b:00.0: AER: aer_status: 0x00000001, aer_mask: 0x00002000",
    "nvidia 0000:3b:00.0: AER:    [ 0] RxErr                  (First)",
    "nvidia 0000:3b:00.0: AER: aer_layer=Physical Layer, aer_agent=Receiver ID",
};

constexpr std::array<std::string_view, 10> firmware_fatal = {
    "{2}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1",
    "{2}[Hardware Error]: event severity: fatal",
    "{2}[Hardware Error]:  Error 0, type: fatal",
    "{2}[Hardware Error]:   section_type: PCIe error",
    "{2}[Hardware Error]:   port_type: 0, PCIe end point",
    "{2}[Hardware Error]:   device_id: 0000:3b:00.0",
    "{2}[Hardware Error]:   vendor_id: 0x10de, device_id: 0x2330",
    "{2}[Hardware Error]:   aer_uncor_status: 0x00004000, aer_uncor_mask: 0x00000000",
    "{2}[Hardware Error]:   aer_uncor_severity: 0x00062030",
    "{2}[Hardware Error]:   TLP Header: 40000001 0000000f 90028090 00000000",
};

// An older kernel: no "{N}" sequence prefix.
constexpr std::array<std::string_view, 12> firmware_recoverable_and_relog = {
    "[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0",
    "[Hardware Error]: event severity: recoverable",
    "[Hardware Error]:  Error 0, type: recoverable",
    "[Hardware Error]:   section_type: PCIe error",
    "[Hardware Error]:   device_id: 0000:1a:00.0",
    "[Hardware Error]:   vendor_id: 0x15b3, device_id: 0x1021",
    "[Hardware Error]:   aer_uncor_status: 0x00100000, aer_uncor_mask: 0x00000000",
    "[Hardware Error]:   aer_uncor_severity: 0x00062030",
    "mlx5_core 0000:1a:00.0: AER: aer_status: 0x00100000, aer_mask: 0x00000000",
    "mlx5_core 0000:1a:00.0: AER:    [20] UnsupReq               (First)",
    "mlx5_core 0000:1a:00.0: AER: aer_layer=Transaction Layer, aer_agent=Requester ID",
    "mlx5_core 0000:1a:00.0: AER: aer_uncor_severity: 0x00062030",
};

constexpr std::array<std::string_view, 6> firmware_memory = {
    "{3}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1",
    "{3}[Hardware Error]: event severity: recoverable",
    "{3}[Hardware Error]:  Error 0, type: recoverable",
    "{3}[Hardware Error]:   section_type: memory error",
    "{3}[Hardware Error]:   physical_address: 0x000000407a3c1000",
    "{3}[Hardware Error]:   node: 1 card: 3 module: 0 rank: 1 bank: 2 device: 0 row: 6146",
};

constexpr std::string_view xid79_line =
    "NVRM: Xid (PCI:0000:01:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.";

// Lines of the other five detectors and plain noise.
constexpr std::array<std::string_view, 12> foreign_lines = {
    "NVRM: Xid (PCI:0000:3b:00): 13, pid=1234, name=python3, Graphics SM Warp Exception",
    "NVRM: Xid (PCI:0000:3b:00): 48, pid='<unknown>', name=<unknown>, An uncorrectable double "
    "bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.",
    "NVRM: GPU at PCI:0000:3b:00: GPU-5a0c5b5e-1b56-b3b9-6a6d-1d2d0c1c1a1f",
    "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu=\"0\",UUID=\"GPU-1\",pci_bus_id=\"00000000:19:00.0\","
    "device=\"nvidia0\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"node-7\"} 0",
    "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu=\"1\",UUID=\"GPU-2\"} 64",
    "[rank3]:[E ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation timeout: "
    "WorkNCCL(SeqNum=7, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600020 milliseconds",
    "node-7:1234:1300 [0] NCCL WARN NET/IB : Got completion from peer 10.0.0.2<5043> with error "
    "12, opcode 0, len 0, vendor err 129",
    R"({"kind":"Event","reason":"Evicted","message":"The node was low on resource: memory. "})",
    "pcieport 0000:00:03.1: AER: enabled with IRQ 34",
    "nvidia 0000:3b:00.0: enabling device (0000 -> 0002)",
    "mce: [Hardware Error]: Machine check events logged",
    "[Hardware Error]: Corrected error, no action required.",
};

// --- harness --------------------------------------------------------------------------------

class harness {
 public:
  explicit harness(const pcie_aer_config& c = {}) : det(c) {}

  // Feeds lines 10 microseconds apart from `ts` on, as the kernel prints a record.
  template <std::size_t N>
  std::int64_t feed(const std::array<std::string_view, N>& lines, std::int64_t ts,
                    std::string_view node = "node-1") {
    for (std::string_view l : lines) {
      feed(l, ts, node);
      ts += 10'000;
    }
    return ts;
  }
  void feed(std::string_view line, std::int64_t ts, std::string_view node = "node-1") {
    det.on_event(event{ts, node, source::kernel, line}, sink);
  }
  void finish() { det.finish(sink); }

  std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& f : sink.findings)
      n += f.kind == kind ? 1 : 0;
    return n;
  }
  const owned_finding* first(std::string_view kind) const {
    for (const auto& f : sink.findings)
      if (f.kind == kind) return &f;
    return nullptr;
  }

  pcie_aer_detector det;
  collecting_sink sink;
};

// A corrected native record on `bdf` (header, status, bit), 10 us per line.
void corrected_record(harness& h, std::string_view bdf, std::int64_t ts,
                      std::string_view node = "node-1") {
  const std::string header = fmt::format(
      "nvidia {}: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)",
      bdf);
  const std::string status =
      fmt::format("nvidia {}: AER:   device [10de:2330] error status/mask=00000001/00002000", bdf);
  const std::string bit =
      fmt::format("nvidia {}: AER:    [ 0] RxErr                  (First)", bdf);
  h.feed(header, ts, node);
  h.feed(status, ts + 10'000, node);
  h.feed(bit, ts + 20'000, node);
}

// --- parser ---------------------------------------------------------------------------------

struct parse_case {
  std::string_view line;
  aer_line_kind kind;
};

TEST(PcieAerParse, ClassifiesEveryLineForm) {
  const std::array<parse_case, 30> cases = {{
      {corrected_v4[0], aer_line_kind::notice},
      {corrected_v4[1], aer_line_kind::header},
      {corrected_v4[2], aer_line_kind::status},
      {corrected_v4[3], aer_line_kind::bit},
      {fatal_v5[1], aer_line_kind::header},
      {fatal_v5[4], aer_line_kind::tlp_header},
      {nonfatal_v6[0], aer_line_kind::notice},
      {nonfatal_v6[1], aer_line_kind::header},
      {corrected_v6[3], aer_line_kind::bit},
      {nonfatal_old_id[0], aer_line_kind::notice},
      {nonfatal_old_id[1], aer_line_kind::header},
      {nonfatal_old_id[3], aer_line_kind::bit},
      {nonfatal_old_id[4], aer_line_kind::continuation},
      {multiple_corrected[0], aer_line_kind::notice},
      {relog_corrected[0], aer_line_kind::cper_status},
      {relog_corrected[2], aer_line_kind::cper_layer},
      {firmware_recoverable_and_relog[11], aer_line_kind::cper_uncor_sev},
      {firmware_corrected[0], aer_line_kind::fw_begin},
      {firmware_corrected[1], aer_line_kind::fw_other},
      {firmware_corrected[2], aer_line_kind::fw_event_severity},
      {firmware_corrected[3], aer_line_kind::fw_section},
      {firmware_corrected[4], aer_line_kind::fw_section_type},
      {firmware_corrected[8], aer_line_kind::fw_device_id},
      {firmware_corrected[11], aer_line_kind::fw_vendor},
      {firmware_corrected[13], aer_line_kind::fw_cor_status},
      {firmware_fatal[7], aer_line_kind::fw_uncor_status},
      {firmware_fatal[8], aer_line_kind::fw_uncor_sev},
      {firmware_fatal[9], aer_line_kind::fw_tlp_header},
      {"[Hardware Error]:   aer_status: 0x00000001, aer_mask: 0x00002000",
       aer_line_kind::fw_aer_status},
      {xid79_line, aer_line_kind::xid79},
  }};
  for (const auto& c : cases) {
    EXPECT_EQ(parse_aer_line(c.line).kind, c.kind) << c.line;
  }
}

TEST(PcieAerParse, ExtractsFields) {
  auto l = parse_aer_line(corrected_v4[0]);
  EXPECT_EQ(l.bdf, "0000:00:03.1");
  EXPECT_EQ(l.source, "0000:3b:00.0");
  EXPECT_EQ(l.sev, aer_severity::corrected);
  EXPECT_FALSE(l.multiple);

  l = parse_aer_line(multiple_corrected[0]);
  EXPECT_TRUE(l.multiple);

  l = parse_aer_line(nonfatal_old_id[0]);
  EXPECT_TRUE(l.source.empty());
  EXPECT_EQ(l.source_id, 0x0018);
  EXPECT_EQ(l.sev, aer_severity::nonfatal);

  l = parse_aer_line(fatal_v5[1]);
  EXPECT_EQ(l.sev, aer_severity::fatal);
  EXPECT_EQ(l.layer, "Transaction Layer");
  EXPECT_EQ(l.agent, "Requester ID");

  l = parse_aer_line(nonfatal_old_id[1]);
  EXPECT_EQ(l.agent, "Requester ID");

  l = parse_aer_line(corrected_v6[1]);
  EXPECT_EQ(l.sev, aer_severity::corrected);
  EXPECT_EQ(l.layer, "Data Link Layer");

  l = parse_aer_line(fatal_v5[2]);
  EXPECT_EQ(l.vendor, 0x10de);
  EXPECT_EQ(l.device, 0x20b0);
  EXPECT_EQ(l.status, 0x00004000U);
  EXPECT_EQ(l.mask, 0U);

  l = parse_aer_line(fatal_v5[3]);
  EXPECT_EQ(l.bit, 14);
  EXPECT_TRUE(l.first);
  l = parse_aer_line(multiple_corrected[4]);
  EXPECT_EQ(l.bit, 6);
  EXPECT_FALSE(l.first);

  l = parse_aer_line(firmware_corrected[8]);
  EXPECT_TRUE(l.has_seq);
  EXPECT_EQ(l.seq, 1U);
  EXPECT_EQ(l.bdf, "0000:3b:00.0");
  l = parse_aer_line(firmware_fatal[1]);
  EXPECT_EQ(l.sev, aer_severity::fatal);
  l = parse_aer_line(firmware_recoverable_and_relog[1]);
  EXPECT_FALSE(l.has_seq);
  EXPECT_EQ(l.sev, aer_severity::nonfatal);
  EXPECT_TRUE(parse_aer_line(firmware_corrected[4]).pcie_section);
  EXPECT_FALSE(parse_aer_line(firmware_memory[3]).pcie_section);

  l = parse_aer_line(xid79_line);
  EXPECT_EQ(l.xid_pci, "0000:01:00");
  // MIG instances, Grace domains and old drivers without "PCI:".
  EXPECT_EQ(parse_aer_line("NVRM: Xid (PCI:0009:01:00 GPU-I:05): 79, GPU has fallen off the bus.")
                .xid_pci,
            "0009:01:00");
  EXPECT_EQ(parse_aer_line("NVRM: Xid (0000:02:00): 79, GPU has fallen off the bus.").kind,
            aer_line_kind::xid79);
}

TEST(PcieAerParse, NamesStatusBitsOfBothRegisters) {
  using internal::aer_bit_name;
  EXPECT_EQ(aer_bit_name(true, 0), "RxErr");
  EXPECT_EQ(aer_bit_name(true, 6), "BadTLP");
  EXPECT_EQ(aer_bit_name(true, 7), "BadDLLP");
  EXPECT_EQ(aer_bit_name(true, 8), "Rollover");
  EXPECT_EQ(aer_bit_name(true, 12), "Timeout");
  EXPECT_EQ(aer_bit_name(true, 13), "NonFatalErr");
  EXPECT_EQ(aer_bit_name(true, 14), "CorrIntErr");
  EXPECT_EQ(aer_bit_name(true, 15), "HeaderOF");
  EXPECT_EQ(aer_bit_name(false, 4), "DLP");
  EXPECT_EQ(aer_bit_name(false, 5), "SDES");
  EXPECT_EQ(aer_bit_name(false, 12), "TLP (poisoned)");
  EXPECT_EQ(aer_bit_name(false, 13), "FCP");
  EXPECT_EQ(aer_bit_name(false, 14), "CmpltTO");
  EXPECT_EQ(aer_bit_name(false, 15), "CmpltAbrt");
  EXPECT_EQ(aer_bit_name(false, 16), "UnxCmplt");
  EXPECT_EQ(aer_bit_name(false, 17), "RxOF");
  EXPECT_EQ(aer_bit_name(false, 18), "MalfTLP");
  EXPECT_EQ(aer_bit_name(false, 19), "ECRC");
  EXPECT_EQ(aer_bit_name(false, 20), "UnsupReq");
  EXPECT_EQ(aer_bit_name(false, 21), "ACSViol");
  EXPECT_EQ(aer_bit_name(false, 22), "UncorrIntErr");
  EXPECT_EQ(aer_bit_name(true, 3), "");
  EXPECT_EQ(aer_bit_name(false, 32), "");
}

TEST(PcieAerParse, TruncatedOwnLinesAreMalformed) {
  for (std::string_view s : {
           "nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Uncorrected (Fa",
           "nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Corrected, type=Phys",
           "nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, "
           "(Rec",
           "nvidia 0000:01:00.0: AER:   device [10de:20b0] error status/mask=00004000/0000",
           "nvidia 0000:01:00.0: AER:   device [10de:20",
           "nvidia 0000:01:00.0: AER:    [1",
           "nvidia 0000:01:00.0: AER:    [14]",
           "nvidia 0000:01:00.0: AER:    [40] Bogus",
           "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:0",
           "pcieport 0000:00:03.1: AER: Corrected error rec",
           "pcieport 0000:00:03.1: AER: Multiple Corr",
           "pcieport 0000:00:03.0: AER: Uncorrected (Non-Fatal) error received: id=00",
           "nvidia 0000:3b:00.0: AER: aer_status: 0x0000",
           "nvidia 0000:3b:00.0: AER: aer_layer=Physical Layer",
           "{1}[Hardware Error]:   device_id: 0000:3b",
           "{1}[Hardware Error]:   vendor_id: 0x10de, devi",
           "{1}[Hardware Error]: event severity: corr",
           "{1}[Hardware Error]:  Error 0, type: fat",
           "{1}[Hardware Error]: Hardware error from APEI Generic Hardw",
           "{1}[Hardware Error]:   aer_uncor_status: 0x00004000, aer_uncor_mask: 0x0",
       }) {
    EXPECT_EQ(parse_aer_line(s).kind, aer_line_kind::malformed) << s;
  }
}

TEST(PcieAerParse, ForeignLinesAreNotOurs) {
  for (std::string_view s : foreign_lines) {
    const auto k = parse_aer_line(s).kind;
    EXPECT_TRUE(k == aer_line_kind::none || k == aer_line_kind::fw_other) << s;
  }
  EXPECT_EQ(parse_aer_line("").kind, aer_line_kind::none);
  EXPECT_EQ(parse_aer_line("{").kind, aer_line_kind::none);
  EXPECT_EQ(parse_aer_line("nvidia 0000:3b:00.0").kind, aer_line_kind::none);
}

// --- records --------------------------------------------------------------------------------

TEST(PcieAer, CorrectedRecordIsAssembledWithoutFinding) {
  harness h;
  h.feed(corrected_v4, t0);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().recognised, 4U);
  EXPECT_EQ(h.det.stats().events, 4U);
  EXPECT_EQ(h.det.stats().malformed, 0U);
  EXPECT_EQ(h.det.state_size(), 1U);  // the endpoint; the root port only relayed
}

TEST(PcieAer, UncorrectedFatalIsCriticalWithDecodedBits) {
  harness h;
  const std::int64_t end = h.feed(fatal_v5, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.detector, "pcie_aer");
  EXPECT_EQ(f.node, "node-1");
  EXPECT_EQ(f.subject, "0000:01:00.0");
  EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.recommended, action::reset_gpu);  // an NVIDIA endpoint
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, end - 10'000);
  EXPECT_EQ(f.count, 1U);
  EXPECT_EQ(f.message,
            "uncorrected fatal PCIe error on 0000:01:00.0 (NVIDIA 10de:20b0): Transaction Layer, "
            "Requester ID; status 0x00004000 mask 0x00000000; CmpltTO (First); TLP header logged");
  EXPECT_EQ(h.det.stats().findings, 1U);
}

TEST(PcieAer, UncorrectableNonFatalOnNewKernelNicDrainsNode) {
  harness h;
  h.feed(nonfatal_v6, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.subject, "0000:1a:00.0");
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_NE(f.message.find("(15b3:1021)"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("UnsupReq (First)"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find("NVIDIA"), std::string::npos) << f.message;
}

TEST(PcieAer, OldKernelIdFormDecodesStatusBitsByNumber) {
  harness h;
  h.feed(nonfatal_old_id, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(f.subject, "0000:00:03.0");
  EXPECT_NE(f.message.find("CmpltTO (First)"), std::string::npos) << f.message;
  EXPECT_EQ(h.det.stats().recognised, 5U);
}

TEST(PcieAer, OldKernelNoticeIdNamesTheEndpointItsHeaderDescribes) {
  // The notice (id=3b00) and the header must make one record on 0000:3b:00.0: with a threshold
  // of 2, one record must not make a storm, two must.
  pcie_aer_config c;
  c.corrected_storm_threshold = 2;
  harness h(c);
  h.feed(corrected_old_id, t0);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.state_size(), 1U);
  h.feed(corrected_old_id, t0 + sec);
  h.finish();
  ASSERT_EQ(h.count("aer_corrected_storm"), 1U);
  EXPECT_EQ(h.first("aer_corrected_storm")->subject, "0000:3b:00.0");
}

TEST(PcieAer, NoticeWithoutDetailsStillReportsUncorrected) {
  harness h;
  h.feed("pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0", t0);
  h.feed("systemd[1]: Started Session 4 of User root.", t0 + 3 * sec);  // timeout passes
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:01:00.0");
  EXPECT_NE(f.message.find("reported by root port 0000:00:01.0, no details logged"),
            std::string::npos)
      << f.message;
  EXPECT_EQ(f.recommended, action::drain_node);  // vendor unknown
}

TEST(PcieAer, HeaderForAnotherDeviceConsumesTheNotice) {
  // The root port names a source, the kernel prints the error on another device: one error.
  harness h;
  h.feed("pcieport 0000:00:01.0: AER: Uncorrected (Non-Fatal) error received: 0000:00:01.0", t0);
  h.feed(nonfatal_v6[1], t0 + 10'000);
  h.feed(nonfatal_v6[2], t0 + 20'000);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].subject, "0000:1a:00.0");
  EXPECT_EQ(h.sink.findings[0].first_ns, t0);
}

TEST(PcieAer, RecordCompletesWhenItsLinesStop) {
  harness h;
  const std::int64_t end = h.feed(fatal_v5, t0) - 10'000;
  h.feed("unrelated", end + 2 * sec - 1);
  EXPECT_TRUE(h.sink.findings.empty());
  h.feed("unrelated", end + 2 * sec);
  EXPECT_EQ(h.sink.findings.size(), 1U);
  h.finish();
  EXPECT_EQ(h.sink.findings.size(), 1U);  // not reported twice
}

TEST(PcieAer, RecordCompletesWhenTheNextRecordOfTheDeviceStarts) {
  harness h;
  h.feed(fatal_v5, t0);
  EXPECT_TRUE(h.sink.findings.empty());
  h.feed(fatal_v5[1], t0 + ms);  // a second header for the device
  EXPECT_EQ(h.sink.findings.size(), 1U);
  h.finish();
  EXPECT_EQ(h.sink.findings.size(), 2U);
}

// A completed record is reset in place (its strings keep their storage): nothing of it may
// leak into the device's next record. Only the vendor:device IDs are remembered, on purpose.
TEST(PcieAer, TheNextRecordOfADeviceStartsEmpty) {
  harness h;
  h.feed(fatal_v5, t0);
  h.feed("pcieport 0000:00:02.0: AER: Uncorrected (Non-Fatal) error received: 0000:01:00.0",
         t0 + ms);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2U);
  EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_fatal");
  const owned_finding& f = h.sink.findings[1];
  EXPECT_EQ(f.kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(f.first_ns, t0 + ms);
  EXPECT_EQ(f.count, 1U);
  EXPECT_EQ(f.message,
            "uncorrected non-fatal PCIe error on 0000:01:00.0 (NVIDIA 10de:20b0) reported by "
            "root port 0000:00:02.0, no details logged");
}

TEST(PcieAer, EveryKernelPrefixFormIsStripped) {
  for (std::string_view prefix :
       {"", "[31543.449443] ", "[Fri Aug 30 11:43:09 2024] ", "2024-11-15T12:02:03,470068+00:00 ",
        "kern  :err   : [  219.470994] ", "Dec  2 11:38:47 host kernel: [  219.470994] ",
        "Apr 19 13:16:41 host kernel: ", "kernel: "}) {
    harness h;
    std::int64_t ts = t0;
    for (std::string_view l : fatal_v5) {
      const std::string line = std::string(prefix) + std::string(l);
      h.feed(line, ts);
      ts += 10'000;
    }
    h.finish();
    ASSERT_EQ(h.sink.findings.size(), 1U) << prefix;
    EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_fatal") << prefix;
    EXPECT_NE(h.sink.findings[0].message.find("CmpltTO"), std::string::npos) << prefix;
    EXPECT_EQ(h.det.stats().recognised, fatal_v5.size()) << prefix;
  }
}

TEST(PcieAer, SyslogHostNamesTheNodeWhenTheEnvelopeHasNone) {
  harness h;
  std::int64_t ts = t0;
  for (std::string_view l : fatal_v5) {
    const std::string line = "Dec  2 11:38:47 gpu-7 kernel: " + std::string(l);
    h.feed(line, ts, "");
    ts += 10'000;
  }
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].node, "gpu-7");
}

// --- corrected storms -----------------------------------------------------------------------

TEST(PcieAer, CorrectedStormFiresAtThresholdWithinWindow) {
  harness h;
  // Ten records, the last 59 s after the first.
  for (int i = 0; i < 10; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + i * (59 * sec / 9));
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_corrected_storm");
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.subject, "0000:3b:00.0");
  EXPECT_EQ(f.count, 10U);
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 9 * (59 * sec / 9));
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_EQ(f.message,
            "10 corrected PCIe errors within 60 s on 0000:3b:00.0 (NVIDIA 10de:2330): RxErr; "
            "Physical Layer; NVIDIA GPU link degrading");
}

TEST(PcieAer, CorrectedStormNeedsTheFullThreshold) {
  harness h;
  for (int i = 0; i < 9; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + i * sec);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
}

TEST(PcieAer, CorrectedErrorsExactlyAWindowApartAreNotAStorm) {
  harness h;
  // Ten records whose first and last are exactly 60 s apart.
  for (int i = 0; i < 9; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + i * sec);
  corrected_record(h, "0000:3b:00.0", t0 + 60 * sec);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
}

TEST(PcieAer, CorrectedStormIsReportedOncePerStorm) {
  harness h;
  for (int i = 0; i < 40; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + i * sec);
  EXPECT_EQ(h.count("aer_corrected_storm"), 1U);
  // Quiet for more than a window, then a second storm.
  for (int i = 0; i < 10; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + 200 * sec + i * sec);
  h.finish();
  EXPECT_EQ(h.count("aer_corrected_storm"), 2U);
}

TEST(PcieAer, CorrectedStormsAreCountedPerDeviceAndNode) {
  harness h;
  for (int i = 0; i < 5; ++i) {
    corrected_record(h, "0000:3b:00.0", t0 + i * sec);
    corrected_record(h, "0000:5d:00.0", t0 + i * sec + ms);
    corrected_record(h, "0000:3b:00.0", t0 + i * sec + 2 * ms, "node-2");
  }
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.state_size(), 3U);
}

// The detector remembers the device of the previous line (the lines of a record name the same
// device one after another): lines of two records interleaved line by line, same BDF on two
// nodes, must still go to their own records.
TEST(PcieAer, InterleavedRecordsOfTheSameBdfOnTwoNodesStaySeparate) {
  harness h;
  std::int64_t ts = t0;
  for (std::string_view line : fatal_v5) {
    h.feed(line, ts, "node-1");
    h.feed(line, ts + 1'000, "node-2");
    ts += 10'000;
  }
  h.finish();
  ASSERT_EQ(h.count("aer_uncorrected_fatal"), 2U);
  std::vector<std::string> nodes;
  for (const auto& f : h.sink.findings) {
    nodes.push_back(f.node);
    EXPECT_NE(f.message.find("CmpltTO (First)"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("TLP header logged"), std::string::npos) << f.message;
  }
  std::sort(nodes.begin(), nodes.end());
  EXPECT_EQ(nodes, (std::vector<std::string>{"node-1", "node-2"}));
}

// The sweep on the first line of the second record forgets the device of the first, which is
// also the device of the previous line: the second record must be tracked afresh, not through
// the forgotten one.
TEST(PcieAer, ADeviceForgottenAndSeenAgainIsTrackedAfresh) {
  harness h;
  corrected_record(h, "0000:3b:00.0", t0);
  corrected_record(h, "0000:3b:00.0", t0 + 120 * sec);
  EXPECT_EQ(h.det.state_size(), 1U);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.state_size(), 1U);
}

TEST(PcieAer, MultipleCorrectedCountsTwiceAndNamesEveryBit) {
  harness h;
  for (int i = 0; i < 5; ++i)
    h.feed(multiple_corrected, t0 + i * sec);
  h.finish();
  ASSERT_EQ(h.count("aer_corrected_storm"), 1U);
  EXPECT_NE(h.sink.findings[0].message.find("RxErr, BadTLP"), std::string::npos)
      << h.sink.findings[0].message;
}

TEST(PcieAer, CorrectableOnNewKernelCountsTowardsAStorm) {
  harness h;
  for (int i = 0; i < 10; ++i)
    h.feed(corrected_v6, t0 + i * sec);
  h.finish();
  ASSERT_EQ(h.count("aer_corrected_storm"), 1U);
  EXPECT_NE(h.sink.findings[0].message.find(": Timeout; Data Link Layer"), std::string::npos)
      << h.sink.findings[0].message;
}

// --- firmware first -------------------------------------------------------------------------

TEST(PcieAer, FirmwareFirstCorrectedDumpsCountTowardsAStorm) {
  harness h;
  for (int i = 0; i < 9; ++i)
    h.feed(firmware_corrected, t0 + i * sec);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  h.feed(firmware_corrected, t0 + 9 * sec);
  h.finish();
  ASSERT_EQ(h.count("aer_corrected_storm"), 1U);
  EXPECT_EQ(h.sink.findings[0].subject, "0000:3b:00.0");
  EXPECT_EQ(h.det.stats().recognised, 10 * firmware_corrected.size());
}

TEST(PcieAer, KernelRelogOfAFirmwareDumpIsNotASecondError) {
  // Five dumps, each re-logged: five errors, not ten.
  harness h;
  for (int i = 0; i < 5; ++i) {
    const std::int64_t ts = h.feed(firmware_corrected, t0 + i * sec);
    h.feed(relog_corrected, ts + 20 * ms);
  }
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  for (int i = 5; i < 10; ++i) {
    const std::int64_t ts = h.feed(firmware_corrected, t0 + i * sec);
    h.feed(relog_corrected, ts + 20 * ms);
  }
  h.finish();
  EXPECT_EQ(h.count("aer_corrected_storm"), 1U);
}

TEST(PcieAer, FirmwareFirstFatalDumpIsCritical) {
  harness h;
  h.feed(firmware_fatal, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:3b:00.0");
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_EQ(f.message,
            "uncorrected fatal PCIe error on 0000:3b:00.0 (NVIDIA 10de:2330); status 0x00004000 "
            "mask 0x00000000; CmpltTO; TLP header logged; firmware-first");
}

TEST(PcieAer, FirmwareRecoverableDumpAndRelogMakeOneNonFatalFinding) {
  harness h;
  h.feed(firmware_recoverable_and_relog, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(h.sink.findings[0].subject, "0000:1a:00.0");
  EXPECT_NE(h.sink.findings[0].message.find("UnsupReq"), std::string::npos);
}

TEST(PcieAer, RelogWithoutItsDumpIsJudgedBySeverityRegister) {
  // CmpltTO (bit 14) is not in the severity register 0x00062030: non-fatal.
  harness h;
  h.feed("nvidia 0000:3b:00.0: AER: aer_status: 0x00004000, aer_mask: 0x00000000", t0);
  h.feed("nvidia 0000:3b:00.0: AER: aer_uncor_severity: 0x00062030", t0 + 10'000);
  // MalfTLP (bit 18) is: fatal.
  h.feed("nvidia 0000:5d:00.0: AER: aer_status: 0x00040000, aer_mask: 0x00000000", t0 + ms);
  h.feed("nvidia 0000:5d:00.0: AER: aer_uncor_severity: 0x00062030", t0 + ms + 10'000);
  // No severity register: correctable.
  h.feed("nvidia 0000:9a:00.0: AER: aer_status: 0x00000001, aer_mask: 0x00002000", t0 + 2 * ms);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2U);
  ASSERT_NE(h.first("aer_uncorrected_nonfatal"), nullptr);
  EXPECT_EQ(h.first("aer_uncorrected_nonfatal")->subject, "0000:3b:00.0");
  ASSERT_NE(h.first("aer_uncorrected_fatal"), nullptr);
  EXPECT_EQ(h.first("aer_uncorrected_fatal")->subject, "0000:5d:00.0");
  EXPECT_NE(h.first("aer_uncorrected_fatal")->message.find("MalfTLP"), std::string::npos);
}

TEST(PcieAer, NonPcieFirmwareSectionsAndMceLinesAreIgnored) {
  harness h;
  h.feed(firmware_memory, t0);
  h.feed("mce: [Hardware Error]: Machine check events logged", t0 + ms);
  h.feed("[Hardware Error]: Corrected error, no action required.", t0 + 2 * ms);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().recognised, firmware_memory.size());
  EXPECT_EQ(h.det.stats().malformed, 0U);
  EXPECT_EQ(h.det.state_size(), 0U);
}

// --- real records from public sources --------------------------------------------------------

// The kernel's own example record, printed with the device name only (no "<driver> ").
// Documentation/PCI/pcieaer-howto.rst, "AER error output", as of 6.15
// (https://kernel.org/doc/html/v6.15/_sources/PCI/pcieaer-howto.rst.txt).
constexpr std::array<std::string_view, 4> howto_fatal_v6 = {
    "0000:50:00.0: PCIe Bus Error: severity=Uncorrectable (Fatal), type=Transaction Layer, "
    "(Requester ID)",
    "0000:50:00.0:   device [8086:0329] error status/mask=00100000/00000000",
    "0000:50:00.0:    [20] UnsupReq               (First)",
    "0000:50:00.0:   TLP Header: 0x04000001 0x00200a03 0x05010000 0x00050100",
};

// The same example in the older howto (https://www.kernel.org/doc/Documentation/PCI/
// pcieaer-howto.rst): "Uncorrected (Fatal)", "id=0500(Requester ID)", long bit names.
constexpr std::array<std::string_view, 4> howto_fatal_old = {
    "0000:50:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, "
    "id=0500(Requester ID)",
    "0000:50:00.0:   device [8086:0329] error status/mask=00100000/00000000",
    "0000:50:00.0:    [20] Unsupported Request    (First)",
    "0000:50:00.0:   TLP Header: 04000001 00200a03 05010000 00050100",
};

// A GPU host's fatal record, 5.8+ wording (rwth-i6/returnn issue #1500, dmesg of 2024-01-21).
constexpr std::array<std::string_view, 5> returnn_fatal = {
    "pcieport 0000:00:03.0: AER: Multiple Uncorrected (Fatal) error received: 0000:00:03.0",
    "pcieport 0000:00:03.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction Layer, "
    "(Requester ID)",
    "pcieport 0000:00:03.0:   device [8086:6f08] error status/mask=00004020/00000000",
    "pcieport 0000:00:03.0:    [ 5] SDES                  ",
    "pcieport 0000:00:03.0:    [14] CmpltTO                (First)",
};

// 6.10+ "Multiple Uncorrectable (Non-Fatal) error message received from" and the two devices
// it describes (linux-pci report of bugzilla.kernel.org attachment 307382, vfio-pci).
constexpr std::array<std::string_view, 10> vfio_nonfatal_v6 = {
    "pcieport 0000:00:01.1: AER: Multiple Uncorrectable (Non-Fatal) error message received from "
    "0000:03:00.1",
    "vfio-pci 0000:03:00.0: PCIe Bus Error: severity=Uncorrectable (Non-Fatal), type=Transaction "
    "Layer, (Requester ID)",
    "vfio-pci 0000:03:00.0:   device [1002:73ef] error status/mask=00100000/00000000",
    "vfio-pci 0000:03:00.0:    [20] UnsupReq               (First)",
    "vfio-pci 0000:03:00.0: AER:   TLP Header: 60001004 000000ff 0000007d fe7eb000",
    "vfio-pci 0000:03:00.1: PCIe Bus Error: severity=Uncorrectable (Non-Fatal), type=Transaction "
    "Layer, (Requester ID)",
    "vfio-pci 0000:03:00.1:   device [1002:ab28] error status/mask=00100000/00000000",
    "vfio-pci 0000:03:00.1:    [20] UnsupReq               (First)",
    "vfio-pci 0000:03:00.1: AER:   TLP Header: 60001004 000000ff 0000007d fe7eb000",
    "vfio-pci 0000:03:00.1: AER:   Error of this Agent is reported first",
};

// A firmware-first fatal dump that panics the node (Dell PowerEdge C4140, i40e; netdev
// patch "i40e: disable PCIe AER on system reboot", 2025, quoting the crash dmesg).
constexpr std::array<std::string_view, 17> dell_firmware_fatal = {
    "{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 5",
    "{1}[Hardware Error]: event severity: fatal",
    "{1}[Hardware Error]:  Error 0, type: fatal",
    "{1}[Hardware Error]:   section_type: PCIe error",
    "{1}[Hardware Error]:   port_type: 0, PCIe end point",
    "{1}[Hardware Error]:   version: 3.0",
    "{1}[Hardware Error]:   command: 0x0006, status: 0x0010",
    "{1}[Hardware Error]:   device_id: 0000:05:00.1",
    "{1}[Hardware Error]:   slot: 0",
    "{1}[Hardware Error]:   secondary_bus: 0x00",
    "{1}[Hardware Error]:   vendor_id: 0x8086, device_id: 0x1572",
    "{1}[Hardware Error]:   class_code: 020000",
    "{1}[Hardware Error]:   aer_uncor_status: 0x00100000, aer_uncor_mask: 0x00018000",
    "{1}[Hardware Error]:   aer_uncor_severity: 0x000ef030",
    "{1}[Hardware Error]:   TLP Header: 40000001 0000000f 90028090 00000000",
    "Kernel panic - not syncing: Fatal hardware error!",
    "Hardware name: Dell Inc. PowerEdge C4140/08Y2GR, BIOS 2.21.1 12/12/2023",
};

// A fatal dump from before the kernel printed AER registers for fatal errors (linux-acpi patch
// "ACPI / APEI: Print AER info for PCIe fatal error", Xiaofei Tan, 2019): severity and device
// only.
constexpr std::array<std::string_view, 12> huawei_firmware_fatal_no_status = {
    "{763}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 11",
    "{763}[Hardware Error]: event severity: fatal",
    "{763}[Hardware Error]:  Error 0, type: fatal",
    "{763}[Hardware Error]:   section_type: PCIe error",
    "{763}[Hardware Error]:   port_type: 0, PCIe end point",
    "{763}[Hardware Error]:   version: 4.0",
    "{763}[Hardware Error]:   command: 0x0000, status: 0x0010",
    "{763}[Hardware Error]:   device_id: 0000:82:00.0",
    "{763}[Hardware Error]:   slot: 0",
    "{763}[Hardware Error]:   secondary_bus: 0x00",
    "{763}[Hardware Error]:   vendor_id: 0x8086, device_id: 0x10fb",
    "{763}[Hardware Error]:   class_code: 000002",
};

// BERT: the previous boot's records, with no "Hardware error from APEI" line. The first four
// lines are from the linux-efi patch "efi: cper: Add support for printing Firmware Error Record
// Reference" (Punit Agrawal, 2020; a firmware section, not ours); the PCIe record after it has
// the same shape, with the section lines of the Dell dump above.
constexpr std::array<std::string_view, 10> bert_records = {
    "BERT: Error records from previous boot:",
    "[Hardware Error]: event severity: fatal",
    "[Hardware Error]:  Error 0, type: fatal",
    "[Hardware Error]:   section type: unknown, 81212a96-09ed-4996-9471-8d729c8e69ed",
    "[Hardware Error]: event severity: fatal",
    "[Hardware Error]:  Error 0, type: fatal",
    "[Hardware Error]:   section_type: PCIe error",
    "[Hardware Error]:   device_id: 0000:3b:00.0",
    "[Hardware Error]:   vendor_id: 0x10de, device_id: 0x2330",
    "[Hardware Error]:   aer_uncor_status: 0x00000020, aer_uncor_mask: 0x00000000",
};

TEST(PcieAerReal, KernelHowtoExampleWithoutDriverNameIsAFatalRecord) {
  for (const auto* record : {&howto_fatal_v6, &howto_fatal_old}) {
    harness h;
    h.feed(*record, t0);
    h.finish();
    ASSERT_EQ(h.sink.findings.size(), 1U) << (*record)[0];
    const owned_finding& f = h.sink.findings[0];
    EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
    EXPECT_EQ(f.subject, "0000:50:00.0");
    EXPECT_EQ(f.recommended, action::drain_node);  // an Intel device, not a GPU
    EXPECT_NE(f.message.find("UnsupReq (First)"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("Requester ID"), std::string::npos) << f.message;
    EXPECT_EQ(h.det.stats().recognised, record->size());
    EXPECT_EQ(h.det.stats().malformed, 0U);
  }
}

TEST(PcieAerReal, BareDeviceLinesParseLikePrefixedOnes) {
  auto l = parse_aer_line(howto_fatal_v6[0]);
  EXPECT_EQ(l.kind, aer_line_kind::header);
  EXPECT_EQ(l.bdf, "0000:50:00.0");
  EXPECT_EQ(l.sev, aer_severity::fatal);
  l = parse_aer_line(howto_fatal_old[0]);
  EXPECT_EQ(l.kind, aer_line_kind::header);
  EXPECT_EQ(l.sev, aer_severity::fatal);
  EXPECT_EQ(parse_aer_line(howto_fatal_v6[1]).kind, aer_line_kind::status);
  EXPECT_EQ(parse_aer_line(howto_fatal_v6[2]).kind, aer_line_kind::bit);
  EXPECT_EQ(parse_aer_line(howto_fatal_v6[3]).kind, aer_line_kind::tlp_header);
  // A bare root-port notice, in both wordings.
  l = parse_aer_line("0000:00:1c.0: AER: Correctable error message received from 0000:3b:00.0");
  EXPECT_EQ(l.kind, aer_line_kind::notice);
  EXPECT_EQ(l.sev, aer_severity::corrected);
  EXPECT_EQ(l.source, "0000:3b:00.0");
  l = parse_aer_line(
      "0000:00:1c.0: AER: Uncorrectable (Fatal) error message received from "
      "0000:3b:00.0");
  EXPECT_EQ(l.sev, aer_severity::fatal);
  // Cut inside the severity, or the BDF: ours but broken, or not recognisably ours.
  EXPECT_EQ(parse_aer_line("0000:50:00.0: PCIe Bus Error: severity=Uncorrectable (Fa").kind,
            aer_line_kind::malformed);
  EXPECT_EQ(parse_aer_line("0000:50:00").kind, aer_line_kind::none);
  // Negatives: bare BDFs in other messages are not AER lines.
  EXPECT_EQ(parse_aer_line("0000:50:00.0: enabling device (0000 -> 0002)").kind,
            aer_line_kind::none);
  EXPECT_EQ(parse_aer_line("0000:50:00.0 PCIe Bus Error: severity=Uncorrectable (Fatal), "
                           "type=Transaction Layer, (Requester ID)")
                .kind,
            aer_line_kind::none);  // no colon after the address: not a device line
}

TEST(PcieAerReal, SeverityWordingsInEveryPosition) {
  // Notice (old and 6.10+ forms), header, with and without "AER:", with and without driver.
  struct wording {
    std::string_view line;
    aer_line_kind kind;
    aer_severity sev;
  };
  const std::array<wording, 12> cases = {{
      {"pcieport 0000:00:01.0: AER: Uncorrected (Fatal) error received: 0000:01:00.0",
       aer_line_kind::notice, aer_severity::fatal},
      {"pcieport 0000:00:01.0: AER: Uncorrectable (Fatal) error message received from "
       "0000:01:00.0",
       aer_line_kind::notice, aer_severity::fatal},
      {"pcieport 0000:00:01.0: AER: Uncorrectable (Non-Fatal) error message received from "
       "0000:01:00.0",
       aer_line_kind::notice, aer_severity::nonfatal},
      {"pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0", aer_line_kind::notice,
       aer_severity::corrected},
      {"pcieport 0000:00:01.0: AER: Correctable error message received from 0000:01:00.0",
       aer_line_kind::notice, aer_severity::corrected},
      {"pcieport 0000:00:01.0: AER: Multiple Correctable error message received from "
       "0000:01:00.0",
       aer_line_kind::notice, aer_severity::corrected},
      {"nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Uncorrectable (Fatal), "
       "type=Transaction Layer, (Requester ID)",
       aer_line_kind::header, aer_severity::fatal},
      {"nvidia 0000:01:00.0: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transaction "
       "Layer, (Requester ID)",
       aer_line_kind::header, aer_severity::fatal},
      {"nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Correctable, type=Physical Layer, "
       "(Receiver ID)",
       aer_line_kind::header, aer_severity::corrected},
      {"0000:01:00.0: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver ID)",
       aer_line_kind::header, aer_severity::corrected},
      {"0000:01:00.0: PCIe Bus Error: severity=Uncorrected (Non-Fatal), type=Transaction Layer, "
       "(Requester ID)",
       aer_line_kind::header, aer_severity::nonfatal},
      {"0000:00:01.0: AER: Multiple Uncorrectable (Fatal) error message received from "
       "0000:01:00.0",
       aer_line_kind::notice, aer_severity::fatal},
  }};
  for (const auto& c : cases) {
    const auto l = parse_aer_line(c.line);
    EXPECT_EQ(l.kind, c.kind) << c.line;
    EXPECT_EQ(l.sev, c.sev) << c.line;
  }
}

TEST(PcieAerReal, PublicDmesgRecordsMakeTheirFindings) {
  harness h;
  h.feed(returnn_fatal, t0);
  h.feed(vfio_nonfatal_v6, t0 + 10 * sec);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 3U);
  EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_fatal");
  EXPECT_EQ(h.sink.findings[0].subject, "0000:00:03.0");
  EXPECT_NE(h.sink.findings[0].message.find("SDES, CmpltTO (First)"), std::string::npos)
      << h.sink.findings[0].message;
  EXPECT_NE(h.sink.findings[0].message.find("multiple errors"), std::string::npos);
  EXPECT_EQ(h.sink.findings[1].kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(h.sink.findings[1].subject, "0000:03:00.0");
  EXPECT_EQ(h.sink.findings[2].kind, "aer_uncorrected_nonfatal");
  EXPECT_EQ(h.sink.findings[2].subject, "0000:03:00.1");
  EXPECT_EQ(h.det.stats().recognised, returnn_fatal.size() + vfio_nonfatal_v6.size());
  EXPECT_EQ(h.det.stats().malformed, 0U);
}

TEST(PcieAerReal, FirmwareFirstFatalDumpBeforeAPanicIsCritical) {
  harness h;
  h.feed(dell_firmware_fatal, t0);
  h.finish();  // the node panicked: nothing follows
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:05:00.1");
  EXPECT_EQ(f.message,
            "uncorrected fatal PCIe error on 0000:05:00.1 (8086:1572); status 0x00100000 mask "
            "0x00018000; UnsupReq; TLP header logged; firmware-first");
  // Every dump line is ours; the panic and "Hardware name:" lines are not.
  EXPECT_EQ(h.det.stats().recognised, dell_firmware_fatal.size() - 2);
}

TEST(PcieAerReal, FirmwareFatalDumpWithoutRegistersIsStillFatal) {
  harness h;
  h.feed(huawei_firmware_fatal_no_status, t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_fatal");
  EXPECT_EQ(h.sink.findings[0].subject, "0000:82:00.0");
  EXPECT_EQ(h.sink.findings[0].message,
            "uncorrected fatal PCIe error on 0000:82:00.0 (8086:10fb); firmware-first");
}

TEST(PcieAerReal, BertRecordsOfThePreviousBootOpenTheirOwnDumps) {
  harness h;
  h.feed(bert_records, t0);
  h.finish();
  // The firmware section is not ours; the PCIe one is a fatal error of an NVIDIA GPU.
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:3b:00.0");
  EXPECT_EQ(f.recommended, action::reset_gpu);
  EXPECT_NE(f.message.find("SDES"), std::string::npos) << f.message;
  EXPECT_EQ(h.det.stats().recognised, bert_records.size() - 1);  // not the "BERT:" line
  // The device, its node and the fatal AER awaiting an Xid 79; no dump left open.
  EXPECT_EQ(h.det.state_size(), 3U);
}

TEST(PcieAerReal, EveryTruncationOfTheRealRecordsIsSafe) {
  std::vector<std::string_view> all;
  for (auto l : howto_fatal_v6)
    all.push_back(l);
  for (auto l : howto_fatal_old)
    all.push_back(l);
  for (auto l : vfio_nonfatal_v6)
    all.push_back(l);
  for (auto l : dell_firmware_fatal)
    all.push_back(l);
  for (auto l : bert_records)
    all.push_back(l);
  harness h;
  std::int64_t ts = t0;
  std::uint64_t fed = 0;
  for (std::string_view l : all) {
    for (std::size_t n = 0; n <= l.size(); ++n) {
      h.feed(l.substr(0, n), ts);
      ts += ms;
      ++fed;
    }
  }
  h.finish();
  const detector_stats& s = h.det.stats();
  EXPECT_EQ(s.events, fed);
  EXPECT_GT(s.malformed, 50U);
  EXPECT_LE(s.recognised + s.malformed, fed);
}

TEST(PcieAerReal, RecordsCutShortStillReportWhatTheyShow) {
  // The howto record cut after its header: the severity is known, the bits are not.
  harness h;
  h.feed(howto_fatal_v6[0], t0);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].kind, "aer_uncorrected_fatal");
  // The Dell dump cut before its device_id: no device to report on, so nothing.
  harness cut;
  for (std::size_t i = 0; i < 7; ++i)
    cut.feed(dell_firmware_fatal[i], t0 + static_cast<std::int64_t>(i) * 10'000);
  cut.finish();
  EXPECT_TRUE(cut.sink.findings.empty());
  EXPECT_EQ(cut.det.state_size(), 0U);
}

// --- DCGM_FI_DEV_PCIE_REPLAY_COUNTER -----------------------------------------------------------

// dcgm-exporter's sample as published (an NVIDIA L4 on EKS, dcgm-exporter output quoted in a
// public repository), with the value replaced per test; and the older form without
// pci_bus_id (the exporter's README-era output, quoted in a public repository).
std::string replay_line(std::uint64_t value) {
  return fmt::format(
      "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{{gpu=\"0\",UUID=\"GPU-c2f76b33-7953-256e-8f33-"
      "1343419b1a1c\",pci_bus_id=\"00000000:31:00.0\",device=\"nvidia0\",modelName=\"NVIDIA L4\","
      "Hostname=\"i-030791dc5a37cd257\",DCGM_FI_DRIVER_VERSION=\"580.105.08\"}} {}",
      value);
}
constexpr std::string_view replay_no_bus_id =
    "DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\",UUID=\"GPU-34319582-d595-d1c7-d1d2-179bcfa61660\","
    "device=\"nvidia0\",Hostname=\"ub20-a100-k8s\"} 0";

TEST(PcieAerReplay, MoreThanEightReplaysInAMinuteIsAWarning) {
  harness h;
  h.feed(replay_line(0), t0);
  h.feed(replay_line(3), t0 + 30 * sec);
  EXPECT_TRUE(h.sink.findings.empty());
  h.feed(replay_line(12), t0 + 60 * sec);
  ASSERT_EQ(h.sink.findings.size(), 1U);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "pcie_replay_rate");
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.subject, "0000:31:00.0");  // as the kernel names the GPU
  EXPECT_EQ(f.node, "node-1");
  EXPECT_EQ(f.count, 12U);
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 60 * sec);
  EXPECT_EQ(f.message,
            "PCIe replay counter of GPU 0000:31:00.0 rose by 12 in 60 s (more than 8 per 60 s): "
            "the link is retrying transfers; reseat the GPU or check the slot and riser");
  EXPECT_EQ(h.det.stats().recognised, 3U);
}

TEST(PcieAerReplay, EightPerMinuteIsNotMoreThanEight) {
  harness h;
  for (int i = 0; i <= 10; ++i)
    h.feed(replay_line(static_cast<std::uint64_t>(4 * i)), t0 + i * 30 * sec);
  EXPECT_TRUE(h.sink.findings.empty());
}

TEST(PcieAerReplay, ABurstWithinPartOfAWindowIsReportedAtOnceAndOnce) {
  harness h;
  h.feed(replay_line(100), t0);
  h.feed(replay_line(140), t0 + 10 * sec);
  ASSERT_EQ(h.count("pcie_replay_rate"), 1U);
  h.feed(replay_line(400), t0 + 20 * sec);
  h.feed(replay_line(900), t0 + 70 * sec);
  EXPECT_EQ(h.count("pcie_replay_rate"), 1U);  // one alarm while the rate stays high
  // A calm window re-arms it; the next burst is reported again.
  h.feed(replay_line(901), t0 + 140 * sec);
  h.feed(replay_line(950), t0 + 150 * sec);
  EXPECT_EQ(h.count("pcie_replay_rate"), 2U);
}

TEST(PcieAerReplay, ACounterThatStartsAgainIsNotARise) {
  harness h;
  h.feed(replay_line(5000), t0);
  h.feed(replay_line(0), t0 + 30 * sec);  // driver reloaded
  h.feed(replay_line(2), t0 + 60 * sec);
  EXPECT_TRUE(h.sink.findings.empty());
}

TEST(PcieAerReplay, SamplesOutOfOrderAreNeitherAResetNorARise) {
  // Scrapes fed newest first (files given in the wrong order): each older sample would read as
  // the counter starting again and the next as a rise over a negative time.
  harness h;
  h.feed(replay_line(900), t0 + 60 * sec);
  h.feed(replay_line(100), t0 + 30 * sec);
  h.feed(replay_line(0), t0);
  h.feed(replay_line(903), t0 + 90 * sec);  // 3 in 30 s since the newest: under the rate
  for (const owned_finding& f : h.sink.findings)
    EXPECT_LE(f.first_ns, f.last_ns) << f.message;
  EXPECT_TRUE(h.sink.findings.empty());
}

TEST(PcieAerReplay, OlderExporterOutputIsKeyedByUuidAndHostname) {
  harness h;
  // Envelope without a node (a pasted scrape): the Hostname label names it.
  h.feed(replay_no_bus_id, t0, "");
  h.feed(std::string(replay_no_bus_id.substr(0, replay_no_bus_id.size() - 1)) + "30", t0 + 15 * sec,
         "");
  ASSERT_EQ(h.sink.findings.size(), 1U);
  EXPECT_EQ(h.sink.findings[0].subject, "GPU-34319582-d595-d1c7-d1d2-179bcfa61660");
  EXPECT_EQ(h.sink.findings[0].node, "ub20-a100-k8s");
  // Neither bus id nor UUID: "gpu N".
  harness g;
  g.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"1\",UUID=\"\"} 7", t0);
  g.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"1\",UUID=\"\"} 70", t0 + sec);
  ASSERT_EQ(g.sink.findings.size(), 1U);
  EXPECT_EQ(g.sink.findings[0].subject, "gpu 1");
}

TEST(PcieAerReplay, CommentsOtherMetricsAndBrokenSamples) {
  harness h;
  // dcgm-exporter's HELP/TYPE lines and neighbouring metrics are not ours.
  h.feed("# HELP DCGM_FI_DEV_PCIE_REPLAY_COUNTER Total number of PCIe retries.", t0);
  h.feed("# TYPE DCGM_FI_DEV_PCIE_REPLAY_COUNTER counter", t0);
  h.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTERS{gpu=\"0\"} 5", t0);
  h.feed("DCGM_FI_DEV_PCIE_TX_THROUGHPUT{gpu=\"0\",UUID=\"GPU-abc\",device=\"nvidia0\"} 5000", t0);
  EXPECT_EQ(h.det.stats().recognised, 0U);
  EXPECT_EQ(h.det.stats().malformed, 0U);
  // Cut lines, a fractional or negative value, and no GPU label: ours, broken.
  const std::string whole = replay_line(12);
  for (std::size_t n = replay_metric_size(); n < whole.size() - 2; ++n)
    h.feed(whole.substr(0, n), t0);
  h.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"} 1.5", t0);
  h.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{gpu=\"0\"} -3", t0);
  h.feed("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{device=\"nvidia0\"} 3", t0);
  EXPECT_EQ(h.det.stats().recognised, 0U);
  EXPECT_GT(h.det.stats().malformed, 100U);
  EXPECT_TRUE(h.sink.findings.empty());
}

// --- the real-line sample (testdata/real_lines, sources in its SOURCES.md) --------------------

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST(PcieAerRealLines, EachPublishedExcerptIsReadAsExpected) {
  struct expectation {
    std::string_view file;
    std::uint64_t recognised;
    std::size_t fatal, nonfatal;
  };
  // The returnn excerpt is dmesg -H output ("[  +0.000844] " prefixes): its fatal record (notice,
  // header, status, two bits) is read; "can't recover" and "device recovery failed" are not ours.
  const std::array<expectation, 12> cases = {{
      {"kernel_howto_v6.log", 4, 1, 0},
      {"kernel_howto_old.log", 4, 1, 0},
      {"returnn_1500.log", 5, 1, 0},
      {"mrchromebox_358.log", 4, 0, 0},  // one corrected error: no storm
      {"linux_pci_iwlwifi_ltr.log", 7, 0, 2},
      {"linux_pci_amdgpu.log", 4, 0, 1},
      {"linux_pci_vfio_v6.log", 10, 0, 2},
      {"netdev_i40e_firmware_fatal.log", 15, 1, 0},
      {"tg3_r640_firmware_fatal.log", 15, 1, 0},
      {"linux_acpi_firmware_fatal_no_regs.log", 12, 1, 0},
      {"linux_efi_bert.log", 6, 0, 0},         // a firmware section: not a PCIe error
      {"dcgm_exporter_replay.prom", 3, 0, 0},  // three GPUs' first samples: nothing to compare
  }};
  for (const auto& c : cases) {
    harness h;
    std::int64_t ts = t0;
    const auto lines = read_lines(std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) +
                                  "/pcie_aer/testdata/real_lines/" + std::string(c.file));
    for (const std::string& l : lines) {
      h.feed(l, ts);
      ts += ms;
    }
    h.finish();
    EXPECT_EQ(h.det.stats().recognised, c.recognised) << c.file;
    EXPECT_EQ(h.det.stats().malformed, 0U) << c.file;
    EXPECT_EQ(h.count("aer_uncorrected_fatal"), c.fatal) << c.file;
    EXPECT_EQ(h.count("aer_uncorrected_nonfatal"), c.nonfatal) << c.file;
    EXPECT_EQ(h.sink.findings.size(), c.fatal + c.nonfatal) << c.file;
  }
}

// --- Xid 79 ---------------------------------------------------------------------------------

TEST(PcieAer, FatalAerThenXid79WithinWindowIsRelated) {
  harness h;
  h.feed(fatal_v5, t0);
  h.feed(xid79_line, t0 + 5 * 60 * sec - 1);
  ASSERT_EQ(h.count("aer_then_xid79"), 1U);
  const owned_finding& f = *h.first("aer_then_xid79");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.subject, "0000:01:00.0");
  EXPECT_EQ(f.node, "node-1");
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 5 * 60 * sec - 1);
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_EQ(f.message,
            "uncorrected fatal PCIe error on 0000:01:00.0 (NVIDIA 10de:20b0) (CmpltTO) followed "
            "300.0 s later by Xid 79 (GPU has fallen off the bus) on PCI:0000:01:00");
  EXPECT_EQ(h.count("aer_uncorrected_fatal"), 1U);  // and the AER itself
}

TEST(PcieAer, Xid79AtTheWindowEdgeIsNotRelated) {
  harness h;
  h.feed(fatal_v5, t0);
  h.feed(xid79_line, t0 + 5 * 60 * sec);
  h.finish();
  EXPECT_EQ(h.count("aer_then_xid79"), 0U);
  EXPECT_EQ(h.count("aer_uncorrected_fatal"), 1U);
}

TEST(PcieAer, Xid79RightAfterTheRecordCompletesAndRelatesIt) {
  harness h;
  const std::int64_t ts = h.feed(fatal_v5, t0);
  h.feed(xid79_line, ts);  // before any timeout
  EXPECT_EQ(h.count("aer_uncorrected_fatal"), 1U);
  EXPECT_EQ(h.count("aer_then_xid79"), 1U);
  h.feed(xid79_line, ts + sec);  // the same GPU again: already related
  h.finish();
  EXPECT_EQ(h.count("aer_then_xid79"), 1U);
  EXPECT_EQ(h.det.stats().recognised, fatal_v5.size() + 2);
}

TEST(PcieAer, Xid79IsRelatedOnlyOnTheSameNodeAndOnlyToFatalErrors) {
  harness h;
  h.feed(fatal_v5, t0);
  h.feed(xid79_line, t0 + sec, "node-2");
  h.feed(nonfatal_v6, t0, "node-3");
  h.feed(xid79_line, t0 + sec, "node-3");
  h.finish();
  EXPECT_EQ(h.count("aer_then_xid79"), 0U);
}

TEST(PcieAer, Xid79PrefersTheFatalAerOfItsOwnGpu) {
  harness h;
  h.feed(fatal_v5, t0);              // 0000:01:00.0
  h.feed(firmware_fatal, t0 + sec);  // 0000:3b:00.0, more recent
  h.feed(xid79_line, t0 + 2 * sec);  // GPU 0000:01:00
  ASSERT_EQ(h.count("aer_then_xid79"), 1U);
  EXPECT_EQ(h.first("aer_then_xid79")->subject, "0000:01:00.0");
  // Another GPU of the node with no AER of its own: the most recent fatal AER.
  h.feed("NVRM: Xid (PCI:0000:5d:00): 79, GPU has fallen off the bus.", t0 + 3 * sec);
  h.finish();
  ASSERT_EQ(h.count("aer_then_xid79"), 2U);
  EXPECT_EQ(h.sink.findings.back().subject, "0000:3b:00.0");
}

TEST(PcieAer, OtherXidsAreNotRecognised) {
  harness h;
  h.feed(fatal_v5, t0);
  h.feed(foreign_lines[0], t0 + sec);
  h.feed(foreign_lines[1], t0 + sec);
  h.finish();
  EXPECT_EQ(h.count("aer_then_xid79"), 0U);
  EXPECT_EQ(h.det.stats().recognised, fatal_v5.size());
}

// --- robustness -----------------------------------------------------------------------------

TEST(PcieAer, MalformedLinesAreCountedAndProduceNoFinding) {
  harness h;
  const std::array<std::string_view, 6> broken = {
      "pcieport 0000:00:01.0: AER: Uncorrected (Fa",
      "nvidia 0000:01:00.0: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Transac",
      "nvidia 0000:01:00.0: AER:   device [10de:20b0] error status/mask=0000400",
      "nvidia 0000:01:00.0: AER:    [1",
      "{1}[Hardware Error]:   device_id: 0000:3b",
      "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:0",
  };
  h.feed(broken, t0);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().malformed, broken.size());
  EXPECT_EQ(h.det.stats().recognised, 0U);
}

TEST(PcieAer, EveryTruncationOfARecordIsSafe) {
  // Every prefix of every line of every form: never a crash, and each line is either parsed,
  // counted as malformed, or not ours.
  std::vector<std::string_view> all;
  for (auto l : corrected_v4)
    all.push_back(l);
  for (auto l : fatal_v5)
    all.push_back(l);
  for (auto l : nonfatal_v6)
    all.push_back(l);
  for (auto l : nonfatal_old_id)
    all.push_back(l);
  for (auto l : firmware_fatal)
    all.push_back(l);
  for (auto l : firmware_recoverable_and_relog)
    all.push_back(l);
  all.push_back(xid79_line);
  harness h;
  std::int64_t ts = t0;
  std::uint64_t fed = 0;
  for (std::string_view l : all) {
    for (std::size_t n = 0; n <= l.size(); ++n) {
      h.feed(l.substr(0, n), ts);
      ts += ms;
      ++fed;
    }
  }
  h.finish();
  const detector_stats& s = h.det.stats();
  EXPECT_EQ(s.events, fed);
  EXPECT_GT(s.malformed, 100U);
  EXPECT_LE(s.recognised + s.malformed, fed);
}

TEST(PcieAer, OtherDetectorsLinesAreIgnored) {
  harness h;
  std::int64_t ts = t0;
  for (int round = 0; round < 10; ++round) {
    for (std::string_view l : foreign_lines)
      h.feed(l, ts += ms);
  }
  h.finish();
  EXPECT_EQ(h.det.stats().events, 10 * foreign_lines.size());
  EXPECT_EQ(h.det.stats().recognised, 0U);
  EXPECT_EQ(h.det.stats().malformed, 0U);
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.state_size(), 0U);
}

TEST(PcieAer, StateStaysBoundedOverAMillionEvents) {
  // One line in eight is an AER line, every one naming a device never seen before (the worst
  // case for the device map), with open records, fatal errors and firmware dumps left open.
  pcie_aer_config c;
  pcie_aer_detector det(c);
  counting_sink sink;
  std::vector<std::string> nodes;
  for (int i = 0; i < 64; ++i)
    nodes.push_back(fmt::format("node-{:03}", i));
  std::size_t max_state = 0;
  std::string line;
  std::int64_t ts = t0;
  std::uint32_t dev = 0;
  for (std::uint32_t i = 0; i < 1'000'000; ++i) {
    if (i % 8 != 0) {
      line = foreign_lines[i % foreign_lines.size()];
    } else {
      ++dev;
      const std::string bdf =
          fmt::format("{:04x}:{:02x}:{:02x}.0", dev >> 13 & 0xffff, dev >> 5 & 0xff, dev & 0x1f);
      if (dev % 13 == 0) {
        line = fmt::format(
            "nvidia {}: AER: PCIe Bus Error: severity=Uncorrected (Fatal), type=Data Link Layer, "
            "(Receiver ID)",
            bdf);
      } else if (dev % 5 == 0) {
        line = fmt::format(
            "{{{}}}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1", i);
      } else {
        line = fmt::format(
            "nvidia {}: AER: PCIe Bus Error: severity=Corrected, type=Physical Layer, (Receiver "
            "ID)",
            bdf);
      }
    }
    det.on_event(event{ts, nodes[i % nodes.size()], source::kernel, line}, sink);
    ts += ms;
    if (i % 1024 == 0) max_state = std::max(max_state, det.state_size());
  }
  EXPECT_EQ(det.stats().events, 1'000'000U);
  const std::size_t bound =
      c.max_devices + nodes.size() * (1 + c.max_fatal_per_node) + c.max_firmware_records;
  EXPECT_LE(max_state, bound);
  EXPECT_GT(max_state, c.max_devices / 2);  // the caps, not an idle stream, kept it bounded
  EXPECT_GT(sink.total(), 0U);
  // Idle for longer than every window: everything is evicted.
  det.on_event(event{ts + 10 * 60 * sec, "node-000", source::kernel, "unrelated"}, sink);
  EXPECT_EQ(det.state_size(), 0U);
}

// --- late lines -----------------------------------------------------------------------------

// The lines the detector counts late must be exactly those its clock calls late (every line of
// the record, also the ones it reads as part of another). Node names of several lengths, both
// time bases, runs of one node and interleaved nodes, steps forward, small steps back and jumps
// back past the window.
TEST(PcieAerLate, CountsExactlyTheLinesTheClockCallsLate) {
  const pcie_aer_config c;
  pcie_aer_detector det(c);
  event_clock reference(std::max(c.corrected_storm_window_ns, c.xid79_window_ns));
  collecting_sink sink;
  const std::array<std::string_view, 5> nodes = {"n1", "node-001", "node-002",
                                                 "gpu-node-0017.cluster", "node-0000000000001"};
  constexpr std::string_view line =
      "nvidia 0000:3b:00.0: AER:   device [10de:2330] error status/mask=00000001/00002000";
  std::uint64_t state = 12345;
  const auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  std::array<std::int64_t, nodes.size()> now{};
  now.fill(t0);
  std::size_t node = 0;
  std::uint64_t expected_late = 0;
  for (int i = 0; i < 20000; ++i) {
    if (next() % 4 == 0) node = next() % nodes.size();  // runs of one node, then another
    const std::uint64_t r = next() % 100;
    std::int64_t ts = now[node];
    if (r < 80) {
      ts += static_cast<std::int64_t>(next() % 60000) * ms;  // forward, up to a minute
    } else if (r < 92) {
      ts -= static_cast<std::int64_t>(next() % 1000) * ms;  // a little back: not late
    } else {
      ts -= static_cast<std::int64_t>(next() % 20) * 60 * sec;  // back up to 20 minutes
    }
    now[node] = std::max(now[node], ts);
    const time_base base = next() % 16 == 0 ? time_base::uptime : time_base::epoch;
    event ev{ts, nodes[node], source::kernel, line, base};
    expected_late += reference.late(ev.node, ev) ? 1 : 0;
    det.on_event(ev, sink);
  }
  EXPECT_GT(expected_late, 100U);
  EXPECT_EQ(det.stats().late, expected_late);
}

// A fatal record read after newer lines of its node (a rotated log fed after the current one)
// is late: it is still reported, as a late fatal Xid is, but relates to no later Xid 79.
TEST(PcieAerLate, LateFatalRecordIsStillReported) {
  harness h;
  const std::int64_t newest = t0 + 60 * 60 * sec;
  corrected_record(h, "0000:3b:00.0", newest);
  h.feed(fatal_v5, t0);
  EXPECT_EQ(h.det.stats().late, fatal_v5.size());
  // The Xid 79 completes the node's records; the late fatal one is reported, not related.
  h.feed(
      "NVRM: Xid (PCI:0000:01:00): 79, pid=<unknown>, name=<unknown>, GPU has fallen off the "
      "bus.",
      newest + sec);
  h.finish();
  ASSERT_EQ(h.count("aer_uncorrected_fatal"), 1U);
  const owned_finding& f = *h.first("aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:01:00.0");
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_NE(f.message.find("CmpltTO (First)"), std::string::npos) << f.message;
  EXPECT_EQ(h.count("aer_then_xid79"), 0U);
}

// The same record fed newest line first (a log read backwards): every line after the first is
// late; the notice after its header is that record's, so the error is reported once.
TEST(PcieAerLate, ReversedFatalRecordIsReportedOnce) {
  harness h;
  const std::int64_t newest = t0 + 60 * 60 * sec;
  h.feed("unrelated", newest);
  corrected_record(h, "0000:3b:00.0", newest);
  std::int64_t ts = t0 + static_cast<std::int64_t>(fatal_v5.size()) * 10'000;
  for (auto it = fatal_v5.rbegin(); it != fatal_v5.rend(); ++it) {
    h.feed(*it, ts);
    ts -= 10'000;
  }
  h.finish();
  EXPECT_EQ(h.det.stats().late, fatal_v5.size());
  ASSERT_EQ(h.count("aer_uncorrected_fatal"), 1U);
  const owned_finding& f = *h.first("aer_uncorrected_fatal");
  EXPECT_EQ(f.subject, "0000:01:00.0");
  EXPECT_LE(f.first_ns, f.last_ns);
  EXPECT_NE(f.message.find("(NVIDIA 10de:20b0)"), std::string::npos) << f.message;
  EXPECT_EQ(h.count("aer_uncorrected_nonfatal"), 0U);
}

// Late corrected errors join no storm window, however many.
TEST(PcieAerLate, LateCorrectedRecordsMakeNoStorm) {
  harness h;
  const std::int64_t newest = t0 + 60 * 60 * sec;
  corrected_record(h, "0000:3b:00.0", newest);
  for (int i = 0; i < 20; ++i)
    corrected_record(h, "0000:3b:00.0", t0 + i * ms);
  h.finish();
  EXPECT_EQ(h.det.stats().late, 60U);
  EXPECT_EQ(h.count("aer_corrected_storm"), 0U);
  EXPECT_EQ(h.sink.findings.size(), 0U);
}

// --- generator ------------------------------------------------------------------------------

struct generated {
  std::vector<stream_builder::line_record> lines;
  std::vector<std::string> nodes;
};

// Episodes of the generator alone, with faulty periods toggled as the mixer does (but more
// often, so that a short stream has several).
generated generate(std::uint64_t seed, std::size_t count, bool allow_faults) {
  stream_builder b(seed, 16, t0);
  while (b.lines().size() < count) {
    if (allow_faults && (!b.faulty() ? b.chance(1, 30) : b.chance(1, 10)))
      b.set_faulty(!b.faulty());
    generate_pcie_aer_episode(b);
    b.advance(b.uniform(1, 100) * ms);
  }
  generated g;
  g.lines = std::move(b.lines());
  for (std::size_t i = 0; i < b.node_count(); ++i)
    g.nodes.emplace_back(b.node(i));
  return g;
}

void run(harness& h, const generated& g) {
  std::int64_t last = 0;
  for (const auto& r : g.lines) {
    ASSERT_GE(r.ts_ns, last);
    last = r.ts_ns;
    h.feed(r.line, r.ts_ns, g.nodes[r.node_index]);
  }
  h.finish();
}

TEST(PcieAerGenerator, FaultyEpisodesProduceEveryFindingKind) {
  const generated g = generate(7, 20'000, true);
  harness h;
  run(h, g);
  const detector_stats& s = h.det.stats();
  EXPECT_EQ(s.events, g.lines.size());
  EXPECT_EQ(s.malformed, 0U);
  EXPECT_GT(s.recognised, g.lines.size() / 2);
  EXPECT_GT(h.count("aer_corrected_storm"), 0U);
  EXPECT_GT(h.count("aer_uncorrected_fatal"), 0U);
  EXPECT_GT(h.count("aer_uncorrected_nonfatal"), 0U);
  EXPECT_GT(h.count("aer_then_xid79"), 0U);
  for (const auto& f : h.sink.findings) {
    EXPECT_EQ(f.message.find('\n'), std::string::npos);
    EXPECT_FALSE(f.subject.empty());
    EXPECT_LE(f.first_ns, f.last_ns);
  }
}

TEST(PcieAerGenerator, HealthyEpisodesProduceNoFinding) {
  const generated g = generate(11, 20'000, false);
  harness h;
  run(h, g);
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_GT(h.det.stats().recognised, 0U);
  EXPECT_EQ(h.det.stats().malformed, 0U);
}

TEST(PcieAerGenerator, SameSeedSameLines) {
  const generated a = generate(3, 2'000, true);
  const generated b = generate(3, 2'000, true);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (std::size_t i = 0; i < a.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].line, b.lines[i].line);
    EXPECT_EQ(a.lines[i].ts_ns, b.lines[i].ts_ns);
  }
}

TEST(PcieAerGenerator, TruncatedLinesAreFewMalformedAndNeverCrash) {
  generated g = generate(5, 20'000, true);
  // What the mixer does to 0.5% of lines.
  std::uint64_t truncated = 0;
  for (std::size_t i = 0; i < g.lines.size(); i += 200) {
    g.lines[i].line.resize(g.lines[i].line.size() / 2);
    ++truncated;
  }
  harness h;
  run(h, g);
  EXPECT_GT(h.det.stats().malformed, 0U);
  EXPECT_LE(h.det.stats().malformed, truncated);
}

TEST(PcieAer, FactoryBuildsTheDetector) {
  const auto d = make_pcie_aer_detector();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "pcie_aer");
  EXPECT_EQ(d->state_size(), 0U);
}

// Steady state allocates nothing: after one pass over a focused corpus (devices seen,
// forgotten and reused, fatal AERs related to Xid 79s, every message kind formatted once),
// later passes over the same stream moved forward in time process each window of the measurement
// contract without a single allocation.
TEST(PcieAerAllocs, WarmWindowsAllocateNothing) {
  pcie_aer_detector d;
  testing::expect_warm_windows_allocate_nothing("pcie_aer", d);
}

}  // namespace
}  // namespace detectors
