// File: event.h
// One log or metric line plus its envelope: the unit every detector consumes.
#pragma once

#include <cstdint>
#include <string_view>

namespace detectors {

// Where a line came from. Detectors must not rely on it to accept a line (a plain log file
// fed to `detect` has no envelope and the source is inferred), only as a cheap hint.
// nvidia_smi: the text of `nvidia-smi -q` (a line of it alone rarely says so: `detect` leaves
// such lines to the default).
enum class source : std::uint8_t { kernel, kubernetes, dcgm, workload, nvidia_smi };

std::string_view to_string(source s) noexcept;

// What an event's time counts from. dmesg's "[12345.678901]" stamps are seconds since the node
// booted, not wall time: such events keep their own clock (event_clock.h), never compared with
// wall-clock ones, and findings made from them carry uptimes in first_ns/last_ns.
enum class time_base : std::uint8_t { epoch, uptime };

// An event does not own its bytes: `node` and `line` point into the caller's buffer and stay
// valid only for the duration of detector::on_event. A detector that keeps any of it copies.
struct event {
  std::int64_t ts_ns = 0;  // nanoseconds since the Unix epoch (from the envelope), or see base
  std::string_view node;   // node name, e.g. "node-7"
  source src = source::kernel;
  std::string_view line;              // the raw line, without its trailing newline
  time_base base = time_base::epoch;  // uptime: ts_ns counts from the node's boot
};

inline constexpr std::int64_t ns_per_second = 1'000'000'000;

}  // namespace detectors
