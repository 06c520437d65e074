// File: kernel_prefix.cpp
// Prefix recognition for kernel log lines, and the time a line's dmesg stamp gives: a small
// hand-written scanner (no regex: this runs for every kernel line on every node, and std::regex
// both allocates and is slow).
#include "detectors/kernel_prefix.h"

#include <cstddef>
#include <cstdint>
#include <limits>

#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;

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

// s without its first n bytes, n <= s.size() (unchecked, unlike substr: no call, no throw).
[[gnu::always_inline]] inline std::string_view tail(std::string_view s, std::size_t n) noexcept {
  return {s.data() + n, s.size() - n};
}

// "hh:mm:ss" at s[0..8)
[[gnu::always_inline]] inline bool is_clock(std::string_view s) noexcept {
  return s.size() >= 8 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':' && is_digit(s[3]) &&
         is_digit(s[4]) && s[5] == ':' && is_digit(s[6]) && is_digit(s[7]);
}

// Whether [p, end) is "digits.digits" (dmesg's "%5ld.%06ld" seconds, any padding removed).
[[gnu::always_inline]] inline bool is_seconds(const char* p, const char* end) noexcept {
  const char* dot = p;
  while (dot != end && is_digit(*dot))
    ++dot;
  if (dot == p || dot == end || *dot != '.') return false;
  ++dot;
  while (dot != end && is_digit(*dot))
    ++dot;
  return dot == end;
}

enum class bracket : std::uint8_t { none, uptime, wall, relative, minute, redacted };

bracket classify_delta(std::string_view inside) noexcept;

// What a dmesg bracket holds (without its brackets), in util-linux dmesg's formats
// (sys-utils/dmesg.c, print_record):
//   uptime    "  219.470994"                default, "[%5ld.%06ld] "
//   wall      "Fri Aug 30 11:43:09 2024"    -T / --ctime, "%a %b %e %H:%M:%S %Y"
//   relative  "  +0.000844", " +12.345678"  -H / --reltime after a minute's first line,
//             "<    0.000844>"              "[  %+8.06f] " / "[ %+9.06f] "; -d alone "[<%12.06f>] "
//   minute    "Dec 6 10:00", "Feb13 23:31"  -H / --reltime, a minute's first line, "%b%e %H:%M"
//   redacted  "..."                         logs pasted into bug reports and peers' fixtures
//             ("[...] NVRM: Xid (0000:03:00): 14, ..." in leptonai/gpud
//             components/accelerator/nvidia/xid/kmsg_test.go)
// An uptime or ctime may carry -d's delta, " <    0.000844>": the stamp is the uptime or ctime.
[[gnu::always_inline]] inline bracket classify(std::string_view inside) noexcept {
  const char* const begin = inside.data();
  const char* const end = begin + inside.size();
  const char* p = begin;
  while (p != end && *p == ' ')
    ++p;
  if (is_seconds(p, end)) return bracket::uptime;
  if (p != end && (*p == '+' || *p == '-') && is_seconds(p + 1, end)) return bracket::relative;
  if (inside.size() == 24 && is_weekday(inside) && inside[3] == ' ' && is_month(tail(inside, 4)) &&
      is_clock(tail(inside, 11)))
    return bracket::wall;
  if (inside.size() == 11 && is_month(inside) && (inside[3] == ' ' || is_digit(inside[3])) &&
      is_digit(inside[4]) && inside[5] == ' ' && is_digit(inside[6]) && is_digit(inside[7]) &&
      inside[8] == ':' && is_digit(inside[9]) && is_digit(inside[10]))
    return bracket::minute;
  if (inside == "...") return bracket::redacted;
  if (inside.size() >= 4 && inside.back() == '>') return classify_delta(inside);
  return bracket::none;
}

