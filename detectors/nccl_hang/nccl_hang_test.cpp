// Tests for the nccl_hang detector on literal PyTorch ProcessGroupNCCL and NCCL debug lines:
// every prefix generation and tag form, companion lines, heartbeat and blocking-wait timeouts,
// network attribution and its window edges, stragglers, bounded state, malformed lines, and
// the corpus generator's episodes.
#include "detectors/nccl_hang.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/corpus.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;
constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = ns_per_second;

class harness {
 public:
  explicit harness(const nccl_hang_config& c = {}) : det(c) {}

  // Feeds `line` at t0 + offset on `node`.
  void feed(std::int64_t offset, std::string_view line, std::string_view node = "node-007") {
    det.on_event(event{t0 + offset, node, source::workload, line}, sink);
  }
  void finish() { det.finish(sink); }

  std::vector<owned_finding> of_kind(std::string_view kind) const {
    std::vector<owned_finding> out;
    for (const auto& f : sink.findings) {
      if (f.kind == kind) out.push_back(f);
    }
    return out;
  }

  nccl_hang_detector det;
  collecting_sink sink;
};

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string timeout_line(int rank, int seq) {
  const std::string rs = std::to_string(rank);
  return "[rank" + rs + "]:[E ProcessGroupNCCL.cpp:563] [Rank " + rs +
         "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=" + std::to_string(seq) +
         ", OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600026 "
         "milliseconds before timing out.";
}

std::string progress(int rank, std::int64_t enqueued, std::int64_t completed) {
  const std::string rs = std::to_string(rank);
  return "[rank" + rs + "]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:1395] [PG 0 " +
         "(default_pg) Rank " + rs +
         "] Received a dump signal due to a collective timeout from  rank 9 and we will try our "
         "best to dump the debug info. Last enqueued NCCL work: " +
         std::to_string(enqueued) + ", last completed NCCL work: " + std::to_string(completed) +
         ".";
}

void round(harness& h, std::int64_t at, std::int64_t seq, std::int64_t slow_completed) {
  for (int r = 0; r < 4; ++r) {
    const std::int64_t c = r == 3 ? slow_completed : seq;
    h.feed(at, progress(r, c + 1, c));
  }
}

// --- watchdog timeout in every prefix generation ----------------------------------------------

TEST(NcclHang, OldestPrefixTimeoutIsCriticalAndNamesTheCollective) {
  harness h;
  h.feed(0,
         "[E ProcessGroupNCCL.cpp:828] [Rank 3] Watchdog caught collective operation timeout: "
         "WorkNCCL(SeqNum=12345, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600321 milliseconds "
         "before timing out.");
  EXPECT_TRUE(h.sink.findings.empty()) << "reported before the incident settled";
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.detector, "nccl_hang");
  EXPECT_EQ(f.node, "node-007");
  EXPECT_EQ(f.kind, "nccl_timeout");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.subject, "default/rank3");
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_TRUE(contains(f.message, "ALLREDUCE SeqNum=12345")) << f.message;
  EXPECT_TRUE(contains(f.message, "after 600321 ms (Timeout(ms)=600000)")) << f.message;
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0);
  EXPECT_EQ(f.count, 1u);
  EXPECT_EQ(f.message.find('\n'), std::string::npos);
  EXPECT_EQ(h.det.stats().recognised, 1u);
  EXPECT_EQ(h.det.stats().findings, 1u);
}

TEST(NcclHang, RankPrefixedTimeoutWithNumelFields) {
  harness h;
  h.feed(0,
         "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
         "timeout: WorkNCCL(SeqNum=220, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, "
         "Timeout(ms)=600000) ran for 600026 milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank3");
  EXPECT_TRUE(contains(h.sink.findings[0].message, "ALLREDUCE SeqNum=220"))
      << h.sink.findings[0].message;
}

