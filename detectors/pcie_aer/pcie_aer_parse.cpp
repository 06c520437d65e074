// File: pcie_aer_parse.cpp
// Line parser for the pcie_aer detector: classifies one kernel message (prefix already
// stripped) as a line of an AER record, of a firmware-first "[Hardware Error]" dump, an Xid 79,
// or none of these, and extracts its fields. A hand-written scanner: it runs on every kernel line
// of every node, and most lines must be rejected after a handful of byte compares.
//
// Strictness is deliberate: fixed-width fields the kernel prints with %08x / %04x must have all
// their digits, so that a line truncated in the middle of a number is reported as malformed
// rather than parsed into a wrong value.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detectors/pcie_aer.h"
#include "formats/internal/literal_prefix.h"

namespace detectors::internal {
namespace {

// Literal prefixes: literal_prefix.h; the overload below is for prefixes known at run time.
using internal::consume;
using internal::has_prefix;

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Hex digit values by byte, -1 for a non-digit: one load per character where a chain of range
// checks cost three compares (BDFs, status words and ids are hex).
constexpr std::array<std::int8_t, 256> hex_values = [] {
  std::array<std::int8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= '0' && c <= '9') {
      t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      t[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'A' + 10);
    } else {
      t[static_cast<std::size_t>(c)] = -1;
    }
  }
  return t;
}();

constexpr int hex_value(char c) noexcept {
  return hex_values[static_cast<unsigned char>(c)];
}

bool consume(std::string_view& s, std::string_view prefix) noexcept {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

std::string_view trim_left(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  return s;
}

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// Exactly n hex digits (n <= 8).
bool hex_fixed(std::string_view& s, std::size_t n, std::uint32_t& out) noexcept {
  if (s.size() < n) return false;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int d = hex_value(s[i]);
    if (d < 0) return false;
    v = v << 4 | static_cast<std::uint32_t>(d);
  }
  s.remove_prefix(n);
  out = v;
  return true;
}

bool hex16(std::string_view& s, std::uint16_t& out) noexcept {
  std::uint32_t v = 0;
  if (!hex_fixed(s, 4, v)) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

// Decimal digits, at most max_digits of them.
bool decimal(std::string_view& s, std::size_t max_digits, std::uint32_t& out) noexcept {
  std::size_t i = 0;
  std::uint32_t v = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (i == max_digits) return false;
    v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  s.remove_prefix(i);
  out = v;
  return true;
}

// Length of a PCI address "DDDD:BB:DD.F" at the start of s, or 0. The domain is %04x, so it may
// be longer than four digits (VMD domains are 10000 and up).
std::size_t bdf_length(std::string_view s) noexcept {
  // The shortest address is 12 characters: the domain scan below needs no bound check.
  if (s.size() < 12) return 0;
  std::size_t i = 0;
  while (i < 8 && hex_value(s[i]) >= 0)
    ++i;
  if (i < 4 || s.size() < i + 8) return 0;
  const std::string_view r = s.substr(i);
  if (r[0] != ':' || hex_value(r[1]) < 0 || hex_value(r[2]) < 0 || r[3] != ':' ||
      hex_value(r[4]) < 0 || hex_value(r[5]) < 0 || r[6] != '.' || r[7] < '0' || r[7] > '7')
    return 0;
  // Device numbers are five bits.
  if (hex_value(r[4]) > 1) return 0;
  return i + 8;
}

// A whole (right-trimmed) field that is exactly a BDF.
bool exact_bdf(std::string_view s, std::string_view& out) noexcept {
  s = trim_right(s);
  const std::size_t n = bdf_length(s);
  if (n == 0 || n != s.size()) return false;
  out = s;
  return true;
}

// The severity names of every kernel generation: "Uncorrected (Non-Fatal)", "Uncorrected
// (Fatal)", "Uncorrectable (Non-Fatal)", "Uncorrectable (Fatal)", "Corrected", "Correctable".
// Matched piece by piece (every device line of a record reaches here): s is consumed only when
// a whole name matches.
bool severity_name(std::string_view& s, aer_severity& out) noexcept {
  std::string_view t = s;
  aer_severity sev = aer_severity::unknown;
  if (consume(t, "Uncorrect")) {
    if (!consume(t, "ed (") && !consume(t, "able (")) return false;
    if (consume(t, "Non-Fatal)")) {
      sev = aer_severity::nonfatal;
    } else if (consume(t, "Fatal)")) {
      sev = aer_severity::fatal;
    } else {
      return false;
    }
  } else if (consume(t, "Correct")) {
    if (!consume(t, "ed") && !consume(t, "able")) return false;
    sev = aer_severity::corrected;
  } else {
    return false;
  }
  s = t;
  out = sev;
  return true;
}

// CPER severity words (cper_severity_str): informational errors need no action, like corrected.
bool cper_severity_word(std::string_view s, aer_severity& out) noexcept {
  s = trim_right(s);
  if (s == "corrected" || s == "info") {
    out = aer_severity::corrected;
  } else if (s == "recoverable") {
    out = aer_severity::nonfatal;
  } else if (s == "fatal") {
    out = aer_severity::fatal;
  } else {
    return false;
  }
  return true;
}

// "0xSSSSSSSS, <mask_key>: 0xMMMMMMMM"
bool status_and_mask(std::string_view s, std::string_view mask_key, aer_line& out) noexcept {
  if (!consume(s, "0x") || !hex_fixed(s, 8, out.status) || !consume(s, ", ") ||
      !consume(s, mask_key) || !consume(s, ": 0x") || !hex_fixed(s, 8, out.mask))
    return false;
  return trim_right(s).empty();
}

aer_line malformed() noexcept {
  aer_line l;
  l.kind = aer_line_kind::malformed;
  return l;
}

// "PCIe Bus Error: severity=<sev>, type=<layer>, [id=XXXX](<agent>)" after the token.
aer_line parse_header(std::string_view s, aer_line out) noexcept {
  s = trim_left(s);
  if (!consume(s, "severity=") || !severity_name(s, out.sev) || !consume(s, ", type="))
    return malformed();
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos || comma == 0) return malformed();
  out.layer = s.substr(0, comma);
  s = trim_left(s.substr(comma + 1));
  if (consume(s, "id=")) {
    std::uint16_t id = 0;
    if (!hex16(s, id)) return malformed();
    s = trim_left(s);
  }
  s = trim_right(s);
  if (s.size() < 3 || s.front() != '(' || s.back() != ')') return malformed();
  out.agent = s.substr(1, s.size() - 2);
  out.kind = aer_line_kind::header;
  return out;
}

