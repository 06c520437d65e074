// File: nccl_hang_gen.cpp
// Corpus generator for the nccl_hang detector: one episode of the lines a training job's
// ranks on one node print through PyTorch's ProcessGroupNCCL and NCCL's debug log. Healthy
// episodes are NCCL INFO bring-up lines and informational PyTorch lines; faulty ones are the
// collective-timeout cascade (with a lagging rank, or preceded by network WARNs), heartbeat
// monitor timeouts, blocking-wait timeouts and a rank falling behind its peers. Each episode
// picks one PyTorch log generation and keeps to it, as a real job does.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "detectors/corpus.h"

namespace detectors {
namespace {

// The PyTorch releases whose log shapes differ.
enum class torch_gen {
  v1_13,  // [E ProcessGroupNCCL.cpp:L] [Rank R] ...        (no companion lines)
  v2_2,   // [rankR]:[E ProcessGroupNCCL.cpp:L] [Rank R] ... "Timeout at NCCL work"
  v2_4,   // [rankR]:[EMMDD hh:mm:ss.ns ProcessGroupNCCL.cpp:L] [PG 0 (default_pg) Rank R] ...
  v2_5,   // same header, [PG ID 0 PG GUID 0(default_pg) Rank R], watchdog line untagged
};

struct civil_time {
  int month, day, hour, minute, second;
  std::int64_t nanos;
};

// UTC calendar fields of a timestamp (H. Hinnant's days-from-civil inverse): portable and
// free of the C library's time zone state.
civil_time to_civil(std::int64_t ts_ns) {
  std::int64_t secs = ts_ns / ns_per_second;
  const std::int64_t nanos = ts_ns % ns_per_second;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {month,
          day,
          static_cast<int>(rem / 3600),
          static_cast<int>(rem / 60 % 60),
          static_cast<int>(rem % 60),
          nanos};
}

class episode {
 public:
  explicit episode(stream_builder& b) : b_(b), node_(b.random_node()) {
    static constexpr std::array<torch_gen, 4> gens = {torch_gen::v1_13, torch_gen::v2_2,
                                                      torch_gen::v2_4, torch_gen::v2_5};
    gen_ = b_.pick(std::span<const torch_gen>(gens));
    // One job spans the cluster: node-NNN hosts global ranks 8*NNN .. 8*NNN+7.
    int index = 0;
    for (char c : node_) {
      if (c >= '0' && c <= '9') index = index * 10 + (c - '0');
    }
    node_index_ = index;
    rank_base_ = index * local_ranks;
    pid_ = static_cast<int>(b_.uniform(1000, 4'000'000));
    // Sub-groups (tensor parallel, pipeline stages) exist from 2.3 on in these logs.
    if ((gen_ == torch_gen::v2_4 || gen_ == torch_gen::v2_5) && b_.chance(1, 5)) {
      pg_id_ = static_cast<int>(b_.uniform(1, 3));
      static constexpr std::array<std::string_view, 3> names = {"", "tp_group", "pp_stage"};
      pg_name_ = b_.pick(std::span<const std::string_view>(names));
    }
  }

  void run() {
    if (b_.faulty()) {
      const auto roll = b_.uniform(0, 99);
      if (roll < 30) {
        collective_timeout(false);
      } else if (roll < 60) {
        collective_timeout(true);
      } else if (roll < 70) {
        heartbeat_timeout();
      } else if (roll < 80) {
        blocking_wait_timeout();
      } else {
        straggler();
      }
    } else {
      const auto roll = b_.uniform(0, 99);
      if (roll < 50) {
        nccl_init();
      } else if (roll < 80) {
        torch_info();
      } else {
        nccl_info_line(static_cast<int>(b_.uniform(0, local_ranks - 1)));
      }
    }
  }

 private:
  static constexpr int local_ranks = 8;

  // The rank a line's tag names: global rank in the default PG, local rank in a sub-group.
  int pg_rank(int local) const { return pg_id_ == 0 ? rank_base_ + local : local; }