TEST(NcclHang, GlogPrefixWithPgTagKeysTheDefaultPg) {
  harness h;
  h.feed(0,
         "[rank7]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:616] [PG 0 (default_pg) Rank 7] "
         "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5, "
         "OpType=_ALLGATHER_BASE, NumelIn=1, NumelOut=8, Timeout(ms)=1800000) ran for 1800083 "
         "milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.subject, "default/rank7");
  EXPECT_TRUE(contains(f.message, "_ALLGATHER_BASE SeqNum=5")) << f.message;
  EXPECT_TRUE(contains(f.message, "(default_pg)")) << f.message;
  EXPECT_TRUE(contains(f.message, "Timeout(ms)=1800000")) << f.message;
}

TEST(NcclHang, PgIdGuidTagOnNonDefaultGroupIsItsOwnJob) {
  harness h;
  h.feed(0,
         "[rank1]:[E1201 10:00:00.123456789 ProcessGroupNCCL.cpp:1595] [PG ID 2 PG GUID 5(tp) "
         "Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=57, "
         "OpType=ALLGATHER, NumelIn=1, NumelOut=4, Timeout(ms)=600000) ran for 600038 "
         "milliseconds before timing out.");
  h.feed(0,
         "[rank1]:[E1201 10:00:00.123456789 ProcessGroupNCCL.cpp:1595] [PG ID 0 PG GUID "
         "0(default_pg) Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=9, "
         "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600001 "
         "milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2u);
  EXPECT_EQ(h.sink.findings[0].subject, "pg2/rank1");
  EXPECT_TRUE(contains(h.sink.findings[0].message, "PG 2 (tp)")) << h.sink.findings[0].message;
  EXPECT_EQ(h.sink.findings[1].subject, "default/rank1");
}

TEST(NcclHang, PyTorch1xTimeoutWithoutSeqNum) {
  harness h;
  h.feed(0,
         "[E ProcessGroupNCCL.cpp:566] [Rank 0] Watchdog caught collective operation timeout: "
         "WorkNCCL(OpType=BROADCAST, Timeout(ms)=1800000) ran for 1801535 milliseconds before "
         "timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_TRUE(contains(h.sink.findings[0].message, "BROADCAST on")) << h.sink.findings[0].message;
}

TEST(NcclHang, CollectorPrefixBeforeTheHeaderIsAccepted) {
  harness h;
  h.feed(0,
         "(RayWorkerVllm pid=1394) [E ProcessGroupNCCL.cpp:475] [Rank 3] Watchdog caught "
         "collective operation timeout: WorkNCCL(SeqNum=4967570, OpType=ALLREDUCE, "
         "NumelIn=73728, NumelOut=73728, Timeout(ms)=1800000) ran for 1800542 milliseconds "
         "before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank3");
}

// --- lagging ranks ---------------------------------------------------------------------------

TEST(NcclHang, NamesTheRankThatNeverEnqueuedTheCollective) {
  harness h;
  for (int r : {0, 1, 2, 4, 5, 6, 7}) {
    const std::string rs = std::to_string(r);
    h.feed(r * ms, "[rank" + rs + "]:[E ProcessGroupNCCL.cpp:563] [Rank " + rs +
                       "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=220, "
                       "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for "
                       "600026 milliseconds before timing out.");
    h.feed(r * ms, "[rank" + rs + "]:[E ProcessGroupNCCL.cpp:1182] [Rank " + rs +
                       "] Timeout at NCCL work: 220, last enqueued NCCL work: 220, last "
                       "completed NCCL work: 219.");
  }
  h.feed(20 * ms,
         "[rank3]:[E ProcessGroupNCCL.cpp:1395] [PG 0 Rank 3] Received a dump signal due to a "
         "collective timeout from  rank 0 and we will try our best to dump the debug info. Last "
         "enqueued NCCL work: 219, last completed NCCL work: 219.This is most likely caused by "
         "incorrect usages of collectives.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "nccl_timeout");
  EXPECT_EQ(f.subject, "default/rank3");
  EXPECT_TRUE(contains(f.message, "timed-out rank(s) 0-2,4-7")) << f.message;
  EXPECT_TRUE(contains(f.message,
                       "lagging rank(s) 3 never enqueued SeqNum 220 (last enqueued 219, last "
                       "completed 219; others completed up to 219)"))
      << f.message;
  EXPECT_EQ(f.count, 7u);
  EXPECT_EQ(f.last_ns, t0 + 7 * ms);
}

TEST(NcclHang, NamesTheRankWithTheLowestCompletedSeqNum) {
  harness h;
  h.feed(0,
         "[rank0]:[E1003 18:37:01.833575187 ProcessGroupNCCL.cpp:1664] [PG 0 (default_pg) Rank "
         "0] Exception (either an error or timeout) detected by watchdog at work: 6463, last "
         "enqueued NCCL work: 6463, last completed NCCL work: 6462.");
  h.feed(0,
         "[PG 0 Rank 2] Exception (either an error or timeout) detected by watchdog at work: "
         "6459, last enqueued NCCL work: 6459, last completed NCCL work: 6458.");  // bare
  h.feed(1 * ms,
         "[rank1]:[E1003 18:37:01.832146912 ProcessGroupNCCL.cpp:607] [Rank 1] Watchdog caught "
         "collective operation timeout: WorkNCCL(SeqNum=6463, OpType=ALLREDUCE, NumelIn=1, "
         "NumelOut=1, Timeout(ms)=1800000) ran for 1800017 milliseconds before timing out.");
  h.feed(2 * ms,
         "[rank1]:[E1003 18:37:01.833621509 ProcessGroupNCCL.cpp:1709] [PG 0 (default_pg) Rank "
         "1] Timeout at NCCL work: 6463, last enqueued NCCL work: 6463, last completed NCCL "
         "work: 6462.");
  h.finish();
  ASSERT_EQ(h.of_kind("nccl_timeout").size(), 1u);
  const owned_finding f = h.of_kind("nccl_timeout")[0];
  EXPECT_EQ(f.subject, "default/rank2");
  EXPECT_TRUE(contains(f.message,
                       "lagging rank(s) 2 never enqueued SeqNum 6463 (last enqueued 6459, last "
                       "completed 6458; others completed up to 6462)"))
      << f.message;
}

TEST(NcclHang, AllLocalRanksEquallyStuckSaysTheLaggardIsRemote) {
  harness h;
  for (int r = 0; r < 4; ++r) {
    const std::string rs = std::to_string(r);
    h.feed(r * ms,
           "[rank" + rs + "]:[E710 18:00:32.426182607 ProcessGroupNCCL.cpp:757] [Rank " + rs +
               "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=59958, "
               "OpType=ALLREDUCE, NumelIn=8388608, NumelOut=8388608, Timeout(ms)=1800000) ran for "
               "1800077 milliseconds before timing out.");
    h.feed(r * ms, "[rank" + rs +
                       "]:[E710 18:00:32.426302794 ProcessGroupNCCL.cpp:2395] [PG ID 0 "
                       "PG GUID 0(default_pg) Rank " +
                       rs +
                       "]  failure detected by watchdog at work sequence id: 59958 PG status: "
                       "last enqueued work: 59998, last completed work: 59957");
  }
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.subject, "default/rank0-3");
  EXPECT_TRUE(contains(f.message,
                       "no local rank behind another: all 4 at last completed 59957; the rank "
                       "holding the collective up is on another node"))
      << f.message;
}

TEST(NcclHang, SilentRankKnownFromBeforeIsTheSuspect) {
  // PyTorch 2.2 logs nothing for a rank stuck outside the collective; it was heard before.
  harness h;
  h.feed(-120 * sec,
         "[rank3]:[E ProcessGroupNCCL.cpp:1182] [Rank 3] Timeout at NCCL work: 90, "
         "last enqueued NCCL work: 90, last completed NCCL work: 89.");
  for (int r : {0, 1, 2}) {
    const std::string rs = std::to_string(r);
    h.feed(r * ms, "[rank" + rs + "]:[E ProcessGroupNCCL.cpp:563] [Rank " + rs +
                       "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=220, "
                       "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for "
                       "600026 milliseconds before timing out.");
  }
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.subject, "default/rank3");
  EXPECT_TRUE(contains(f.message,
                       "no local rank behind another: all 3 at last completed 219; "
                       "rank(s) 3 of the job did not report"))
      << f.message;
  EXPECT_FALSE(contains(f.message, "lagging")) << f.message;
}

TEST(NcclHang, RankHeardLongAgoIsNeitherLaggardNorSuspect) {
  harness h;
  h.feed(-11 * 60 * sec,
         "[rank3]:[E ProcessGroupNCCL.cpp:1182] [Rank 3] Timeout at NCCL work: "
         "90, last enqueued NCCL work: 90, last completed NCCL work: 89.");
  h.feed(0, timeout_line(0, 220));
  h.feed(0, timeout_line(1, 220));
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank0,1");
  EXPECT_TRUE(contains(h.sink.findings[0].message,
                       "all 2 at last completed 219; the rank holding "
                       "the collective up is on another node"))
      << h.sink.findings[0].message;
}

TEST(NcclHang, UncleanCompletedValueIsClampedToEnqueued) {
  // PyTorch has printed an uninitialised "last completed" (seen in real logs).
  harness h;
  h.feed(0,
         "[rank2]:[E ProcessGroupNCCL.cpp:1537] [PG 0 Rank 2] Timeout at NCCL work: 1, last "
         "enqueued NCCL work: 1, last completed NCCL work: 76280750235782912.");
  h.feed(1 * ms,
         "[rank2]:[E ProcessGroupNCCL.cpp:1414] [PG 0 Rank 2] Process group watchdog thread "
         "terminated with exception: [Rank 2] Watchdog caught collective operation timeout: "
         "WorkNCCL(SeqNum=1, OpType=ALLREDUCE, NumelIn=1048576, NumelOut=1048576, "
         "Timeout(ms)=600000) ran for 600425 milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  // "Timeout at NCCL work: 1": work 1 failed, so at most 0 completed.
  EXPECT_TRUE(contains(h.sink.findings[0].message, "last completed 0,"))
      << h.sink.findings[0].message;
  EXPECT_EQ(h.det.stats().malformed, 0u);
}

// --- one incident per collective ---------------------------------------------------------------

TEST(NcclHang, ReloggedExceptionFoldsIntoOneFinding) {
  harness h;
  const std::string wd =
      "[Rank 2] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=220, "
      "OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600026 milliseconds "
      "before timing out.";
  h.feed(0, "[rank2]:[E ProcessGroupNCCL.cpp:563] " + wd);
  h.feed(1 * ms,
         "[rank2]:[E ProcessGroupNCCL.cpp:1414] [PG 0 Rank 2] Process group watchdog "
         "thread terminated with exception: " +
             wd);
  h.feed(2 * ms, "  what():  " + wd);
  h.feed(20 * sec, "  what():  " + wd);  // after the report: folded, not a second finding
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].count, 3u);
  EXPECT_EQ(h.det.stats().recognised, 4u);
}

TEST(NcclHang, ReportsAfterTheSettleTimeWithoutFinish) {
  harness h;
  const std::string line =
      "[rank0]:[E ProcessGroupNCCL.cpp:563] [Rank 0] Watchdog caught collective operation "
      "timeout: WorkNCCL(SeqNum=10, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600100 "
      "milliseconds before timing out.";
  h.feed(0, line);
  h.feed(10 * sec - 1, "unrelated line");
  EXPECT_TRUE(h.sink.findings.empty());
  h.feed(10 * sec, "unrelated line");
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.det.stats().events, 3u);
  EXPECT_EQ(h.det.stats().recognised, 1u);
}

