// File: line_envelope.h
// Building an event's envelope (time, node, source) for a plain log line, as `detect` reads
// files that carry no envelope of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "detectors/event.h"

namespace tools {

// Infers the envelope line by line. A line with a timestamp of its own gets that time (even
// when it is older than the previous line's); a line without one takes the last time seen.
// dmesg's uptime stamps ("[12345.678901]", seconds since boot) give time_base::uptime events:
// a clock of their own per node, never read as dates, and passed on only to lines of the same
// node (another node's line takes the last wall-clock time, if any).
class envelope_builder {
 public:
  // `node`: the --node value; empty = take it from the line (syslog host, Hostname label,
  // "source":{"host":...}) or "unknown".
  explicit envelope_builder(std::string node, int default_year = 2024)
      : fixed_node_(std::move(node)), default_year_(default_year) {}

  // The event for `line`; its views point into `line` and this builder.
  detectors::event build(std::string_view line);

 private:
  std::string fixed_node_;
  std::string node_;  // storage for a node taken from the line
  int default_year_;  // for syslog/journald prefixes, which omit the year
  // The last time of each base, and the node whose boot the last uptime counts from.
  std::int64_t last_epoch_ns_ = 0;
  std::int64_t last_uptime_ns_ = 0;
  std::string uptime_node_;
  bool have_epoch_ = false;
  bool have_uptime_ = false;
  detectors::time_base last_base_ = detectors::time_base::epoch;  // of the last line with a time
};

// Parsers for the timestamp forms found at the start of lines (exposed for tests).
// "2024-11-15T12:02:03,470068+00:00" / "2024-11-19T10:00:00Z" / "...T10:00:00.123456Z"
std::optional<std::int64_t> parse_iso8601_ns(std::string_view s);
// "Fri Aug 30 11:43:09 2024" (dmesg -T), as UTC.
std::optional<std::int64_t> parse_ctime_ns(std::string_view s);
// "Dec  2 11:38:47" (syslog), in `year`, as UTC.
std::optional<std::int64_t> parse_syslog_ns(std::string_view s, int year);

// The host of an NCCL debug line ("gpu-4:3320624:3320721 [3] NCCL INFO ..."), else empty.
std::string_view nccl_debug_host(std::string_view line);

// An envelope record "ts_ns<TAB>node<TAB>source<TAB>line" read back into its event (the views
// point into `record`); on failure, the name of the field that is wrong ("ts_ns", "node",
// "source", or "line" when a tab is missing).
struct envelope_record {
  detectors::event ev;
  std::string_view bad_field;  // empty when `ev` was read
};
envelope_record parse_envelope_record(std::string_view record);

// kernel, kubernetes, dcgm or workload, from the line's shape.
detectors::source infer_source(std::string_view line);

}  // namespace tools
