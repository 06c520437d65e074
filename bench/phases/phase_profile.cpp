// File: phase_profile.cpp
// The phase recorder: defines detectors::internal::enter_phase for the detectors_phased build.
#include "phases/phase_profile.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "alloc_hooks/counters.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace phase_profile {
namespace {

// ---- Clock ----

// Set once by select_clock(), before any measured event; read on every transition.
bool g_use_rdtsc = false;

std::uint64_t steady_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

bool invariant_tsc() noexcept {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) == 0 || a < 0x80000007) return false;
  if (__get_cpuid(0x80000007, &a, &b, &c, &d) == 0) return false;
  return (d & (1u << 8)) != 0;  // CPUID.80000007H:EDX[8]: the TSC rate never changes
#else
  return false;
#endif
}

std::uint64_t read_tsc() noexcept {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return 0;
#endif
}

inline std::uint64_t tick() noexcept {
  return g_use_rdtsc ? read_tsc() : steady_ns();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Median over batches: a batch the scheduler interrupted does not move it.
template <typename Read>
double read_cost_ns(Read read) {
  constexpr int batches = 31;
  constexpr int reads = 2000;
  std::vector<double> cost;
  std::uint64_t sink = 0;
  for (int b = 0; b < batches; ++b) {
    const std::uint64_t start = steady_ns();
    for (int i = 0; i < reads; ++i)
      sink += read();
    const std::uint64_t stop = steady_ns();
    cost.push_back(static_cast<double>(stop - start) / reads);
  }
  asm volatile("" : : "r"(sink));
  return median(std::move(cost));
}

// TSC ticks per ns against steady_clock, over a busy-waited interval (median of three).
double tsc_ns_per_tick() {
  std::vector<double> rates;
  for (int i = 0; i < 3; ++i) {
    const std::uint64_t ns0 = steady_ns();
    const std::uint64_t t0 = read_tsc();
    while (steady_ns() - ns0 < 20'000'000) {
    }
    const std::uint64_t t1 = read_tsc();
    const std::uint64_t ns1 = steady_ns();
    if (t1 > t0) rates.push_back(static_cast<double>(ns1 - ns0) / static_cast<double>(t1 - t0));
  }
  return median(rates);
}

// ---- Recorder ----

struct recorder {
  bool in_event = false;
  phase current = phase::reject;
  std::uint8_t entered = 0;  // bit per phase entered in the current event
  std::uint64_t last_tick = 0;
  std::uint64_t last_allocs = 0;
  std::uint64_t last_bytes = 0;
  totals t;
};

constinit thread_local recorder t_recorder;

constexpr std::uint8_t bit(phase p) noexcept {
  return static_cast<std::uint8_t>(1u << static_cast<unsigned>(p));
}

// Charges everything since the last transition to the open phase, and restarts the interval.
inline void charge_open_phase(recorder& r) noexcept {
  const std::uint64_t now = tick();
  const alloc_hooks::snapshot s = alloc_hooks::thread_snapshot();
  phase_totals& open = r.t[r.current];
  open.ticks += now - r.last_tick;
  open.allocs += s.allocs - r.last_allocs;
  open.bytes += s.bytes_allocated - r.last_bytes;
  r.last_allocs = s.allocs;
  r.last_bytes = s.bytes_allocated;
  // One clock read per transition: the counter read and the bookkeeping land in the next
  // interval, which is part of what calibrate() measures.
  r.last_tick = now;
}

inline void open_phase(recorder& r, phase p) noexcept {
  r.current = p;
  r.entered = static_cast<std::uint8_t>(r.entered | bit(p));
  ++r.t[p].entries;
}

}  // namespace

bool totals::marked() const noexcept {
  for (std::size_t p = 0; p < phase_count; ++p)
    if (static_cast<phase>(p) != phase::reject && phases[p].entries > 0) return true;
  return false;
}

totals& totals::operator+=(const totals& other) noexcept {
  events += other.events;
  marks += other.marks;
  for (std::size_t p = 0; p < phase_count; ++p) {
    phases[p].events += other.phases[p].events;
    phases[p].entries += other.phases[p].entries;
    phases[p].ticks += other.phases[p].ticks;
    phases[p].allocs += other.phases[p].allocs;
    phases[p].bytes += other.phases[p].bytes;
  }
  return *this;
}

