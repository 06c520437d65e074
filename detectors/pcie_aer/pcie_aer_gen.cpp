// File: pcie_aer_gen.cpp
// Episodes of PCIe AER kernel output for the pcie_aer detector: native multi-line records as
// each kernel generation prints them (id=XXXX before 4.19, bare device lines until 5.8, "AER: "
// on every line after, "Correctable ... error message received from" since 6.10), APEI
// firmware-first "[Hardware Error]" dumps with the kernel's re-logging, and the kernel log
// prefixes of the tools that read them. Healthy periods carry benign AER/PCI lines and the odd
// isolated corrected error; faulty periods carry corrected-error storms, uncorrected errors and
// fatal errors followed by the GPU falling off the bus (Xid 79).
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "corpus/internal/kernel_gen_common.h"
#include "detectors/corpus.h"

namespace detectors {
namespace {

using internal::gb200_gpu_bdfs;
using internal::hgx_gpu_bdfs;
using internal::kernel_node_hash;
using prefix_style = internal::kernel_prefix_style;

// How each kernel generation prints a native AER record.
enum class kernel_gen {
  v3_id,  // "error received: id=00e5", "id=00e5(Receiver ID)", long bit names
  v4_19,  // "error received: 0000:3b:00.0", device lines without "AER: "
  v5_8,   // "AER: " on every line
  v6_10,  // "Correctable error message received from", "Uncorrectable (Fatal)", 0x TLP words
};

// One error type: its status bit, the layer and agent the kernel derives from it, and its name
// in current and pre-4.19 kernels.
struct error_type {
  int bit;
  std::string_view layer;
  std::string_view agent;
  std::string_view name;
  std::string_view old_name;
  bool fatal_by_default;  // set in the default uncorrectable severity register (0x00062030)
};

constexpr std::array<error_type, 6> corrected_types = {{
    {0, "Physical Layer", "Receiver ID", "RxErr", "Receiver Error", false},
    {6, "Data Link Layer", "Receiver ID", "BadTLP", "Bad TLP", false},
    {7, "Data Link Layer", "Receiver ID", "BadDLLP", "Bad DLLP", false},
    {8, "Data Link Layer", "Transmitter ID", "Rollover", "RELAY_NUM Rollover", false},
    {12, "Data Link Layer", "Transmitter ID", "Timeout", "Replay Timer Timeout", false},
    {13, "Transaction Layer", "Receiver ID", "NonFatalErr", "Advisory Non-Fatal", false},
}};

constexpr std::array<error_type, 8> uncorrected_types = {{
    {14, "Transaction Layer", "Requester ID", "CmpltTO", "Completion Timeout", false},
    {20, "Transaction Layer", "Requester ID", "UnsupReq", "Unsupported Request", false},
    {12, "Transaction Layer", "Requester ID", "TLP", "Poisoned TLP", false},
    {16, "Transaction Layer", "Requester ID", "UnxCmplt", "Unexpected Completion", false},
    {15, "Transaction Layer", "Completer ID", "CmpltAbrt", "Completer Abort", false},
    {18, "Transaction Layer", "Receiver ID", "MalfTLP", "Malformed TLP", true},
    {4, "Data Link Layer", "Receiver ID", "DLP", "Data Link Protocol", true},
    {5, "Data Link Layer", "Receiver ID", "SDES", "Surprise Down Error", true},
}};

constexpr std::uint32_t default_uncor_severity = 0x00062030;
// Uncorrectable errors for which the device logs the TLP header.
constexpr std::uint32_t tlp_logging_bits = 1U << 12 | 1U << 15 | 1U << 16 | 1U << 18 | 1U << 20;

enum class severity_class { corrected, nonfatal, fatal };

struct device_ref {
  std::string driver;  // "nvidia", "mlx5_core", "nvme", "pcieport"
  std::string bdf;
  std::uint16_t vendor = 0, device = 0;
  std::string_view class_code;  // firmware dumps
  std::string_view port_type;
  std::string root_port;
};

class episode {
 public:
  explicit episode(stream_builder& b)
      : b_(b),
        node_(b.random_node()),
        grace_(internal::is_grace_node(node_)),
        style_(pick_style()),
        gen_(pick_gen()) {}

