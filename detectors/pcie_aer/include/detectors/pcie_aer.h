// File: pcie_aer.h
// The pcie_aer detector: Linux PCIe Advanced Error Reporting (AER) records from the kernel log,
// and the GPUs' PCIe replay counter from dcgm-exporter.
//
// The kernel logs one AER error as several lines: a root-port notice ("AER: Corrected error
// received: 0000:3b:00.0"), then per device with an error a header ("PCIe Bus Error:
// severity=..., type=..., (Receiver ID)"), the status word ("device [10de:2330] error
// status/mask=..."), one line per status bit ("[ 0] RxErr (First)") and, for uncorrectable
// errors, the TLP header. Firmware-first platforms log the same error as an APEI "[Hardware
// Error]" dump, usually followed by "AER: aer_status: ..." lines repeating it. The detector
// assembles one record per device (node + BDF), decodes the status bits and reports:
//   aer_uncorrected_fatal / aer_uncorrected_nonfatal  critical, per record
//   aer_corrected_storm   warning, corrected errors on one device at or above a rate, once per
//                         storm
//   aer_then_xid79        critical, a fatal AER followed by "NVRM: Xid (...): 79" (GPU fallen
//                         off the bus) on the same node
//   pcie_replay_rate      warning, dcgm-exporter's DCGM_FI_DEV_PCIE_REPLAY_COUNTER of a GPU rose
//                         by more than replay_threshold within replay_window (the link retries
//                         transfers: the GPU's side of a degrading link, which AER may not show)
// Lines late on their node's clock (event_clock.h) still make records, kept apart from the
// device's in-time ones: an uncorrected record of late lines is reported (a fatal error must
// reach an operator however late its lines are read, as a late fatal Xid does), but it joins no
// storm and relates to no Xid 79; a late corrected record is only counted late.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "detectors/detector.h"
#include "detectors/event.h"
#include "detectors/event_clock.h"
#include "detectors/finding.h"

namespace detectors {

struct pcie_aer_config {
  // Corrected-error records on one device within the window that make a storm. "Within" means
  // the oldest and newest are less than the window apart. A "Multiple Corrected error" record
  // counts twice (the root port latched at least two). The storm re-arms once the count in the
  // window falls below half the threshold, so a rate hovering at the threshold reports once.
  std::uint32_t corrected_storm_threshold = 10;
  std::int64_t corrected_storm_window_ns = 60 * ns_per_second;
  // A fatal AER followed by an Xid 79 on the same node less than this later -> aer_then_xid79.
  std::int64_t xid79_window_ns = 5 * 60 * ns_per_second;
  // A multi-line record is complete when no line of it arrives for this long (event time). The
  // kernel prints a whole record within milliseconds; the margin absorbs coarse timestamps.
  std::int64_t record_timeout_ns = 2 * ns_per_second;
  // "AER: aer_status: ..." lines logged this soon after a firmware-first dump for the same
  // device are the kernel repeating that dump (aer_recover_queue), not a second error.
  std::int64_t firmware_repeat_ns = 10 * ns_per_second;
  // More than this many PCIe replays of one GPU within the window -> pcie_replay_rate. DCGM's
  // own PCIe health watch warns above 8 per minute (NVIDIA/DCGM dcgmlib dcgm_errors.h,
  // DCGM_FR_PCI_REPLAY_RATE_MSG "Detected more than %u PCIe replays per minute for GPU %u").
  // The rate is judged over whole windows between samples (the counter is scraped, typically
  // every 10-30 s), and at once when a part of a window already holds more.
  std::uint64_t replay_threshold = 8;
  std::int64_t replay_window_ns = 60 * ns_per_second;
  // Caps on held state; the least recently active entry is evicted first.
  std::size_t max_devices = 4096;
  std::size_t max_nodes = 4096;
  std::size_t max_firmware_records = 64;  // open "[Hardware Error]" dumps
  std::size_t max_fatal_per_node = 16;    // fatal AERs awaiting an Xid 79
};

namespace internal {
struct aer_line;
}  // namespace internal

class pcie_aer_detector final : public detector {
 public:
  pcie_aer_detector();
  explicit pcie_aer_detector(const pcie_aer_config& config);
  ~pcie_aer_detector() override;
  pcie_aer_detector(const pcie_aer_detector&) = delete;
  pcie_aer_detector& operator=(const pcie_aer_detector&) = delete;

