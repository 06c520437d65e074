// File: clock_memo.h
// A one-entry memo in front of a DCGM detector's event_clock (event_clock.h), for the lines of
// one node that come in runs (an exporter's scrape: tens of lines of one Hostname in a row).
// event_clock::late hashes the node's name on every call; the memo answers most events of a
// run with one compare of the name instead.
//
// For the node of the run, the memo keeps bounds on the clock's newest time N: lo <= N <= hi.
// An event at t is late when N - t > window, so it is late for sure when lo - t > window, and
// not late for sure when hi - t <= window; only between the two is the clock asked. What each
// answer teaches narrows the bounds: an event the clock accepts sets N to max(N, t), which is
// at most t + window; a late one says N > t + window. Events the memo accepts on its own raise
// N without the clock seeing them: the newest of them (`newest`, when `dirty`) is written back
// to the clock before it is asked anything and when the run ends. So every verdict is the one
// the clock gives when it has seen every event before it. Private to the detectors (hbm_ecc,
// thermal_throttle).
//
// A Memo is declared in the detector's header (which cannot include this one) with the
// members used below: `clock` (an event_clock), `window_ns` (the clock's, never negative),
// `valid`, `dirty`, `src`, `base`, `lo`, `hi`, `newest`, `node_size` and `node` (a
// std::array<char, N>; longer names are not memoised: their events go to the clock).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "detectors/event.h"
#include "detectors/event_clock.h"

namespace detectors::internal {

// a - b for a > b, as event_clock computes it: unsigned, so no overflow whatever the times.
inline std::uint64_t clock_gap(std::int64_t a, std::int64_t b) noexcept {
  return static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b);
}

// t + window, saturated at the largest time.
inline std::int64_t clock_add(std::int64_t t, std::int64_t window) noexcept {
  return t > std::numeric_limits<std::int64_t>::max() - window
             ? std::numeric_limits<std::int64_t>::max()
             : t + window;
}

inline bool same_word(const char* a, const char* b) noexcept {
  std::uint64_t x;
  std::uint64_t y;
  std::memcpy(&x, a, sizeof x);
  std::memcpy(&y, b, sizeof y);
  return x == y;
}

template <typename Memo>
bool memo_same_node(const Memo& m, std::string_view node) noexcept {
  if (node.size() != m.node_size) return false;
  const char* a = node.data();
  const char* b = m.node.data();
  const std::size_t n = node.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  // Eight bytes at a time, the last eight overlapping the rest.
  for (std::size_t i = 0; i + 8 < n; i += 8)
    if (!same_word(a + i, b + i)) return false;
  return same_word(a + n - 8, b + n - 8);
}

// Writes the newest time the memo accepted on its own back to the clock.
template <typename Memo>
void memo_write_back(Memo& m) noexcept {
  if (!m.dirty) return;
  m.clock.late(std::string_view(m.node.data(), m.node_size), m.src, m.newest, m.base);
  m.dirty = false;
}

// The clock's verdict, and what it says about N.
template <typename Memo>
[[gnu::noinline]] bool memo_ask_clock(Memo& m, const event& ev) noexcept {
  memo_write_back(m);
  const std::string_view node(m.node.data(), m.node_size);
  const bool late = m.clock.late(node, ev);
  if (late) {
    m.lo = std::max(m.lo, clock_add(clock_add(ev.ts_ns, m.window_ns), 1));
  } else {
    m.lo = std::max(m.lo, ev.ts_ns);
    m.hi = std::min(m.hi, clock_add(ev.ts_ns, m.window_ns));
  }
  return late;
}

// An event of another node (or source, or time base): the run ends and one of its node starts,
// knowing nothing of its clock yet.
template <typename Memo>
[[gnu::noinline]] bool memo_new_run(Memo& m, std::string_view node, const event& ev) noexcept {
  if (m.valid) memo_write_back(m);
  m.valid = false;
  if (node.size() > m.node.size()) return m.clock.late(node, ev);
  std::memcpy(m.node.data(), node.data(), node.size());
  m.node_size = node.size();
  m.src = ev.src;
  m.base = ev.base;
  m.lo = std::numeric_limits<std::int64_t>::min();
  m.hi = std::numeric_limits<std::int64_t>::max();
  m.dirty = false;
  m.valid = true;
  return memo_ask_clock(m, ev);
}

// event_clock::late for `ev` on `node`, through the memo.
template <typename Memo>
bool memo_late(Memo& m, std::string_view node, const event& ev) noexcept {
  if (!m.valid || ev.src != m.src || ev.base != m.base || !memo_same_node(m, node))
    return memo_new_run(m, node, ev);
  const std::int64_t t = ev.ts_ns;
  const std::uint64_t window = static_cast<std::uint64_t>(m.window_ns);
  if (t < m.lo && clock_gap(m.lo, t) > window) return true;
  if (t >= m.hi || clock_gap(m.hi, t) <= window) {
    // Accepted: N becomes max(N, t).
    if (t >= m.hi) m.hi = t;
    if (t > m.lo) m.lo = t;
    if (!m.dirty || t > m.newest) {
      m.newest = t;
      m.dirty = true;
    }
    return false;
  }
  return memo_ask_clock(m, ev);
}

}  // namespace detectors::internal
