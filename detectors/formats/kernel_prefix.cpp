// File: kernel_prefix.cpp
// Prefix recognition for kernel log lines: a small hand-written scanner (no regex: this runs
// for every kernel line on every node, and std::regex both allocates and is slow).
#include "detectors/kernel_prefix.h"

#include <cstddef>
#include <cstdint>

#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_lower(char c) noexcept {
  return c >= 'a' && c <= 'z';
}

// The first three characters of a name as one number, so that recognising a month or weekday
// is one switch rather than a loop of string compares: it runs on every line that starts with
// a capital letter (every syslog line, and DCGM metrics start with 'D' like "Dec").
constexpr std::uint32_t code3(char a, char b, char c) noexcept {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(a)) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b)) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(c));
}
constexpr std::uint32_t code3(std::string_view s) noexcept {
  return code3(s[0], s[1], s[2]);
}

[[gnu::always_inline]] inline bool is_month(std::string_view s) noexcept {
  // Month names start with A, D, F, J, M, N, O or S: most text is rejected before the switch.
  if (s.size() < 3 || s[0] < 'A' || s[0] > 'S') return false;
  switch (code3(s)) {
    case code3("Jan"):
    case code3("Feb"):
    case code3("Mar"):
    case code3("Apr"):
    case code3("May"):
    case code3("Jun"):
    case code3("Jul"):
    case code3("Aug"):
    case code3("Sep"):
    case code3("Oct"):
    case code3("Nov"):
    case code3("Dec"):
      return true;
    default:
      return false;
  }
}

[[gnu::always_inline]] inline bool is_weekday(std::string_view s) noexcept {
  if (s.size() < 3) return false;
  switch (code3(s)) {
    case code3("Mon"):
    case code3("Tue"):
    case code3("Wed"):
    case code3("Thu"):
    case code3("Fri"):
    case code3("Sat"):
    case code3("Sun"):
      return true;
    default:
      return false;
  }
}

// "hh:mm:ss" at s[0..8)
[[gnu::always_inline]] inline bool is_clock(std::string_view s) noexcept {
  return s.size() >= 8 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':' && is_digit(s[3]) &&
         is_digit(s[4]) && s[5] == ':' && is_digit(s[6]) && is_digit(s[7]);
}

// "[  219.470994] ", "[Fri Aug 30 11:43:09 2024] " or a redacted "[...] "; returns the length
// consumed or 0.
std::size_t bracket_prefix(std::string_view s) noexcept {
  if (s.size() < 3 || s[0] != '[') return 0;
  const std::size_t close = s.find(']');
  if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ' ') return 0;
  const std::string_view inside = s.substr(1, close - 1);
  std::size_t i = 0;
  while (i < inside.size() && inside[i] == ' ')
    ++i;
  // An uptime is digits, one '.', digits: "219.470994".
  const char* const end = inside.data() + inside.size();
  const char* const digits = inside.data() + i;
  const char* dot = digits;
  while (dot != end && is_digit(*dot))
    ++dot;
  bool uptime = dot != digits && dot != end && *dot == '.';
  if (uptime) {
    const char* p = dot + 1;
    while (p != end && is_digit(*p))
      ++p;
    uptime = p == end;
  }
  // "Fri Aug 30 11:43:09 2024" is 24 characters.
  const bool wall = inside.size() == 24 && is_weekday(inside) && inside[3] == ' ' &&
                    is_month(inside.substr(4)) && is_clock(inside.substr(11));
  // Logs pasted into bug reports and peers' fixtures replace the timestamp with "..."
  // ("[...] NVRM: Xid (0000:03:00): 14, ..." in leptonai/gpud
  // components/accelerator/nvidia/xid/kmsg_test.go).
  const bool redacted = inside == "...";
  return uptime || wall || redacted ? close + 2 : 0;
}

// "2024-11-15T12:02:03,470068+00:00 "
std::size_t iso_prefix(std::string_view s) noexcept {
  if (s.size() < 20 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
      s[4] != '-' || s[7] != '-' || s[10] != 'T' || !is_clock(s.substr(11)))
    return 0;
  const std::size_t space = s.find(' ', 19);
  return space == std::string_view::npos ? 0 : space + 1;
}

// "kern  :warn  : " (dmesg --decode): facility, padding, ':', level, padding, ': '.
std::size_t decode_prefix(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && i <= 8 && is_lower(s[i]))
    ++i;
  if (i == 0 || i > 8) return 0;
  while (i < s.size() && s[i] == ' ')
    ++i;
  if (i >= s.size() || s[i] != ':') return 0;
  ++i;
  const std::size_t level_start = i;
  while (i < s.size() && is_lower(s[i]))
    ++i;
  if (i == level_start || i - level_start > 6) return 0;
  while (i < s.size() && s[i] == ' ')
    ++i;
  if (i + 1 >= s.size() || s[i] != ':' || s[i + 1] != ' ') return 0;
  return i + 2;
}

// "Dec  2 11:38:47 host kernel: " (syslog and journalctl short). Sets host.
std::size_t syslog_prefix(std::string_view s, std::string_view& host) noexcept {
  // "Mmm dd hh:mm:ss " is 16 characters (day padded with a space).
  if (s.size() < 16 || !is_month(s) || s[3] != ' ' || !is_clock(s.substr(7)) || s[15] != ' ')
    return 0;
  // Host names are short: a loop, not a memchr call. (Views are built unchecked: every
  // position is inside s.)
  std::size_t host_end = 16;
  while (host_end < s.size() && s[host_end] != ' ')
    ++host_end;
  if (host_end == s.size() || host_end == 16) return 0;
  const std::string_view tag(s.data() + host_end + 1, s.size() - host_end - 1);
  if (!internal::has_prefix(tag, "kernel: ")) return 0;
  host = std::string_view(s.data() + 16, host_end - 16);
  return host_end + 1 + 8;
}

}  // namespace

kernel_line strip_kernel_prefix(std::string_view line) noexcept {
  kernel_line out{line, {}};
  // Prefixes stack (syslog + dmesg uptime, decode + uptime); peel until none matches.
  for (int guard = 0; guard < 4; ++guard) {
    std::string_view& m = out.message;
    std::size_t n = 0;
    if (m.empty()) break;
    const char c = m[0];
    if (c == '[') {
      n = bracket_prefix(m);
    } else if (is_digit(c)) {
      n = iso_prefix(m);
    } else if (is_lower(c)) {
      n = c == 'k' && internal::has_prefix(m, "kernel: ") ? 8 : decode_prefix(m);
    } else if (is_month(m)) {
      n = syslog_prefix(m, out.host);
    }
    if (n == 0) break;
    m.remove_prefix(n);
  }
  return out;
}

}  // namespace detectors
