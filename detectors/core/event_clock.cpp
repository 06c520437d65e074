// File: event_clock.cpp
// The per-node, per-source clocks of event_clock.h: a set-associative table of 64-bit keys
// (a hash of node, source and time base; a collision merely shares a clock) with their newest
// times.
#include "detectors/event_clock.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace detectors {
namespace {

constexpr std::size_t ways = 4;

std::uint64_t mix(std::uint64_t h) noexcept {
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return h;
}

std::uint64_t clock_key(std::string_view node, source src, time_base base) noexcept {
  // Eight bytes at a time (node names are short: one or two words), each word folded in with
  // a multiply; the length, source and base go into the seed. Every event of every detector
  // pays this, so it is kept to a few instructions per word rather than a multiply per byte.
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (node.size() << 16) ^
                    (static_cast<std::uint64_t>(src) << 8) ^ static_cast<std::uint64_t>(base);
  const char* p = node.data();
  std::size_t n = node.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdULL;
  }
  if (n != 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
  }
  h = mix(h);
  return h == 0 ? 1 : h;
}

}  // namespace

event_clock::event_clock(std::int64_t window_ns, std::size_t clocks)
    : window_ns_(std::max<std::int64_t>(window_ns, 0)),
      slots_(std::bit_ceil(std::max(clocks, ways))) {}

bool event_clock::late_by_table(std::string_view node, source src, std::int64_t ts_ns,
                                time_base base) noexcept {
  const std::uint64_t key = clock_key(node, src, base);
  const std::size_t set = static_cast<std::size_t>(key) & (slots_.size() - 1) & ~(ways - 1);
  slot* const first = slots_.data() + set;
  slot* found = nullptr;
  slot* victim = first;
  for (slot* s = first; s != first + ways; ++s) {
    if (s->key == key) {
      found = s;
      break;
    }
    if (victim->key != 0 && (s->key == 0 || s->newest < victim->newest)) victim = s;
  }
  bool is_late = false;
  if (found != nullptr) {
    is_late = advance(*found, ts_ns);
  } else {
    found = victim;
    found->key = key;
    found->newest = ts_ns;
  }
  if (node.size() <= last_node_.size()) {
    last_ = static_cast<std::size_t>(found - slots_.data());
    std::memcpy(last_node_.data(), node.data(), node.size());
    last_node_size_ = node.size();
    last_src_ = src;
    last_base_ = base;
  } else {
    last_node_size_ = static_cast<std::size_t>(-1);  // too long to keep: no cached clock
  }
  return is_late;
}

std::size_t event_clock::size() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const slot& s) { return s.key != 0; }));
}

}  // namespace detectors
