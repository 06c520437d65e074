// File: xid_correlation_parse.cpp
// NVIDIA's Xid catalog (the subset the xid_correlation detector acts on) and a hand-written,
// allocation-free parser for the NVRM kernel messages it reads. No regex: every kernel line of
// every node reaches the cheap "NVRM: " check, and the NVRM ones reach this parser.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "detectors/xid_correlation.h"
#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

using internal::consume;
using internal::has_prefix;

// ---- Catalog --------------------------------------------------------------------------------

using cat = xid_category;
using act = action;

// Sorted by code. Actions follow NVIDIA's "Resolution Bucket (Immediate Action)" where it is a
// single step; `hardware` marks codes that implicate the GPU rather than the workload. 137 is
// catalogued under NVLink but is an illegal peer access reported by the remote MMU, i.e. the
// application's fault, so it is not hardware evidence.
constexpr std::array<xid_catalog_entry, 28> catalog = {{
    {13, cat::application, false, false, act::observe, "Graphics Engine Exception"},
    {31, cat::application, false, false, act::observe, "GPU memory page fault"},
    {43, cat::application, false, false, act::observe, "GPU stopped processing"},
    {45, cat::application, false, false, act::observe,
     "Preemptive cleanup, due to previous errors"},
    {48, cat::memory, true, true, act::reset_gpu, "Double-bit ECC error (DBE)"},
    {61, cat::microcontroller, false, true, act::reset_gpu, "Micro-controller breakpoint/warning"},
    {62, cat::microcontroller, false, true, act::reset_gpu, "Micro-controller halt"},
    {63, cat::memory, false, true, act::reset_gpu, "ECC page retirement / row remap recorded"},
    {64, cat::memory, true, true, act::replace_gpu, "ECC page retirement / row remap failure"},
    {74, cat::nvlink, true, true, act::reset_gpu, "NVLink error"},
    {79, cat::bus, true, true, act::drain_node, "GPU has fallen off the bus"},
    {92, cat::memory, false, true, act::observe, "High single-bit ECC error rate"},
    {94, cat::memory, false, true, act::reset_gpu, "Contained ECC error"},
    {95, cat::memory, true, true, act::reset_gpu, "Uncontained ECC error"},
    {109, cat::application, false, false, act::observe, "Context switch timeout"},
    {119, cat::gsp, true, true, act::reset_gpu, "GSP RPC timeout"},
    {120, cat::gsp, true, true, act::reset_gpu, "GSP error"},
    {137, cat::nvlink, false, false, act::observe, "NVLink FLA privilege error"},
    {144, cat::nvlink, false, true, act::check_network, "NVLink SAW error"},
    {145, cat::nvlink, false, true, act::check_network, "NVLink RLW error"},
    {146, cat::nvlink, false, true, act::check_network, "NVLink TLW error"},
    {147, cat::nvlink, false, true, act::check_network, "NVLink TREX error"},
    {148, cat::nvlink, false, true, act::check_network, "NVLink NVLPW control error"},
    {149, cat::nvlink, false, true, act::check_network, "NVLink NETIR error"},
    {150, cat::nvlink, false, true, act::check_network, "NVLink MSE error"},
    {154, cat::recovery, false, false, act::observe, "GPU recovery action changed"},
    {171, cat::memory, false, true, act::reset_gpu, "Uncorrectable DRAM error"},
    {172, cat::memory, false, true, act::reset_gpu, "Uncorrectable SRAM error"},
}};

static_assert(std::is_sorted(catalog.begin(), catalog.end(),
                             [](const auto& a, const auto& b) { return a.code < b.code; }));

// ---- Scanning helpers -----------------------------------------------------------------------

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr unsigned hex_value(char c) noexcept {
  return is_digit(c) ? static_cast<unsigned>(c - '0')
                     : static_cast<unsigned>((c | 0x20) - 'a' + 10);
}