TEST(NcclHang, LaterCollectiveInTheSameJobIsANewIncident) {
  harness h;
  auto line = [](int seq) {
    return "[rank0]:[E ProcessGroupNCCL.cpp:563] [Rank 0] Watchdog caught collective operation "
           "timeout: WorkNCCL(SeqNum=" +
           std::to_string(seq) +
           ", OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600100 milliseconds before timing "
           "out.";
  };
  h.feed(0, line(10));
  h.feed(60 * sec, line(10));  // same collective, within the dedup window
  h.feed(120 * sec, line(11));
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2u);
  EXPECT_TRUE(contains(h.sink.findings[1].message, "SeqNum=11")) << h.sink.findings[1].message;
}

TEST(NcclHang, CompanionOfNonDefaultPgClaimsTheUntaggedWatchdogLine) {
  harness h;
  h.feed(0,
         "[rank1]:[E813 12:25:30.691567129 ProcessGroupNCCL.cpp:632] [Rank 1] Watchdog caught "
         "collective operation timeout: WorkNCCL(SeqNum=57, OpType=ALLGATHER, NumelIn=1, "
         "NumelOut=4, Timeout(ms)=600000) ran for 600038 milliseconds before timing out.");
  h.feed(1 * ms,
         "[rank1]:[E813 12:25:30.692163833 ProcessGroupNCCL.cpp:2271] [PG ID 1 PG GUID 1 Rank 1]  "
         "failure detected by watchdog at work sequence id: 57 PG status: last enqueued work: 57, "
         "last completed work: 56");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "pg1/rank1");
  EXPECT_TRUE(contains(h.sink.findings[0].message, "ALLGATHER SeqNum=57 on PG 1"))
      << h.sink.findings[0].message;
}

TEST(NcclHang, ReloggedUntaggedTimeoutFollowsItsClaim) {
  // The exception's what() repeats the untagged watchdog line after the companion line moved
  // the timeout to PG 1: it must not open a phantom incident in the default PG.
  harness h;
  const std::string wd =
      "[Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=57, "
      "OpType=ALLGATHER, NumelIn=1, NumelOut=4, Timeout(ms)=600000) ran for 600038 milliseconds "
      "before timing out.";
  h.feed(0, "[rank9]:[E813 12:25:30.691567129 ProcessGroupNCCL.cpp:632] " + wd);
  h.feed(1 * ms,
         "[rank9]:[E813 12:25:30.692163833 ProcessGroupNCCL.cpp:2271] [PG ID 1 PG GUID 1 Rank 1]  "
         "failure detected by watchdog at work sequence id: 57 PG status: last enqueued work: 57, "
         "last completed work: 56");
  h.feed(2 * ms, "  what():  " + wd);
  h.feed(30 * sec, "  what():  " + wd);  // after the report
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "pg1/rank1");
  EXPECT_EQ(h.sink.findings[0].count, 2u);
}

TEST(NcclHang, CompanionBeforeTheUntaggedWatchdogLineAlsoClaimsIt) {
  harness h;
  h.feed(0,
         "[rank9]:[E813 12:25:30.692163833 ProcessGroupNCCL.cpp:2271] [PG ID 3 PG GUID 7(tp) Rank "
         "2]  failure detected by watchdog at work sequence id: 11 PG status: last enqueued work: "
         "11, last completed work: 10");
  h.feed(1 * ms,
         "[rank9]:[E813 12:25:30.691567129 ProcessGroupNCCL.cpp:632] [Rank 2] Watchdog caught "
         "collective operation timeout: WorkNCCL(SeqNum=11, OpType=ALLREDUCE, NumelIn=1, "
         "NumelOut=1, Timeout(ms)=600000) ran for 600038 milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].subject, "pg3/rank2");
}

TEST(NcclHang, UntaggedTimeoutBelowTheReportedRangeIsNotFolded) {
  // The default PG reported SeqNum 900 a minute ago; PG 3 now times out at SeqNum 400 with the
  // watchdog line untagged. It is a new incident, claimed by PG 3's companion line.
  harness h;
  h.feed(-60 * sec, timeout_line(0, 900));
  h.feed(0, timeout_line(0, 400));
  h.feed(1 * ms,
         "[rank0]:[E813 12:25:30.692163833 ProcessGroupNCCL.cpp:2271] [PG ID 3 PG GUID 3 Rank 0]  "
         "failure detected by watchdog at work sequence id: 400 PG status: last enqueued work: "
         "400, last completed work: 399");
  h.feed(2 * ms, timeout_line(1, 900));  // the default PG's reported collective: folded
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2u);
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank0");
  EXPECT_EQ(h.sink.findings[1].subject, "pg3/rank0");
  EXPECT_TRUE(contains(h.sink.findings[1].message, "SeqNum=400")) << h.sink.findings[1].message;
}