totals median_over_runs(const std::vector<std::vector<totals>>& runs) {
  totals sum;
  if (runs.empty()) return sum;
  std::vector<std::uint64_t> values(runs.size());
  const auto median_of = [&](std::size_t w, auto field) {
    for (std::size_t r = 0; r < runs.size(); ++r)
      values[r] = field(runs[r].at(w));
    std::sort(values.begin(), values.end());
    return values[(values.size() - 1) / 2];
  };
  for (std::size_t w = 0; w < runs.front().size(); ++w) {
    sum.events += median_of(w, [](const totals& t) { return t.events; });
    sum.marks += median_of(w, [](const totals& t) { return t.marks; });
    for (std::size_t p = 0; p < phase_count; ++p) {
      phase_totals& out = sum.phases[p];
      out.events += median_of(w, [p](const totals& t) { return t.phases[p].events; });
      out.entries += median_of(w, [p](const totals& t) { return t.phases[p].entries; });
      out.ticks += median_of(w, [p](const totals& t) { return t.phases[p].ticks; });
      out.allocs += median_of(w, [p](const totals& t) { return t.phases[p].allocs; });
      out.bytes += median_of(w, [p](const totals& t) { return t.phases[p].bytes; });
    }
  }
  return sum;
}

void begin_event() noexcept {
  recorder& r = t_recorder;
  r.in_event = true;
  r.entered = 0;
  open_phase(r, phase::reject);
  ++r.t.events;
  const alloc_hooks::snapshot s = alloc_hooks::thread_snapshot();
  r.last_allocs = s.allocs;
  r.last_bytes = s.bytes_allocated;
  r.last_tick = tick();
}

void end_event() noexcept {
  recorder& r = t_recorder;
  if (!r.in_event) return;
  charge_open_phase(r);
  for (std::size_t p = 0; p < phase_count; ++p)
    if ((r.entered & bit(static_cast<phase>(p))) != 0) ++r.t.phases[p].events;
  r.in_event = false;
}

totals take_totals() noexcept {
  totals out = t_recorder.t;
  t_recorder.t = totals{};
  return out;
}

std::string_view clock_source_name(clock_source s) noexcept {
  switch (s) {
    case clock_source::steady_clock:
      return "steady_clock";
    case clock_source::rdtsc:
      return "rdtsc";
  }
  return "?";
}

const clock_info& select_clock() {
  static const clock_info info = [] {
    clock_info c;
    c.steady_clock_read_ns = read_cost_ns(steady_ns);
    if (invariant_tsc()) {
      c.rdtsc_read_ns = read_cost_ns(read_tsc);
      const double ns_per_tick = tsc_ns_per_tick();
      if (ns_per_tick > 0 && c.rdtsc_read_ns < c.steady_clock_read_ns) {
        c.source = clock_source::rdtsc;
        c.ns_per_tick = ns_per_tick;
      }
    }
    g_use_rdtsc = c.source == clock_source::rdtsc;
    return c;
  }();
  return info;
}

calibration calibrate() {
  const double ns_per_tick = select_clock().ns_per_tick;
  // Called through volatile pointers, as a detector in another translation unit calls them:
  // nothing here may be inlined into the calibration loops.
  void (*volatile begin)() noexcept = &begin_event;
  void (*volatile end)() noexcept = &end_event;
  void (*volatile mark)(phase) noexcept = &detectors::internal::enter_phase;

  const totals saved = take_totals();
  constexpr int batches = 31;
  constexpr int events = 2000;
  std::vector<double> interval, event_cost, mark_cost;
  for (int b = 0; b < batches; ++b) {
    // Events with one mark: two intervals each (reject, then parse), nothing inside either.
    const std::uint64_t start_marked = steady_ns();
    for (int i = 0; i < events; ++i) {
      begin();
      mark(phase::parse);
      end();
    }
    const std::uint64_t stop_marked = steady_ns();
    const totals t = take_totals();
    const double ticks = static_cast<double>(t[phase::reject].ticks + t[phase::parse].ticks);
    interval.push_back(ticks * ns_per_tick / (2.0 * events));

    const std::uint64_t start_plain = steady_ns();
    for (int i = 0; i < events; ++i) {
      begin();
      end();
    }
    const std::uint64_t stop_plain = steady_ns();
    take_totals();
    const double plain = static_cast<double>(stop_plain - start_plain) / events;
    const double marked = static_cast<double>(stop_marked - start_marked) / events;
    event_cost.push_back(plain);
    mark_cost.push_back(marked - plain);
  }
  t_recorder.t = saved;
  return calibration{median(interval), median(event_cost), std::max(0.0, median(mark_cost))};
}

}  // namespace phase_profile

namespace detectors::internal {

void enter_phase(phase p) noexcept {
  phase_profile::recorder& r = phase_profile::t_recorder;
  if (!r.in_event) return;
  phase_profile::charge_open_phase(r);
  phase_profile::open_phase(r, p);
  ++r.t.marks;
}

}  // namespace detectors::internal
