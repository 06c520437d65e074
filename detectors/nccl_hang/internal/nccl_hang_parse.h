// File: nccl_hang_parse.h
// The line parser of the nccl_hang detector: turns one PyTorch ProcessGroupNCCL or NCCL debug
// line into a typed record, without allocating. Private to the detector, kept apart so
// that the grammar of the formats is in one place.
#pragma once

#include <cstdint>
#include <string_view>

namespace detectors::internal {

enum class nccl_line_kind : std::uint8_t {
  none,       // not a line of ours
  benign,     // ours, nothing to act on (NCCL INFO, PyTorch informational lines)
  malformed,  // ours, but truncated or garbled
  timeout,    // watchdog / blocking-wait collective timeout
  progress,   // companion line: last enqueued / last completed SeqNum of a rank
  heartbeat,  // heartbeat monitor: the watchdog thread itself is stuck
  net_warn,   // NCCL WARN that points at the network
};

enum class nccl_net_kind : std::uint8_t {
  ib_completion,  // NET/IB : Got completion from peer ... with error/status ...
  ib_async,       // NET/IB : ... Got async event : port error
  socket_closed,  // Connection closed by remote peer / reset by peer
  proxy,          // [Proxy Service N] Failed to execute operation ..., [Service thread] Error ...
};

// The `[Rank R]` / `[PG P (name) Rank R]` / `[PG ID P PG GUID G(name) Rank R]` tag.
struct nccl_pg_tag {
  bool has_pg = false;
  std::int64_t pg_id = -1;
  std::string_view pg_name;  // e.g. "default_pg"; empty when not printed
  std::int64_t rank = -1;    // the rank within the process group; -1 when unknown
};

struct nccl_line {
  nccl_line_kind kind = nccl_line_kind::none;
  nccl_pg_tag tag;

  // timeout
  std::int64_t seq = -1;  // SeqNum; -1 for PyTorch 1.x lines that print none
  std::string_view op;    // OpType, e.g. "ALLREDUCE"
  std::int64_t timeout_ms = 0;
  std::int64_t ran_ms = 0;
  bool blocking_wait = false;  // "Caught collective operation timeout" (TORCH_NCCL_BLOCKING_WAIT)

  // progress
  std::int64_t work_seq = -1;  // the failing work the companion line is about, when it says
  std::int64_t enqueued = -1;
  std::int64_t completed = -1;

  // heartbeat
  std::int64_t stuck_s = -1;  // "watchdog got stuck for N seconds"; -1 when not printed

  // net_warn
  nccl_net_kind net = nccl_net_kind::ib_completion;
  std::int64_t ibv_status = -1;  // ibv_wc_status; -1 when not an IB completion
  std::int64_t vendor_err = -1;
  std::int64_t retcode = -1;  // ncclResult_t of a proxy failure
  std::string_view peer;      // "10.0.3.14<41232>", "gpu-node-4<45123>", "rank 1"
};

// Parses one line. Never reads outside `line`; all views point into it.
nccl_line parse_nccl_line(std::string_view line) noexcept;

// "IBV_WC_RETRY_EXC_ERR" for 12; "" for codes outside ibv_wc_status.
std::string_view ibv_wc_status_name(std::int64_t status) noexcept;
// The operator's reading of a status, e.g. "retry exceeded" for 12.
std::string_view ibv_wc_status_meaning(std::int64_t status) noexcept;
// "ncclRemoteError" for 6; "" when unknown.
std::string_view nccl_result_name(std::int64_t code) noexcept;

}  // namespace detectors::internal