TEST(NcclHang, TimeoutAfterAJobRestartForgetsTheOldIncarnation) {
  harness h;
  for (int r = 0; r < 4; ++r)
    h.feed(-120 * sec, progress(r, 1045387, 1045386));
  h.feed(0,
         "[Rank 2] Caught collective operation timeout: WorkNCCL(SeqNum=54992, "
         "OpType=BROADCAST, Timeout(ms)=300000) ran for 300000 milliseconds before timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.subject, "default/rank2");
  EXPECT_TRUE(contains(f.message, "; last completed 54991, last enqueued 54992; the rank holding"))
      << f.message;
  EXPECT_FALSE(contains(f.message, "did not report")) << f.message;
}

TEST(NcclHang, RanklessTimeoutIsStillAttributedToItsNode) {
  harness h;
  h.feed(0,
         "torch.distributed.DistBackendError: Watchdog caught collective operation timeout: "
         "WorkNCCL(SeqNum=77, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600100 milliseconds "
         "before timing out.",
         "node-042");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].node, "node-042");
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank?");
}

// --- blocking wait and heartbeat -----------------------------------------------------------------

TEST(NcclHang, BlockingWaitTimeoutBothForms) {
  harness h;
  h.feed(0,
         "[Rank 0] Caught collective operation timeout: WorkNCCL(SeqNum=9, OpType=BROADCAST, "
         "Timeout(ms)=300000) ran for 300012 milliseconds before timing out.",
         "node-001");
  h.feed(0,
         "[rank5]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:1031] [PG 0 (default_pg) Rank "
         "5] Work WorkNCCL(SeqNum=31, OpType=BROADCAST, NumelIn=1, NumelOut=1, "
         "Timeout(ms)=300000) timed out in blocking wait (TORCH_NCCL_BLOCKING_WAIT=1).",
         "node-002");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2u);
  for (const auto& f : h.sink.findings) {
    EXPECT_EQ(f.kind, "nccl_timeout");
    EXPECT_TRUE(contains(f.message, "blocking wait")) << f.message;
  }
  EXPECT_EQ(h.sink.findings[0].subject, "default/rank0");
  EXPECT_EQ(h.sink.findings[1].subject, "default/rank5");
  EXPECT_TRUE(contains(h.sink.findings[1].message, "after 300000 ms"))
      << h.sink.findings[1].message;
}

TEST(NcclHang, HeartbeatMonitorTimeoutIsCriticalOncePerJob) {
  harness h;
  for (int r = 0; r < 8; ++r) {
    const std::string rs = std::to_string(r);
    h.feed(r * ms, "[rank" + rs + "]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank " + rs +
                       "] Heartbeat monitor timed out! Process will be terminated after dumping "
                       "debug info. workMetaList_.size()=1");
  }
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "nccl_heartbeat_timeout");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.subject, "default/rank0");
  EXPECT_EQ(f.recommended, action::drain_node);
  EXPECT_EQ(h.det.stats().recognised, 8u);
}

TEST(NcclHang, WatchdogStuckFormGivesTheDuration) {
  harness h;
  h.feed(0,
         "[rank0]:[F1015 09:12:44.101795383 ProcessGroupNCCL.cpp:1423] [PG ID 0 PG GUID "
         "0(default_pg) Rank 0] ProcessGroupNCCL's watchdog got stuck for 480 seconds without "
         "making progress in monitoring enqueued collectives.");
  // Ten minutes later is a new window: reported again.
  h.feed(10 * 60 * sec,
         "[rank0]:[F1015 09:22:44.101795383 ProcessGroupNCCL.cpp:1423] [PG ID 0 PG GUID "
         "0(default_pg) Rank 0] ProcessGroupNCCL's watchdog got stuck for 480 seconds without "
         "making progress in monitoring enqueued collectives.");
  ASSERT_EQ(h.sink.findings.size(), 2u);
  EXPECT_TRUE(contains(h.sink.findings[0].message, "stuck for 480 s"))
      << h.sink.findings[0].message;
}

// --- network attribution ---------------------------------------------------------------------

constexpr std::string_view timeout_600 =
    "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation timeout: "
    "WorkNCCL(SeqNum=220, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for "
    "600000 milliseconds before timing out.";

struct net_case {
  std::string_view name;
  std::string_view warn;
  std::string_view expect;  // in the message
};

class NcclHangNetwork : public ::testing::TestWithParam<net_case> {};