  void healthy() {
    // An isolated corrected error now and then (a healthy link sees a few a day; episodes come
    // every few tens of milliseconds, so this must stay well under the storm rate per device).
    if (b_.chance(1, 25)) {
      const device_ref d = any_device();
      const error_type& t = corrected_type();
      if (b_.chance(1, 6)) {
        firmware_record(d, severity_class::corrected, t);
      } else {
        native_record(d, severity_class::corrected, t, false);
      }
    } else if (b_.chance(1, 6)) {
      replay_sample(gpu_device(), 0);
    } else {
      benign_lines();
    }
  }

  void faulty() {
    const std::int64_t roll = b_.uniform(0, 99);
    if (roll < 35) {
      corrected_storm();
    } else if (roll < 60) {
      uncorrected(false);
    } else if (roll < 80) {
      uncorrected(true);
    } else if (roll < 88) {
      replay_storm();
    } else {
      // A flaky NIC link: a few corrected errors, then an uncorrected non-fatal one.
      const device_ref nic = nic_device();
      const auto n = b_.uniform(1, 4);
      for (std::int64_t i = 0; i < n; ++i) {
        native_record(nic, severity_class::corrected, corrected_type(), false);
        b_.advance(b_.uniform(200, 3000) * 1'000'000);
      }
      native_record(nic, severity_class::nonfatal, uncorrected_types[1], false);
    }
  }

 private:
  stream_builder& b_;
  std::string_view node_;
  bool grace_;
  prefix_style style_;
  kernel_gen gen_;

  prefix_style pick_style() {
    static constexpr std::array<prefix_style, 8> styles = {
        prefix_style::raw,    prefix_style::uptime, prefix_style::dmesg_t,  prefix_style::iso,
        prefix_style::decode, prefix_style::syslog, prefix_style::journald, prefix_style::bare};
    // Mostly what log shippers collect (journald, syslog, dmesg uptime); the rest now and then.
    const std::int64_t roll = b_.uniform(0, 99);
    if (roll < 30) return prefix_style::journald;
    if (roll < 50) return prefix_style::syslog;
    if (roll < 70) return prefix_style::uptime;
    return b_.pick(std::span<const prefix_style>(styles));
  }

  // A node runs one kernel: its generation is a function of the node's name.
  kernel_gen pick_gen() const {
    const auto roll = static_cast<std::int64_t>(kernel_node_hash(node_) / 4 % 100);
    if (roll < 10) return kernel_gen::v3_id;
    if (roll < 35) return kernel_gen::v4_19;
    if (roll < 80) return kernel_gen::v5_8;
    return kernel_gen::v6_10;
  }

  std::string prefix() const {
    return internal::kernel_log_prefix(style_, b_.now(), node_, "kern  :err   : ");
  }

  void line(std::string_view text) { b_.emit(node_, source::kernel, prefix() + std::string(text)); }

  // The kernel prints a record's lines within microseconds of each other.
  void tick() { b_.advance(b_.uniform(5, 300) * 1000); }

  // --- devices ------------------------------------------------------------------------------

  device_ref gpu_device() {
    device_ref d;
    d.driver = "nvidia";
    d.class_code = "030200";
    d.port_type = "0, PCIe end point";
    d.vendor = 0x10de;
    if (grace_) {
      d.bdf = b_.pick(std::span<const std::string_view>(gb200_gpu_bdfs));
      d.device = 0x2941;  // GB200
      d.root_port = d.bdf.substr(0, 5) + "00:00.0";
    } else {
      d.bdf = b_.pick(std::span<const std::string_view>(hgx_gpu_bdfs));
      static constexpr std::array<std::uint16_t, 3> ids = {0x2330, 0x2335, 0x20b2};
      d.device = ids[kernel_node_hash(node_) % ids.size()];  // H100 / H200 / A100 80GB, per node
      const unsigned bus = std::stoul(d.bdf.substr(5, 2), nullptr, 16);
      d.root_port = fmt::format("0000:{:02x}:01.0", bus - 3);
    }
    return d;
  }

