// File: kernel_prefix.h
// Recognising and stripping the prefixes that kernel log lines carry, by how they were read.
#pragma once

#include <cstdint>
#include <string_view>

namespace detectors {

struct kernel_line {
  std::string_view message;  // the kernel's own text, e.g. "NVRM: Xid (PCI:0000:3b:00): 79, ..."
  std::string_view host;     // the host named by a syslog/journald prefix; empty otherwise
};

// Strips, in any stacking order, the prefixes of:
//   raw kmsg                     (none)
//   dmesg                        "[31543.449443] "
//   dmesg -T                     "[Fri Aug 30 11:43:09 2024] "
//   redacted (bug reports)       "[...] "
//   dmesg --time-format iso      "2024-11-15T12:02:03,470068+00:00 "
//   dmesg --decode               "kern  :warn  : "
//   syslog                       "Dec  2 11:38:47 host kernel: [  219.470994] "
//   journalctl (short)           "Apr 19 13:16:41 host kernel: "
//   bare                         "kernel: "
//   dmesg -H / --reltime         "[Feb13 23:31] " (a minute's first line), "[  +0.000844] "
//   dmesg -d / --show-delta      "[  219.470994 <    0.000844>] ", "[<    0.000844>] "
// Never allocates; a line with no recognised prefix is returned whole.
kernel_line strip_kernel_prefix(std::string_view line) noexcept;

// The time the first bracketed dmesg stamp of a line gives (its other prefixes skipped), for
// whoever assigns lines their times; detectors only strip it. How each maps to a time:
//   uptime    ns since the node booted: a clock of its own (time_base::uptime).
//   wall      "[Fri Aug 30 11:43:09 2024]": ns since the Unix epoch, the stamp read as UTC.
//   minute    "[Feb13 23:31]": the minute's start since the epoch, in `year` (dmesg prints none),
//             as UTC; the relative lines after it add to it.
//   relative  "[  +0.000844]", "[<    0.000844>]": ns since the previous record (may be
//             negative): the line's time is the previous line's time on the same clock plus ns.
//             With no previous time (the first line read, or only untimed lines before) it has
//             no time of its own: it is dated as a line without a stamp is.
struct kernel_stamp {
  enum class type : std::uint8_t { none, uptime, wall, minute, relative };
  type kind = type::none;
  std::int64_t ns = 0;
};
kernel_stamp read_kernel_stamp(std::string_view line, int year) noexcept;

}  // namespace detectors