TEST_P(NcclHangNetwork, WarnBeforeTheTimeoutAttributesItToTheNetwork) {
  harness h;
  h.feed(-30 * sec, GetParam().warn);
  h.feed(0, timeout_600);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const owned_finding& f = h.sink.findings[0];
  EXPECT_EQ(f.kind, "nccl_timeout_network");
  EXPECT_EQ(f.sev, severity::critical);
  EXPECT_EQ(f.recommended, action::check_network);
  EXPECT_EQ(f.first_ns, t0 - 30 * sec);
  EXPECT_TRUE(contains(f.message, "network-attributed")) << f.message;
  EXPECT_TRUE(contains(f.message, GetParam().expect)) << f.message;
  EXPECT_EQ(h.det.stats().recognised, 2u);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, NcclHangNetwork,
    ::testing::Values(
        net_case{"ib_old_form",
                 "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got "
                 "completion from peer 10.0.3.14<41232> with error 12, opcode 0, len 0, vendor "
                 "err 129 (Recv)",
                 "status 12 IBV_WC_RETRY_EXC_ERR = retry exceeded"},
        net_case{"ib_old_form_no_file_line",
                 "gpu-node-3:2451:2560 [0] NCCL WARN NET/IB : Got completion from peer "
                 "10.0.3.14<41232> with error 5, opcode 0, len 0, vendor err 249",
                 "IBV_WC_WR_FLUSH_ERR"},
        net_case{
            "ib_status_form",
            "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1696 NCCL WARN NET/IB : Got "
            "completion from peer 10.0.3.14<41232> with status=12 opcode=0 len=0 vendor err "
            "129 (Recv) localGid fe80::ba3f:d2ff:fe4a:1b2c remoteGids fe80::ba3f:d2ff:fe4a:9e10",
            "from peer 10.0.3.14<41232>"},
        net_case{"ib_status_form_hca",
                 "gpu-node-3:2451:2560 [3] transport/net_ib.cc:2330 NCCL WARN NET/IB: Got "
                 "completion from peer 10.0.3.14<41232> with status=13 opcode=0 len=0 vendor err "
                 "135 (Send) localGid ::ffff:10.0.3.13 remoteGids::ffff:10.0.3.14 hca mlx5_3",
                 "IBV_WC_RNR_RETRY_EXC_ERR"},
        net_case{"ib_named_status_form",
                 "gpu-node-3:2451:2560 [1] transport/net_ib/p2p.cc:281 NCCL WARN NET/IB: Got "
                 "completion from peer 10.0.3.14<41232> with status=IBV_WC_REM_ACCESS_ERR(10) "
                 "opcode=IBV_WC_SEND(0) vendor_err=136 localGid ::ffff:10.0.3.13 "
                 "remoteGids::ffff:10.0.3.14 hca mlx5_0",
                 "IBV_WC_REM_ACCESS_ERR = remote access error, vendor err 136"},
        net_case{"socket_closed",
                 "gpu-node-3:2451:2560 [0] misc/socket.cc:49 NCCL WARN NET/Socket : Connection "
                 "closed by remote peer gpu-node-4<45123>",
                 "socket connection closed by remote peer gpu-node-4<45123>"},
        net_case{"proxy_failure",
                 "gpu-node-3:2451:2560 [1] proxy.cc:1496 NCCL WARN [Proxy Service 1] Failed to "
                 "execute operation Connect from rank 1, retcode 6",
                 "retcode 6 ncclRemoteError"},
        net_case{"ib_async_event",
                 "gpu-node-3:2451:2560 [2] transport/net_ib.cc:106 NCCL WARN NET/IB : mlx5_2:1 Got "
                 "async event : port error",
                 "async event"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(NcclHang, NetworkWindowReachesBackOverTheHangPlusTheWindow) {
  // ran for 600000 ms + 10 min window: exactly 20 min before the timeout line still counts.
  constexpr std::string_view warn =
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from "
      "peer 10.0.3.14<41232> with error 12, opcode 0, len 0, vendor err 129";
  {
    harness h;
    h.feed(-20 * 60 * sec, warn);
    h.feed(0, timeout_600);
    h.finish();
    ASSERT_EQ(h.sink.findings.size(), 1u);
    EXPECT_EQ(h.sink.findings[0].kind, "nccl_timeout_network");
  }
  {
    harness h;
    h.feed(-20 * 60 * sec - 1, warn);
    h.feed(0, timeout_600);
    h.finish();
    ASSERT_EQ(h.sink.findings.size(), 1u);
    EXPECT_EQ(h.sink.findings[0].kind, "nccl_timeout");
  }
}

TEST(NcclHang, WarnAfterTheTimeoutOrOnAnotherNodeIsNotTheCause) {
  constexpr std::string_view warn =
      "gpu-node-3:2451:2560 [0] misc/socket.cc:49 NCCL WARN NET/Socket : Connection closed by "
      "remote peer gpu-node-4<45123>";
  harness h;
  h.feed(-5 * sec, warn, "node-008");
  h.feed(0, timeout_600);
  h.feed(1 * sec, warn);  // the teardown of the peers, after the timeout
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].kind, "nccl_timeout");
}

TEST(NcclHang, ShorterConfiguredWindowIsHonoured) {
  nccl_hang_config c;
  c.network_window_ns = 60 * sec;
  harness h(c);
  h.feed(-(600 + 61) * sec,
         "gpu-node-3:2451:2560 [0] NCCL WARN NET/IB : Got completion from peer 10.0.3.14<41232> "
         "with error 12, opcode 0, len 0, vendor err 129");
  h.feed(0, timeout_600);
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  EXPECT_EQ(h.sink.findings[0].kind, "nccl_timeout");
}

// --- stragglers ------------------------------------------------------------------------------

TEST(NcclHang, StragglerAfterSixtySecondsExactly) {
  harness h;
  round(h, 0, 100, 98);
  round(h, 30 * sec, 120, 110);
  EXPECT_TRUE(h.of_kind("nccl_straggler").empty());
  round(h, 60 * sec, 140, 120);
  ASSERT_EQ(h.of_kind("nccl_straggler").size(), 1u);
  const owned_finding f = h.of_kind("nccl_straggler")[0];
  EXPECT_EQ(f.sev, severity::warning);
  EXPECT_EQ(f.subject, "default/rank3");
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0 + 60 * sec);
  EXPECT_TRUE(contains(f.message,
                       "rank 3 of the default PG (default_pg) is 20 SeqNums behind "
                       "the job's median completed SeqNum 140 for 60 s (last "
                       "completed 120, last enqueued 121)"))
      << f.message;
  EXPECT_EQ(f.count, 3u);  // lagging in each of the three rounds
  EXPECT_EQ(f.recommended, action::observe);
  // Once per episode.
  round(h, 90 * sec, 160, 130);
  EXPECT_EQ(h.of_kind("nccl_straggler").size(), 1u);
}

TEST(NcclHang, StragglerNotBeforeSixtySeconds) {
  harness h;
  round(h, 0, 100, 98);
  round(h, 60 * sec - 1, 120, 110);
  EXPECT_TRUE(h.of_kind("nccl_straggler").empty());
}

TEST(NcclHang, LagOfOneIsNotAStraggler) {
  harness h;
  round(h, 0, 100, 99);
  round(h, 70 * sec, 120, 119);
  EXPECT_TRUE(h.of_kind("nccl_straggler").empty());
}

TEST(NcclHang, CatchingUpEndsTheEpisodeAndANewOneIsReportedAgain) {
  harness h;
  round(h, 0, 100, 98);
  round(h, 60 * sec, 120, 110);
  ASSERT_EQ(h.of_kind("nccl_straggler").size(), 1u);
  round(h, 90 * sec, 130, 130);  // caught up
  round(h, 120 * sec, 150, 140);
  round(h, 179 * sec, 170, 150);
  EXPECT_EQ(h.of_kind("nccl_straggler").size(), 1u);
  round(h, 180 * sec, 171, 151);
  EXPECT_EQ(h.of_kind("nccl_straggler").size(), 2u);
}

TEST(NcclHang, RankThatStopsReportingIsNotAStraggler) {
  harness h;
  round(h, 0, 100, 97);
  for (int i = 1; i <= 3; ++i) {  // rank 3 silent from here on
    for (int r = 0; r < 3; ++r)
      h.feed(i * 30 * sec, progress(r, 100 + 20 * i + 1, 100 + 20 * i));
  }
  EXPECT_TRUE(h.of_kind("nccl_straggler").empty());
}

TEST(NcclHang, JobRestartForgetsTheOldIncarnationsSeqNums) {
  harness h;
  round(h, 0, 5000, 5000);
  // The job restarted: rank 0 reports from scratch; the others' old 5000 must not make the
  // new rank 0 a straggler.
  h.feed(10 * sec, progress(0, 3, 2));
  h.feed(80 * sec, progress(0, 9, 8));
  EXPECT_TRUE(h.of_kind("nccl_straggler").empty());
  EXPECT_EQ(h.det.state_size(), 2u);  // the job and rank 0
}