  void emit(std::string line) { b_.emit(node_, source::workload, std::move(line)); }
  void tick(std::int64_t lo_ms, std::int64_t hi_ms) {
    b_.advance(b_.uniform(lo_ms, hi_ms) * 1'000'000);
  }

  // "[rank3]:[E1015 09:12:44.101795383 ProcessGroupNCCL.cpp:616] " and its older forms.
  std::string header(int local, char level, int src_line) const {
    std::string h;
    auto out = std::back_inserter(h);
    if (gen_ != torch_gen::v1_13) fmt::format_to(out, "[rank{}]:", rank_base_ + local);
    if (gen_ == torch_gen::v2_4 || gen_ == torch_gen::v2_5) {
      const civil_time t = to_civil(b_.now());
      fmt::format_to(out, "[{}{}{:02} {:02}:{:02}:{:02}.{:09} ProcessGroupNCCL.cpp:{}] ", level,
                     t.month, t.day, t.hour, t.minute, t.second, t.nanos, src_line);
    } else {
      fmt::format_to(out, "[{} ProcessGroupNCCL.cpp:{}] ", level, src_line);
    }
    return h;
  }

  // The process-group tag of this generation ("[Rank R] " before 2.3).
  std::string tag(int local) const {
    switch (gen_) {
      case torch_gen::v1_13:
      case torch_gen::v2_2:
        return fmt::format("[Rank {}] ", pg_rank(local));
      case torch_gen::v2_4:
        if (pg_id_ == 0) return fmt::format("[PG 0 (default_pg) Rank {}] ", pg_rank(local));
        if (pg_name_.empty()) return fmt::format("[PG {} Rank {}] ", pg_id_, pg_rank(local));
        return fmt::format("[PG {} ({}) Rank {}] ", pg_id_, pg_name_, pg_rank(local));
      case torch_gen::v2_5:
        if (pg_id_ == 0) {
          return fmt::format("[PG ID 0 PG GUID 0(default_pg) Rank {}] ", pg_rank(local));
        }
        if (pg_name_.empty()) {
          return fmt::format("[PG ID {0} PG GUID {0} Rank {1}] ", pg_id_, pg_rank(local));
        }
        return fmt::format("[PG ID {0} PG GUID {0}({1}) Rank {2}] ", pg_id_, pg_name_,
                           pg_rank(local));
    }
    return {};
  }

  // The watchdog line: 2.3-2.4 tag it with the PG, 1.x/2.2 and 2.5+ print `[Rank R]` only.
  std::string watchdog_tag(int local) const {
    return gen_ == torch_gen::v2_4 ? tag(local) : fmt::format("[Rank {}] ", pg_rank(local));
  }

  std::string work(std::int64_t seq, std::string_view op, std::int64_t timeout_ms) const {
    if (gen_ == torch_gen::v1_13) {
      return fmt::format("WorkNCCL(SeqNum={}, OpType={}, Timeout(ms)={})", seq, op, timeout_ms);
    }
    const std::int64_t numel = op == "ALLREDUCE" ? 8388608 : 1;
    const std::int64_t numel_out = op == "_ALLGATHER_BASE" || op == "ALLGATHER" ? numel * 8 : numel;
    return fmt::format("WorkNCCL(SeqNum={}, OpType={}, NumelIn={}, NumelOut={}, Timeout(ms)={})",
                       seq, op, numel, numel_out, timeout_ms);
  }

  std::string nccl_prefix(int local) const {
    return fmt::format("{}:{}:{} [{}] ", node_, pid_ + local, pid_ + local + 97, local);
  }

  // Draws are made one statement at a time, never several in one argument list (whose
  // evaluation order differs between GCC and Clang).
  std::string peer_ip() {
    const auto port = b_.uniform(30000, 60999);
    const auto host = b_.uniform(2, 250);
    const auto subnet = b_.uniform(0, 31);
    const auto site = b_.uniform(0, 3);
    return fmt::format("10.{}.{}.{}<{}>", site, subnet, host, port);
  }

