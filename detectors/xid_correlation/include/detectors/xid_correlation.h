// File: xid_correlation.h
// The xid_correlation detector: NVIDIA driver (NVRM) Xid messages and NVSwitch SXid messages
// from the kernel log, and dcgm-exporter's DCGM_FI_DEV_XID_ERRORS samples, classified by
// NVIDIA's Xid catalog and correlated per GPU (node + PCI address) in a window.
//
// DCGM_FI_DEV_XID_ERRORS is a gauge holding the "Value of the last XID error encountered"
// (NVIDIA/dcgm-exporter etc/default-counters.csv, where it is on by default), 0 for none:
//   DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-...",pci_bus_id="00000000:18:00.0",Hostname="n"} 79
// A GPU's value changing to a non-zero code (its first non-zero sample included; the same value
// scraped again is not) is one Xid on that GPU at the sample's time, judged like a kernel Xid
// line of that code. The GPU is its pci_bus_id as the kernel prints it ("0000:18:00"), so
// that both sources share one window; without that label, its UUID, else "gpu" + index.
// The exporter samples the gauge (every 30 s by default, its -c flag) and a scrape adds its
// own delay, so the same code on the same GPU from the other source within
// dcgm_same_event_ns is the same Xid, counted once: a sample after the kernel line adds
// nothing; a kernel line after the sample takes its place (the line says more: pid, body).
// Sample Xids name no process, and a first sample may show an Xid from long before, so they
// are never application evidence for xid_suspected_hardware (they do count as hardware
// evidence, in bursts, and for xid_critical / xid_attention).
//
// Findings:
//   xid_critical            (critical) an Xid whose catalog resolution is a GPU reset or a
//                           VM / bare-metal restart (46, 48, 62, 64, 74, 79, 95, 109, 110, 119,
//                           120, 136, 140, 143, 151, 155, 156, 158, ...), an NVLink5 Xid
//                           (144-150) printed with a Fatal unit severity, a 154 asking for a
//                           reset/reboot, or the driver's "fallen off the bus" message in any of
//                           its forms (Xid 79 without an Xid token). Once per GPU, code and
//                           action per window: a GPU repeating the same fatal Xid is one incident.
//   xid_attention           (warning) an Xid the catalog sends to NVIDIA support or to a check of
//                           the machine (contact support, check mechanicals, update SW/FW), one
//                           with no published resolution, or a code outside the catalog: never
//                           silence for an Xid nobody expects. Once per GPU and code per window.
//   sxid_critical           (critical) an NVSwitch SXid printed Fatal, or one the Fabric Manager
//                           guide lists as fatal. Once per switch and code per window.
//   xid_burst               (warning) >= burst_threshold Xids on one GPU within the window; once
//                           per burst (a burst ends when the window count drops below the
//                           threshold again).
//   xid_suspected_hardware  (critical) application-level Xids (13, 31, 43, 45, ...) from
//                           >= distinct_pid_threshold distinct pids on one GPU within the window,
//                           or an application Xid followed by a hardware-class Xid on the same
//                           GPU within the window: the "application" errors were the GPU's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_clock.h"