// The straggler check skips its walk over the ranks when the job's highest completed SeqNum
// cannot put the rank behind; a restart lowers that bound with the ranks, so the new
// incarnation's straggler is measured against the new SeqNums (and found), not the old 5000.
TEST(NcclHang, StragglerInANewIncarnationIsFound) {
  harness h;
  round(h, 0, 5000, 5000);
  h.feed(10 * sec, progress(0, 3, 2));  // restart: every rank's old SeqNums are forgotten
  round(h, 20 * sec, 100, 98);
  round(h, 80 * sec, 120, 110);
  ASSERT_EQ(h.of_kind("nccl_straggler").size(), 1u);
  const owned_finding f = h.of_kind("nccl_straggler")[0];
  EXPECT_EQ(f.first_ns, t0 + 20 * sec);
  EXPECT_TRUE(contains(f.message, "is 10 SeqNums behind the job's median completed SeqNum 120"))
      << f.message;
}

// --- benign, foreign, malformed --------------------------------------------------------------

TEST(NcclHang, BenignOwnLinesAreRecognisedWithoutFindings) {
  harness h;
  const std::vector<std::string_view> lines = {
      "gpu-node-3:2451:2451 [0] NCCL INFO Bootstrap : Using eth0:10.0.3.13<0>",
      "gpu-node-3:2451:2451 [0] NCCL INFO NCCL version 2.18.5+cuda12.2",
      "gpu-node-3:2451:2560 [0] NCCL INFO comm 0x55d0c8a0 rank 0 nranks 16 cudaDev 0 nvmlDev 0 "
      "busId 18000 commId 0x1a2b3c4d5e6f7a8b - Init COMPLETE",
      "gpu-node-3:2451:2560 [0] NCCL INFO NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB ; OOB "
      "eth0:10.0.3.13<0>",
      "gpu-node-3:2451:2560 [0] misc/cudawrap.cc:36 NCCL WARN Cuda failure 'initialization error'",
      "[rank0]:[I1015 09:00:01.123456789 ProcessGroupNCCL.cpp:916] [PG 0 Rank 0] "
      "ProcessGroupNCCL initialization options: size: 16, global rank: 0, TIMEOUT(ms): 600000",
      "[rank0]:[W1015 09:00:01.123456789 ProcessGroupNCCL.cpp:1250] Warning: WARNING: process "
      "group has NOT been destroyed before we destruct ProcessGroupNCCL.",
      "[I ProcessGroupNCCL.cpp:686] [Rank 0] ProcessGroupNCCL initialized with following "
      "options:",
      "[rank368]:[E808 04:21:41.161011710 ProcessGroupNCCL.cpp:693] Stack trace of the failed "
      "collective not found, potentially because FlightRecorder is disabled.",
  };
  for (std::string_view l : lines)
    h.feed(0, l);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().recognised, lines.size());
  EXPECT_EQ(h.det.stats().malformed, 0u);
}

TEST(NcclHang, OtherDetectorsLinesAreIgnored) {
  harness h;
  const std::vector<std::string_view> lines = {
      "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.",
      "pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0",
      "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu=\"0\",UUID=\"GPU-1\",pci_bus_id=\"00000000:19:00.0\"} 0",
      "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu=\"1\",UUID=\"GPU-2\"} 64",
      R"({"type":"ADDED","object":{"reason":"Evicted","message":"The node was low on resource: memory. "}})",
      "Dec  2 11:38:47 host systemd[1]: Started Session 42 of user root.",
      "export NCCL_DEBUG=INFO NCCL_IB_HCA=mlx5",
      "frame #3: c10d::ProcessGroupNCCL::ncclCommWatchdog() + 0x1f0 (0x7f in libtorch_cuda.so)",
      "torch.distributed.DistBackendError: NCCL error in: "
      "../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error",
      "Exception raised from checkTimeout at "
      "../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:618 (most recent call first):",
      "the doc says NCCL WARN lines matter",
      "[Rank 9]  last enqueued: 10, last completed: 10 (NCCL summary)",
      "",
  };
  for (std::string_view l : lines)
    h.feed(0, l);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().recognised, 0u);
  EXPECT_EQ(h.det.stats().malformed, 0u);
  EXPECT_EQ(h.det.stats().events, lines.size());
  EXPECT_EQ(h.det.state_size(), 0u);
}

TEST(NcclHang, TruncatedAndGarbledOwnLinesAreMalformed) {
  harness h;
  const std::vector<std::string_view> lines = {
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
      "timeout: WorkNCCL(SeqNum=220, OpType=ALLRE",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
      "timeout: WorkNCCL(SeqNum=220, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 6000",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
      "timeout: WorkNCCL(SeqNum=x220, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600026 "
      "milliseconds before timing out.",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
      "timeout: WorkNCCL(SeqNum=99999999999999999999, OpType=ALLREDUCE, Timeout(ms)=600000) ran "
      "for 600026 milliseconds before timing out.",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught coll",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [Ra",
      "[rank3]:[E ProcessGroupNCCL.cpp:563] [PG 0 (default_pg) Rank",
      "[rank3]:[E ProcessGroupNCCL.cpp:563]",
      "[rank3]:[E ProcessGroupNCCL.cpp:56",
      "[rank3]:[E ProcessGroupNCCL.cp",
      "[rank3]:[E ProcessGroupNCCL",
      "[rank3]:[E ProcessGroupNCCL.cpp:1182] [Rank 3] Timeout at NCCL work: 220, last enqueued "
      "NCCL work: 220, last compl",
      "[rank3]:[E ProcessGroupNCCL.cpp:1182] [Rank 3] Timeout at NCCL wo",
      "[rank0]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 0] Heartbeat monitor tim",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from "
      "peer 10.0.3.14<41232> with error 12, opc",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1696 NCCL WARN NET/IB : Got completion from "
      "peer 10.0.3.14<41232> with status=12 opcode=0 len=0 vend",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1696 NCCL WARN NET/IB : Got completion from "
      "peer 10.0.3.1",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1696 NCCL WARN NET/IB : Got compl",
      "gpu-node-3:2451:2560 [1] proxy.cc:1496 NCCL WARN [Proxy Service 1] Failed to execute "
      "operation Connect from rank 1, ret",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WA",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL",
      "gpu-node-3:2451:2560 [0] transport/net_ib.cc:1295 NCCL WARN ",
      "  what():  [Rank 2] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1, Op",
  };
  for (std::string_view l : lines)
    h.feed(0, l);
  h.finish();
  EXPECT_TRUE(h.sink.findings.empty());
  EXPECT_EQ(h.det.stats().malformed, lines.size());
  EXPECT_EQ(h.det.stats().recognised, 0u);
}