// "[Multiple ]<sev> error received: <BDF>|id=XXXX" or, since 6.10,
// "[Multiple ]<sev> error message received from <BDF>".
aer_line parse_notice(std::string_view s, aer_line out) noexcept {
  if (consume(s, " error received: ")) {
    if (consume(s, "id=")) {
      if (!hex16(s, out.source_id) || !trim_right(s).empty()) return malformed();
      out.kind = aer_line_kind::notice;
      return out;
    }
  } else if (!consume(s, " error message received from ")) {
    return malformed();
  }
  if (!exact_bdf(s, out.source)) return malformed();
  out.kind = aer_line_kind::notice;
  return out;
}

// "device [vvvv:dddd] error status/mask=SSSSSSSS/MMMMMMMM" after "device [".
aer_line parse_status(std::string_view s, aer_line out) noexcept {
  if (!hex16(s, out.vendor) || !consume(s, ":") || !hex16(s, out.device) ||
      !consume(s, "] error status/mask=") || !hex_fixed(s, 8, out.status) || !consume(s, "/") ||
      !hex_fixed(s, 8, out.mask) || !trim_right(s).empty())
    return malformed();
  out.kind = aer_line_kind::status;
  return out;
}

// "[%2d] %-22s[ (First)]" after the '['. Other bracketed text after a device prefix is not
// ours ("pci 0000:3b:00.0: [10de:2330] type 00 class 0x030200"); a line cut inside the bracket
// is.
aer_line parse_bit(std::string_view s, aer_line out) noexcept {
  s = trim_left(s);
  std::uint32_t bit = 0;
  if (s.empty()) return malformed();
  if (!decimal(s, 2, bit)) return aer_line{};
  if (s.empty()) return malformed();
  if (!consume(s, "]")) return aer_line{};
  if (bit > 31) return malformed();
  const std::string_view name = trim_right(trim_left(s));
  if (name.empty() || s.empty() || s.front() != ' ') return malformed();
  out.bit = static_cast<int>(bit);
  out.first = name.ends_with("(First)");
  out.kind = aer_line_kind::bit;
  return out;
}

aer_line parse_cper_layer(std::string_view s, aer_line out) noexcept {
  const std::size_t sep = s.find(", aer_agent=");
  if (sep == std::string_view::npos || sep == 0) return malformed();
  out.layer = s.substr(0, sep);
  out.agent = trim_right(s.substr(sep + 12));
  if (out.agent.empty()) return malformed();
  out.kind = aer_line_kind::cper_layer;
  return out;
}

