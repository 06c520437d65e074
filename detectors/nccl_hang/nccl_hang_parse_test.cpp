// File: nccl_hang_parse_test.cpp
// Tests of the nccl_hang line parser on its own (internal/nccl_hang_parse.h): the fields it
// extracts from each kind of line (timeouts in every prefix and tag form, companion progress
// lines, heartbeats, network WARNs), the status and result names, where tokens end (edges),
// and that truncated or garbled lines are malformed or not ours, never misread.
#include "internal/nccl_hang_parse.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace detectors::internal {
namespace {

constexpr std::string_view watchdog_timeout =
    "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation timeout: "
    "WorkNCCL(SeqNum=220, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for "
    "600026 milliseconds before timing out.";

TEST(NcclHangParse, WatchdogTimeoutFields) {
  const nccl_line l = parse_nccl_line(watchdog_timeout);
  ASSERT_EQ(l.kind, nccl_line_kind::timeout);
  EXPECT_EQ(l.seq, 220);
  EXPECT_EQ(l.op, "ALLREDUCE");
  EXPECT_EQ(l.timeout_ms, 600000);
  EXPECT_EQ(l.ran_ms, 600026);
  EXPECT_FALSE(l.blocking_wait);
  EXPECT_EQ(l.tag.rank, 3);
  EXPECT_FALSE(l.tag.has_pg);
}

TEST(NcclHangParse, GlogPrefixWithPgTag) {
  const nccl_line l = parse_nccl_line(
      "[rank7]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:616] [PG 0 (default_pg) Rank 7] "
      "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5, OpType=_ALLGATHER_BASE, "
      "NumelIn=1, NumelOut=8, Timeout(ms)=1800000) ran for 1800083 milliseconds before timing "
      "out.");
  ASSERT_EQ(l.kind, nccl_line_kind::timeout);
  EXPECT_TRUE(l.tag.has_pg);
  EXPECT_EQ(l.tag.pg_id, 0);
  EXPECT_EQ(l.tag.pg_name, "default_pg");
  EXPECT_EQ(l.tag.rank, 7);
  EXPECT_EQ(l.seq, 5);
  EXPECT_EQ(l.op, "_ALLGATHER_BASE");
  EXPECT_EQ(l.timeout_ms, 1800000);
  EXPECT_EQ(l.ran_ms, 1800083);
}

TEST(NcclHangParse, PgIdGuidTag) {
  const nccl_line l = parse_nccl_line(
      "[rank1]:[E1201 10:00:00.123456789 ProcessGroupNCCL.cpp:1595] [PG ID 2 PG GUID 5(tp) "
      "Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=17, "
      "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600100 milliseconds "
      "before timing out.");
  ASSERT_EQ(l.kind, nccl_line_kind::timeout);
  EXPECT_TRUE(l.tag.has_pg);
  EXPECT_EQ(l.tag.pg_id, 2);
  EXPECT_EQ(l.tag.pg_name, "tp");
  EXPECT_EQ(l.tag.rank, 1);
  EXPECT_EQ(l.seq, 17);
}

TEST(NcclHangParse, BlockingWaitTimeout) {
  const nccl_line l = parse_nccl_line(
      "[Rank 0] Caught collective operation timeout: WorkNCCL(SeqNum=9, OpType=BROADCAST, "
      "Timeout(ms)=300000) ran for 300012 milliseconds before timing out.");
  ASSERT_EQ(l.kind, nccl_line_kind::timeout);
  EXPECT_TRUE(l.blocking_wait);
  EXPECT_EQ(l.seq, 9);
  EXPECT_EQ(l.op, "BROADCAST");
  EXPECT_EQ(l.timeout_ms, 300000);
  EXPECT_EQ(l.ran_ms, 300012);
  EXPECT_EQ(l.tag.rank, 0);
}

TEST(NcclHangParse, ProgressCompanionLine) {
  const nccl_line l = parse_nccl_line(
      "[rank2]:[E ProcessGroupNCCL.cpp:1537] [PG 0 Rank 2] Timeout at NCCL work: 90, last "
      "enqueued NCCL work: 91, last completed NCCL work: 89.");
  ASSERT_EQ(l.kind, nccl_line_kind::progress);
  EXPECT_EQ(l.work_seq, 90);
  EXPECT_EQ(l.enqueued, 91);
  EXPECT_EQ(l.completed, 89);
  EXPECT_EQ(l.tag.rank, 2);
  EXPECT_TRUE(l.tag.has_pg);
  EXPECT_EQ(l.tag.pg_id, 0);
}

TEST(NcclHangParse, DumpSignalProgressLine) {
  const nccl_line l = parse_nccl_line(
      "[rank4]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:1395] [PG 0 (default_pg) Rank 4] "
      "Received a dump signal due to a collective timeout from  rank 9 and we will try our best "
      "to dump the debug info. Last enqueued NCCL work: 1200, last completed NCCL work: 1199.");
  ASSERT_EQ(l.kind, nccl_line_kind::progress);
  EXPECT_EQ(l.enqueued, 1200);
  EXPECT_EQ(l.completed, 1199);
  EXPECT_EQ(l.tag.rank, 4);
}

TEST(NcclHangParse, HeartbeatLines) {
  const nccl_line monitor = parse_nccl_line(
      "[rank5]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 5] Heartbeat monitor timed out! Process "
      "will be terminated after dumping debug info. workMetaList_.size()=1");
  ASSERT_EQ(monitor.kind, nccl_line_kind::heartbeat);
  EXPECT_EQ(monitor.tag.rank, 5);
  EXPECT_EQ(monitor.stuck_s, -1);

  const nccl_line stuck = parse_nccl_line(
      "[rank0]:[F1015 09:12:44.101795383 ProcessGroupNCCL.cpp:1423] [PG ID 0 PG GUID "
      "0(default_pg) Rank 0] ProcessGroupNCCL's watchdog got stuck for 480 seconds without "
      "making progress in monitoring enqueued collectives.");
  ASSERT_EQ(stuck.kind, nccl_line_kind::heartbeat);
  EXPECT_EQ(stuck.stuck_s, 480);
  EXPECT_EQ(stuck.tag.pg_name, "default_pg");
}

struct net_case {
  std::string_view name;
  std::string_view line;
  nccl_net_kind kind;
  std::int64_t ibv_status;
  std::int64_t vendor_err;
  std::int64_t retcode;
  std::string_view peer;
};

class NcclHangParseNet : public ::testing::TestWithParam<net_case> {};

TEST_P(NcclHangParseNet, Fields) {
  const net_case& c = GetParam();
  const nccl_line l = parse_nccl_line(c.line);
  ASSERT_EQ(l.kind, nccl_line_kind::net_warn) << c.line;
  EXPECT_EQ(l.net, c.kind);
  EXPECT_EQ(l.ibv_status, c.ibv_status);
  EXPECT_EQ(l.vendor_err, c.vendor_err);
  EXPECT_EQ(l.retcode, c.retcode);
  EXPECT_EQ(l.peer, c.peer);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, NcclHangParseNet,
    ::testing::Values(
        net_case{"ib_old_form",
                 "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got "
                 "completion from peer 10.0.3.14<41232> with error 12, opcode 0, len 0, vendor "
                 "err 129 (Recv)",
                 nccl_net_kind::ib_completion, 12, 129, -1, "10.0.3.14<41232>"},
        net_case{"ib_status_form",
                 "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1696 NCCL WARN NET/IB : Got "
                 "completion from peer 10.0.3.14<41232> with status=12 opcode=0 len=0 vendor err "
                 "129 (Recv) localGid fe80::ba3f:d2ff:fe4a:1b2c remoteGids "
                 "fe80::ba3f:d2ff:fe4a:9e10",
                 nccl_net_kind::ib_completion, 12, 129, -1, "10.0.3.14<41232>"},
        net_case{"ib_named_status_form",
                 "gpu-node-3:2451:2560 [1] transport/net_ib/p2p.cc:281 NCCL WARN NET/IB: Got "
                 "completion from peer 10.0.3.14<41232> with status=IBV_WC_REM_ACCESS_ERR(10) "
                 "opcode=IBV_WC_SEND(0) vendor_err=136 localGid ::ffff:10.0.3.13 "
                 "remoteGids::ffff:10.0.3.14 hca mlx5_0",
                 nccl_net_kind::ib_completion, 10, 136, -1, "10.0.3.14<41232>"},
        net_case{"socket_closed",
                 "gpu-node-3:2451:2560 [0] misc/socket.cc:49 NCCL WARN NET/Socket : Connection "
                 "closed by remote peer gpu-node-4<45123>",
                 nccl_net_kind::socket_closed, -1, -1, -1, "gpu-node-4<45123>"},
        net_case{"proxy_failure",
                 "gpu-node-3:2451:2560 [1] proxy.cc:1496 NCCL WARN [Proxy Service 1] Failed to "
                 "execute operation Connect from rank 1, retcode 6",
                 nccl_net_kind::proxy, -1, -1, 6, "rank 1"},
        net_case{"ib_async_event",
                 "gpu-node-3:2451:2560 [2] transport/net_ib.cc:106 NCCL WARN NET/IB : mlx5_2:1 "
                 "Got async event : port error",
                 nccl_net_kind::ib_async, -1, -1, -1, ""}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NcclHangParse, StatusAndResultNames) {
  EXPECT_EQ(ibv_wc_status_name(12), "IBV_WC_RETRY_EXC_ERR");
  EXPECT_EQ(ibv_wc_status_meaning(12), "retry exceeded (peer unreachable: link, switch or cable)");
  EXPECT_EQ(ibv_wc_status_meaning(-1), "unknown status");
  EXPECT_EQ(ibv_wc_status_name(5), "IBV_WC_WR_FLUSH_ERR");
  EXPECT_EQ(ibv_wc_status_name(-1), "");
  EXPECT_EQ(ibv_wc_status_name(1000), "");
  EXPECT_EQ(nccl_result_name(6), "ncclRemoteError");
  EXPECT_EQ(nccl_result_name(-1), "");
  EXPECT_EQ(nccl_result_name(1000), "");
}

TEST(NcclHangParse, LinesOfOtherFormatsAreNotOurs) {
  for (std::string_view line : {
           std::string_view{},
           std::string_view{"["},
           std::string_view{"{'loss': 1.2345, 'learning_rate': 2e-05, 'epoch': 0.12}"},
           std::string_view{"[ 1234.567890] NVRM: Xid (PCI:0000:5d:00): 79, pid=1234"},
           std::string_view{R"(DCGM_FI_DEV_GPU_TEMP{gpu="0"} 45)"},
       }) {
    EXPECT_EQ(parse_nccl_line(line).kind, nccl_line_kind::none) << line;
  }
}

TEST(NcclHangParse, InformationalLinesAreBenign) {
  const nccl_line l = parse_nccl_line(
      "[rank0]:[I1015 09:00:01.123456789 ProcessGroupNCCL.cpp:916] [PG 0 Rank 0] "
      "ProcessGroupNCCL initialization options: size: 8, global rank: 0");
  EXPECT_EQ(l.kind, nccl_line_kind::benign);
}

// Every prefix of a timeout line is either not ours, benign or malformed: never a timeout with
// a field cut short, and never a read past the end (ASan builds check that).
TEST(NcclHangParse, TruncatedTimeoutIsNeverATimeout) {
  const std::string line(watchdog_timeout);
  // The line parses as a timeout once its fields are all there; every shorter cut must not.
  const std::size_t complete = line.find(" ran for ");
  ASSERT_NE(complete, std::string::npos);
  for (std::size_t n = 0; n < complete; ++n) {
    const nccl_line l = parse_nccl_line(std::string_view(line).substr(0, n));
    EXPECT_NE(l.kind, nccl_line_kind::timeout) << "cut at " << n << ": " << line.substr(0, n);
  }
  EXPECT_EQ(parse_nccl_line(line).kind, nccl_line_kind::timeout);
}

TEST(NcclHangParse, GarbledNumbersAreMalformed) {
  for (std::string_view line : {
           std::string_view{"[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught "
                            "collective operation timeout: WorkNCCL(SeqNum=x, OpType=ALLREDUCE, "
                            "NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600026 "
                            "milliseconds before timing out."},
           std::string_view{"[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught "
                            "collective operation timeout: WorkNCCL(SeqNum=220, "
                            "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=) ran for "
                            "600026 milliseconds before timing out."},
       }) {
    EXPECT_EQ(parse_nccl_line(line).kind, nccl_line_kind::malformed) << line;
  }
}

// Views point into the line: the op and peer end where their token ends.
TEST(NcclHangParse, TokensEndAtTheirDelimiters) {
  const nccl_line t = parse_nccl_line(watchdog_timeout);
  ASSERT_EQ(t.kind, nccl_line_kind::timeout);
  EXPECT_GE(t.op.data(), watchdog_timeout.data());
  EXPECT_LE(t.op.data() + t.op.size(), watchdog_timeout.data() + watchdog_timeout.size());
  EXPECT_EQ(t.op.find(','), std::string_view::npos);

  const std::string_view net =
      "gpu-node-3:2451:2560 [0] misc/socket.cc:49 NCCL WARN NET/Socket : Connection closed by "
      "remote peer gpu-node-4<45123>";
  const nccl_line n = parse_nccl_line(net);
  ASSERT_EQ(n.kind, nccl_line_kind::net_warn);
  EXPECT_EQ(n.peer.data() + n.peer.size(), net.data() + net.size());
}

TEST(NcclHangParse, LargestAndOverflowingNumbers) {
  const nccl_line big = parse_nccl_line(
      "[rank2]:[E ProcessGroupNCCL.cpp:1537] [PG 0 Rank 2] Timeout at NCCL work: 1, last "
      "enqueued NCCL work: 1, last completed NCCL work: 76280750235782912.");
  ASSERT_EQ(big.kind, nccl_line_kind::progress);
  EXPECT_EQ(big.completed, 76280750235782912);

  const nccl_line overflow = parse_nccl_line(
      "[rank2]:[E ProcessGroupNCCL.cpp:1537] [PG 0 Rank 2] Timeout at NCCL work: 1, last "
      "enqueued NCCL work: 1, last completed NCCL work: 99999999999999999999999.");
  EXPECT_NE(overflow.kind, nccl_line_kind::progress);
}

}  // namespace
}  // namespace detectors::internal