// A header missing its host:pid:tid (or more) leaves the token search an empty view, whose
// data() is null: under UBSan (make test-asan) that must not reach memrchr, whose pointer
// argument is declared nonnull. These lines are prose, not NCCL debug lines.
TEST(NcclHang, HeaderWithoutHostTokensIsNotRecognised) {
  harness h;
  const std::vector<std::string_view> lines = {
      "[0] NCCL WARN NET/IB : Got completion from peer 10.0.3.14<41232> with error 12, opcode 0, "
      "len 0, vendor err 129",
      "net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer 10.0.3.14<41232> with error 12",
      "[3] NCCL INFO Bootstrap : Using eth0:10.0.3.14<0>",
      " [0] NCCL WARN Connection closed by remote peer",
      "[0] NCCL WA",
  };
  for (std::string_view line : lines)
    h.feed(0, line);
  h.finish();
  EXPECT_EQ(h.det.stats().recognised, 0u);
  EXPECT_EQ(h.det.stats().malformed, 0u);
  EXPECT_TRUE(h.sink.findings.empty());
}

// The [dev] token: a single digit takes a fast path, anything else goes through the integer
// parser; both must agree on what a device number is.
TEST(NcclHang, DeviceTokenOfTheHeader) {
  const auto recognised = [](std::string_view dev) {
    harness h;
    const std::string line = "gpu-node-3:2451:2560 " + std::string(dev) +
                             " NCCL INFO Bootstrap : Using eth0:10.0.3.14<0>";
    h.feed(0, line);
    return h.det.stats().recognised;
  };
  for (std::string_view dev : {"[0]", "[7]", "[9]", "[12]", "[00]", "[-1]"})
    EXPECT_EQ(recognised(dev), 1u) << dev;
  for (std::string_view dev : {"[a]", "[-]", "[ ]", "[:]", "[/]", "[]", "[+1]", "[1a]", "[-a]"})
    EXPECT_EQ(recognised(dev), 0u) << dev;
}

// host:pid:tid and file:line end in ':' and digits (checked by walking back over the digits).
TEST(NcclHang, HostPidTidAndFileLineTokensOfTheHeader) {
  const auto recognised = [](std::string_view head) {
    harness h;
    const std::string line = std::string(head) + " NCCL WARN Connection closed by remote peer";
    h.feed(0, line);
    return h.det.stats().recognised;
  };
  for (std::string_view head : {"gpu-node-3:2451:2560 [0]", "h:1:2 [0]", "a:b:1:2 [0]",
                                "gpu-node-3:2451:2560 [0] net_ib.cc:1295", "h:1:2 [0] :7"})
    EXPECT_EQ(recognised(head), 1u) << head;
  for (std::string_view head : {":1:2 [0]", "h:1: [0]", "h::2 [0]", "h:1:2a [0]", "h:1a:2 [0]",
                                "h:12 [0]", "12 [0]", "h-1-2 [0]", "h:1:2 [0] net_ib.cc:",
                                "h:1:2 [0] net_ib.cc:12a", "h:1:2 [0] net_ib.cc", "h:1:2 [0] 1295"})
    EXPECT_EQ(recognised(head), 0u) << head;
}

TEST(NcclHang, EveryPrefixOfARealLineIsSafe) {
  // Cutting a line anywhere never crashes and never yields a finding of the wrong kind.
  const std::vector<std::string_view> lines = {
      "[rank7]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:616] [PG 0 (default_pg) Rank 7] "
      "Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5, OpType=_ALLGATHER_BASE, "
      "NumelIn=1, NumelOut=8, Timeout(ms)=1800000) ran for 1800083 milliseconds before timing "
      "out.",
      "[rank1]:[E1201 10:00:00.123456789 ProcessGroupNCCL.cpp:1595] [PG ID 0 PG GUID "
      "0(default_pg) Rank 1]  failure detected by watchdog at work sequence id: 5 PG status: "
      "last enqueued work: 5, last completed work: 4",
      "gpu-node-3:2451:2560 [1] transport/net_ib/p2p.cc:281 NCCL WARN NET/IB: Got completion "
      "from peer 10.0.3.14<41232> with status=IBV_WC_RETRY_EXC_ERR(12) opcode=IBV_WC_SEND(0) "
      "vendor_err=129 localGid ::ffff:10.0.3.13 remoteGids::ffff:10.0.3.14 hca mlx5_0",
  };
  for (std::string_view l : lines) {
    harness h;
    for (std::size_t n = 0; n <= l.size(); ++n)
      h.feed(static_cast<std::int64_t>(n) * sec, l.substr(0, n));
    h.finish();
    EXPECT_EQ(h.det.stats().events, l.size() + 1);
    EXPECT_GT(h.det.stats().malformed, 10u);
    for (const auto& f : h.sink.findings)
      EXPECT_NE(f.kind, "nccl_heartbeat_timeout");
  }
}

// --- bounded state ---------------------------------------------------------------------------

TEST(NcclHang, StateStaysBoundedOverAMillionEvents) {
  nccl_hang_config c;
  c.max_jobs = 512;
  c.max_nodes = 256;
  c.max_ranks_per_job = 64;
  harness h(c);
  std::size_t peak = 0;
  std::string line;
  std::string node;
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    node = "node-" + std::to_string(i % 5000);
    const std::int64_t rank = i % 997;
    const std::int64_t pg = i % 7;
    switch (i % 4) {
      case 0:
        line = "[rank" + std::to_string(rank) + "]:[E ProcessGroupNCCL.cpp:1182] [PG " +
               std::to_string(pg) + " Rank " + std::to_string(rank) +
               "] Timeout at NCCL work: " + std::to_string(i) +
               ", last enqueued NCCL work: " + std::to_string(i) +
               ", last completed NCCL work: " + std::to_string(i - 1) + ".";
        break;
      case 1:
        line =
            "[rank" + std::to_string(rank) + "]:[E ProcessGroupNCCL.cpp:563] [PG " +
            std::to_string(pg) + " Rank " + std::to_string(rank) +
            "] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=" + std::to_string(i) +
            ", OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600001 milliseconds before "
            "timing out.";
        break;
      case 2:
        line =
            "h:1:2 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer "
            "10.0.0.1<1> with error 12, opcode 0, len 0, vendor err 129";
        break;
      default:
        line = "unrelated noise line";
        break;
    }
    h.feed(i * 10 * ms, line, node);
    if (i % 1000 == 0) peak = std::max(peak, h.det.state_size());
  }
  h.finish();
  peak = std::max(peak, h.det.state_size());
  // jobs + their ranks and incident entries + nodes + their WARNs, each within its cap.
  const std::size_t bound =
      c.max_jobs * (1 + 2 * c.max_ranks_per_job) + c.max_nodes * (1 + c.max_network_warns_per_node);
  EXPECT_LE(peak, bound);
  EXPECT_GT(peak, 0u);
  EXPECT_EQ(h.det.stats().events, 1'000'000u);
  EXPECT_EQ(h.det.stats().recognised, 750'000u);
  EXPECT_GT(h.det.stats().findings, 1000u);
}