  std::string_view name() const noexcept override { return "pcie_aer"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // Completes the records still open (their lines may simply have been the last ones).
  void finish(finding_sink& sink) override;
  // Devices + nodes with pending fatal AERs + fatal AERs + open firmware dumps.
  std::size_t state_size() const noexcept override;

 private:
  void on_replay_line(const event& ev, finding_sink& sink);
  void on_late_line(std::string_view node, const internal::aer_line& l, std::int64_t now,
                    finding_sink& sink);

  struct state;
  std::unique_ptr<state> state_;
  // Late lines (event_clock.h) are counted; an uncorrected AER record made of them is still
  // reported (it joins no window: no storm, no Xid 79 relation), the rest is dropped.
  event_clock clock_;
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_pcie_aer_detector();
std::unique_ptr<detector> make_pcie_aer_detector(const pcie_aer_config& config);

// The line parser, exposed for the detector's tests and fuzzer.
namespace internal {

enum class aer_severity : std::uint8_t { unknown, corrected, nonfatal, fatal };

enum class aer_line_kind : std::uint8_t {
  none,       // not a pcie_aer line
  malformed,  // recognisably a pcie_aer line, but truncated or garbled
  // Lines printed by a device: "<driver> <BDF>: [AER: ]..." (bdf = the printing device).
  notice,          // "[Multiple ]<severity> error received: <BDF>|id=XXXX" (root port)
  header,          // "PCIe Bus Error: severity=..., type=..., [id=XXXX](<agent> ID)"
  status,          // "device [vvvv:dddd] error status/mask=SSSSSSSS/MMMMMMMM"
  bit,             // "[NN] Name [(First)]"
  tlp_header,      // "TLP Header: ..."
  continuation,    // "Error of this Agent(00e5) is reported first" (old kernels)
  cper_status,     // "aer_status: 0x..., aer_mask: 0x..." (firmware-first, re-logged)
  cper_layer,      // "aer_layer=..., aer_agent=..."
  cper_uncor_sev,  // "aer_uncor_severity: 0x..."
  // "[Hardware Error]: ..." lines of an APEI dump, optionally "{N}"-prefixed.
  fw_begin,           // "Hardware error from APEI Generic Hardware Error Source: N"
  fw_event_severity,  // "event severity: corrected|recoverable|fatal|info"
  fw_section,         // "Error N, type: corrected|recoverable|fatal|info"
  fw_section_type,    // "section_type: PCIe error" (or another section)
  fw_device_id,       // "device_id: 0000:3b:00.0"
  fw_vendor,          // "vendor_id: 0x10de, device_id: 0x2330"
  fw_cor_status,      // "aer_cor_status: 0x..., aer_cor_mask: 0x..."
  fw_uncor_status,    // "aer_uncor_status: 0x..., aer_uncor_mask: 0x..."
  fw_aer_status,      // "aer_status: 0x..., aer_mask: 0x..." (older kernels, inside the dump)
  fw_uncor_sev,       // "aer_uncor_severity: 0x..."
  fw_tlp_header,      // "TLP Header: ..."
  fw_other,           // any other dump line (only ours inside an open dump)
  xid79,              // "NVRM: Xid (PCI:DDDD:BB:DD...): 79, ..."
};

struct aer_line {
  aer_line_kind kind = aer_line_kind::none;
  std::string_view bdf;  // printing device (device lines) or device_id (fw_device_id)
  aer_severity sev = aer_severity::unknown;
  bool multiple = false;        // notice: "Multiple ..."
  std::string_view source;      // notice: the source BDF; empty when given as id=XXXX
  std::uint16_t source_id = 0;  // notice with id=XXXX: bus << 8 | devfn
  std::string_view layer;       // header "Physical Layer", cper "Transaction Layer"
  std::string_view agent;       // header/cper "Receiver ID"
  std::uint16_t vendor = 0, device = 0;
  std::uint32_t status = 0, mask = 0;  // also aer_uncor_severity in status
  int bit = -1;
  bool first = false;  // bit line "(First)"
  bool has_seq = false;
  std::uint32_t seq = 0;  // "{N}" of a firmware dump line
  bool pcie_section = false;
  std::string_view xid_pci;  // "0000:3b:00"
};

// Parses one kernel message (the line with its prefix already stripped). Never allocates.
aer_line parse_aer_line(std::string_view message) noexcept;

// The kernel's short name of a status bit ("RxErr", "CmpltTO"); empty for an unnamed bit.
std::string_view aer_bit_name(bool correctable, int bit) noexcept;

}  // namespace internal
}  // namespace detectors
