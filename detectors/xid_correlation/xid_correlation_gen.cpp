// File: xid_correlation_gen.cpp
// Episodes of NVIDIA driver (NVRM) and NVSwitch kernel messages for the xid_correlation
// detector: Xids in every printed form (with and without process context, '<unknown>' pids,
// old drivers, MIG instances, Grace/GB200 PCI domains, a PCI function, no body, cut after the
// pid), NVLink5 Xids with their unit words, the "fallen off the bus" messages in their one- and
// three-line forms, SXids, and the kernel log prefixes of the tools that read them (and the
// "[...]" of pasted logs), and on the nodes whose dcgm-exporter is scraped into the same stream,
// its DCGM_FI_DEV_XID_ERRORS gauge (the GPU's last Xid). Healthy periods carry benign NVRM
// lines, non-fatal SXids, the odd application Xid and scrapes of the gauge (mostly 0, now and
// then an old application Xid); faulty periods carry the patterns an operator must act on,
// with the exporter's next collection showing the fault's last Xid, and on some nodes only the
// exporter's view of a fault.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "corpus/internal/dcgm_gen_common.h"
#include "corpus/internal/kernel_gen_common.h"
#include "detectors/corpus.h"

namespace detectors {
namespace {

using internal::gb200_gpu_bdfs;
using internal::hgx_gpu_bdfs;
using internal::kernel_node_hash;
using prefix_style = internal::kernel_prefix_style;

// Process names as the kernel prints them (comm, at most 15 characters).
constexpr std::array<std::string_view, 7> process_names = {
    "python3", "python", "pt_main_thread", "torchrun", "vllm", "tritonserver", "ray::RayTrainWo"};

// A node whose dcgm-exporter output is collected with its kernel log: most HGX nodes (the
// metric is in the exporter's default counter list). GB200 nodes are left out: the DCGM
// generators describe HGX baseboards.
bool exporter_scraped(std::string_view node, bool grace) {
  return !grace && internal::dcgm_hash(node, 0x71d) % 5 < 3;
}

struct episode {
  stream_builder& b;
  std::string_view node;
  prefix_style style;
  bool grace;     // GB200 node: non-zero PCI domains, NVLink5 Xids
  bool redacted;  // a pasted log: "[...] " where the timestamp was
  bool exporter;  // the node's DCGM_FI_DEV_XID_ERRORS samples are in the stream
  // The last Xid printed in this episode and its GPU: what the exporter's gauge shows next.
  mutable unsigned last_code = 0;
  mutable std::string_view last_pci;

  void saw(std::string_view pci, unsigned code) const {
    last_code = code;
    last_pci = pci;
  }

  std::string prefix() const {
    if (redacted) return "[...] ";
    return internal::kernel_log_prefix(style, b.now(), node, "kern  :warn  : ");
  }

  void line(std::string_view text) const {
    b.emit(node, source::kernel, prefix() + std::string(text));
  }

  // A short pause between lines of one episode.
  void pause(std::int64_t max_ms = 400) const { b.advance(b.uniform(0, max_ms) * 1'000'000); }