  device_ref nic_device() {
    device_ref d;
    d.driver = "mlx5_core";
    d.class_code = "020700";
    d.port_type = "0, PCIe end point";
    d.vendor = 0x15b3;
    d.device = 0x1021;  // ConnectX-7
    static constexpr std::array<std::string_view, 4> nics = {"0000:1a:00.0", "0000:3c:00.0",
                                                             "0000:9c:00.0", "0000:bc:00.0"};
    d.bdf = b_.pick(std::span<const std::string_view>(nics));
    const unsigned bus = std::stoul(d.bdf.substr(5, 2), nullptr, 16);
    d.root_port = fmt::format("0000:{:02x}:01.0", bus - 5);
    return d;
  }

  device_ref root_port_device() {
    device_ref d = gpu_device();
    d.driver = "pcieport";
    d.bdf = d.root_port;
    d.class_code = "060400";
    d.port_type = "4, root port";
    d.vendor = grace_ ? 0x10de : 0x8086;
    d.device = grace_ ? 0x22b1 : 0x352a;
    return d;
  }

  device_ref any_device() {
    const std::int64_t roll = b_.uniform(0, 99);
    if (roll < 70) return gpu_device();
    if (roll < 85) return nic_device();
    if (roll < 95) return root_port_device();
    device_ref d;
    d.driver = "nvme";
    d.class_code = "010802";
    d.port_type = "0, PCIe end point";
    d.vendor = 0x144d;
    d.device = 0xa80a;
    d.bdf = "0000:e4:00.0";
    d.root_port = "0000:e3:01.0";
    return d;
  }

  const error_type& corrected_type() {
    const std::int64_t roll = b_.uniform(0, 99);
    if (roll < 55) return corrected_types[0];
    if (roll < 70) return corrected_types[1];
    if (roll < 82) return corrected_types[2];
    if (roll < 88) return corrected_types[3];
    if (roll < 96) return corrected_types[4];
    return corrected_types[5];
  }

  static std::uint32_t requester_id(std::string_view bdf) {
    // bus << 8 | device << 3 | function, from "DDDD:BB:DD.F".
    const std::size_t c = bdf.find(':');
    const auto bus = std::stoul(std::string(bdf.substr(c + 1, 2)), nullptr, 16);
    const auto dev = std::stoul(std::string(bdf.substr(c + 4, 2)), nullptr, 16);
    const auto fn = std::stoul(std::string(bdf.substr(c + 7, 1)), nullptr, 16);
    return static_cast<std::uint32_t>(bus << 8 | dev << 3 | fn);
  }

  std::string_view severity_name(severity_class s) const {
    const bool v6 = gen_ == kernel_gen::v6_10;
    switch (s) {
      case severity_class::corrected:
        return v6 ? "Correctable" : "Corrected";
      case severity_class::nonfatal:
        return v6 ? "Uncorrectable (Non-Fatal)" : "Uncorrected (Non-Fatal)";
      case severity_class::fatal:
        return v6 ? "Uncorrectable (Fatal)" : "Uncorrected (Fatal)";
    }
    return {};
  }

  std::string tlp_words() {
    const bool hex_prefix = gen_ == kernel_gen::v6_10;
    std::string out;
    for (int i = 0; i < 4; ++i) {
      const auto w = static_cast<std::uint32_t>(b_.next());
      if (i != 0) out += ' ';
      if (hex_prefix) out += "0x";
      out += fmt::format("{:08x}", w);
    }
    return out;
  }

  // --- records ------------------------------------------------------------------------------

