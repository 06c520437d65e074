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
// starts it afresh, and is not late). Cost: the previous call's clock is tried first by name
// (a burst of one node's lines: a few compares); otherwise a word-wise hash of the name and a
// scan of one set of four.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
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
            time_base base = time_base::epoch) noexcept {
    // Lines come in bursts from one node and source: the clock of the previous call is tried
    // first, by its name's bytes, before hashing the name and searching its set.
    if (node.size() == last_node_size_ && src == last_src_ && base == last_base_ && same_name(node))
      return advance(slots_[last_], ts_ns);
    return late_by_table(node, src, ts_ns, base);
  }
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
  bool advance(slot& s, std::int64_t ts_ns) const noexcept {
    if (ts_ns >= s.newest) {
      s.newest = ts_ns;
      return false;
    }
    // Unsigned difference: no overflow whatever the timestamps are.
    return static_cast<std::uint64_t>(s.newest) - static_cast<std::uint64_t>(ts_ns) >
           static_cast<std::uint64_t>(window_ns_);
  }
  bool late_by_table(std::string_view node, source src, std::int64_t ts_ns,
                     time_base base) noexcept;
  // node equals the last call's name (same size already checked): word compares, no call.
  bool same_name(std::string_view node) const noexcept {
    const char* a = node.data();
    const char* b = last_node_.data();
    std::size_t n = node.size();
    for (; n >= 8; n -= 8, a += 8, b += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a, 8);
      std::memcpy(&y, b, 8);
      if (x != y) return false;
    }
    for (; n != 0; --n, ++a, ++b)
      if (*a != *b) return false;
    return true;
  }

  std::int64_t window_ns_;
  std::vector<slot> slots_;
  // The clock of the last call (names up to last_node_.size() bytes; a longer one leaves no
  // clock here): its slot's index. Only a call can reuse a slot, and every call that does
  // records its own clock here, so this slot still holds that clock.
  std::size_t last_ = 0;
  std::array<char, 48> last_node_{};
  std::size_t last_node_size_ = static_cast<std::size_t>(-1);
  source last_src_ = source::kernel;
  time_base last_base_ = time_base::epoch;
};

}  // namespace detectors
