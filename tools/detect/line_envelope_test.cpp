// Tests for the envelope `detect` builds around plain log lines.
#include "detect/line_envelope.h"

#include <gtest/gtest.h>

namespace tools {
namespace {

constexpr std::int64_t s = detectors::ns_per_second;
// 2024-11-15T12:02:03Z
constexpr std::int64_t nov15 = 1731672123 * s;

TEST(Timestamps, Iso8601WithFractionAndOffset) {
  EXPECT_EQ(parse_iso8601_ns("2024-11-15T12:02:03Z"), nov15);
  EXPECT_EQ(parse_iso8601_ns("2024-11-15T12:02:03,470068+00:00 kernel"), nov15 + 470068000);
  EXPECT_EQ(parse_iso8601_ns("2024-11-15T14:02:03.5+02:00"), nov15 + s / 2);
  EXPECT_FALSE(parse_iso8601_ns("2024-13-15T12:02:03Z"));
  EXPECT_FALSE(parse_iso8601_ns("not a date"));
  EXPECT_FALSE(parse_iso8601_ns("2024-11-15"));
}

TEST(Timestamps, DmesgCtimeAndSyslog) {
  EXPECT_EQ(parse_ctime_ns("Fri Nov 15 12:02:03 2024"), nov15);
  EXPECT_EQ(parse_ctime_ns("Fri Nov  5 12:02:03 2024"), nov15 - 10 * 86400 * s);
  EXPECT_EQ(parse_syslog_ns("Nov 15 12:02:03 host kernel:", 2024), nov15);
  EXPECT_EQ(parse_syslog_ns("Nov  5 12:02:03 host kernel:", 2024), nov15 - 10 * 86400 * s);
  EXPECT_FALSE(parse_syslog_ns("Foo 15 12:02:03", 2024));
}

TEST(Source, InferredFromTheLineShape) {
  using detectors::source;
  EXPECT_EQ(infer_source(R"({"kind":"Event"})"), source::kubernetes);
  EXPECT_EQ(infer_source("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 40"), source::dcgm);
  EXPECT_EQ(infer_source(R"(DCGM_EXP_CLOCK_EVENTS_COUNT{gpu="0",clock_event="hw_thermal"} 4)"),
            source::dcgm);
  EXPECT_EQ(infer_source("host:1:2 [0] net.cc:1 NCCL WARN x"), source::workload);
  EXPECT_EQ(infer_source("[  1.0] NVRM: Xid (PCI:0000:3b:00): 79, x"), source::kernel);
  EXPECT_EQ(infer_source("12m  Warning  Evicted  pod/x  The node was low on resource: memory."),
            source::kubernetes);
}

TEST(Envelope, LinesWithoutTimeTakeTheLastTimeSeen) {
  envelope_builder b("");
  EXPECT_EQ(b.build("2024-11-15T12:02:03Z NVRM: x").ts_ns, nov15);
  EXPECT_EQ(b.build("NVRM: no time here").ts_ns, nov15);
  EXPECT_EQ(b.build("2024-11-15T12:02:04Z newer").ts_ns, nov15 + s);
}

TEST(Envelope, AFutureDatedLineDoesNotFreezeTheClock) {
  // One bad clock (or day2.log given before day1.log) must not stamp every later line with
  // the same instant: each line keeps its own time.
  envelope_builder b("");
  EXPECT_EQ(b.build("2099-01-01T00:00:00Z bogus").ts_ns, parse_iso8601_ns("2099-01-01T00:00:00Z"));
  EXPECT_EQ(b.build("2024-11-15T12:02:03Z NVRM: x").ts_ns, nov15);
  EXPECT_EQ(b.build("2024-11-15T14:02:03Z NVRM: y").ts_ns, nov15 + 7200 * s);
}

TEST(Timestamps, DatesThatWouldOverflowAreNotTimes) {
  EXPECT_FALSE(parse_iso8601_ns("2300-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ns("9999-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_iso8601_ns("1900-01-01T00:00:00Z"));
  envelope_builder b("");
  EXPECT_EQ(b.build("2024-11-15T12:02:03Z first").ts_ns, nov15);
  EXPECT_EQ(b.build("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 40 9300000000000000").ts_ns, nov15);
  EXPECT_EQ(b.build("[99999999999.000000] uptime overflow").ts_ns, nov15);
  // Eleven digits that do not start with 9, a -d uptime of them, a ctime past 2261: no time
  // (never a wrapped negative uptime or a garbage date), so the line takes the last one.
  for (const char* line : {"[12345678901.000000] uptime overflow",
                           "[12345678901.000000 <    0.000844>] uptime overflow",
                           "[Fri Nov 15 12:02:03 9999] ctime past 2261",
                           "[Fri Nov 15 12:02:03 2o24] ctime with a letter in its year"}) {
    const detectors::event ev = b.build(line);
    EXPECT_EQ(ev.ts_ns, nov15) << line;
    EXPECT_EQ(ev.base, detectors::time_base::epoch) << line;
  }
  // dmesg -H's minute stamps carry no year: in a --year past 2261 they give no time.
  envelope_builder far("", 9999);
  EXPECT_EQ(far.build("[Feb13 23:31] NVRM: x").ts_ns, 0);
}

TEST(Envelope, DmesgUptimeIsAClockOfItsOwnNotADate) {
  envelope_builder b("");
  const detectors::event up = b.build("[1537103.409254] NVRM: Xid (PCI:0000:ab:00): 13");
  EXPECT_EQ(up.base, detectors::time_base::uptime);
  EXPECT_NEAR(static_cast<double>(up.ts_ns), 1'537'103'409'254'000.0, 1e3);
  EXPECT_EQ(b.build("NVRM: no time here").base, detectors::time_base::uptime);
  const detectors::event wall = b.build("2024-11-15T12:02:03Z NVRM: x");
  EXPECT_EQ(wall.base, detectors::time_base::epoch);
  EXPECT_EQ(wall.ts_ns, nov15);
  EXPECT_EQ(b.build("[Fri Nov 15 12:02:03 2024] NVRM: y").base, detectors::time_base::epoch);
}

// dmesg -H (util-linux tests/expected/dmesg/timestamp-format): a minute's first line dates to
// the minute, the relative lines after it add their deltas to the previous line's time.
TEST(Envelope, DmesgHumanStampsCountFromThePreviousLine) {
  envelope_builder b("", 2009);
  const std::int64_t feb13_2331 = 1234567860LL * s;  // 2009-02-13T23:31:00Z
  EXPECT_EQ(b.build("[Feb13 23:31] [Fri Feb 13 23:31:30 2009 <    0.000000>] example[0]").ts_ns,
            feb13_2331);
  EXPECT_EQ(b.build("[  +1.000000] [Fri Feb 13 23:31:31 2009 <    1.000000>] example[1]").ts_ns,
            feb13_2331 + s);
  EXPECT_EQ(b.build("[  +7.000000] [Fri Feb 13 23:31:38 2009 <    7.000000>] example[2]").ts_ns,
            feb13_2331 + 8 * s);
  EXPECT_EQ(b.build("[Feb13 23:32] [Fri Feb 13 23:32:34 2009 <   37.000000>] example[4]").ts_ns,
            feb13_2331 + 60 * s);
  // -d after an uptime: the uptime is the stamp.
  const detectors::event up = b.build("[    8.000000 <    7.000000>] [Fri Feb 13 23:31:38 2009] x");
  EXPECT_EQ(up.base, detectors::time_base::uptime);
  EXPECT_EQ(up.ts_ns, 8 * s);
  // A delta that would take the clock before 0 or past 9e18 ns is no time: the line takes
  // the previous time, and the clock stays (a small step back is still taken).
  envelope_builder wild("", 2009);
  EXPECT_EQ(wild.build("[Feb13 23:31] x").ts_ns, feb13_2331);
  for (const char* line : {"[ -99999999999.000000] x", "[ -2000000000.000000] x",
                           "[ +9000000000.000000] x", "[<99999999999.000000>] x"}) {
    const detectors::event ev = wild.build(line);
    EXPECT_EQ(ev.ts_ns, feb13_2331) << line;
    EXPECT_EQ(ev.base, detectors::time_base::epoch) << line;
  }
  EXPECT_EQ(wild.build("[  -1.000000] x").ts_ns, feb13_2331 - s);
  envelope_builder early("", 1970);
  EXPECT_EQ(early.build("[Jan 1 00:00] x").ts_ns, 0);
  EXPECT_EQ(early.build("[ -100.000000] x").ts_ns, 0);
  // No previous time: a relative line is dated as an unstamped one (no time yet: 0).
  envelope_builder fresh("", 2009);
  EXPECT_EQ(fresh.build("[  +0.000844] nvidia 0000:03:00.0: AER: can't recover").ts_ns, 0);
}

TEST(Envelope, NodeFromSyslogHostOrLabelsOrFixed) {
  envelope_builder from_lines("");
  EXPECT_EQ(from_lines.build("Nov 15 12:02:03 gpu-7 kernel: NVRM: x").node, "gpu-7");
  EXPECT_EQ(from_lines.build("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",Hostname=\"gpu-9\"} 40").node,
            "gpu-9");
  EXPECT_EQ(from_lines.build("[1.0] plain").node, "unknown");
  envelope_builder fixed("n1");
  EXPECT_EQ(fixed.build("Nov 15 12:02:03 gpu-7 kernel: NVRM: x").node, "n1");
}

TEST(Envelope, PrometheusTrailingMillisecondTimestamp) {
  envelope_builder b("");
  EXPECT_EQ(b.build("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 40 1731672123000").ts_ns, nov15);
}

TEST(Envelope, NcclDebugLinesNameTheirHost) {
  // NCCL's debug header is host:pid:tid [cudaDev] (NCCL docs, NCCL_DEBUG).
  EXPECT_EQ(nccl_debug_host("gpu-node-4:3320624:3320721 [3] NCCL INFO comm 0x5 rank 11"),
            "gpu-node-4");
  EXPECT_EQ(nccl_debug_host("node-001:983584:983681 [4] NCCL WARN NET/IB : Got completion"),
            "node-001");
  EXPECT_EQ(nccl_debug_host("[0] NCCL WARN no host"), "");
  EXPECT_EQ(nccl_debug_host("host:12 [0] NCCL INFO one number"), "");
  EXPECT_EQ(nccl_debug_host("host:12:x [0] NCCL INFO"), "");
  EXPECT_EQ(nccl_debug_host("a b:1:2 [0] NCCL INFO"), "");
  EXPECT_EQ(nccl_debug_host("host:1:2 NCCL INFO no device"), "");
  envelope_builder b("");
  EXPECT_EQ(b.build("gpu-4:1:2 [0] NCCL INFO Bootstrap").node, "gpu-4");
}

TEST(Envelope, AnUptimePassesOnlyToLinesOfItsNode) {
  // Two machines' dmesg in one stream: a line of another node must not join its node's clock
  // at this node's uptime (it would read as late, or as a jump of days).
  envelope_builder b("");
  EXPECT_EQ(b.build("2024-11-15T12:02:03Z gpu-1 kernel: wall").ts_ns, nov15);
  const detectors::event up = b.build("Nov 15 12:02:04 gpu-2 kernel: [  5.000000] NVRM: x");
  EXPECT_EQ(up.base, detectors::time_base::epoch);  // the syslog time wins over the uptime
  // A plain dmesg line names no node: "unknown" is every such machine, so it vouches for none.
  const detectors::event dm = b.build("[741458.540566] NVRM: Xid (PCI:0000:2a:00): 13");
  EXPECT_EQ(dm.base, detectors::time_base::uptime);
  const detectors::event other = b.build("gpu-9:1:2 [0] NCCL WARN NET/IB : x");
  EXPECT_EQ(other.base, detectors::time_base::epoch);
  EXPECT_EQ(other.ts_ns, nov15 + s);
  // A plain dmesg line names no node: "unknown" is every such machine, so it vouches for none.
  b.build("[5330.690885] mlx5_core 0000:14:00.0: Port module event");
  const detectors::event unnamed = b.build("[E ProcessGroupNCCL.cpp:616] [Rank 8] Watchdog");
  EXPECT_EQ(unnamed.base, detectors::time_base::epoch);
  EXPECT_EQ(unnamed.ts_ns, nov15 + s);
  // One named node (--node): its uptime passes on even after wall-clock lines.
  envelope_builder one("gpu-2");
  one.build("2024-11-15T12:02:03Z wall");
  const detectors::event up2 = one.build("[741458.540566] NVRM: Xid (PCI:0000:2a:00): 13");
  const detectors::event next = one.build("NVRM: GPU at PCI:0000:2a:00: GPU-x");
  EXPECT_EQ(next.base, detectors::time_base::uptime);
  EXPECT_EQ(next.ts_ns, up2.ts_ns);
  // With no wall-clock time seen at all, the uptime is all there is.
  envelope_builder only_dmesg("");
  only_dmesg.build("[12.5] NVRM: x");
  EXPECT_EQ(only_dmesg.build("gpu-9:1:2 [0] NCCL WARN y").base, detectors::time_base::uptime);
}

TEST(Envelope, ACtimeStampWithDay60AndABinaryYearIsNoTime) {
  // line_envelope_fuzz found it (UBSan: a signed multiply overflowed while dating it); kept as
  // a seed too. Such a stamp gives no time: the line takes the last one seen.
  envelope_builder b("");
  EXPECT_EQ(b.build("2024-11-15T12:02:03Z NVRM: x").ts_ns, nov15);
  constexpr char raw[] = "[Fri Aug 60 11:43:09 \x1a\x01\x00\x00] pcieport 0000:00:01.0: AER: x";
  const std::string line(raw, sizeof raw - 1);  // with its NUL bytes
  EXPECT_EQ(b.build(line).ts_ns, nov15);
}

}  // namespace
}  // namespace tools
