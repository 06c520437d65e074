// File: event_clock.cpp
// The per-node, per-source clocks of event_clock.h: a set-associative table of 64-bit keys
// (a hash of node and source; a collision merely shares a clock) with their newest times.
#include "detectors/event_clock.h"

#include <algorithm>
#include <bit>

namespace detectors {
namespace {

constexpr std::size_t ways = 4;

std::uint64_t clock_key(std::string_view node, source src, time_base base) noexcept {
  // FNV-1a over the node's bytes, then the source, then a final mix so that nearby keys fall
  // into different sets.
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : node) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= (static_cast<std::uint64_t>(src) + 1) | (static_cast<std::uint64_t>(base) << 8);
  h *= 1099511628211ULL;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h == 0 ? 1 : h;
}

}  // namespace

event_clock::event_clock(std::int64_t window_ns, std::size_t clocks)
    : window_ns_(std::max<std::int64_t>(window_ns, 0)),
      slots_(std::bit_ceil(std::max(clocks, ways))) {}

bool event_clock::late(std::string_view node, source src, std::int64_t ts_ns,
                       time_base base) noexcept {
  const std::uint64_t key = clock_key(node, src, base);
  const std::size_t set = static_cast<std::size_t>(key) & (slots_.size() - 1) & ~(ways - 1);
  slot* const first = slots_.data() + set;
  slot* victim = first;
  for (slot* s = first; s != first + ways; ++s) {
    if (s->key == key) {
      if (ts_ns >= s->newest) {
        s->newest = ts_ns;
        return false;
      }
      // Unsigned difference: no overflow whatever the timestamps are.
      return static_cast<std::uint64_t>(s->newest) - static_cast<std::uint64_t>(ts_ns) >
             static_cast<std::uint64_t>(window_ns_);
    }
    if (victim->key != 0 && (s->key == 0 || s->newest < victim->newest)) victim = s;
  }
  victim->key = key;
  victim->newest = ts_ns;
  return false;
}

std::size_t event_clock::size() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const slot& s) { return s.key != 0; }));
}

}  // namespace detectors
