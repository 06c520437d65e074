// File: nccl_hang.h
// Detects hung NCCL collectives from PyTorch ProcessGroupNCCL and NCCL debug logs.
//
// It reads the watchdog's collective-timeout lines in every generation of PyTorch's log prefix
// (`[E ProcessGroupNCCL.cpp:L] `, `[rankN]:[E ProcessGroupNCCL.cpp:L] `, glog-style
// `[rankN]:[EMMDD hh:mm:ss.nnnnnnnnn ProcessGroupNCCL.cpp:L] `) with or without process-group
// tags, the blocking-wait form, the companion lines that carry a rank's last enqueued and last
// completed SeqNum, heartbeat-monitor timeouts, and NCCL's own `host:pid:tid [dev] file:line
// NCCL WARN|INFO ...` lines (InfiniBand completion errors in all their generations, socket
// peers closing, proxy failures).
//
// Job identity: an event has no job field, so a job is keyed by node + process group: the PG id
// from a `[PG N ...]` / `[PG ID N ...]` tag, and "default" for PG 0 and for lines without a PG
// tag (older PyTorch prints none; the watchdog line of newer ones still prints only `[Rank R]`).
// A rank-less line is still attributed to its node's job. A companion line of a non-default PG
// that names the same rank and SeqNum as an untagged timeout claims that timeout for its PG.
//
// Network attribution: a WARN counts when logged at most `network_window_ns` before the
// timed-out collective started (the watchdog line's time minus its "ran for"), or while it ran;
// WARNs after the first timeout line are the teardown of the peers, not the cause.
//
// Findings (severity, action):
//   nccl_timeout            critical, observe: a collective timed out; names it (OpType, SeqNum,
//                           timeout) and the lagging rank(s): lowest last-completed SeqNum, then
//                           lowest last-enqueued (a rank that never reached the collective).
//                           When no reporting rank is behind another, names the job's known
//                           ranks that stayed silent, or says the laggard is on another node.
//   nccl_timeout_network    critical, check_network: the same, with a network WARN on the node
//                           before it (names the ibv_wc_status, e.g. 12 = retry exceeded)
//   nccl_straggler          warning, observe: a rank >= 2 SeqNums behind the job's median
//                           completed SeqNum for >= 60 s, once per episode
//   nccl_heartbeat_timeout  critical, drain_node: the watchdog thread itself stopped making
//                           progress (a CUDA/NCCL API hang); once per job and dedup window
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "detectors/detector.h"
#include "detectors/event_clock.h"

namespace detectors {

struct nccl_hang_config {
  // A network WARN on the node counts as the cause of a timeout when it was logged at most this
  // long before the timed-out collective started, or while it ran ("ran for M milliseconds"):
  // the fault that hangs a collective precedes the watchdog line by the whole timeout.
  std::int64_t network_window_ns = 10 * 60 * ns_per_second;
  // "ran for" beyond this is clamped when extending the network window (a garbled field must
  // not make every WARN of the last days a cause).
  std::int64_t max_hang_ns = 2 * 3600 * ns_per_second;
  // All ranks of a node log their timeout and companion lines within a second or two; lines of
  // one job within this time of the first are one incident, reported when it has passed (or at
  // finish()), so that the lagging rank can be named from every rank's line.
  std::int64_t timeout_settle_ns = 10 * ns_per_second;
  // After a report, further timeout lines of the job for the same or an earlier SeqNum within
  // this time (the exception re-logged by the dying process) are folded into it; heartbeat
  // timeouts of one job are reported once per this window.
  std::int64_t dedup_window_ns = 10 * 60 * ns_per_second;
  // A rank whose completed SeqNum is at least this far behind the job's median ...
  std::int64_t straggler_min_lag = 2;
  // ... for at least this long is a straggler (reported once per episode).
  std::int64_t straggler_duration_ns = 60 * ns_per_second;
  // A rank's SeqNums older than this no longer describe it (not used for lag, then evicted).
  std::int64_t rank_stale_ns = 10 * 60 * ns_per_second;
  // A job with no line for this long is forgotten.
  std::int64_t job_idle_ns = 30 * 60 * ns_per_second;
  // Count caps (least recently seen evicted first).
  std::size_t max_jobs = 4096;
  std::size_t max_ranks_per_job = 256;
  std::size_t max_nodes = 4096;  // nodes with remembered network WARNs
  std::size_t max_network_warns_per_node = 16;
};

class nccl_hang_detector final : public detector {
 public:
  nccl_hang_detector();
  explicit nccl_hang_detector(const nccl_hang_config& config);
  ~nccl_hang_detector() override;
  nccl_hang_detector(const nccl_hang_detector&) = delete;
  nccl_hang_detector& operator=(const nccl_hang_detector&) = delete;

  std::string_view name() const noexcept override { return "nccl_hang"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // Reports the incidents still settling.
  void finish(finding_sink& sink) override;
  // Jobs + their ranks and settling timeouts + nodes + their remembered network WARNs + the
  // (at most 256) remembered PG claims of untagged timeouts.
  std::size_t state_size() const noexcept override;

  const nccl_hang_config& config() const noexcept;

 private:
  struct state;  // the maps live in the .cpp so that this header stays light
  std::unique_ptr<state> state_;
  // Late lines (event_clock.h) are counted and skipped.
  event_clock clock_;
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_nccl_hang_detector();
std::unique_ptr<detector> make_nccl_hang_detector(const nccl_hang_config& config);

}  // namespace detectors