// Consumes 1..max_digits decimal digits that are not followed by another digit.
bool consume_uint(std::string_view& s, std::size_t max_digits, std::uint64_t& out) noexcept {
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (++i > max_digits) return false;
    v = v * 10 + static_cast<unsigned>(s[i - 1] - '0');
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

// "DDDD:BB:DD": a 4..8 hex-digit domain (Grace/GB200 and VMD systems print non-zero and wide
// domains), bus and device. Returns the length, or 0.
std::size_t pci_length(std::string_view s) noexcept {
  std::size_t d = 0;
  while (d < s.size() && d < 9 && is_hex(s[d]))
    ++d;
  if (d < 4 || d > 8) return 0;
  if (s.size() < d + 6 || s[d] != ':' || !is_hex(s[d + 1]) || !is_hex(s[d + 2]) ||
      s[d + 3] != ':' || !is_hex(s[d + 4]) || !is_hex(s[d + 5]))
    return 0;
  if (s.size() > d + 6 && is_hex(s[d + 6])) return 0;
  return d + 6;
}

bool consume_pci(std::string_view& s, std::string_view& pci) noexcept {
  const std::size_t n = pci_length(s);
  if (n == 0) return false;
  pci = s.substr(0, n);
  s.remove_prefix(n);
  return true;
}

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

nvrm_line malformed() noexcept {
  nvrm_line x;
  x.kind = nvrm_kind::malformed;
  return x;
}

// "GPU recovery action changed from 0x0 (None) to 0x1 (GPU Reset Required)". The value is
// authoritative (its wording varies: "OS Reboot", "PF FLR"); the text is the fallback.
gpu_recovery parse_recovery(std::string_view body) noexcept {
  const std::size_t changed = body.find("recovery action changed");
  if (changed == std::string_view::npos) return gpu_recovery::unknown;
  std::string_view s = body.substr(changed);
  const std::size_t to = s.find(" to ");
  if (to == std::string_view::npos) return gpu_recovery::unknown;
  s.remove_prefix(to + 4);
  if (consume(s, "0x") || consume(s, "0X")) {
    unsigned v = 0;
    std::size_t i = 0;
    while (i < s.size() && i < 8 && is_hex(s[i]))
      v = v * 16 + hex_value(s[i++]);
    if (i > 0 && v <= 7) return static_cast<gpu_recovery>(v + 1);
  }
  struct named {
    std::string_view text;
    gpu_recovery value;
  };
  static constexpr std::array<named, 10> names = {{
      {"Drain and Reset", gpu_recovery::drain_and_reset},
      {"Drain P2P", gpu_recovery::drain_p2p},
      {"GPU Reset", gpu_recovery::gpu_reset},
      {"PF FLR", gpu_recovery::gpu_reset},
      {"Node Reboot", gpu_recovery::node_reboot},
      {"OS Reboot", gpu_recovery::node_reboot},
      {"IMEX", gpu_recovery::recover_imex},
      {"Bus Reset", gpu_recovery::bus_reset},
      {"System Reboot", gpu_recovery::system_reboot},
      {"None", gpu_recovery::none},
  }};
  for (const auto& n : names)
    if (s.find(n.text) != std::string_view::npos) return n.value;
  return gpu_recovery::unknown;
}

// After "NVRM: Xid".
nvrm_line parse_xid(std::string_view s) noexcept {
  nvrm_line x;
  if (!consume(s, " (")) return malformed();
  consume(s, "PCI:");  // very old drivers print "Xid (0000:03:00)"
  if (!consume_pci(s, x.pci)) return malformed();
  std::uint64_t n = 0;
  if (has_prefix(s, " GPU-I:")) {
    s.remove_prefix(7);
    const std::string_view start = s;
    if (!consume_uint(s, 3, n)) return malformed();
    x.gpu_instance = start.substr(0, start.size() - s.size());
    if (has_prefix(s, " GPU-CI:")) {
      s.remove_prefix(8);
      const std::string_view ci = s;
      if (!consume_uint(s, 3, n)) return malformed();
      x.compute_instance = ci.substr(0, ci.size() - s.size());
    }
  }
  if (!consume(s, "):")) return malformed();
  consume(s, " ");
  // The comma matters: without it a truncated "79" and "7" cannot be told apart.
  if (!consume_uint(s, 3, n) || !consume(s, ",")) return malformed();
  x.code = static_cast<unsigned>(n);
  consume(s, " ");
  if (consume(s, "pid=")) {
    if (!(consume(s, "'<unknown>'") || consume(s, "<unknown>"))) {
      if (!consume_uint(s, 10, n)) return malformed();
      x.pid = static_cast<std::int64_t>(n);
    }
    if (!consume(s, ", name=")) return malformed();
    const std::size_t end = s.find(", ");
    x.process_name = s.substr(0, end);
    s = end == std::string_view::npos ? std::string_view{} : s.substr(end + 2);
  }
  x.body = trim_right(s);
  const std::size_t prev = x.body.find("previous Xid ");
  if (prev != std::string_view::npos) {
    std::string_view cause = x.body.substr(prev + 13);
    if (consume_uint(cause, 3, n)) x.caused_by = static_cast<unsigned>(n);
  }
  if (x.code == 154) x.recovery = parse_recovery(x.body);
  x.kind = nvrm_kind::xid;
  return x;
}

// After "NVRM: GPU ".
nvrm_line parse_gpu(std::string_view s) noexcept {
  nvrm_line x;
  if (consume(s, "at ")) {
    // "GPU at PCI:0000:3b:00: GPU-2f6e5b1a-1c2d-3e4f-5a6b-7c8d9e0f1a2b"
    consume(s, "PCI:");
    if (!consume_pci(s, x.pci) || !consume(s, ": ")) return malformed();
    s = trim_right(s);
    constexpr std::size_t uuid_len = 4 + 36;
    if (s.size() != uuid_len || !has_prefix(s, "GPU-")) return malformed();
    for (char c : s.substr(4))
      if (!is_hex(c) && c != '-') return malformed();
    x.uuid = s;
    x.kind = nvrm_kind::gpu_header;
    return x;
  }
  if (consume(s, "Board Serial Number:")) {
    s = trim_right(s);
    while (!s.empty() && s.front() == ' ')
      s.remove_prefix(1);
    if (s.empty() || s.size() > 32) return malformed();
    for (char c : s)
      if (!is_hex(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) return malformed();
    x.serial = s;
    x.kind = nvrm_kind::board_serial;
    return x;
  }
  // "GPU 0000:3b:00.0: GPU has fallen off the bus." Other "GPU <bdf>: ..." messages are not
  // ours; a truncated fallen-off-the-bus text is.
  if (!consume_pci(s, x.pci)) return x;
  if (s.size() < 2 || s[0] != '.' || !is_digit(s[1])) return x;
  s.remove_prefix(2);
  if (!consume(s, ": ")) return x;
  constexpr std::string_view fallen = "GPU has fallen off the bus";
  if (s.starts_with(fallen)) {
    x.body = trim_right(s);
    x.code = 79;
    x.kind = nvrm_kind::fallen_off_bus;
    return x;
  }
  if (!s.empty() && fallen.starts_with(s)) return malformed();
  return nvrm_line{};
}

}  // namespace

std::string_view to_string(xid_category c) noexcept {
  switch (c) {
    case xid_category::application:
      return "application";
    case xid_category::memory:
      return "memory";
    case xid_category::nvlink:
      return "nvlink";
    case xid_category::bus:
      return "bus";
    case xid_category::gsp:
      return "gsp";
    case xid_category::microcontroller:
      return "microcontroller";
    case xid_category::recovery:
      return "recovery";
    case xid_category::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(gpu_recovery r) noexcept {
  switch (r) {
    case gpu_recovery::unknown:
      return "unknown";
    case gpu_recovery::none:
      return "none";
    case gpu_recovery::gpu_reset:
      return "GPU reset required";
    case gpu_recovery::node_reboot:
      return "node reboot required";
    case gpu_recovery::drain_p2p:
      return "drain P2P";
    case gpu_recovery::drain_and_reset:
      return "drain and reset";
    case gpu_recovery::recover_imex:
      return "recover IMEX domain";
    case gpu_recovery::bus_reset:
      return "bus reset";
    case gpu_recovery::system_reboot:
      return "system reboot";
  }
  return "unknown";
}

xid_catalog_entry classify_xid(unsigned code) noexcept {
  const auto it =
      std::lower_bound(catalog.begin(), catalog.end(), code,
                       [](const xid_catalog_entry& e, unsigned c) { return e.code < c; });
  if (it != catalog.end() && it->code == code) return *it;
  xid_catalog_entry other;
  other.code = static_cast<std::uint16_t>(code);
  other.description = "Xid outside the catalog subset";
  return other;
}

nvrm_line parse_nvrm_message(std::string_view message) noexcept {
  std::string_view s = message;
  if (!consume(s, "NVRM: ")) return nvrm_line{};
  if (consume(s, "Xid")) return parse_xid(s);
  if (consume(s, "GPU ")) return parse_gpu(s);
  return nvrm_line{};
}

}  // namespace detectors