  // A native AER record: root-port notice, header, status, bit lines, TLP header.
  void native_record(const device_ref& d, severity_class sev, const error_type& t, bool multiple) {
    const bool corrected = sev == severity_class::corrected;
    const std::uint32_t id = requester_id(d.bdf);
    const std::string_view tag =
        gen_ == kernel_gen::v5_8 || gen_ == kernel_gen::v6_10 ? "AER: " : "";
    const std::string_view mult = multiple ? "Multiple " : "";
    switch (gen_) {
      case kernel_gen::v3_id:
        line(fmt::format("pcieport {}: AER: {}{} error received: id={:04x}", d.root_port, mult,
                         severity_name(sev), id));
        break;
      case kernel_gen::v4_19:
      case kernel_gen::v5_8:
        line(fmt::format("pcieport {}: AER: {}{} error received: {}", d.root_port, mult,
                         severity_name(sev), d.bdf));
        break;
      case kernel_gen::v6_10:
        line(fmt::format("pcieport {}: AER: {}{} error message received from {}", d.root_port, mult,
                         severity_name(sev), d.bdf));
        break;
    }
    tick();
    // 1 in 20 records is captured with the device name only (a serial console, a tool quoting
    // dev_name(); the kernel howto's own example): "0000:3b:00.0: PCIe Bus Error: ...".
    const std::string who = b_.chance(1, 20) ? fmt::format("{}: ", d.bdf)
                                             : fmt::format("{} {}: {}", d.driver, d.bdf, tag);
    if (gen_ == kernel_gen::v3_id) {
      line(fmt::format("{}PCIe Bus Error: severity={}, type={}, id={:04x}({})", who,
                       severity_name(sev), t.layer, id, t.agent));
    } else {
      line(fmt::format("{}PCIe Bus Error: severity={}, type={}, ({})", who, severity_name(sev),
                       t.layer, t.agent));
    }
    std::uint32_t status = 1U << t.bit;
    std::uint32_t mask = 0;
    if (corrected) {
      // A bad link often shows Bad TLP/DLLP together with receiver errors.
      if (t.bit == 0 && b_.chance(1, 5)) status |= 1U << 6;
      static constexpr std::array<std::uint32_t, 3> masks = {0x00002000, 0x0000e000, 0x00000000};
      mask = b_.pick(std::span<const std::uint32_t>(masks));
      if ((mask & status) != 0) mask = 0;  // a masked error is not reported at all
    } else if (b_.chance(1, 4)) {
      mask = 0x00100000;  // ACS violations masked
      if (t.bit == 20) mask = 0;
    }
    tick();
    line(fmt::format("{}  device [{:04x}:{:04x}] error status/mask={:08x}/{:08x}", who, d.vendor,
                     d.device, status, mask));
    for (int bit = 0; bit < 32; ++bit) {
      if (((status & ~mask) >> bit & 1U) == 0) continue;
      std::string_view name = bit == t.bit ? (gen_ == kernel_gen::v3_id ? t.old_name : t.name)
                                           : (gen_ == kernel_gen::v3_id ? "Bad TLP" : "BadTLP");
      tick();
      line(fmt::format("{}   [{:2}] {:<22}{}", who, bit, name, bit == t.bit ? " (First)" : ""));
    }
    if (gen_ == kernel_gen::v3_id && b_.chance(1, 3)) {
      line(fmt::format("{} {}:   Error of this Agent({:04x}) is reported first", d.driver, d.bdf,
                       id));
    }
    if (!corrected && ((status & tlp_logging_bits) != 0 || b_.chance(1, 3))) {
      tick();
      line(fmt::format("{}  TLP Header: {}", who, tlp_words()));
    }
  }