namespace detectors {

// ---- The Xid catalog ------------------------------------------------------------------------

enum class xid_category : std::uint8_t {
  application,      // 13, 31, 43, 45, 109 and the engine exceptions the catalog sends back to
                    // the application: usually the workload's own fault
  memory,           // 48, 63, 64, 92, 94, 95, 140, 156, 171, 172, ...
  nvlink,           // 74, 136, 137, 144-150, 155, ...
  bus,              // 79
  gsp,              // 119, 120: GSP firmware / RPC
  microcontroller,  // 61, 62, 169
  recovery,         // 154: the driver's recovery-action state
  other,            // everything else, and codes outside the catalog
};

std::string_view to_string(xid_category c) noexcept;

// NVIDIA's "Immediate Action" column of the Xid catalog
// (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
enum class xid_resolution : std::uint8_t {
  ignore,             // IGNORE
  restart_app,        // RESTART_APP
  reset_gpu,          // RESET_GPU
  restart_vm,         // RESTART_VM
  restart_bm,         // RESTART_BM (bare metal)
  contact_support,    // CONTACT_SUPPORT (most "Unused" codes: not expected from a current driver)
  check_mechanicals,  // CHECK_MECHANICALS
  update_swfw,        // UPDATE_SWFW
  check_uvm,          // CHECK_UVM
  workflow,           // WORKFLOW_*/XID_154: decided by the message (NVLink5, 48, 45, 154)
  unpublished,        // the catalog lists the code without a resolution yet
  unknown,            // a code outside the catalog
};

std::string_view to_string(xid_resolution r) noexcept;

struct xid_catalog_entry {
  std::uint16_t code = 0;
  xid_category category = xid_category::other;
  xid_resolution resolution = xid_resolution::unknown;
  bool critical = false;  // an immediate xid_critical finding
  bool hardware = false;  // evidence against the GPU itself (escalates earlier app Xids)
  action recommended = action::observe;
  std::string_view description;
};

// The catalog entry for `code`: every code of NVIDIA's catalog (1-172). Codes outside it get
// category `other`, resolution `unknown` and the conservative action (drain_node: the node
// stays out of scheduling until someone has looked), as NVSentinel treats them.
// Xid 154's action depends on its message, an NVLink5 Xid's on its unit severity.
xid_catalog_entry classify_xid(unsigned code) noexcept;

// The catalog asks for a person (support, a hardware check, an update) rather than an
// automatic step, or gives no resolution: an xid_attention finding.
bool needs_attention(xid_resolution r) noexcept;

// NVSwitch SXid codes with the severity the Fabric Manager user guide gives them
// (https://docs.nvidia.com/datacenter/tesla/pdf/fabric-manager-user-guide.pdf, "Non-Fatal",
// "Fatal" and "Always Fatal NVSwitch SXid Errors", as leptonai/gpud embeds them).
struct sxid_catalog_entry {
  std::uint16_t code = 0;
  bool fatal = false;
  std::string_view name;  // empty for codes outside the table
};

sxid_catalog_entry classify_sxid(unsigned code) noexcept;

// Xid 154 "GPU recovery action changed from 0xA (...) to 0xB (...)": the value after "to",
// numbered as NVML's nvmlDeviceGpuRecoveryAction_t.
enum class gpu_recovery : std::uint8_t {
  unknown,          // not a 154 body, or not parseable
  none,             // 0x0 None
  gpu_reset,        // 0x1 GPU Reset Required (also printed "PF FLR")
  node_reboot,      // 0x2 Node Reboot Required (also printed "OS Reboot")
  drain_p2p,        // 0x3 Drain P2P
  drain_and_reset,  // 0x4 Drain and Reset
  recover_imex,     // 0x5 Recover IMEX Domain
  bus_reset,        // 0x6 Bus Reset
  system_reboot,    // 0x7 System Reboot
};

std::string_view to_string(gpu_recovery r) noexcept;

// ---- The parser -----------------------------------------------------------------------------

enum class nvrm_kind : std::uint8_t {
  not_ours,        // not an NVRM line of a form this detector reads
  xid,             // NVRM: Xid (PCI:0000:3b:00[.F][ GPU-I:NN[ GPU-CI:NN]]): CODE[, ...]
  gpu_header,      // NVRM: GPU at PCI:0000:3b:00: GPU-<uuid>
  board_serial,    // NVRM: GPU Board Serial Number: 1652320012345
  fallen_off_bus,  // NVRM: GPU [0000:]3b:00.0: GPU has fallen off the bus.
  // The driver's three-line form of the same fault:
  //   NVRM: The NVIDIA GPU 0000:18:00.0
  //   NVRM: (PCI ID: 10de:2901) installed in this system has
  //   NVRM: fallen off the bus and is not responding to commands.
  bus_record_gpu,   // its first line (names the GPU)
  bus_record_id,    // its second line
  bus_record_tail,  // its last line (the fault)
  sxid,             // nvidia-nvswitchN: SXid (PCI:0000:05:00.0): CODE, Fatal|Non-fatal, ...
  malformed,        // one of the above, truncated or garbled
};

// The unit severity an NVLink5 Xid (144-150) or an SXid prints.
enum class unit_severity : std::uint8_t { unknown, nonfatal, fatal };

// One parsed NVRM message. The views point into the parsed message.
struct nvrm_line {
  nvrm_kind kind = nvrm_kind::not_ours;
  std::string_view pci;                           // "0000:3b:00" (domain:bus:device, as printed)
  std::string_view gpu_instance;                  // MIG "GPU-I:NN" value, empty when absent
  std::string_view compute_instance;              // MIG "GPU-CI:NN" value, empty when absent
  unsigned code = 0;                              // Xid code
  std::int64_t pid = -1;                          // -1: not printed (old drivers) or '<unknown>'
  std::string_view process_name;                  // empty when not printed; "<unknown>" as printed
  std::string_view body;                          // the text after code (and pid/name)
  unsigned caused_by = 0;                         // Xid 45 "... caused by previous Xid N"; 0 = none
  gpu_recovery recovery = gpu_recovery::unknown;  // Xid 154 only
  std::string_view uuid;                          // gpu_header: "GPU-2f6e5b1a-..."
  std::string_view serial;                        // board_serial
  // NVLink5 Xids 144-150: "NETIR_LINK_EVT  Fatal   XC0 i0 Link 09 (0x025525c6 0x00000000 ...)"
  // (unit, severity, cross-containment, injection, link, intrinfo and error status words).
  // SXids: severity, link and switch instance.
  unit_severity unit_sev = unit_severity::unknown;
  std::string_view unit;         // "NETIR_LINK_EVT", "TLW_RX/TLW_RX_PIPE0"
  std::string_view containment;  // "XC0" / "XC1"
  std::string_view injected;     // "i0"
  std::int32_t link = -1;        // -1: not printed
  std::uint32_t intrinfo = 0;
  std::uint32_t error_status = 0;
  std::int32_t nvswitch = -1;  // SXid: N of "nvidia-nvswitchN"
};

// Parses a kernel message with its log prefix already stripped (strip_kernel_prefix): NVRM
// messages and nvidia-nvswitch SXid messages. Never allocates; any input is safe.
nvrm_line parse_nvrm_message(std::string_view message) noexcept;

// ---- The detector ---------------------------------------------------------------------------

struct xid_correlation_config {
  // Per-GPU correlation window: bursts, distinct pids, app -> hardware escalation, repeat
  // suppression. A GPU idle for longer than this is forgotten. An Xid at exactly
  // window_ns before the current one is still inside.
  std::int64_t window_ns = 5 * 60 * ns_per_second;
  // Xids on one GPU within the window that make an xid_burst.
  std::uint32_t burst_threshold = 3;
  // Distinct pids with application-level Xids on one GPU within the window that make an
  // xid_suspected_hardware.
  std::uint32_t distinct_pid_threshold = 2;
  // GPUs tracked at once (across all nodes); the least recently active is evicted beyond.
  std::size_t max_gpus = 4096;
  // Xids remembered per GPU within the window; the oldest is dropped beyond (a GPU spewing
  // thousands of Xid 13 lines a second still costs a bounded amount).
  std::size_t max_xids_per_gpu = 64;
  // "GPU at PCI:..." header lines wait this long for the "Board Serial Number" line that
  // follows them, and the first line of the three-line "fallen off the bus" record for its
  // last.
  std::int64_t header_ttl_ns = 10 * ns_per_second;
  // A DCGM_FI_DEV_XID_ERRORS change and a kernel Xid line of the same code on the same GPU
  // this close in time are one Xid: one collect interval of the exporter (30 s by default)
  // plus a scrape interval.
  std::int64_t dcgm_same_event_ns = 60 * ns_per_second;
};

class xid_correlation_detector final : public detector {
 public:
  xid_correlation_detector() : xid_correlation_detector(xid_correlation_config{}) {}
  explicit xid_correlation_detector(const xid_correlation_config& config);