// "<driver> <BDF>: [AER: ]<body>", the dev_printk form of every native AER line, or
// "<BDF>: <body>" without the driver: the form of the kernel's own example record
// (Documentation/PCI/pcieaer-howto.rst, "AER error output": "0000:50:00.0: PCIe Bus Error:
// severity=Uncorrectable (Fatal), ..."), which tools and console captures that print only
// dev_name() reproduce.
aer_line parse_device_line(std::string_view m) noexcept {
  aer_line out;
  std::string_view s = m;
  // Most lines start with a driver name: a bare address starts with four hex digits.
  std::size_t n =
      m.size() >= 12 && hex_value(m[0]) >= 0 && hex_value(m[3]) >= 0 ? bdf_length(s) : 0;
  if (n == 0 || s.size() < n + 1 || s[n] != ':') {
    const std::size_t space = m.find(' ');
    if (space == std::string_view::npos || space == 0 || space > 64) return out;
    s = m.substr(space + 1);
    n = bdf_length(s);
  }
  if (n == 0 || s.size() < n + 1 || s[n] != ':') return out;
  out.bdf = s.substr(0, n);
  s = trim_left(s.substr(n + 1));
  if (consume(s, "AER:")) s = trim_left(s);

  if (consume(s, "PCIe Bus Error:")) return parse_header(s, out);
  {
    std::string_view t = s;
    out.multiple = consume(t, "Multiple ");
    if (severity_name(t, out.sev)) return parse_notice(t, out);
    // A notice cut inside its severity ("Uncorrected (Fa").
    if (out.multiple || has_prefix(t, "Uncorrect") || has_prefix(t, "Correct")) return malformed();
    out.sev = aer_severity::unknown;
  }
  if (consume(s, "device [")) return parse_status(s, out);
  if (s.size() >= 2 && s[0] == '[' && (s[1] == ' ' || is_digit(s[1])))
    return parse_bit(s.substr(1), out);
  if (has_prefix(s, "TLP Header:")) {
    out.kind = aer_line_kind::tlp_header;
    return out;
  }
  if (has_prefix(s, "Error of this Agent")) {
    out.kind = aer_line_kind::continuation;
    return out;
  }
  if (consume(s, "aer_status: ")) {
    if (!status_and_mask(s, "aer_mask", out)) return malformed();
    out.kind = aer_line_kind::cper_status;
    return out;
  }
  if (consume(s, "aer_layer=")) return parse_cper_layer(s, out);
  if (consume(s, "aer_uncor_severity: ")) {
    if (!consume(s, "0x") || !hex_fixed(s, 8, out.status) || !trim_right(s).empty())
      return malformed();
    out.kind = aer_line_kind::cper_uncor_sev;
    return out;
  }
  return aer_line{};  // another message of the device ("AER: enabled with IRQ 34", ...)
}

// "[{N}][Hardware Error]: <body>" (ghes/cper dumps).
aer_line parse_firmware_line(std::string_view s) noexcept {
  aer_line out;
  if (consume(s, "{")) {
    if (!decimal(s, 10, out.seq) || !consume(s, "}")) return out;
    out.has_seq = true;
  }
  if (!consume(s, "[Hardware Error]:")) return out;
  s = trim_left(s);

  const auto kind = [&](aer_line_kind k) {
    out.kind = k;
    return out;
  };
  if (consume(s, "Hardware error from")) {
    std::uint32_t source = 0;
    if (!consume(s, " APEI Generic Hardware Error Source: ") || !decimal(s, 10, source))
      return malformed();
    return kind(aer_line_kind::fw_begin);
  }
  if (consume(s, "event severity: ")) {
    if (!cper_severity_word(s, out.sev)) return malformed();
    return kind(aer_line_kind::fw_event_severity);
  }
  if (s.size() > 6 && has_prefix(s, "Error ") && is_digit(s[6])) {
    s.remove_prefix(6);
    std::uint32_t section = 0;
    if (!decimal(s, 4, section) || !consume(s, ", type: ") || !cper_severity_word(s, out.sev))
      return malformed();
    return kind(aer_line_kind::fw_section);
  }
  if (consume(s, "section_type: ")) {
    s = trim_right(s);
    if (s.empty()) return malformed();
    out.pcie_section = s == "PCIe error";
    return kind(aer_line_kind::fw_section_type);
  }
  if (consume(s, "device_id: ")) {
    if (!exact_bdf(s, out.bdf)) return malformed();
    return kind(aer_line_kind::fw_device_id);
  }
  if (consume(s, "vendor_id: ")) {
    if (!consume(s, "0x") || !hex16(s, out.vendor) || !consume(s, ", device_id: 0x") ||
        !hex16(s, out.device) || !trim_right(s).empty())
      return malformed();
    return kind(aer_line_kind::fw_vendor);
  }
  if (consume(s, "aer_cor_status: ")) {
    if (!status_and_mask(s, "aer_cor_mask", out)) return malformed();
    return kind(aer_line_kind::fw_cor_status);
  }
  if (consume(s, "aer_uncor_status: ")) {
    if (!status_and_mask(s, "aer_uncor_mask", out)) return malformed();
    return kind(aer_line_kind::fw_uncor_status);
  }
  if (consume(s, "aer_status: ")) {
    if (!status_and_mask(s, "aer_mask", out)) return malformed();
    return kind(aer_line_kind::fw_aer_status);
  }
  if (consume(s, "aer_uncor_severity: ")) {
    if (!consume(s, "0x") || !hex_fixed(s, 8, out.status) || !trim_right(s).empty())
      return malformed();
    return kind(aer_line_kind::fw_uncor_sev);
  }
  if (has_prefix(s, "TLP Header:")) return kind(aer_line_kind::fw_tlp_header);
  return kind(aer_line_kind::fw_other);
}