  // An APEI firmware-first dump, then (unless it is fatal: the kernel panics) the kernel's
  // re-logging of it through aer_recover_queue.
  void firmware_record(const device_ref& d, severity_class sev, const error_type& t) {
    const bool corrected = sev == severity_class::corrected;
    // A fatal error often panics the node before anything reaches its logs: 1 in 3 is seen only
    // after the reboot, as a BERT record (no source line, no "{N}" sequence).
    const bool bert = sev == severity_class::fatal && b_.chance(1, 3);
    const std::string pfx = !bert && b_.chance(6, 7)
                                ? fmt::format("{{{}}}[Hardware Error]: ", b_.uniform(1, 4000))
                                : std::string("[Hardware Error]: ");
    const std::string_view word = corrected                      ? "corrected"
                                  : sev == severity_class::fatal ? "fatal"
                                                                 : "recoverable";
    if (bert) {
      line("BERT: Error records from previous boot:");
    } else {
      line(pfx + fmt::format("Hardware error from APEI Generic Hardware Error Source: {}",
                             b_.uniform(0, 3)));
    }
    if (corrected) line(pfx + "It has been corrected by h/w and requires no further action");
    line(pfx + fmt::format("event severity: {}", word));
    line(pfx + fmt::format(" Error 0, type: {}", word));
    line(pfx + "  section_type: PCIe error");
    line(pfx + fmt::format("  port_type: {}", d.port_type));
    line(pfx + "  version: 3.0");
    line(pfx + "  command: 0x0547, status: 0x0010");
    line(pfx + fmt::format("  device_id: {}", d.bdf));
    line(pfx + "  slot: 0");
    line(pfx + "  secondary_bus: 0x00");
    line(pfx + fmt::format("  vendor_id: 0x{:04x}, device_id: 0x{:04x}", d.vendor, d.device));
    line(pfx + fmt::format("  class_code: {}", d.class_code));
    const std::uint32_t status = 1U << t.bit;
    const std::uint32_t mask = corrected && (status & 0x00002000) == 0 ? 0x00002000 : 0;
    if (!corrected) {
      line(pfx +
           fmt::format("  aer_uncor_status: 0x{:08x}, aer_uncor_mask: 0x{:08x}", status, mask));
      line(pfx + fmt::format("  aer_uncor_severity: 0x{:08x}", default_uncor_severity));
      line(pfx + fmt::format("  TLP Header: {}", tlp_words()));
    } else if (b_.chance(1, 2)) {
      line(pfx + fmt::format("  aer_cor_status: 0x{:08x}, aer_cor_mask: 0x{:08x}", status, mask));
    }
    if (sev == severity_class::fatal) {
      if (!bert) line("Kernel panic - not syncing: Fatal hardware error!");
      return;
    }
    b_.advance(b_.uniform(1, 50) * 1'000'000);
    const std::string who = fmt::format("{} {}: AER: ", d.driver, d.bdf);
    line(fmt::format("{}aer_status: 0x{:08x}, aer_mask: 0x{:08x}", who, status, mask));
    line(fmt::format("{}   [{:2}] {:<22} (First)", who, t.bit, t.name));
    line(fmt::format("{}aer_layer={}, aer_agent={}", who, t.layer, t.agent));
    if (!corrected) {
      line(fmt::format("{}aer_uncor_severity: 0x{:08x}", who, default_uncor_severity));
      line(fmt::format("pcieport {}: AER: device recovery successful", d.root_port));
    }
  }

  // --- episodes -----------------------------------------------------------------------------

  void corrected_storm() {
    const device_ref d = b_.chance(4, 5) ? gpu_device() : any_device();
    const bool firmware = b_.chance(1, 8);
    const error_type& t = corrected_type();
    const auto n = b_.uniform(10, 16);
    for (std::int64_t i = 0; i < n; ++i) {
      if (firmware) {
        firmware_record(d, severity_class::corrected, t);
      } else {
        native_record(d, severity_class::corrected, t, b_.chance(1, 6));
      }
      b_.advance(b_.uniform(500, 3000) * 1'000'000);
    }
  }

  void uncorrected(bool fatal) {
    const device_ref d = b_.chance(4, 5) ? gpu_device() : any_device();
    const error_type& t = fatal ? uncorrected_types[static_cast<std::size_t>(b_.uniform(5, 7))]
                                : uncorrected_types[static_cast<std::size_t>(b_.uniform(0, 4))];
    const severity_class sev = fatal ? severity_class::fatal : severity_class::nonfatal;
    if (b_.chance(1, 5)) {
      firmware_record(d, sev, t);
      return;
    }
    native_record(d, sev, t, b_.chance(1, 10));
    tick();
    if (!fatal) {
      line(fmt::format("pcieport {}: AER: device recovery successful", d.root_port));
      return;
    }
    line(fmt::format("pcieport {}: AER: Root Port link has been reset", d.root_port));
    if (d.driver == "nvidia") {
      line(fmt::format("nvidia {}: AER: can't recover (no error_detected callback)", d.bdf));
    }
    line(fmt::format("pcieport {}: AER: device recovery failed", d.root_port));
    if (d.driver != "nvidia" || !b_.chance(7, 10)) return;
    // The GPU falls off the bus: the driver notices on its next register access.
    b_.advance(b_.uniform(50, 5000) * 1'000'000);
    const std::string_view pci = std::string_view(d.bdf).substr(0, d.bdf.size() - 2);
    if (b_.chance(1, 2)) {
      line(
          fmt::format("NVRM: Xid (PCI:{}): 79, pid='<unknown>', name=<unknown>, GPU has fallen "
                      "off the bus.",
                      pci));
    } else {
      line(fmt::format("NVRM: Xid (PCI:{}): 79, GPU has fallen off the bus.", pci));
    }
    line(fmt::format("NVRM: GPU {}: GPU has fallen off the bus.", d.bdf));
  }