  std::string_view gpu() const {
    // NVRM prints domain:bus:device, without the function.
    const std::string_view bdf = grace ? b.pick(std::span<const std::string_view>(gb200_gpu_bdfs))
                                       : b.pick(std::span<const std::string_view>(hgx_gpu_bdfs));
    return bdf.substr(0, bdf.rfind('.'));
  }
  std::int64_t pid() const { return b.uniform(2'000, 3'999'999); }
  std::string_view process() const {
    return b.pick(std::span<const std::string_view>(process_names));
  }

  // The "(PCI:...)" part: MIG instances now and then on H100 nodes.
  std::string where(std::string_view pci, bool allow_mig = true) const {
    if (allow_mig && !grace && b.chance(1, 10)) {
      const bool with_ci = b.chance(1, 2);
      const std::int64_t gi = b.uniform(1, 14);
      if (!with_ci) return fmt::format("PCI:{} GPU-I:{:02}", pci, gi);
      const std::int64_t ci = b.uniform(0, 1);
      return fmt::format("PCI:{} GPU-I:{:02} GPU-CI:{:02}", pci, gi, ci);
    }
    return fmt::format("PCI:{}", pci);
  }

  // An Xid line with process context "pid=N, name=X, ".
  void xid(std::string_view pci, unsigned code, std::int64_t pid, std::string_view name,
           std::string_view body, bool allow_mig = false) const {
    saw(pci, code);
    line(fmt::format("NVRM: Xid ({}): {}, pid={}, name={}, {}", where(pci, allow_mig), code, pid,
                     name, body));
  }
  // An Xid with pid='<unknown>' (the fault is not attributable to a process).
  void xid_unknown(std::string_view pci, unsigned code, std::string_view body) const {
    saw(pci, code);
    line(fmt::format("NVRM: Xid ({}): {}, pid='<unknown>', name=<unknown>, {}", where(pci, false),
                     code, body));
  }
  // An Xid without process context (driver-internal errors, and old drivers for every code).
  void xid_bare(std::string_view pci, unsigned code, std::string_view body) const {
    saw(pci, code);
    line(fmt::format("NVRM: Xid ({}): {}, {}", where(pci, false), code, body));
  }
  // Either of the three forms, as real drivers mix them for hardware errors.
  void xid_any(std::string_view pci, unsigned code, std::string_view body) const {
    const std::int64_t form = b.uniform(0, 2);
    if (form == 0) {
      const std::int64_t p = pid();
      xid(pci, code, p, process(), body);
    } else if (form == 1)
      xid_unknown(pci, code, body);
    else
      xid_bare(pci, code, body);
  }

  std::string uuid(std::string_view pci) const {
    const std::uint64_t h1 = kernel_node_hash(pci, kernel_node_hash(node));
    const std::uint64_t h2 = kernel_node_hash("uuid", h1);
    return fmt::format("GPU-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", h1 >> 32, (h1 >> 16) & 0xffff,
                       h1 & 0xffff, h2 >> 48, h2 & 0xffffffffffffULL);
  }
  // The two lines the driver prints before a fatal Xid.
  void header(std::string_view pci) const {
    line(fmt::format("NVRM: GPU at PCI:{}: {}", pci, uuid(pci)));
    line(fmt::format("NVRM: GPU Board Serial Number: 1652{:09}",
                     kernel_node_hash(pci, kernel_node_hash(node)) % 1'000'000'000ULL));
  }

  // An application-level Xid from process (pid, name): the bodies each driver generation
  // prints for it.
  void app_xid(std::string_view pci, unsigned code, std::int64_t p, std::string_view name) const {
    switch (code) {
      case 13:
        if (b.chance(1, 2)) {
          const std::int64_t gpc = b.uniform(0, 7);
          const std::int64_t tpc = b.uniform(0, 8);
          const std::int64_t sm = b.uniform(0, 1);
          xid(pci, 13, p, name,
              fmt::format("Graphics SM Warp Exception on (GPC {}, TPC {}, SM {}): Out Of Range "
                          "Address",
                          gpc, tpc, sm),
              true);
        } else {
          const std::int64_t esr = b.uniform(0, 255);
          xid(pci, 13, p, name,
              fmt::format("Graphics Exception: ESR 0x5{0:02x}648=0x102000e 0x5{0:02x}650=0x0 "
                          "0x5{0:02x}644=0xd3eff2 0x5{0:02x}64c=0x17f",
                          esr),
              true);
        }
        break;
      case 31: {
        const std::int64_t ch = b.uniform(8, 255);
        if (b.chance(1, 4)) {
          // Old drivers: no pid/name, and "intr 10000000".
          line(
              fmt::format("NVRM: Xid ({}): 31, Ch {:08x}, intr 10000000. MMU Fault: ENGINE "
                          "GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f2b_3c000000. Fault is of type "
                          "FAULT_PDE ACCESS_TYPE_READ",
                          where(pci), ch));
          break;
        }
        const std::int64_t client = b.uniform(0, 15);
        const std::int64_t high = b.uniform(0, 255);
        const std::int64_t low = b.uniform(0, 0xffff) << 16;
        xid(pci, 31, p, name,
            fmt::format("Ch {:08x}, intr 00000000. MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_{} "
                        "faulted @ 0x7f{:02x}_{:08x}. Fault is of type FAULT_PDE "
                        "ACCESS_TYPE_VIRT_READ",
                        ch, client, high, low),
            true);
        break;
      }
      case 43:
        xid(pci, 43, p, name, fmt::format("Ch {:08x}", b.uniform(8, 255)), true);
        break;
      case 45:
        xid(pci, 45, p, name, fmt::format("Ch {:08x}", b.uniform(8, 255)), true);
        break;
      default:
        // NVSentinel's line (pkg/xid/parser/csv_test.go); the catalog: RESTART_APP.
        xid(pci, 69, p, name,
            fmt::format("Class Error: ChId {:04x}, Class 0000cbc0, Offset 00000184, Data "
                        "ffffffff, ErrorCode 00000004",
                        b.uniform(1, 255)),
            true);
        break;
    }
  }

  // Argument evaluation order is unspecified: the pid is drawn before the name explicitly so
  // the stream is the same whatever the compiler.
  void app_xid_from_new_process(std::string_view pci, unsigned code) const {
    const std::int64_t p = pid();
    const std::string_view name = process();
    app_xid(pci, code, p, name);
  }

  unsigned app_code() const {
    constexpr std::array<unsigned, 7> codes = {13, 13, 31, 31, 43, 45, 69};
    return b.pick(std::span<const unsigned>(codes));
  }

  // ---- Healthy episodes ----

  // A healthy GPU runs one long job at a time (here: a new one every hour), so one job's bugs
  // do not look like every job failing on the GPU.
  std::uint64_t job_hash(std::string_view pci) const {
    const auto hour = static_cast<std::uint64_t>(b.now() / (3600 * ns_per_second));
    return kernel_node_hash(pci, kernel_node_hash(node) ^ (hour * 0x9e3779b97f4a7c15ULL));
  }

  void benign_driver_line() const {
    constexpr std::array<std::string_view, 4> lines = {
        "NVRM: loading NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024",
        "NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build  "
        "(dvs-builder@U16-I3-B03-4-3)  Fri Aug 16 21:42:42 UTC 2024",
        "NVRM: Persistence mode is deprecated and will be removed in a future release. Please use "
        "nvidia-persistenced instead.",
        "NVRM: The NVIDIA probe routine was not called for 1 device(s)."};
    line(b.pick(std::span<const std::string_view>(lines)));
  }

  // A non-fatal NVSwitch error (NVSentinel pkg/sxid/sxid_handler_test.go; gpud sxid/kmsg.go):
  // link error rates and single-bit ECC, which NVSwitch systems log now and then.
  void nonfatal_sxid() const {
    constexpr std::array<std::string_view, 3> bodies = {
        "RX Short Error Rate", "MC TS crumbstore MCTO (First)", "single bit ECC error (First)"};
    constexpr std::array<unsigned, 3> codes = {20009, 28006, 11012};
    const auto k = static_cast<std::size_t>(b.uniform(0, 2));
    const std::int64_t sw = b.uniform(0, 3);
    line(fmt::format("nvidia-nvswitch{}: SXid (PCI:0000:{:02x}:00.0): {}, Non-fatal, Link {:02} {}",
                     sw, 0x05 + sw, codes[k], b.uniform(0, 63), bodies[k]));
  }

  // The shortened forms real logs carry: a PCI function, no body, a line cut after the pid
  // (NVSentinel pkg/xid/parser/csv_test.go).
  void shortened_xid() const {
    const std::string_view pci = gpu();
    const std::int64_t form = b.uniform(0, 2);
    if (form == 0) {
      // Drawn one at a time: the order in which a call's arguments are evaluated is unspecified
      // (GCC and Clang differ), and the stream must be the same under both.
      const std::int64_t channel = b.uniform(8, 255);
      const std::string_view name = process();
      const std::int64_t p = pid();
      line(fmt::format("NVRM: Xid (PCI:{}.0): 43, pid={}, name={}, Ch {:08x}", pci, p, name,
                       channel));
    } else if (form == 1)
      line(fmt::format("NVRM: Xid (PCI:{}): 43", pci));
    else
      line(fmt::format("NVRM: Xid (PCI:{}): 31, pid={}", pci, pid()));
  }

  void healthy() const {
    if (exporter && b.chance(1, 5)) {
      healthy_gauge();
      return;
    }
    const std::int64_t r = b.uniform(0, 99);
    if (r < 37) {
      benign_driver_line();
    } else if (r < 40) {
      nonfatal_sxid();
    } else if (r < 42) {
      shortened_xid();
    } else if (r < 88) {
      // A workload bug: an application Xid (Ctrl-C'd jobs print 45) from the GPU's current job.
      const std::string_view pci = gpu();
      const std::uint64_t job = job_hash(pci);
      app_xid(pci, app_code(), 2'000 + static_cast<std::int64_t>(job % 3'990'000),
              process_names[job % process_names.size()]);
    } else if (r < 96) {
      // After a maintenance reset the driver reports that no action is needed any more.
      xid_bare(gpu(), 154,
               "GPU recovery action changed from 0x1 (GPU Reset Required) to 0x0 (None)");
    } else {
      // Very old drivers: no "PCI:" and no process context.
      const std::string_view pci = gpu();
      line(fmt::format("NVRM: Xid ({}): 43, Ch {:08x}", pci, b.uniform(8, 255)));
    }
  }

  // ---- Faulty episodes ----

  void bus_fault() const {
    const std::string_view pci = gpu();
    header(pci);
    if (b.chance(7, 10)) {
      xid_any(pci, 79, "GPU has fallen off the bus.");
    }
    const std::int64_t form = b.uniform(0, 9);
    if (form < 6) {
      line(fmt::format("NVRM: GPU {}.0: GPU has fallen off the bus.", pci));
    } else if (form < 7) {
      // Without the domain (gpud xid/kmsg_test.go).
      line(fmt::format("NVRM: GPU {}.0: GPU has fallen off the bus.",
                       pci.substr(pci.find(':') + 1)));
    } else {
      // The three-line record (gpud xid/kmsg.go, RegexNVRMFallenOffBusMultiline).
      line(fmt::format("NVRM: The NVIDIA GPU {}.0", pci));
      line(fmt::format("NVRM: (PCI ID: 10de:{}) installed in this system has",
                       grace ? "2941" : "2330"));
      line("NVRM: fallen off the bus and is not responding to commands.");
    }
    pause();
    if (b.chance(1, 2))
      xid_bare(pci, 154,
               b.chance(1, 2)
                   ? "GPU recovery action changed from 0x0 (None) to 0x2 (Node Reboot Required)"
                   : "GPU recovery action changed from 0x0 (None) to 0x2 (OS Reboot)");
    // The processes on the GPU are torn down.
    const std::int64_t victims = b.uniform(0, 3);
    for (std::int64_t i = 0; i < victims; ++i) {
      pause(50);
      const std::int64_t p = pid();
      const std::string_view name = process();
      xid(pci, 45, p, name,
          fmt::format("Ch {:08x}, Preemptive cleanup caused by previous Xid 79",
                      b.uniform(8, 255)));
    }
  }

  void memory_fault() const {
    const std::string_view pci = gpu();
    header(pci);
    const std::int64_t kind = b.uniform(0, 9);
    if (kind < 5) {
      const std::int64_t partition = b.uniform(0, 15);
      const std::int64_t sub = b.uniform(0, 1);
      xid_any(pci, 48,
              fmt::format("An uncorrectable double bit error (DBE) has been detected on GPU in "
                          "the framebuffer at partition {}, subpartition {}.",
                          partition, sub));
      if (b.chance(1, 2)) xid_bare(pci, 171, "Uncorrectable DRAM error detected.");
      pause();
      if (b.chance(3, 4))
        xid_any(pci, 63,
                fmt::format("Row Remapper: New row (0x{:016x}) marked for remapping, reset gpu "
                            "to activate.",
                            b.uniform(0x100000, 0xffffff)));
      else
        xid_any(pci, 64,
                fmt::format("Row Remapper Error: Failed to remap row (0x{:016x}), no spare rows "
                            "left in bank.",
                            b.uniform(0x100000, 0xffffff)));
    } else if (kind < 8) {
      xid_any(pci, 95, "Uncontained: LTC TAG (0x2,0x0). RST: Yes, D-RST: No");
    } else {
      // Contained errors: the GPU keeps working; three make a burst.
      for (int i = 0; i < 3; ++i) {
        const std::int64_t p = pid();
        xid(pci, 94, p, process(), "Contained: SM (0x1). RST: No, D-RST: No");
        pause();
      }
    }
    if (b.chance(1, 2)) {
      pause();
      xid_bare(pci, 154,
               b.chance(1, 2)
                   ? "GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)"
                   : "GPU recovery action changed from 0x0 (None) to 0x4 (Drain and Reset)");
    }
  }

  // The same GPU fails different jobs: suspected hardware.
  void app_storm() const {
    const std::string_view pci = gpu();
    const std::int64_t jobs = b.uniform(2, 4);
    for (std::int64_t j = 0; j < jobs; ++j) {
      app_xid_from_new_process(pci, b.chance(1, 2) ? 13u : 31u);
      b.advance(b.uniform(1, 30) * ns_per_second);
    }
  }

  // An application error, then the hardware error behind it.
  void app_then_hardware() const {
    const std::string_view pci = gpu();
    app_xid_from_new_process(pci, b.chance(1, 2) ? 31u : 13u);
    b.advance(b.uniform(1, 60) * ns_per_second);
    const std::int64_t kind = b.uniform(0, 2);
    if (kind == 0)
      xid_any(pci, 48,
              "An uncorrectable double bit error (DBE) has been detected on GPU in the "
              "framebuffer at partition 3, subpartition 1.");
    else if (kind == 1)
      xid_bare(pci, 119,
               fmt::format("Timeout after 6s of waiting for RPC response from GPU{} GSP! Expected "
                           "function 76 (GSP_RM_CONTROL) (0x20800a6a 0x4).",
                           b.uniform(0, 7)));
    else
      xid_any(pci, 92, "High single-bit ECC error rate detected.");
  }

  // One job spewing Xid 13 lines: a burst, not hardware.
  void single_job_burst() const {
    const std::string_view pci = gpu();
    const std::int64_t p = pid();
    const std::string_view name = process();
    const std::int64_t n = b.uniform(3, 6);
    for (std::int64_t i = 0; i < n; ++i) {
      app_xid(pci, 13, p, name);
      pause(20);
    }
  }

  void nvlink_fault() const {
    const std::string_view pci = gpu();
    if (grace) {
      // NVLink5 (Blackwell): sub component, fatal flag, cross-contain, injected, link.
      constexpr std::array<unsigned, 7> codes = {144, 145, 146, 147, 148, 149, 150};
      // Units as the driver prints them (gpud xid/nvlink_logs_test.go).
      constexpr std::array<std::string_view, 7> units = {
          "SAW_MVB",          "RLW_REMAP",      "TLW_RX/TLW_RX_PIPE0", "TREX",
          "NVLPW_CTRL/NVLPW", "NETIR_LINK_EVT", "MSE_WATCHDOG"};
      const std::int64_t n = b.uniform(1, 4);
      for (std::int64_t i = 0; i < n; ++i) {
        const auto k = static_cast<std::size_t>(b.uniform(0, 6));
        const bool fatal = b.chance(1, 3);
        const std::int64_t link = b.uniform(0, 17);
        const std::int64_t intr = b.uniform(1, 0xff);
        const std::int64_t status = b.uniform(1, 0xff);
        // NETIR_LINK_EVT lines pad their words (NVSentinel's "NETIR_LINK_EVT  Fatal   XC0").
        const bool padded = k == 5;
        xid_bare(pci, codes[k],
                 fmt::format("{}{}{}{}XC0 i0 Link {:02} (0x{:08x} 0x{:08x} 0x00000000 0x00000000 "
                             "0x00000000 0x00000000)",
                             units[k], padded ? "  " : " ", fatal ? "Fatal" : "Nonfatal",
                             padded ? "   " : " ", link, intr, status));
        pause(100);
      }
    } else if (b.chance(1, 5)) {
      const std::int64_t p = pid();
      xid(pci, 137, p, process(),
          "NVLink: FLA privilege error on link 2, remote MMU reported illegal access");
    } else {
      xid_any(pci, 74,
              fmt::format("NVLink: fatal error detected on link {}(0x0, 0x0, 0x10000, 0x0, 0x0, "
                          "0x0, 0x0)",
                          b.uniform(0, 17)));
    }
  }

  void gsp_fault() const {
    const std::string_view pci = gpu();
    header(pci);
    xid_bare(pci, 119,
             "Timeout after 6s of waiting for RPC response from GPU1 GSP! Expected function 76 "
             "(GSP_RM_CONTROL) (0x2080014b 0x5).");
    pause();
    if (b.chance(1, 2))
      xid_unknown(pci, 120, "GSP task exception: task 1 raised error code 0x5 for reason 0x0");
    if (b.chance(1, 2))
      xid_bare(pci, 154, "GPU recovery action changed from 0x0 (None) to 0x1 (PF FLR)");
  }

  void microcontroller_fault() const {
    const std::string_view pci = gpu();
    if (b.chance(1, 2)) {
      xid_any(pci, 62, "0cb0(1f20) 00000000 00000000");
    } else {
      xid_any(pci, 61, "0cec(2ef8) 00000000 00000000");
      xid_bare(pci, 172, "Uncorrectable SRAM error detected.");
      xid_bare(pci, 154, "GPU recovery action changed from 0x0 (None) to 0x3 (Drain P2P)");
    }
  }

  // One Xid whose catalog resolution is a GPU reset or a VM restart
  // (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
  void catalog_reset() const {
    struct reset_case {
      unsigned code;
      std::string_view body;
    };
    constexpr std::array<reset_case, 10> cases = {{
        {46, ""},  // NVSentinel's body-less line
        {109, "Ch 00000010, errorString CTX SWITCH TIMEOUT, Info 0x3c046"},
        {110, "Security Fault Error"},
        {136, "Link Training Failed"},
        {140, "An unrecoverable ECC error escaped containment"},
        {143, "GPU Initialization Error"},
        {151, "Key rotation Error"},
        {155, "NVLINK: SW Defined Error"},
        {156, "Resource Retirement Event"},
        {158, "GPU Fatal Timeout"},
    }};
    const reset_case& c = cases[static_cast<std::size_t>(b.uniform(0, 9))];
    const std::string_view pci = gpu();
    if (c.body.empty()) {
      saw(pci, c.code);
      line(fmt::format("NVRM: Xid (PCI:{}): {}", pci, c.code));
    } else
      xid_any(pci, c.code, c.body);
  }

  // Xids the catalog sends to a person (or does not list): rare, and never silent.
  void unexpected_xid() const {
    const std::int64_t k = b.uniform(0, 2);
    if (k == 0)
      xid_bare(gpu(), 54, "Auxiliary power is not connected to the GPU board");
    else if (k == 1)
      xid_bare(gpu(), 167, "PCIE_FATAL_TIMEOUT");
    else
      xid_any(gpu(), 173, "Unknown error");
  }

  // A fatal NVSwitch error (NVSentinel pkg/sxid/sxid_handler_test.go; gpud sxid/kmsg.go).
  void sxid_fault() const {
    const std::int64_t sw = b.uniform(0, 3);
    if (b.chance(1, 2))
      line(
          fmt::format("nvidia-nvswitch{}: SXid (PCI:0000:{:02x}:00.0): 24007, Fatal, Link {:02} "
                      "sourcetrack timeout error (First)",
                      sw, 0xc3 + sw, b.uniform(0, 63)));
    else
      line(
          fmt::format("nvidia-nvswitch{}: SXid (PCI:0000:{:02x}:00.0): 20034, Fatal, Link {:02} "
                      "LTSSM Fault Up",
                      sw, 0xc3 + sw, b.uniform(0, 63)));
  }

  // ---- dcgm-exporter's DCGM_FI_DEV_XID_ERRORS ----

  // The index of an HGX GPU (its place on the baseboard, as DCGM numbers it).
  static int gpu_number(std::string_view pci) {
    for (std::size_t i = 0; i < hgx_gpu_bdfs.size(); ++i)
      if (hgx_gpu_bdfs[i].substr(0, hgx_gpu_bdfs[i].rfind('.')) == pci) return static_cast<int>(i);
    return -1;
  }

  // One GPU's line (one per GPU instance under MIG) of a scrape, in the node's label layout.
  void gauge(int gpu, unsigned value) const {
    const internal::dcgm_node hw = internal::dcgm_node_for(node);
    internal::emit_dcgm_sample(b, node, hw, "DCGM_FI_DEV_XID_ERRORS", gpu, value,
                               internal::dcgm_model_name(hw.model), false);
  }

  // A healthy GPU's gauge: none, or the application Xid some earlier job left in it (the gauge
  // keeps the last Xid until the GPU or the exporter is reset).
  void healthy_gauge() const {
    const int gpu = static_cast<int>(b.uniform(0, internal::dcgm_node_for(node).gpus - 1));
    const std::uint64_t h = internal::dcgm_hash(node, 0x1d0 + static_cast<std::uint64_t>(gpu));
    constexpr std::array<unsigned, 16> stale = {43, 13, 31, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    gauge(gpu, stale[h % stale.size()]);
  }

  // The exporter's next collection (every 30 s by default) after the fault's kernel lines
  // shows its last Xid, and a later one the same value again.
  void gauge_after_fault() const {
    const int gpu = gpu_number(last_pci);
    if (gpu < 0 || b.chance(1, 3)) return;
    b.advance(b.uniform(1, 30) * ns_per_second);
    gauge(gpu, last_code);
    if (b.chance(1, 2)) {
      b.advance(30 * ns_per_second);
      gauge(gpu, last_code);
    }
  }

  // A node whose kernel log is not collected: the exporter alone shows the fault.
  void exporter_only_fault() const {
    constexpr std::array<unsigned, 8> codes = {79, 48, 94, 119, 74, 63, 13, 31};
    const int gpu = static_cast<int>(b.uniform(0, internal::dcgm_node_for(node).gpus - 1));
    gauge(gpu, 0);
    b.advance(30 * ns_per_second);
    gauge(
        gpu,
        codes[static_cast<std::size_t>(b.uniform(0, static_cast<std::int64_t>(codes.size()) - 1))]);
  }

  void faulty() const {
    if (exporter && b.chance(1, 25)) {
      exporter_only_fault();
      return;
    }
    faulty_kernel();
    if (exporter && last_code != 0) gauge_after_fault();
  }

  void faulty_kernel() const {
    const std::int64_t r = b.uniform(0, 99);
    if (r < 18)
      bus_fault();
    else if (r < 31)
      memory_fault();
    else if (r < 44)
      app_storm();
    else if (r < 55)
      app_then_hardware();
    else if (r < 64)
      single_job_burst();
    else if (r < 73)
      nvlink_fault();
    else if (r < 81)
      gsp_fault();
    else if (r < 85)
      microcontroller_fault();
    else if (r < 91)
      catalog_reset();
    else if (r < 93)
      unexpected_xid();
    else if (r < 97)
      sxid_fault();
    else
      healthy();
  }
};

prefix_style pick_style(stream_builder& b) {
  const std::int64_t r = b.uniform(0, 99);
  if (r < 15) return prefix_style::raw;
  if (r < 45) return prefix_style::uptime;
  if (r < 55) return prefix_style::dmesg_t;
  if (r < 65) return prefix_style::iso;
  if (r < 70) return prefix_style::decode;
  if (r < 85) return prefix_style::syslog;
  if (r < 95) return prefix_style::journald;
  return prefix_style::bare;
}

}  // namespace

void generate_xid_correlation_episode(stream_builder& b) {
  const std::string_view node = b.random_node();
  const prefix_style style = pick_style(b);
  const bool grace = internal::is_grace_node(node);
  const episode e{b, node, style, grace, b.chance(1, 50), exporter_scraped(node, grace), 0, {}};
  if (b.faulty())
    e.faulty();
  else
    e.healthy();
}

}  // namespace detectors
