// File: event_clock_test.cpp
// The out-of-order time policy (event_clock.h): the clock itself, and every detector over
// reversed and shuffled streams, which may count lines as late but must never report a finding
// whose last time precedes its first, nor a critical finding the stream in time order lacks.
#include "detectors/event_clock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace detectors {
namespace {

constexpr std::int64_t minute = 60 * ns_per_second;

TEST(EventClock, InOrderAndEqualTimesAreNeverLate) {
  event_clock c(5 * minute);
  for (std::int64_t t = 0; t < 100 * minute; t += minute / 2) {
    EXPECT_FALSE(c.late("node-1", source::kernel, t));
    EXPECT_FALSE(c.late("node-1", source::kernel, t));
  }
}

TEST(EventClock, OlderThanTheWindowBeforeTheNewestIsLate) {
  event_clock c(5 * minute);
  EXPECT_FALSE(c.late("n", source::kernel, 60 * minute));
  EXPECT_FALSE(c.late("n", source::kernel, 55 * minute));  // exactly the window: inside
  EXPECT_TRUE(c.late("n", source::kernel, 55 * minute - 1));
  EXPECT_TRUE(c.late("n", source::kernel, 0));
  // A late event does not move the clock back.
  EXPECT_TRUE(c.late("n", source::kernel, 1));
  EXPECT_FALSE(c.late("n", source::kernel, 58 * minute));
}

TEST(EventClock, EachNodeAndSourceHasItsOwnClock) {
  event_clock c(5 * minute);
  EXPECT_FALSE(c.late("node-1", source::kernel, 60 * minute));
  EXPECT_FALSE(c.late("node-2", source::kernel, 0));
  EXPECT_FALSE(c.late("node-1", source::dcgm, 0));
  EXPECT_TRUE(c.late("node-1", source::kernel, 0));
  EXPECT_TRUE(c.late("node-2", source::kernel, -10 * minute));
}

TEST(EventClock, UptimeAndWallClockAreSeparateClocks) {
  event_clock c(5 * minute);
  const std::int64_t wall = 1'732'006'800LL * ns_per_second;
  const std::int64_t uptime = 1'537'103LL * ns_per_second;  // dmesg's seconds since boot
  EXPECT_FALSE(c.late("n", source::kernel, wall));
  EXPECT_FALSE(c.late("n", source::kernel, uptime, time_base::uptime));
  EXPECT_FALSE(c.late("n", source::kernel, uptime + minute, time_base::uptime));
  EXPECT_TRUE(c.late("n", source::kernel, uptime - 10 * minute, time_base::uptime));
  EXPECT_TRUE(c.late("n", source::kernel, uptime));  // on the wall clock, 1970
}

TEST(EventClock, ExtremeTimesDoNotOverflow) {
  event_clock c(5 * minute);
  EXPECT_FALSE(c.late("n", source::kernel, INT64_MAX));
  EXPECT_TRUE(c.late("n", source::kernel, INT64_MIN));
  EXPECT_FALSE(c.late("m", source::kernel, INT64_MIN));
  EXPECT_FALSE(c.late("m", source::kernel, INT64_MAX));
}

TEST(EventClock, StateIsBoundedAndWarmUseAllocatesNothing) {
  event_clock c(5 * minute, 64);
  std::vector<std::string> nodes;
  for (int i = 0; i < 1000; ++i)
    nodes.push_back("node-" + std::to_string(i));
  EXPECT_ALLOCS_EQ(0, {
    for (std::int64_t t = 0; t < 3; ++t)
      for (const std::string& n : nodes)
        (void)c.late(n, source::kernel, t * minute);
  });
  EXPECT_LE(c.size(), 64u);
  EXPECT_GT(c.size(), 0u);
}

TEST(EventClock, TheLastClockTriedFirstIsTheRightOne) {
  // One set of four clocks: a fifth node evicts the least recently advanced one, which then
  // starts afresh (not late), whichever clock the previous call used.
  event_clock c(5 * minute, 4);
  ASSERT_FALSE(c.late("a", source::kernel, 100 * minute));
  ASSERT_FALSE(c.late("b", source::kernel, 200 * minute));
  ASSERT_FALSE(c.late("c", source::kernel, 300 * minute));
  ASSERT_FALSE(c.late("d", source::kernel, 400 * minute));
  ASSERT_FALSE(c.late("a", source::kernel, 100 * minute));  // "a" is the cached clock now
  ASSERT_FALSE(c.late("e", source::kernel, 500 * minute));  // evicts "a" (oldest newest)
  EXPECT_EQ(c.size(), 4u);
  EXPECT_FALSE(c.late("a", source::kernel, 50 * minute));  // forgotten: afresh, not late
  EXPECT_TRUE(c.late("a", source::kernel, 0));             // then its own clock again
  // Names longer than the shortcut keeps, and names that differ only in their last byte.
  const std::string long_a(100, 'x');
  std::string long_b = long_a;
  long_b.back() = 'y';
  event_clock d(5 * minute);
  EXPECT_FALSE(d.late(long_a, source::kernel, 100 * minute));
  EXPECT_FALSE(d.late(long_b, source::kernel, 0));
  EXPECT_TRUE(d.late(long_a, source::kernel, 0));
  EXPECT_FALSE(d.late("node-0000001", source::kernel, 100 * minute));
  EXPECT_FALSE(d.late("node-0000002", source::kernel, 0));
  EXPECT_TRUE(d.late("node-0000001", source::kernel, 0));
  EXPECT_FALSE(d.late("node-0000001", source::dcgm, 0));  // same name, other source
}

// ---- Every detector over reordered streams -------------------------------------------------

std::vector<owned_finding> findings_of(const std::vector<event>& events,
                                       std::vector<std::uint64_t>* late = nullptr) {
  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : detector_names())
    all.push_back(make_detector(name));
  collecting_sink sink;
  for (const event& e : events)
    for (auto& d : all)
      d->on_event(e, sink);
  for (auto& d : all)
    d->finish(sink);
  if (late != nullptr)
    for (auto& d : all)
      late->push_back(d->stats().late);
  return std::move(sink.findings);
}