  // --- healthy ---------------------------------------------------------------------------

  void nccl_info_line(int local) {
    const std::string p = nccl_prefix(local);
    switch (b_.uniform(0, 4)) {
      case 0:
        emit(p + "NCCL INFO Using network IB");
        break;
      case 1:
        emit(p + fmt::format("NCCL INFO Channel {:02}/32 :    0   1   2   3   4   5   6   7",
                             b_.uniform(0, 31)));
        break;
      case 2:
        emit(p + "NCCL INFO Connected all rings");
        break;
      case 3:
        emit(p + "NCCL INFO Connected all trees");
        break;
      default:
        emit(p + fmt::format("NCCL INFO comm 0x{:x} rank {} nRanks 64 nNodes 8 localRanks 8 "
                             "localRank {} MNNVL 0",
                             b_.uniform(0x5500'0000'0000, 0x56ff'ffff'ffff), rank_base_ + local,
                             local));
    }
  }

  void nccl_init() {
    const int n = static_cast<int>(b_.uniform(1, local_ranks));
    const std::int64_t comm_id = b_.uniform(1, 0x7fff'ffff'ffff'ffff);
    for (int local = 0; local < n; ++local) {
      const std::string p = nccl_prefix(local);
      if (local == 0) {
        const auto host = b_.uniform(2, 250);
        const auto subnet = b_.uniform(0, 31);
        emit(p + fmt::format("NCCL INFO Bootstrap : Using eth0:10.0.{}.{}<0>", subnet, host));
        emit(p + "NCCL INFO NCCL version 2.18.5+cuda12.2");
        emit(p +
             "NCCL INFO NET/IB : Using [0]mlx5_0:1/IB [1]mlx5_1:1/IB [2]mlx5_2:1/IB "
             "[3]mlx5_3:1/IB ; OOB eth0:10.0.3.13<0>");
      }
      tick(0, 40);
      emit(p + fmt::format("NCCL INFO comm 0x{:x} rank {} nranks 64 cudaDev {} nvmlDev {} busId "
                           "{:x}000 commId 0x{:x} - Init COMPLETE",
                           b_.uniform(0x5500'0000'0000, 0x56ff'ffff'ffff), rank_base_ + local,
                           local, local, 0x18 + 0x10 * local, comm_id));
    }
  }

  void torch_info() {
    const int local = static_cast<int>(b_.uniform(0, local_ranks - 1));
    switch (b_.uniform(0, 2)) {
      case 0:
        emit(header(local, 'I', 916) + tag(local) +
             fmt::format("ProcessGroupNCCL initialization options: size: 64, global rank: {}, "
                         "TIMEOUT(ms): 600000, USE_HIGH_PRIORITY_STREAM: 0, SPLIT_FROM: 0, "
                         "SPLIT_COLOR: 0, PG Name: {}",
                         rank_base_ + local, pg_id_));
        break;
      case 1:
        emit(header(local, 'W', 4115) + tag(local) +
             fmt::format(" using GPU {} to perform barrier as devices used by this process are "
                         "currently unknown. This can potentially cause a hang if this rank to "
                         "GPU mapping is incorrect.",
                         local));
        break;
      default:
        emit(header(local, 'W', 1250) +
             "Warning: WARNING: process group has NOT been destroyed before we destruct "
             "ProcessGroupNCCL. On normal program exit, the application should call "
             "destroy_process_group to ensure that any pending NCCL operations have finished in "
             "this process. (function operator())");
    }
  }

  // --- faulty ----------------------------------------------------------------------------

  void network_warns() {
    const int local = static_cast<int>(b_.uniform(0, local_ranks - 1));
    const std::string p = nccl_prefix(local);
    static constexpr std::array<int, 5> statuses = {12, 12, 12, 13, 10};
    const int status = b_.pick(std::span<const int>(statuses));
    const std::int64_t vendor = status == 12 ? 129 : b_.uniform(100, 140);
    const std::string peer = peer_ip();
    switch (b_.uniform(0, 6)) {
      case 0: {  // NCCL <= 2.11, with and without file:line
        const auto opcode = b_.uniform(0, 1);
        const char* const file_line = b_.chance(1, 2) ? "" : "transport/net_ib.cc:1295 ";
        emit(p + file_line +
             fmt::format("NCCL WARN NET/IB : Got completion from peer {} with error {}, opcode "
                         "{}, len {}, vendor err {}",
                         peer, status, opcode, 0, vendor));
        break;
      }
      case 1:
        emit(p + fmt::format("transport/net_ib.cc:1696 NCCL WARN NET/IB : Got completion from "
                             "peer {} with status={} opcode=0 len=0 vendor err {} (Recv) localGid "
                             "::ffff:10.0.3.13 remoteGids::ffff:10.0.3.14",
                             peer, status, vendor));
        break;
      case 2:
        emit(p + fmt::format("transport/net_ib.cc:2330 NCCL WARN NET/IB: Got completion from "
                             "peer {} with status={} opcode=0 len=0 vendor err {} (Recv) localGid "
                             "fe80::ba3f:d2ff:fe4a:1b2c remoteGids fe80::ba3f:d2ff:fe4a:9e10 hca "
                             "mlx5_{}",
                             peer, status, vendor, local / 2));
        break;
      case 3: {
        static constexpr std::array<std::string_view, 14> names = {"",
                                                                   "",
                                                                   "",
                                                                   "",
                                                                   "",
                                                                   "IBV_WC_WR_FLUSH_ERR",
                                                                   "",
                                                                   "",
                                                                   "",
                                                                   "",
                                                                   "IBV_WC_REM_ACCESS_ERR",
                                                                   "",
                                                                   "IBV_WC_RETRY_EXC_ERR",
                                                                   "IBV_WC_RNR_RETRY_EXC_ERR"};
        emit(p + fmt::format("transport/net_ib/p2p.cc:281 NCCL WARN NET/IB: Got completion from "
                             "peer {} with status={}({}) opcode=IBV_WC_SEND(0) vendor_err={} "
                             "localGid ::ffff:10.0.3.13 remoteGids::ffff:10.0.3.14 hca mlx5_{}",
                             peer, names[static_cast<std::size_t>(status)], status, vendor,
                             local / 2));
        break;
      }
      case 4: {
        const auto port = b_.uniform(30000, 60999);
        const auto remote_node = (node_index_ + b_.uniform(1, 15)) % 16;
        const std::string_view where = b_.chance(1, 2) ? "NET/Socket " : "socketProgress";
        const int source_line = b_.chance(1, 2) ? 49 : 538;
        emit(p + fmt::format("misc/socket.cc:{} NCCL WARN {}: Connection closed by remote peer "
                             "node-{:03}<{}>",
                             source_line, where, remote_node, port));
        break;
      }
      case 5:
        emit(p + fmt::format("proxy.cc:1496 NCCL WARN [Proxy Service {0}] Failed to execute "
                             "operation Connect from rank {0}, retcode 6",
                             rank_base_ + local));
        tick(0, 5);
        emit(p +
             "proxy.cc:1539 NCCL WARN [Service thread] Error encountered progressing "
             "operation=Connect, res=3, closing connection");
        break;
      default:
        emit(p + fmt::format("transport/net_ib.cc:106 NCCL WARN NET/IB : mlx5_{}:1 Got async "
                             "event : port error",
                             local / 2));
    }
    // The queue pair is in error now: the outstanding requests complete flushed.
    if (b_.chance(1, 3)) {
      tick(0, 3);
      emit(p + fmt::format("transport/net_ib.cc:1696 NCCL WARN NET/IB : Got completion from peer "
                           "{} with status=5 opcode=0 len=0 vendor err 249 (Recv) localGid "
                           "::ffff:10.0.3.13 remoteGids::ffff:10.0.3.14",
                           peer));
    }
  }

  // One rank's watchdog timeout and the lines PyTorch prints with it.
  void rank_timeout(int local, std::int64_t seq, std::string_view op, std::int64_t timeout_ms) {
    const std::int64_t ran = timeout_ms + b_.uniform(1, 900);
    emit(header(local, 'E', 616) + watchdog_tag(local) +
         "Watchdog caught collective operation timeout: " + work(seq, op, timeout_ms) +
         fmt::format(" ran for {} milliseconds before timing out.", ran));
    tick(0, 2);
    switch (gen_) {
      case torch_gen::v1_13:
        break;
      case torch_gen::v2_2:
        emit(header(local, 'E', 1182) + tag(local) +
             fmt::format("Timeout at NCCL work: {0}, last enqueued NCCL work: {0}, last "
                         "completed NCCL work: {1}.",
                         seq, seq - 1));
        break;
      case torch_gen::v2_4:
        emit(header(local, 'E', 1664) + tag(local) +
             fmt::format("Exception (either an error or timeout) detected by watchdog at work: "
                         "{0}, last enqueued NCCL work: {0}, last completed NCCL work: {1}.",
                         seq, seq - 1));
        emit(header(local, 'E', 1709) + tag(local) +
             fmt::format("Timeout at NCCL work: {0}, last enqueued NCCL work: {0}, last "
                         "completed NCCL work: {1}.",
                         seq, seq - 1));
        break;
      case torch_gen::v2_5:
        emit(header(local, 'E', 2299) + tag(local) +
             fmt::format(" failure detected by watchdog at work sequence id: {0} PG status: last "
                         "enqueued work: {0}, last completed work: {1}",
                         seq, seq - 1));
        emit(header(local, 'E', 693) +
             "Stack trace of the failed collective not found, potentially because "
             "FlightRecorder is disabled. You can enable it by setting "
             "TORCH_NCCL_TRACE_BUFFER_SIZE to a non-zero value.");
        break;
    }
    emit(header(local, 'E', 621) + watchdog_tag(local) +
         "Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA "
         "kernels, subsequent GPU operations might run on corrupted/incomplete data.");
    emit(header(local, 'E', 627) + watchdog_tag(local) +
         "To avoid data inconsistency, we are taking the entire process down.");
    if (b_.chance(1, 4)) {  // the exception re-logged by the C++ runtime as the process dies
      emit("terminate called after throwing an instance of 'c10::DistBackendError'");
      emit(
          fmt::format("  what():  {}Watchdog caught collective operation timeout: {} ran for {} "
                      "milliseconds before timing out.",
                      watchdog_tag(local), work(seq, op, timeout_ms), ran));
      emit(
          "Exception raised from checkTimeout at "
          "../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:618 (most recent call first):");
    }
  }

  void collective_timeout(bool network) {
    static constexpr std::array<std::string_view, 6> ops = {
        "ALLREDUCE", "ALLREDUCE", "_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE",
        "BROADCAST", "ALLGATHER"};
    const std::string_view op = b_.pick(std::span<const std::string_view>(ops));
    const std::int64_t timeout_ms = b_.chance(1, 2) ? 600000 : 1800000;
    const std::int64_t seq = b_.uniform(2, 2'000'000);
    if (network) {
      network_warns();
      tick(1000, 30000);
    }
    // Without a network fault one local rank never reached the collective.
    const int lagging = network ? -1 : static_cast<int>(b_.uniform(0, local_ranks - 1));
    for (int local = 0; local < local_ranks; ++local) {
      if (local == lagging) continue;
      rank_timeout(local, seq, op, timeout_ms);
      tick(0, 300);
    }
    if (lagging >= 0 && (gen_ == torch_gen::v2_4 || gen_ == torch_gen::v2_5)) {
      const std::int64_t behind = seq - b_.uniform(1, 3);
      emit(header(lagging, 'E', 1395) + tag(lagging) +
           fmt::format("Received a dump signal due to a collective timeout from  rank {} and we "
                       "will try our best to dump the debug info. Last enqueued NCCL work: {}, "
                       "last completed NCCL work: {}.This is most likely caused by incorrect "
                       "usages of collectives, e.g., wrong sizes used across ranks, the order of "
                       "collectives is not same for all ranks or the scheduled collective, for "
                       "some reason, didn't run. Additionally, this can be caused by GIL deadlock "
                       "or other reasons such as network errors or bugs in the communications "
                       "library (e.g. NCCL), etc. ",
                       rank_base_ + (lagging + 1) % local_ranks, behind, behind));
    }
  }

  void heartbeat_timeout() {
    if (gen_ == torch_gen::v1_13) gen_ = torch_gen::v2_2;  // the monitor arrived in 2.2
    const bool old_form = gen_ == torch_gen::v2_2 || (gen_ == torch_gen::v2_4 && b_.chance(1, 2));
    for (int local = 0; local < local_ranks; ++local) {
      if (old_form) {
        emit(header(local, 'E', 1316) + tag(local) +
             "Heartbeat monitor timed out! Process will be terminated after dumping debug info. "
             "workMetaList_.size()=1");
      } else {
        emit(header(local, 'F', 1423) + tag(local) +
             "ProcessGroupNCCL's watchdog got stuck for 480 seconds without making progress in "
             "monitoring enqueued collectives. This typically indicates a NCCL/CUDA API (e.g., "
             "CudaEventDestroy) hang blocking the watchdog, and could be triggered by another "
             "thread holding the GIL inside a CUDA api (for example, CudaEventDestroy), or other "
             "deadlock-prone behaviors.");
      }
      tick(0, 200);
    }
  }

  void blocking_wait_timeout() {
    const int local = static_cast<int>(b_.uniform(0, local_ranks - 1));
    const std::int64_t seq = b_.uniform(2, 200'000);
    const std::int64_t timeout_ms = 300000;
    if (gen_ == torch_gen::v1_13 || gen_ == torch_gen::v2_2) {
      // The exception's text as the training script prints it.
      emit(fmt::format(
          "RuntimeError: [Rank {}] Caught collective operation timeout: {} ran for {} "
          "milliseconds before timing out.",
          pg_rank(local), work(seq, "BROADCAST", timeout_ms), timeout_ms + b_.uniform(1, 900)));
    } else {
      emit(header(local, 'E', 1031) + tag(local) + "Work " + work(seq, "BROADCAST", timeout_ms) +
           " timed out in blocking wait (TORCH_NCCL_BLOCKING_WAIT=1).");
    }
  }

  // A rank that keeps completing fewer collectives than its peers: its peers' dump requests
  // (TORCH_NCCL_DUMP_ON_TIMEOUT through the store) print every rank's progress each round.
  void straggler() {
    if (gen_ == torch_gen::v1_13) gen_ = torch_gen::v2_4;  // 1.x prints no progress lines
    const int slow = static_cast<int>(b_.uniform(0, local_ranks - 1));
    std::int64_t seq = b_.uniform(100, 2'000'000);
    const std::int64_t slow_seq = seq - b_.uniform(2, 6);
    for (int round = 0; round < 3; ++round) {
      for (int local = 0; local < local_ranks; ++local) {
        const std::int64_t done = local == slow ? slow_seq : seq;
        emit(header(local, 'E', 1395) + tag(local) +
             fmt::format("Received a dump signal due to a collective timeout from  rank {} and "
                         "we will try our best to dump the debug info. Last enqueued NCCL work: "
                         "{}, last completed NCCL work: {}.",
                         rank_base_ + (slow + 1) % local_ranks, done + (local == slow ? 0 : 1),
                         done));
        tick(0, 50);
      }
      seq += b_.uniform(0, 40);
      tick(31'000, 35'000);
    }
  }

  stream_builder& b_;
  std::string_view node_;
  torch_gen gen_ = torch_gen::v2_4;
  int node_index_ = 0;
  int rank_base_ = 0;
  int pid_ = 0;
  int pg_id_ = 0;
  std::string_view pg_name_;
};

}  // namespace

void generate_nccl_hang_episode(stream_builder& b) {
  episode(b).run();
}

}  // namespace detectors