// "NVRM: Xid (PCI:0000:3b:00[ GPU-I:..]): 79, ..." (old drivers omit "PCI:"). Only code 79
// matters here; every other Xid is xid_correlation's business and is not ours.
aer_line parse_xid(std::string_view s) noexcept {
  aer_line out;
  consume(s, "PCI:");
  std::size_t i = 0;
  while (i < s.size() && (hex_value(s[i]) >= 0 || s[i] == ':'))
    ++i;
  if (i == 0 || i >= s.size() || (s[i] != ')' && s[i] != ' ')) return out;
  const std::string_view pci = s.substr(0, i);
  const std::size_t close = s.find("): ", i);
  if (close == std::string_view::npos) return out;
  s.remove_prefix(close + 3);
  std::uint32_t code = 0;
  if (!decimal(s, 4, code) || code != 79 || !has_prefix(s, ",")) return out;
  out.xid_pci = pci;
  out.kind = aer_line_kind::xid79;
  return out;
}

}  // namespace

aer_line parse_aer_line(std::string_view m) noexcept {
  if (m.empty()) return {};
  // The first byte routes each line to at most one sub-parser, so a foreign line costs a
  // compare or two (plus one memchr for the driver/BDF split).
  if (m[0] == '{' || m[0] == '[') return parse_firmware_line(m);
  if (m[0] == 'N') {
    std::string_view s = m;
    if (consume(s, "NVRM: Xid (")) return parse_xid(s);
    // Fall through: a driver may be called N-something.
  }
  return parse_device_line(m);
}

std::string_view aer_bit_name(bool correctable, int bit) noexcept {
  // The kernel's aer_correctable_error_string / aer_uncorrectable_error_string.
  static constexpr std::array<std::string_view, 32> correctable_names = {
      "RxErr",      "",         "", "", "", "",        "BadTLP",
      "BadDLLP",    "Rollover", "", "", "", "Timeout", "NonFatalErr",
      "CorrIntErr", "HeaderOF", "", "", "", "",        "",
      "",           "",         "", "", "", "",        "",
      "",           "",         "", ""};
  static constexpr std::array<std::string_view, 32> uncorrectable_names = {"Undefined",
                                                                           "",
                                                                           "",
                                                                           "",
                                                                           "DLP",
                                                                           "SDES",
                                                                           "",
                                                                           "",
                                                                           "",
                                                                           "",
                                                                           "",
                                                                           "",
                                                                           "TLP (poisoned)",
                                                                           "FCP",
                                                                           "CmpltTO",
                                                                           "CmpltAbrt",
                                                                           "UnxCmplt",
                                                                           "RxOF",
                                                                           "MalfTLP",
                                                                           "ECRC",
                                                                           "UnsupReq",
                                                                           "ACSViol",
                                                                           "UncorrIntErr",
                                                                           "BlockedTLP",
                                                                           "AtomicOpBlocked",
                                                                           "TLPBlockedErr",
                                                                           "PoisonTLPBlocked",
                                                                           "DMWrReqBlocked",
                                                                           "IDECheck",
                                                                           "MisIDETLP",
                                                                           "PCRC_CHECK",
                                                                           "TLPXlatBlocked"};
  if (bit < 0 || bit > 31) return {};
  const auto i = static_cast<std::size_t>(bit);
  return correctable ? correctable_names[i] : uncorrectable_names[i];
}

}  // namespace detectors::internal