// -d's delta: alone, or after an uptime or ctime. Rare: out of line.
[[gnu::noinline]] bracket classify_delta(std::string_view inside) noexcept {
  const char* const begin = inside.data();
  const char* const end = begin + inside.size() - 1;  // the '>'
  const char* open = end;
  while (open != begin && *open != '<')
    --open;
  if (*open != '<') return bracket::none;
  const char* d = open + 1;
  while (d != end && *d == ' ')
    ++d;
  if (!is_seconds(d, end)) return bracket::none;
  if (open == begin) return bracket::relative;
  if (open - begin < 2 || open[-1] != ' ') return bracket::none;
  const std::string_view stamp(begin, static_cast<std::size_t>(open - begin - 1));
  if (stamp.back() == '>') return bracket::none;  // one delta only
  const bracket b = classify(stamp);
  return b == bracket::uptime || b == bracket::wall ? b : bracket::none;
}

// A bracketed stamp and its space: "[  219.470994] "; returns the length consumed or 0, and
// the text inside the brackets.
[[gnu::always_inline]] inline std::size_t bracket_prefix(
    std::string_view s, std::string_view* inside_out = nullptr) noexcept {
  if (s.size() < 3 || s[0] != '[') return 0;
  const std::size_t close = s.find(']');
  if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ' ') return 0;
  const std::string_view inside(s.data() + 1, close - 1);
  if (classify(inside) == bracket::none) return 0;
  if (inside_out != nullptr) *inside_out = inside;
  return close + 2;
}

// "2024-11-15T12:02:03,470068+00:00 "
[[gnu::always_inline]] inline std::size_t iso_prefix(std::string_view s) noexcept {
  if (s.size() < 20 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
      s[4] != '-' || s[7] != '-' || s[10] != 'T' || !is_clock(tail(s, 11)))
    return 0;
  const std::size_t space = s.find(' ', 19);
  return space == std::string_view::npos ? 0 : space + 1;
}

