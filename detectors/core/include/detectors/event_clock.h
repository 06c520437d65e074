// File: event_clock.h
// The detectors' policy for time that goes backwards (files given out of order, rotated logs,
// several nodes' logs interleaved): time is kept per clock, one clock per node and source, and
// an event more than the detector's window older than the newest event already seen on its
// clock is "late": the detector counts it (detector_stats::late) and keeps it out of every
// window, so it can neither join nor open a burst, a storm or a correlation. Events within the
// window of the newest are taken as they come, and findings built from them report the
// earliest and latest times they saw (never last < first).
//
// Wall-clock and uptime stamps (event::base) are separate clocks too.
//
// Bounded and allocation-free after construction: a fixed table of clocks, four per hash set;
// when a set is full the clock advanced least recently is forgotten (its node's next event
// starts it afresh, and is not late).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "detectors/event.h"

namespace detectors {

class event_clock {
 public:
  // Clocks kept at once (rounded up to a power of two, at least one set).
  static constexpr std::size_t default_clocks = 4096;

  explicit event_clock(std::int64_t window_ns, std::size_t clocks = default_clocks);

  // Moves the (node, src) clock forward to ts_ns when that is newer, and says whether ts_ns is
  // late: more than the window older than the newest time seen on that clock. An event at
  // exactly the window's edge is not late.
  bool late(std::string_view node, source src, std::int64_t ts_ns,
            time_base base = time_base::epoch) noexcept;
  // The same for an event, on `node` (the detector's idea of it: the envelope's, or the host
  // named in the line).
  bool late(std::string_view node, const event& ev) noexcept {
    return late(node, ev.src, ev.ts_ns, ev.base);
  }

  // Clocks currently held (for tests of bounded state).
  std::size_t size() const noexcept;

 private:
  struct slot {
    std::uint64_t key = 0;  // 0: free
    std::int64_t newest = 0;
  };
  std::int64_t window_ns_;
  std::vector<slot> slots_;
};

}  // namespace detectors