// What a critical finding is about: detector, node and subject, where a subject "job/rank"
// (nccl_hang) counts as its job: nccl_hang names the lagging rank from the lines that settle
// together, and a reordered stream settles other lines together, so it may blame another rank of
// the same job. That the job hung is what it must not invent. A subject "unknown" (a
// multi-line record read tail first, e.g. xid_correlation's fallen-off-the-bus lines reversed:
// the fault is reported before the line naming the GPU) matches any critical subject of the same
// detector on the same node.
using subject_key = std::tuple<std::string, std::string, std::string>;

subject_key key_of(const owned_finding& f) {
  return {f.detector, f.node, f.subject.substr(0, f.subject.find('/'))};
}

std::set<subject_key> critical_subjects(const std::vector<owned_finding>& findings) {
  std::set<subject_key> out;
  for (const owned_finding& f : findings)
    if (f.sev == severity::critical) out.insert(key_of(f));
  return out;
}

void expect_sane_under_reordering(const std::vector<event>& in_order,
                                  const std::vector<event>& reordered) {
  const std::set<subject_key> expected = critical_subjects(findings_of(in_order));
  std::vector<std::uint64_t> late;
  const std::vector<owned_finding> got = findings_of(reordered, &late);
  std::uint64_t late_total = 0;
  for (std::uint64_t n : late)
    late_total += n;
  EXPECT_GT(late_total, 0u) << "the reordering should make some lines late";
  for (const owned_finding& f : got) {
    EXPECT_LE(f.first_ns, f.last_ns) << to_json(f);
    if (f.sev == severity::critical) {
      const subject_key k = key_of(f);
      const bool known =
          expected.contains(k) ||
          (std::get<2>(k) == "unknown" &&
           std::any_of(expected.begin(), expected.end(), [&](const subject_key& e) {
             return std::get<0>(e) == std::get<0>(k) && std::get<1>(e) == std::get<1>(k);
           }));
      EXPECT_TRUE(known) << "a critical finding the stream in time order does not have: "
                         << to_json(f);
    }
  }
}

std::vector<event> corpus_events(const corpus& c) {
  return std::vector<event>(c.events().begin(), c.events().end());
}

corpus mixed_stream() {
  corpus_options o;
  o.seed = 7;
  o.events = 20000;
  return generate_corpus("", o);
}