TEST(NcclHang, IdleJobsAreEvicted) {
  harness h;
  h.feed(0, timeout_600);
  h.feed(1 * ms,
         "gpu-node-3:2451:2560 [0] NCCL WARN NET/IB : Got completion from peer 10.0.3.14<41232> "
         "with error 12, opcode 0, len 0, vendor err 129",
         "node-009");
  EXPECT_GT(h.det.state_size(), 0u);
  h.feed(3 * 3600 * sec, "unrelated");  // beyond the job idle time and the WARN retention
  EXPECT_EQ(h.det.state_size(), 0u);
  EXPECT_EQ(h.sink.findings.size(), 1u);  // the pending incident was reported, not lost
}

// A job forgotten as idle hands its storage to the next new job, never its state: the new job
// of the default PG on another node carries neither the old PG's name nor its reported range.
TEST(NcclHang, NewJobAfterAnIdleOneIsForgottenStartsFresh) {
  harness h;
  h.feed(0,
         "[rank1]:[E1201 10:00:00.123456789 ProcessGroupNCCL.cpp:1595] [PG ID 2 PG GUID 5(tp) "
         "Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=220, "
         "OpType=ALLGATHER, NumelIn=1, NumelOut=4, Timeout(ms)=600000) ran for 600038 "
         "milliseconds before timing out.");
  h.feed(3600 * sec, "unrelated");  // reports the incident, then forgets the idle job
  EXPECT_EQ(h.det.state_size(), 0u);
  h.feed(3601 * sec, timeout_600, "node-008");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 2u);
  const owned_finding& f = h.sink.findings[1];
  EXPECT_EQ(f.node, "node-008");
  EXPECT_EQ(f.subject, "default/rank3");
  EXPECT_TRUE(contains(f.message, "ALLREDUCE SeqNum=220 on the default PG timed out")) << f.message;
}

// Garbled input reads back as before: an OpType longer than any real one (the detector keeps
// real names inline) is named whole, a WARN's peer is cut at 64 characters.
TEST(NcclHang, OverlongOpTypeAndPeerAreKeptAsBefore) {
  harness h;
  const std::string op(100, 'Q');
  const std::string peer = "10.0.3.14<41232>" + std::string(80, 'p');
  h.feed(-30 * sec,
         "gpu-node-3:2451:2560 [0] misc/socket.cc:49 NCCL WARN NET/Socket : Connection closed by "
         "remote peer " +
             peer);
  h.feed(0,
         "[rank3]:[E ProcessGroupNCCL.cpp:563] [Rank 3] Watchdog caught collective operation "
         "timeout: WorkNCCL(SeqNum=220, OpType=" +
             op +
             ", NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600000 milliseconds before "
             "timing out.");
  h.finish();
  ASSERT_EQ(h.sink.findings.size(), 1u);
  const std::string& m = h.sink.findings[0].message;
  EXPECT_TRUE(m.starts_with(op + " SeqNum=220 on the default PG")) << m;
  EXPECT_TRUE(contains(m, "closed by remote peer " + peer.substr(0, 64) + " 30 s before")) << m;
}

// --- the corpus generator --------------------------------------------------------------------

TEST(NcclHang, GeneratorEpisodesProduceFindingsAndNoMalformedLines) {
  stream_builder b(7, 16, t0);
  std::size_t episodes = 0;
  while (b.lines().size() < 20'000) {
    // Alternate quiet and faulty periods of a few dozen episodes.
    b.set_faulty((episodes / 40) % 3 == 2);
    generate_nccl_hang_episode(b);
    b.advance(b.uniform(1, 20) * sec);
    ++episodes;
  }
  nccl_hang_detector det;
  collecting_sink sink;
  for (const auto& rec : b.lines()) {
    det.on_event(event{rec.ts_ns, b.node(rec.node_index), rec.src, rec.line}, sink);
  }
  det.finish(sink);
  std::size_t timeouts = 0, network = 0, heartbeat = 0, straggler = 0;
  for (const auto& f : sink.findings) {
    timeouts += f.kind == "nccl_timeout";
    network += f.kind == "nccl_timeout_network";
    heartbeat += f.kind == "nccl_heartbeat_timeout";
    straggler += f.kind == "nccl_straggler";
    EXPECT_EQ(f.message.find('\n'), std::string::npos);
  }
  EXPECT_GT(timeouts, 5u);
  EXPECT_GT(network, 5u);
  EXPECT_GT(heartbeat, 2u);
  EXPECT_GT(straggler, 2u);
  EXPECT_EQ(det.stats().malformed, 0u);
  EXPECT_GT(det.stats().recognised, b.lines().size() * 8 / 10);
  EXPECT_EQ(det.stats().findings, sink.findings.size());
}

TEST(NcclHang, QuietEpisodesProduceNoFindings) {
  stream_builder b(11, 16, t0);
  while (b.lines().size() < 5'000) {
    generate_nccl_hang_episode(b);
    b.advance(b.uniform(1, 20) * sec);
  }
  nccl_hang_detector det;
  collecting_sink sink;
  for (const auto& rec : b.lines()) {
    det.on_event(event{rec.ts_ns, b.node(rec.node_index), rec.src, rec.line}, sink);
  }
  det.finish(sink);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_EQ(det.stats().recognised, det.stats().events);
}

TEST(NcclHang, GeneratorIsDeterministic) {
  auto run = [](std::uint64_t seed) {
    stream_builder b(seed, 8, t0);
    b.set_faulty(true);
    for (int i = 0; i < 50; ++i)
      generate_nccl_hang_episode(b);
    std::string all;
    for (const auto& rec : b.lines())
      all += std::to_string(rec.ts_ns) + rec.line + '\n';
    return all;
  };
  EXPECT_EQ(run(3), run(3));
  EXPECT_NE(run(3), run(4));
}

TEST(NcclHang, FactoryMakesTheDetectorWithItsConfig) {
  nccl_hang_config c;
  c.straggler_min_lag = 5;
  auto d = make_nccl_hang_detector(c);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "nccl_hang");
  EXPECT_EQ(static_cast<nccl_hang_detector&>(*d).config().straggler_min_lag, 5);
}

// Steady state allocates nothing: after one pass over a focused corpus (jobs, ranks and nodes
// seen, forgotten and replaced, incidents settled and reported, every message kind formatted
// once), later passes over the same stream moved forward in time process each
// window of the measurement contract without a single allocation.
TEST(NcclHangAllocs, WarmWindowsAllocateNothing) {
  nccl_hang_detector d;
  testing::expect_warm_windows_allocate_nothing("nccl_hang", d);
}

}  // namespace
}  // namespace detectors
