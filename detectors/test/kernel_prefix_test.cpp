// Tests for strip_kernel_prefix: every prefix form the kernel-side detectors accept.
#include "detectors/kernel_prefix.h"

#include <gtest/gtest.h>

#include "alloc_hooks/gtest.h"

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
                      prefix_case{"iso", "2024-11-15T12:02:03,470068+00:00 ", ""},
                      prefix_case{"decode", "kern  :warn  : ", ""},
                      prefix_case{"decode_uptime", "kern  :err   : [  219.470994] ", ""},
                      prefix_case{"syslog", "Dec  2 11:38:47 host kernel: [  219.470994] ", "host"},
                      prefix_case{"journald", "Apr 19 13:16:41 gpu-node-7 kernel: ", "gpu-node-7"},
                      prefix_case{"bare", "kernel: ", ""}),
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
  EXPECT_EQ(strip_kernel_prefix("Dec  2 11:38:47 host sshd: x").message,
            "Dec  2 11:38:47 host sshd: x");
}

TEST(KernelPrefix, NeverAllocates) {
  const std::string line = "Dec  2 11:38:47 host kernel: [  219.470994] " + std::string(xid);
  EXPECT_ALLOCS_EQ(0, (void)strip_kernel_prefix(line));
}

}  // namespace
}  // namespace detectors