TEST(OutOfOrder, ReversedStreamGivesNoInvertedOrNewCriticalFinding) {
  const corpus c = mixed_stream();
  const std::vector<event> in_order = corpus_events(c);
  std::vector<event> reversed(in_order.rbegin(), in_order.rend());
  expect_sane_under_reordering(in_order, reversed);
}

TEST(OutOfOrder, ShuffledStreamGivesNoInvertedOrNewCriticalFinding) {
  const corpus c = mixed_stream();
  const std::vector<event> in_order = corpus_events(c);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::vector<event> shuffled = in_order;
    std::mt19937_64 rng(seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    expect_sane_under_reordering(in_order, shuffled);
  }
}

TEST(OutOfOrder, FocusedStreamsGiveNoInvertedOrNewCriticalFinding) {
  // Each detector's own focused stream is dense in its episodes; a reversed copy of a second's
  // worth of chunks keeps episodes whole but runs them backwards.
  for (std::string_view name : detector_names()) {
    SCOPED_TRACE(name);
    corpus_options o;
    o.seed = 11;
    o.events = 8000;
    const corpus c = generate_corpus(name, o);
    const std::vector<event> in_order = corpus_events(c);
    std::vector<event> reversed(in_order.rbegin(), in_order.rend());
    expect_sane_under_reordering(in_order, reversed);
  }
}

// Three Xids on one GPU an hour apart, fed newest first: nothing of them is within five
// minutes of another, so there is no burst and no suspected hardware.
TEST(OutOfOrder, XidsAnHourApartFedInReverseMakeNoWindow) {
  const std::vector<std::string> lines = {
      "[Tue Nov 19 09:00:00 2024] NVRM: Xid (PCI:0000:3b:00): 13, pid=300, name=python3, "
      "Graphics SM Warp Exception",
      "[Tue Nov 19 08:00:00 2024] NVRM: Xid (PCI:0000:3b:00): 31, pid=200, name=python3, "
      "Ch 00000010, MMU Fault",
      "[Tue Nov 19 07:00:00 2024] NVRM: Xid (PCI:0000:3b:00): 13, pid=100, name=python3, "
      "Graphics SM Warp Exception",
  };
  const std::int64_t nine = 1'732'006'800LL * ns_per_second;  // 2024-11-19 09:00:00 UTC
  std::vector<event> events;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    event e;
    e.ts_ns = nine - static_cast<std::int64_t>(i) * 60 * minute;
    e.node = "node-1";
    e.src = source::kernel;
    e.line = lines[i];
    events.push_back(e);
  }
  auto d = make_detector("xid_correlation");
  collecting_sink sink;
  for (const event& e : events)
    d->on_event(e, sink);
  for (const owned_finding& f : sink.findings) {
    EXPECT_LE(f.first_ns, f.last_ns) << to_json(f);
    EXPECT_NE(f.kind, "xid_suspected_hardware") << to_json(f);
    EXPECT_NE(f.kind, "xid_burst") << to_json(f);
  }
  EXPECT_EQ(d->stats().late, 2u);
  EXPECT_EQ(d->stats().recognised, 3u);
}

// A late fatal Xid is still reported: it needs no window, and an operator must see it.
TEST(OutOfOrder, LateFatalXidIsStillReported) {
  const std::string newer = "NVRM: Xid (PCI:0000:3b:00): 13, pid=300, name=python3, Graphics";
  const std::string older =
      "NVRM: Xid (PCI:0000:3b:00): 79, pid=<unknown>, name=<unknown>, "
      "GPU has fallen off the bus.";
  const std::int64_t t = 1'732'006'800LL * ns_per_second;
  auto d = make_detector("xid_correlation");
  collecting_sink sink;
  d->on_event(event{t, "node-1", source::kernel, newer}, sink);
  d->on_event(event{t - 60 * minute, "node-1", source::kernel, older}, sink);
  ASSERT_EQ(sink.findings.size(), 1u);
  EXPECT_EQ(sink.findings[0].kind, "xid_critical");
  EXPECT_EQ(sink.findings[0].first_ns, t - 60 * minute);
  EXPECT_EQ(d->stats().late, 1u);
}

}  // namespace
}  // namespace detectors