  // dcgm-exporter's DCGM_FI_DEV_PCIE_REPLAY_COUNTER for `d`, scraped now. A healthy GPU's
  // counter creeps up with time (about one replay in ten minutes, the same for every episode
  // that samples it); `extra` adds the replays of a bad spell.
  void replay_sample(const device_ref& d, std::int64_t extra) {
    std::string bus = fmt::format("0000{}", d.bdf);
    for (char& c : bus)
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 32);
    const std::uint64_t hash = kernel_node_hash(d.bdf);
    const std::int64_t value =
        static_cast<std::int64_t>(hash % 5000) + b_.now() / (600 * ns_per_second) % 100000 + extra;
    b_.emit(node_, source::dcgm,
            fmt::format("DCGM_FI_DEV_PCIE_REPLAY_COUNTER{{gpu=\"{}\",UUID=\"GPU-{:08x}-{:04x}\","
                        "pci_bus_id=\"{}\",device=\"nvidia{}\",modelName=\"NVIDIA H100 80GB "
                        "HBM3\",Hostname=\"{}\"}} {}",
                        hash % 8, hash >> 32, hash & 0xffff, bus, hash % 8, node_, value));
  }

  // A degrading link: the replay counter of one GPU climbs for a couple of minutes of scrapes.
  void replay_storm() {
    const device_ref d = gpu_device();
    const auto scrapes = b_.uniform(4, 10);
    std::int64_t extra = b_.uniform(1000, 9000);
    for (std::int64_t i = 0; i < scrapes; ++i) {
      replay_sample(d, extra);
      extra += b_.uniform(3, 60);
      b_.advance(15 * ns_per_second);
    }
  }

  void benign_lines() {
    const device_ref gpu = gpu_device();
    switch (b_.uniform(0, 6)) {
      case 0:
        line(fmt::format("pcieport {}: AER: enabled with IRQ {}", gpu.root_port,
                         b_.uniform(24, 200)));
        break;
      case 1:
        line(fmt::format("pcieport {}: PME: Signaling with IRQ {}", gpu.root_port,
                         b_.uniform(24, 200)));
        break;
      case 2:
        line(fmt::format("pci {}: [{:04x}:{:04x}] type 00 class 0x{}", gpu.bdf, gpu.vendor,
                         gpu.device, gpu.class_code));
        break;
      case 3:
        line(fmt::format("nvidia {}: enabling device (0000 -> 0002)", gpu.bdf));
        break;
      case 4:
        line(
            fmt::format("pci {}: 252.048 Gb/s available PCIe bandwidth, limited by 16.0 GT/s "
                        "PCIe x16 link at {} (capable of 504.112 Gb/s with 32.0 GT/s PCIe x16 "
                        "link)",
                        gpu.bdf, gpu.root_port));
        break;
      case 5:
        line("mce: [Hardware Error]: Machine check events logged");
        break;
      default:
        line(fmt::format("pcieport {}: AER: Device recovery successful", gpu.root_port));
        break;
    }
  }
};

}  // namespace

void generate_pcie_aer_episode(stream_builder& b) {
  episode e(b);
  if (b.faulty()) {
    e.faulty();
  } else {
    e.healthy();
  }
}

}  // namespace detectors