// "kern  :warn  : " (dmesg --decode): facility, padding, ':', level, padding, ': '.
[[gnu::always_inline]] inline std::size_t decode_prefix(std::string_view s) noexcept {
  const std::size_t letters = s.size() < 9 ? s.size() : 9;
  std::size_t i = 0;
  while (i < letters && is_lower(s[i]))
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
[[gnu::always_inline]] inline std::size_t syslog_prefix(std::string_view s,
                                                        std::string_view& host) noexcept {
  // "Mmm dd hh:mm:ss " is 16 characters (day padded with a space).
  if (s.size() < 16 || !is_month(s) || s[3] != ' ' || !is_clock(tail(s, 7)) || s[15] != ' ')
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

// Strips the prefixes; with `stamp`, also returns the inside of the first bracketed stamp.
template <bool WithStamp>
kernel_line strip(std::string_view line, std::string_view* stamp) noexcept {
  kernel_line out{line, {}};
  // Prefixes stack (syslog + dmesg uptime, decode + uptime); peel until none matches.
  for (int guard = 0; guard < 4; ++guard) {
    std::string_view& m = out.message;
    std::size_t n = 0;
    if (m.empty()) break;
    const char c = m[0];
    if (c == '[') {
      if constexpr (WithStamp) {
        n = bracket_prefix(m, stamp->empty() ? stamp : nullptr);
      } else {
        n = bracket_prefix(m);
      }
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

// Days from 1970-01-01 to a civil date (proleptic Gregorian): the era-based computation of
// Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms" (days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

int month_number(std::string_view s) noexcept {
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int i = 0; i < 12; ++i)
    if (months.substr(static_cast<std::size_t>(i) * 3, 3) == s.substr(0, 3)) return i + 1;
  return 0;
}

int two_digits(char a, char b) noexcept {
  return (a == ' ' ? 0 : (a - '0') * 10) + (b - '0');
}

// "digits.digits" (already checked) in nanoseconds; digits past the ninth are dropped, a value
// past what int64 holds saturates.
std::int64_t seconds_ns(std::string_view s) noexcept {
  std::int64_t sec = 0;
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ')
    ++i;
  // Checked after each digit: at most 9e9 s (then sec * ns_per_s + frac fits), else saturated.
  for (; i < s.size() && s[i] != '.'; ++i) {
    sec = sec * 10 + (s[i] - '0');
    if (sec > 9'000'000'000) return std::numeric_limits<std::int64_t>::max();
  }
  std::int64_t frac = 0;
  std::int64_t scale = 100'000'000;
  for (++i; i < s.size() && scale > 0; ++i, scale /= 10)
    frac += (s[i] - '0') * scale;
  return sec * ns_per_s + frac;
}

// Nanoseconds since the epoch fit in int64 up to 2262; a year outside these gives no time.
constexpr int first_year = 1970;
constexpr int last_year = 2261;

// A day of a month, and a time of day, that a clock prints (a leap second's 60 included):
// "Feb13 99:99" is no time, not four days later.
constexpr bool in_calendar(int day, int h, int m, int sec) noexcept {
  return day >= 1 && day <= 31 && h <= 23 && m <= 59 && sec <= 60;
}

std::int64_t civil_ns(int year, int month, int day, int h, int m, int sec) noexcept {
  const std::int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + h) * 60 + m) * 60 * ns_per_s + sec * ns_per_s;
}

}  // namespace

kernel_line strip_kernel_prefix(std::string_view line) noexcept {
  return strip<false>(line, nullptr);
}

kernel_stamp read_kernel_stamp(std::string_view line, int year) noexcept {
  std::string_view inside;
  static_cast<void>(strip<true>(line, &inside));
  kernel_stamp out;
  if (inside.empty()) return out;
  // The stamp itself, without -d's " <delta>".
  std::string_view body = inside;
  if (body.back() == '>') {
    const std::size_t open = body.rfind('<');
    body = open == 0 ? body.substr(1, body.size() - 2) : body.substr(0, open - 1);
    if (open == 0) {
      out.kind = kernel_stamp::type::relative;
      out.ns = seconds_ns(body);
      return out;
    }
  }
  switch (classify(body)) {
    case bracket::uptime:
      out.kind = kernel_stamp::type::uptime;
      out.ns = seconds_ns(body);
      break;
    case bracket::relative: {
      const std::size_t sign = body.find_first_of("+-");
      const std::int64_t ns = seconds_ns(body.substr(sign + 1));
      out.kind = kernel_stamp::type::relative;
      out.ns = body[sign] == '-' ? -ns : ns;
      break;
    }
    case bracket::wall: {
      // "Fri Aug 30 11:43:09 2024". classify checks the clock only: a year or day that is no
      // number, or a year past what ns since the epoch hold, gives no time (not an overflow).
      if (!is_digit(body[20]) || !is_digit(body[21]) || !is_digit(body[22]) ||
          !is_digit(body[23]) || !(body[8] == ' ' || is_digit(body[8])) || !is_digit(body[9]))
        break;
      const int y = ((body[20] - '0') * 10 + (body[21] - '0')) * 100 + (body[22] - '0') * 10 +
                    (body[23] - '0');
      if (y < first_year || y > last_year) break;
      const int d = two_digits(body[8], body[9]);
      const int h = two_digits(body[11], body[12]);
      const int mi = two_digits(body[14], body[15]);
      const int sec = two_digits(body[17], body[18]);
      if (!in_calendar(d, h, mi, sec)) break;
      out.kind = kernel_stamp::type::wall;
      out.ns = civil_ns(y, month_number(body.substr(4)), d, h, mi, sec);
      break;
    }
    case bracket::minute: {
      // "Feb13 23:31", "Apr 7 17:30": no year, no seconds.
      if (year < first_year || year > last_year) break;
      const int d = two_digits(body[3], body[4]);
      const int h = two_digits(body[6], body[7]);
      const int mi = two_digits(body[9], body[10]);
      if (!in_calendar(d, h, mi, 0)) break;
      out.kind = kernel_stamp::type::minute;
      out.ns = civil_ns(year, month_number(body), d, h, mi, 0);
      break;
    }
    default:
      break;
  }
  return out;
}

}  // namespace detectors
