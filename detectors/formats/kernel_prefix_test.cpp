// Tests for strip_kernel_prefix: every prefix form the kernel-side detectors accept, and
// agreement with the previous (slower) scanner on corpus lines and near misses.
#include "detectors/kernel_prefix.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"
// The word-compare prefix test the kernel-log parsers share (a private header of the library).
#include "formats/internal/literal_prefix.h"

namespace detectors {
namespace {

constexpr std::string_view xid = "NVRM: Xid (PCI:0000:3b:00): 79, pid=1, name=x, GPU has fallen";

struct prefix_case {
  std::string_view name;
  std::string_view prefix;
  std::string_view host;
};

class KernelPrefix : public ::testing::TestWithParam<prefix_case> {};

TEST_P(KernelPrefix, StripsToTheKernelMessage) {
  const std::string line = std::string(GetParam().prefix) + std::string(xid);
  const kernel_line k = strip_kernel_prefix(line);
  EXPECT_EQ(k.message, xid);
  EXPECT_EQ(k.host, GetParam().host);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, KernelPrefix,
    ::testing::Values(prefix_case{"raw", "", ""}, prefix_case{"uptime", "[31543.449443] ", ""},
                      prefix_case{"uptime_padded", "[  219.470994] ", ""},
                      prefix_case{"dmesg_T", "[Fri Aug 30 11:43:09 2024] ", ""},
                      // leptonai/gpud components/accelerator/nvidia/xid/kmsg_test.go
                      prefix_case{"redacted", "[...] ", ""},
                      prefix_case{"iso", "2024-11-15T12:02:03,470068+00:00 ", ""},
                      prefix_case{"decode", "kern  :warn  : ", ""},
                      prefix_case{"decode_uptime", "kern  :err   : [  219.470994] ", ""},
                      prefix_case{"syslog", "Dec  2 11:38:47 host kernel: [  219.470994] ", "host"},
                      prefix_case{"journald", "Apr 19 13:16:41 gpu-node-7 kernel: ", "gpu-node-7"},
                      prefix_case{"bare", "kernel: ", ""},
                      // dmesg -H and -d (util-linux sys-utils/dmesg.c print_record formats)
                      prefix_case{"reltime", "[  +0.000844] ", ""},
                      prefix_case{"reltime_wide", "[ +19.000000] ", ""},
                      prefix_case{"reltime_minute", "[Feb13 23:31] ", ""},
                      prefix_case{"reltime_minute_day_padded", "[Apr 7 17:30] ", ""},
                      prefix_case{"delta", "[<    0.000844>] ", ""},
                      prefix_case{"uptime_delta", "[  219.470994 <    0.000844>] ", ""},
                      prefix_case{"ctime_delta", "[Fri Feb 13 23:31:30 2009 <    0.000000>] ", ""},
                      prefix_case{"syslog_reltime", "Dec  2 11:38:47 host kernel: [  +0.000844] ",
                                  "host"},
                      prefix_case{"decode_reltime", "kern  :err   : [  +0.000844] ", ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(KernelPrefix, LeavesUnprefixedTextAlone) {
  for (std::string_view s : {"[Hardware Error]: event severity: fatal", "[12] Timeout",
                             "pcieport 0000:00:03.1: AER: Corrected error received", "", "["}) {
    EXPECT_EQ(strip_kernel_prefix(s).message, s);
  }
}

TEST(KernelPrefix, RejectsNearMisses) {
  // A bracket that is neither an uptime nor a dmesg -T date, and a syslog line of another tag.
  EXPECT_EQ(strip_kernel_prefix("[1.2.3] x").message, "[1.2.3] x");
  // Only exactly three dots are a redacted timestamp.
  for (std::string_view s : {"[..] x", "[....] x", "[ ...] x", "[...]x", "[...]"})
    EXPECT_EQ(strip_kernel_prefix(s).message, s);
  EXPECT_EQ(strip_kernel_prefix("Dec  2 11:38:47 host sshd: x").message,
            "Dec  2 11:38:47 host sshd: x");
}

// Literal lines of util-linux's own dmesg tests (tests/expected/dmesg/timestamp-format, the
// reltime, ctime-delta, time-delta and iso-delta sections) and of a dmesg -H paste
// (github.com/rwth-i6/returnn issue #1500): each prefix stack is stripped to the message, and
// the first stamp maps to its time.
TEST(KernelPrefix, ReadsDmesgHumanAndDeltaLines) {
  struct literal {
    std::string_view line;
    std::string_view message;
    kernel_stamp::type kind;
    std::int64_t ns;
  };
  constexpr std::int64_t s = 1'000'000'000;
  constexpr std::int64_t feb13_2331 = 1234567860LL * s;  // 2009-02-13T23:31:00Z
  const std::array<literal, 9> cases = {{
      {"[Feb13 23:31] [Fri Feb 13 23:31:30 2009 <    0.000000>] example[0]", "example[0]",
       kernel_stamp::type::minute, feb13_2331},
      {"[  +0.000000] [Fri Feb 13 23:31:31 2009 <    0.000000>] example[1]", "example[1]",
       kernel_stamp::type::relative, 0},
      {"[ +19.000000] [Fri Feb 13 23:31:57 2009 <   19.000000>] example[3]", "example[3]",
       kernel_stamp::type::relative, 19 * s},
      {"[Apr 7 17:30] [Tue Apr  7 17:30:13 2009 <3432659.000000>] example[105]", "example[105]",
       kernel_stamp::type::minute, 1239125400LL * s},  // 2009-04-07T17:30:00Z
      {"[    8.000000 <    7.000000>] [Fri Feb 13 23:31:38 2009] example[2]", "example[2]",
       kernel_stamp::type::uptime, 8 * s},
      {"[Fri Feb 13 23:31:30 2009] 2009-02-13T23:31:30,123456+00:00 example[0]", "example[0]",
       kernel_stamp::type::wall, 1234567890LL * s},
      {"2009-02-13T23:31:38,123456+00:00 [<    7.000000>] example[2]", "example[2]",
       kernel_stamp::type::relative, 7 * s},
      {"[  +0.000844] nvidia 0000:03:00.0: AER: can't recover (no error_detected callback)",
       "nvidia 0000:03:00.0: AER: can't recover (no error_detected callback)",
       kernel_stamp::type::relative, 844'000},
      {"[  +1.050439] pcieport 0000:00:03.0: AER: Root Port link has been reset (0)",
       "pcieport 0000:00:03.0: AER: Root Port link has been reset (0)",
       kernel_stamp::type::relative, 1'050'439'000},
  }};
  for (const literal& c : cases) {
    EXPECT_EQ(strip_kernel_prefix(c.line).message, c.message) << c.line;
    const kernel_stamp st = read_kernel_stamp(c.line, 2009);
    EXPECT_EQ(st.kind, c.kind) << c.line;
    EXPECT_EQ(st.ns, c.ns) << c.line;
  }
  // A negative delta (the clock stepped back) is read as one; the minute takes the year given.
  EXPECT_EQ(read_kernel_stamp("[  -0.500000] x", 2024).ns, -500'000'000);
  EXPECT_EQ(read_kernel_stamp("[Jan 1 00:00] x", 2024).ns, 1704067200LL * s);
  // Lines without a stamp have none; the first stamp is the one read.
  EXPECT_EQ(read_kernel_stamp("NVRM: Xid (PCI:0000:3b:00): 79", 2024).kind,
            kernel_stamp::type::none);
  EXPECT_EQ(read_kernel_stamp("[...] x", 2024).kind, kernel_stamp::type::none);
  EXPECT_EQ(read_kernel_stamp("Dec  2 11:38:47 host kernel: [  219.470994] x", 2024).ns,
            219'470'994'000);
}

TEST(KernelPrefix, AStampPastWhatNanosecondsHoldGivesNoWrappedTime) {
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  // Eleven digits of seconds: saturated, never wrapped to a negative or small time.
  for (std::string_view line : {"[12345678901.000000] x", "[99999999999.000000] x",
                                "[12345678901.000000 <    0.000844>] x"}) {
    const kernel_stamp st = read_kernel_stamp(line, 2024);
    EXPECT_EQ(st.kind, kernel_stamp::type::uptime) << line;
    EXPECT_EQ(st.ns, max) << line;
  }
  for (std::string_view line : {"[ +12345678901.0] x", "[<12345678901.000000>] x"}) {
    const kernel_stamp st = read_kernel_stamp(line, 2024);
    EXPECT_EQ(st.kind, kernel_stamp::type::relative) << line;
    EXPECT_EQ(st.ns, max) << line;
  }
  EXPECT_EQ(read_kernel_stamp("[ -12345678901.0] x", 2024).ns, -max);
  // A ctime whose year or day is no number, or whose year ns since 1970 cannot hold, and a
  // minute stamp in such a year: no time.
  for (std::string_view line : {"[Fri Aug 30 11:43:09 9999] x", "[Fri Aug 30 11:43:09 zzzz] x",
                                "[Fri Aug 30 11:43:09 0001] x", "[Fri Aug 30 11:43:09 1969] x",
                                "[Fri Aug x0 11:43:09 2024] x", "[Fri Aug 3x 11:43:09 2024] x"})
    EXPECT_EQ(read_kernel_stamp(line, 2024).kind, kernel_stamp::type::none) << line;
  EXPECT_EQ(read_kernel_stamp("[Fri Aug 30 11:43:09 2261] x", 2024).kind, kernel_stamp::type::wall);
  EXPECT_EQ(read_kernel_stamp("[Feb13 23:31] x", 9999).kind, kernel_stamp::type::none);
  // A day or time of day no clock prints: no time (not a date days away).
  for (std::string_view line :
       {"[Feb13 99:99] x", "[Feb13 24:00] x", "[Feb13 23:60] x", "[Feb00 23:31] x",
        "[Feb32 23:31] x", "[Fri Aug 30 25:43:09 2024] x", "[Fri Aug 30 11:61:09 2024] x",
        "[Fri Aug 30 11:43:61 2024] x", "[Fri Aug  0 11:43:09 2024] x"})
    EXPECT_EQ(read_kernel_stamp(line, 2024).kind, kernel_stamp::type::none) << line;
  EXPECT_EQ(read_kernel_stamp("[Fri Aug 30 23:59:60 2024] x", 2024).kind,
            kernel_stamp::type::wall);  // a leap second
  EXPECT_EQ(read_kernel_stamp("[Dec31 23:59] x", 2024).kind, kernel_stamp::type::minute);
  EXPECT_EQ(read_kernel_stamp("[Feb13 23:31] x", 2261).kind, kernel_stamp::type::minute);
}

TEST(KernelPrefix, RejectsNearMissesOfTheHumanAndDeltaForms) {
  for (std::string_view s : {"[  +0.000844]",
                             "[  +0.000844",
                             "[  +] x",
                             "[  +0.0008a4] x",
                             "[+ 0.1] x",
                             "[  +.5] x",
                             "[++0.5] x",
                             "[Feb13 23:3] x",
                             "[Feb13 2331] x",
                             "[Fob13 23:31] x",
                             "[Feb1x 23:31] x",
                             "[Feb13  23:31] x",
                             "[Feb 13 23:31] x",
                             "[<    0.000844] x",
                             "[<  0.0a>] x",
                             "[  219.470994 <>] x",
                             "[  219.470994<0.1>] x",
                             "[abc <0.1>] x",
                             "[<0.1> ] x",
                             "[Fri Feb 13 23:31:30 2009 < x>] x",
                             "[  +0.000844]x"})
    EXPECT_EQ(strip_kernel_prefix(s).message, s) << s;
}

// The scanner as it was before the month/weekday switch and literal compares (commit df04e18),
// kept as the reference the fast one must agree with on every input (plus the two additions
// marked below: forms accepted since).
namespace reference {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_lower(char c) noexcept {
  return c >= 'a' && c <= 'z';
}

bool is_month(std::string_view s) noexcept {
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (auto m : months)
    if (s.substr(0, 3) == m) return true;
  return false;
}

bool is_weekday(std::string_view s) noexcept {
  static constexpr std::array<std::string_view, 7> days = {"Mon", "Tue", "Wed", "Thu",
                                                           "Fri", "Sat", "Sun"};
  for (auto d : days)
    if (s.substr(0, 3) == d) return true;
  return false;
}

// "hh:mm:ss" at s[0..8)
bool is_clock(std::string_view s) noexcept {
  return s.size() >= 8 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':' && is_digit(s[3]) &&
         is_digit(s[4]) && s[5] == ':' && is_digit(s[6]) && is_digit(s[7]);
}

// Seconds as dmesg prints them: digits, one '.', digits (at least one before the dot).
bool seconds(std::string_view s) noexcept {
  const std::size_t dot = s.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (i != dot && !is_digit(s[i])) return false;
  return true;
}

std::string_view trim_front(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  return s;
}

// The second addition: dmesg -H's "Feb13 23:31" and "  +0.000844", and -d's " <   0.000844>"
// alone or after an uptime or a -T date (util-linux sys-utils/dmesg.c, print_record).
bool human_or_delta(std::string_view inside) noexcept {
  const std::string_view t = trim_front(inside);
  if (!t.empty() && (t[0] == '+' || t[0] == '-') && seconds(t.substr(1))) return true;
  if (inside.size() == 11 && is_month(inside) && (inside[3] == ' ' || is_digit(inside[3])) &&
      is_digit(inside[4]) && inside[5] == ' ' && is_digit(inside[6]) && is_digit(inside[7]) &&
      inside[8] == ':' && is_digit(inside[9]) && is_digit(inside[10]))
    return true;
  if (inside.size() < 4 || inside.back() != '>') return false;
  const std::size_t open = inside.rfind('<');
  if (open == std::string_view::npos ||
      !seconds(trim_front(inside.substr(open + 1, inside.size() - open - 2))))
    return false;
  if (open == 0) return true;
  if (open < 2 || inside[open - 1] != ' ') return false;
  const std::string_view stamp = inside.substr(0, open - 1);
  return seconds(trim_front(stamp)) ||
         (stamp.size() == 24 && is_weekday(stamp) && stamp[3] == ' ' && is_month(stamp.substr(4)) &&
          is_clock(stamp.substr(11)));
}

// "[  219.470994] " or "[Fri Aug 30 11:43:09 2024] "; returns the length consumed or 0.
std::size_t bracket_prefix(std::string_view s) noexcept {
  if (s.size() < 3 || s[0] != '[') return 0;
  const std::size_t close = s.find(']');
  if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ' ') return 0;
  const std::string_view inside = s.substr(1, close - 1);
  std::size_t i = 0;
  while (i < inside.size() && inside[i] == ' ')
    ++i;
  const std::string_view rest = inside.substr(i);
  bool uptime = !rest.empty() && is_digit(rest[0]);
  bool seen_dot = false;
  for (char c : rest) {
    if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else if (!is_digit(c)) {
      uptime = false;
      break;
    }
  }
  // "Fri Aug 30 11:43:09 2024" is 24 characters.
  const bool wall = inside.size() == 24 && is_weekday(inside) && inside[3] == ' ' &&
                    is_month(inside.substr(4)) && is_clock(inside.substr(11));
  // The redacted "[...] " of pasted logs, accepted by both scanners since (the one addition to
  // the reference).
  const bool redacted = inside == "...";
  return (uptime && seen_dot) || wall || redacted || human_or_delta(inside) ? close + 2 : 0;
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
  while (i < s.size() && is_lower(s[i]))
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
  const std::size_t host_end = s.find(' ', 16);
  if (host_end == std::string_view::npos || host_end == 16) return 0;
  const std::string_view tag = s.substr(host_end + 1);
  if (tag.substr(0, 8) != "kernel: ") return 0;
  host = s.substr(16, host_end - 16);
  return host_end + 1 + 8;
}

kernel_line strip(std::string_view line) noexcept {
  kernel_line out{line, {}};
  // Prefixes stack (syslog + dmesg uptime, decode + uptime); peel until none matches.
  for (int guard = 0; guard < 4; ++guard) {
    std::string_view& m = out.message;
    std::size_t n = 0;
    if (m.empty()) break;
    if (m[0] == '[') {
      n = bracket_prefix(m);
    } else if (is_digit(m[0])) {
      n = iso_prefix(m);
    } else if (m.substr(0, 8) == "kernel: ") {
      n = 8;
    } else if (is_month(m)) {
      n = syslog_prefix(m, out.host);
    }
    if (n == 0 && is_lower(m[0])) n = decode_prefix(m);
    if (n == 0) break;
    m.remove_prefix(n);
  }
  return out;
}
}  // namespace reference

// Every prefix the fast scanner strips, and every host it reports, equals the reference's:
// on whole corpus lines of every detector, on every truncation of them (the size checks), and
// on names that differ from a month or weekday in one byte (the switch).
void expect_same_as_reference(std::string_view line) {
  const kernel_line fast = strip_kernel_prefix(line);
  const kernel_line ref = reference::strip(line);
  ASSERT_EQ(fast.message.data(), ref.message.data()) << line;
  ASSERT_EQ(fast.message.size(), ref.message.size()) << line;
  ASSERT_EQ(fast.host, ref.host) << line;
}

TEST(KernelPrefix, AgreesWithTheReferenceOnHumanAndDeltaLinesAndTheirTruncations) {
  for (std::string_view line :
       {"[Feb13 23:31] [Fri Feb 13 23:31:30 2009 <    0.000000>] example[0]",
        "[ +19.000000] [Fri Feb 13 23:31:57 2009 <   19.000000>] example[3]",
        "[Apr 7 17:30] [Tue Apr  7 17:30:13 2009 <3432659.000000>] example[105]",
        "[    8.000000 <    7.000000>] [Fri Feb 13 23:31:38 2009] example[2]",
        "2009-02-13T23:31:38,123456+00:00 [<    7.000000>] example[2]",
        "kern  :err   : [  +0.000844] nvidia 0000:03:00.0: AER: can't recover"}) {
    for (std::size_t n = 0; n <= line.size(); ++n)
      expect_same_as_reference(line.substr(0, n));
  }
}

TEST(KernelPrefix, AgreesWithTheReferenceOnCorpusLinesAndTheirTruncations) {
  corpus_options o;
  o.seed = bench::corpus_seed;
  o.events = 8192;
  for (std::string_view focus : {"", "xid_correlation", "pcie_aer"}) {
    if (!focus.empty() && make_detector(focus) == nullptr) continue;  // not in this build's list
    const corpus c = generate_corpus(focus, o);
    for (const event& e : c.events()) {
      for (std::size_t n = 0; n <= std::min<std::size_t>(e.line.size(), 64); ++n)
        expect_same_as_reference(e.line.substr(0, n));
      expect_same_as_reference(e.line);
    }
  }
}

TEST(KernelPrefix, AgreesWithTheReferenceOnNearMissNames) {
  const std::string_view tails[] = {"  2 11:38:47 host kernel: [  219.470994] x",
                                    " Aug 30 11:43:09 2024] x", "", " "};
  const std::string_view names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                    "Aug", "Sep", "Oct", "Nov", "Dec", "Mon", "Tue",
                                    "Wed", "Thu", "Fri", "Sat", "Sun"};
  for (std::string_view name : names) {
    for (std::size_t i = 0; i < name.size(); ++i) {
      for (const char c : {'\0', 'a', 'A', 'z', 'Z', ' ', '\x80', '\xff', '[', '9'}) {
        std::string near(name);
        near[i] = c;
        for (std::string_view tail : tails) {
          expect_same_as_reference(near + std::string(tail));
          expect_same_as_reference("[" + near + std::string(tail));
          expect_same_as_reference("[Fri " + near + std::string(tail));
        }
      }
    }
    for (std::string_view tail : tails) {
      expect_same_as_reference(std::string(name) + std::string(tail));
      expect_same_as_reference("[" + std::string(name) + std::string(tail));
      expect_same_as_reference("[Fri " + std::string(name) + std::string(tail));
    }
  }
}

// has_prefix compares whole words, the last one overlapping: check it against starts_with for
// every length class (1, 2-3, 4-7, 8, 9-16, 17+), with a mismatch at every position, with the
// input cut at every length, and with text after the prefix.
template <std::size_t N>
void expect_prefix_test_like_starts_with(const char (&literal)[N]) {
  const std::string_view lit(literal, N - 1);
  std::vector<std::string> inputs;
  for (std::size_t n = 0; n <= lit.size(); ++n)
    inputs.emplace_back(lit.substr(0, n));
  inputs.push_back(std::string(lit) + " and more");
  for (std::size_t i = 0; i < lit.size(); ++i) {
    for (const char c : {'\0', '?', '\xff'}) {
      std::string near = std::string(lit) + "tail";
      near[i] = c;
      inputs.push_back(near);
    }
  }
  for (const std::string& in : inputs) {
    const std::string_view v = in;
    EXPECT_EQ(internal::has_prefix(v, literal), v.starts_with(lit)) << lit << " / " << in;
    std::string_view rest = v;
    const bool consumed = internal::consume(rest, literal);
    EXPECT_EQ(consumed, v.starts_with(lit)) << lit << " / " << in;
    EXPECT_EQ(rest, consumed ? v.substr(lit.size()) : v) << lit << " / " << in;
  }
}

TEST(LiteralPrefix, AgreesWithStartsWith) {
  expect_prefix_test_like_starts_with("");
  expect_prefix_test_like_starts_with("k");
  expect_prefix_test_like_starts_with("):");
  expect_prefix_test_like_starts_with("id=");
  expect_prefix_test_like_starts_with("AER:");
  expect_prefix_test_like_starts_with("NVRM: X");
  expect_prefix_test_like_starts_with("kernel: ");
  expect_prefix_test_like_starts_with("severity=");
  expect_prefix_test_like_starts_with("PCIe Bus Error:");
  expect_prefix_test_like_starts_with("[Hardware Error]");
  expect_prefix_test_like_starts_with("[Hardware Error]:");
  expect_prefix_test_like_starts_with(" APEI Generic Hardware Error Source: ");
}

TEST(KernelPrefix, NeverAllocates) {
  const std::string line = "Dec  2 11:38:47 host kernel: [  219.470994] " + std::string(xid);
  EXPECT_ALLOCS_EQ(0, (void)strip_kernel_prefix(line));
}

}  // namespace
}  // namespace detectors