  std::string_view name() const noexcept override { return "xid_correlation"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // GPUs and NVSwitches tracked + Xids, pids and reported codes held in their windows +
  // pending header lines and fallen-off-the-bus records.
  std::size_t state_size() const noexcept override;

 private:
  struct xid_entry {
    std::int64_t ts_ns;
    std::int64_t pid;
    std::uint16_t code;
    std::uint8_t recommended;  // action
    bool application;          // counts as application evidence (not a consequence)
    bool hardware;
    bool from_dcgm;  // a DCGM_FI_DEV_XID_ERRORS change, not a kernel line
  };
  struct app_pid {
    std::int64_t pid;
    std::int64_t ts_ns;
  };
  struct reported {
    std::uint16_t code;
    std::uint8_t recommended;  // action: a 154 escalating to a reboot is not a repeat
    std::int64_t ts_ns;
  };
  // new_gpu resets a reused state field by field: a field added here needs its line there.
  struct gpu_state {
    std::string key;  // node '\n' subject
    std::string node;
    // The GPU's subject: its PCI address as NVRM prints it ("0000:3b:00"), or the UUID or
    // index of a dcgm-exporter sample without a bus id.
    std::string_view pci() const noexcept { return std::string_view(key).substr(node.size() + 1); }
    std::string uuid;    // from the "GPU at" header, when seen
    std::string serial;  // from the "Board Serial Number" line, when seen
    std::int64_t last_ns = 0;
    std::vector<xid_entry> xids;      // within the window, oldest first
    std::vector<app_pid> app_pids;    // distinct pids with application Xids in the window
    std::vector<reported> criticals;  // xid_critical already reported, per code and action
    std::int64_t last_app_ns = 0;     // last application Xid (with has_app)
    std::uint16_t last_app_code = 0;
    bool has_app = false;
    std::int64_t last_hw_ns = 0;  // last hardware-class Xid (with has_hw)
    bool has_hw = false;
    bool burst_open = false;
    std::int64_t suspected_ns = 0;  // last xid_suspected_hardware (with suspected)
    bool suspected = false;
    std::int64_t last79_ns = 0;  // last bus fault (with has79), and whether from an Xid line
    bool has79 = false;
    bool last79_from_xid = false;
    std::uint16_t dcgm_xid = 0;  // last DCGM_FI_DEV_XID_ERRORS value (0: none, or never seen)
  };
  struct pending_header {
    std::string node;
    std::string pci;
    std::int64_t ts_ns;
  };
  // Pending lines per node: slots [0, live) are pending, the ones beyond keep their strings'
  // storage for the next line.
  struct pending_list {
    std::vector<pending_header> slots;
    std::size_t live = 0;
  };
  using gpu_list = std::list<gpu_state>;
  using gpu_index = std::unordered_map<std::string, gpu_list::iterator>;
  // Codes of a burst with their counts (scratch for the xid_burst message).
  struct code_count {
    std::uint16_t code;
    std::uint32_t n;
  };

  // Where an Xid was read.
  enum class xid_origin : std::uint8_t {
    xid_line,     // NVRM: Xid (...)
    bus_message,  // a "fallen off the bus" message without an Xid token
    dcgm_metric,  // a DCGM_FI_DEV_XID_ERRORS change
  };

  void on_xid(const event& ev, std::string_view node, const nvrm_line& x, xid_origin origin,
              finding_sink& sink);
  void emit_immediate(const gpu_state& g, const nvrm_line& x, xid_origin origin, std::int64_t now,
                      finding_sink& sink);
  void on_dcgm_line(const event& ev, finding_sink& sink);
  void on_header(const event& ev, std::string_view node, const nvrm_line& x);
  void on_serial(const event& ev, std::string_view node, const nvrm_line& x);
  void on_bus_record(const event& ev, std::string_view node, const nvrm_line& x,
                     finding_sink& sink);
  void on_sxid(const event& ev, std::string_view node, const nvrm_line& x, finding_sink& sink);
  pending_header* find_pending(pending_list& p, std::string_view node);
  pending_header& add_pending(pending_list& p, std::string_view node);
  void drop_pending(pending_list& p, pending_header* h);
  void expire_pending(pending_list& p, std::int64_t now);
  bool already_reported(gpu_state& g, unsigned code, action act, std::int64_t now);
  // `normalise`: `pci` is an address as the kernel prints it (any case, maybe without its
  // domain); otherwise the subject is taken as it is.
  gpu_state& touch_gpu(std::string_view node, std::string_view pci, std::int64_t ts,
                       bool normalise = true);
  void make_key(std::string_view node, std::string_view pci, bool normalise);
  void evict_idle(std::int64_t now);
  void evict_front();
  gpu_state& new_gpu();
  void prune(gpu_state& g, std::int64_t now);
  bool in_window(std::int64_t then, std::int64_t now) const noexcept;
  bool same_event(std::int64_t a, std::int64_t b) const noexcept;
  void emit(finding_sink& sink, const gpu_state& g, severity sev, std::string_view kind,
            std::int64_t first_ns, std::int64_t last_ns, std::uint64_t count, action act);
  std::string_view describe(const gpu_state& g);

  xid_correlation_config config_;
  // Late Xids (event_clock.h) join no window; a fatal one is still reported on its own.
  event_clock clock_;
  gpu_list gpus_;  // least recently active first
  gpu_index index_;
  // Steady state allocates nothing: evicted GPUs and their index nodes are kept here, with
  // their strings' and vectors' storage, and reused for the next new GPU. Together with
  // gpus_ they never hold more than the most GPUs tracked at once (<= max_gpus).
  gpu_list spare_gpus_;
  std::vector<gpu_index::node_type> spare_index_nodes_;
  pending_list headers_;           // "GPU at" headers waiting for their serial
  pending_list bus_records_;       // three-line "fallen off the bus" records waiting for their end
  std::vector<code_count> codes_;  // scratch: a burst's codes
  std::string key_;                // scratch: lookup key
  std::string subject_;            // scratch: the GPU's subject in key_
  std::string message_;            // the message of the finding being emitted
  std::string ident_;              // scratch: " (GPU-uuid, serial N)"
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_xid_correlation_detector();
std::unique_ptr<detector> make_xid_correlation_detector(const xid_correlation_config& config);

}  // namespace detectors
