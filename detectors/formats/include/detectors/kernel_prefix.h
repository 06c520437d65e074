// File: kernel_prefix.h
// Recognising and stripping the prefixes that kernel log lines carry, by how they were read.
#pragma once

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
// Never allocates; a line with no recognised prefix is returned whole.
kernel_line strip_kernel_prefix(std::string_view line) noexcept;

}  // namespace detectors
