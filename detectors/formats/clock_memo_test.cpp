// Tests for the memo in front of the detectors' event_clock (formats/internal/clock_memo.h):
// on any stream of events, its verdicts are those of a clock asked about every event, and a
// run of one node's events in time order does not ask the clock at all after the first.
#include "formats/internal/clock_memo.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "alloc_hooks/gtest.h"

namespace detectors {
namespace {

struct memo {
  event_clock clock;
  std::int64_t window_ns = 0;
  bool valid = false, dirty = false;
  source src = source::kernel;
  time_base base = time_base::epoch;
  std::int64_t lo = 0, hi = 0, newest = 0;
  std::size_t node_size = 0;
  std::array<char, 64> node{};
};

memo make_memo(std::int64_t window) {
  return memo{event_clock(window), window};
}

event at(std::int64_t ts, source src = source::dcgm, time_base base = time_base::epoch) {
  event ev;
  ev.ts_ns = ts;
  ev.src = src;
  ev.base = base;
  return ev;
}

// Random streams: a few nodes (one longer than the memo holds), runs of one node, times that
// go back by less and more than the window, both sources and time bases, and the extremes.
void check_against_clock(std::uint64_t seed, std::int64_t window) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> nodes = {"node-001", "node-002", "n", std::string(70, 'x'),
                                          "node-with-a-longer-name-17"};
  event_clock reference(window);
  memo m = make_memo(window);
  std::int64_t t = 1'700'000'000'000'000'000;
  std::size_t node = 0;
  for (int i = 0; i < 20000; ++i) {
    if (rng() % 8 == 0) node = rng() % nodes.size();
    switch (rng() % 10) {
      case 0:
        t -= static_cast<std::int64_t>(rng() % (3 * static_cast<std::uint64_t>(window) + 3));
        break;
      case 1:
        t += static_cast<std::int64_t>(rng() % (3 * static_cast<std::uint64_t>(window) + 3));
        break;
      case 2:
        t = rng() % 2
                ? std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(rng() % 4)
                : std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(rng() % 4);
        break;
      case 3:
        t = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(rng() % 1000);
        break;
      default:
        t += static_cast<std::int64_t>(rng() % 3);  // in order, often the same time
        break;
    }
    const source src = rng() % 16 == 0 ? source::kernel : source::dcgm;
    const time_base base = rng() % 16 == 0 ? time_base::uptime : time_base::epoch;
    const event ev = at(t, src, base);
    ASSERT_EQ(internal::memo_late(m, nodes[node], ev), reference.late(nodes[node], ev))
        << "seed " << seed << " window " << window << " event " << i;
  }
}

TEST(ClockMemo, VerdictsAreTheClocks) {
  for (const std::int64_t window :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{1000}, std::int64_t{300'000'000'000}})
    for (std::uint64_t seed = 1; seed <= 20; ++seed)
      check_against_clock(seed, window);
}

TEST(ClockMemo, LateAndOnTimeWithinARun) {
  memo m = make_memo(100);
  EXPECT_FALSE(internal::memo_late(m, "a", at(1000)));
  EXPECT_FALSE(internal::memo_late(m, "a", at(1200)));
  EXPECT_FALSE(internal::memo_late(m, "a", at(1100)));  // 100 older: at the window's edge
  EXPECT_TRUE(internal::memo_late(m, "a", at(1099)));
  EXPECT_FALSE(internal::memo_late(m, "b", at(0)));    // another node: its own clock
  EXPECT_TRUE(internal::memo_late(m, "a", at(1099)));  // a's newest went back to the clock
  EXPECT_FALSE(internal::memo_late(m, "a", at(1150)));
}

TEST(ClockMemo, ARunInOrderAsksTheClockOnce) {
  memo m = make_memo(100);
  // The clock hashes the node's name; the memo spares that for every event after the first.
  // Seen from outside: the clock holds one clock and learns the run's newest time only when
  // another node comes (asked about an event more than the window older than it, it says late).
  for (std::int64_t t = 0; t < 100; ++t)
    EXPECT_FALSE(internal::memo_late(m, "a", at(t * 10)));
  EXPECT_EQ(m.clock.size(), 1u);
  EXPECT_FALSE(m.clock.late("a", source::dcgm, 0));  // written back only when the run ends
  EXPECT_FALSE(internal::memo_late(m, "b", at(0)));
  EXPECT_TRUE(m.clock.late("a", source::dcgm, 0));
}

TEST(ClockMemo, NoAllocation) {
  memo m = make_memo(1000);
  const std::string longer(100, 'n');
  const auto stream = [&] {
    for (std::int64_t t = 0; t < 1000; ++t) {
      internal::memo_late(m, t % 50 < 40 ? "node-1" : "node-2", at(t));
      internal::memo_late(m, longer, at(t));
    }
  };
  EXPECT_ALLOCS_EQ(0, stream());
}

}  // namespace
}  // namespace detectors
