// File: phase_profile.h
// The phase recorder behind DETECTORS_PHASE (detectors/phase.h): where a detector's per-event
// time and allocations go, phase by phase (the phase profile).
//
// Only the phase profiler (bench/phases/phase_bench.cpp, `make bench-phases`) links this file,
// and only together with `detectors_phased`, the build of the detectors whose marks call
// detectors::internal::enter_phase(). The gate's binaries link neither, so the marks cost them
// nothing and their headline numbers never carry instrumentation.
//
// Per thread, the recorder keeps the open phase plus the clock reading and the thread's
// alloc_hooks allocation count at the last transition; every transition charges the elapsed
// ticks and the allocations since then to the phase being left:
//
//   phase_profile::begin_event();            // opens phase::reject
//   detector.on_event(ev, sink);             // DETECTORS_PHASE(parse) ... DETECTORS_PHASE(emit)
//   phase_profile::end_event();              // closes whatever phase is open
//   const phase_profile::totals t = phase_profile::take_totals();
//
// Allocation counts are exact (they are the hook's own per-thread counters). Times are not:
// every phase interval also carries part of the recorder's own work (a clock read and a
// counter read at each end). calibrate() measures that share on empty transitions so the
// report can subtract it; what remains is an estimate, and the report says so.
//
// Marks executed outside begin_event()/end_event() (a warm-up pass, finish()) are ignored.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "detectors/phase.h"

namespace phase_profile {

using detectors::phase;
using detectors::phase_count;

// What one phase was charged on one thread.
struct phase_totals {
  std::uint64_t events = 0;   // events in which the phase was entered at least once
  std::uint64_t entries = 0;  // times entered (a phase may be entered more than once per event)
  std::uint64_t ticks = 0;    // clock ticks, recorder overhead included (see calibrate())
  std::uint64_t allocs = 0;   // operator new calls: exact
  std::uint64_t bytes = 0;    // bytes requested from operator new: exact

  bool operator==(const phase_totals&) const = default;
};

struct totals {
  std::uint64_t events = 0;  // begin_event()/end_event() pairs
  std::uint64_t marks = 0;   // DETECTORS_PHASE marks executed inside events
  std::array<phase_totals, phase_count> phases{};

  phase_totals& operator[](phase p) noexcept { return phases[static_cast<std::size_t>(p)]; }
  const phase_totals& operator[](phase p) const noexcept {
    return phases[static_cast<std::size_t>(p)];
  }
  // True when some event entered a phase other than reject, i.e. the detector has marks that
  // this input reached.
  bool marked() const noexcept;
  totals& operator+=(const totals& other) noexcept;
  bool operator==(const totals&) const = default;
};

// Starts an event in phase::reject on the calling thread. Never allocates.
void begin_event() noexcept;
// Ends the event: the open phase is charged up to now. Never allocates.
void end_event() noexcept;
// The calling thread's totals since the last take_totals(), which then start from zero.
totals take_totals() noexcept;

// Repeated runs over the same windows, as per-window totals (runs[r][w]), combined into one:
// each field of each window is the median over the runs (the lower one for an even count),
// then the windows are summed. A window that the scheduler interrupted in one run does not
// move the result, and counts (identical in every run of a deterministic detector) stay exact.
// Every run must have the same number of windows.
totals median_over_runs(const std::vector<std::vector<totals>>& runs);

// Runs each event through the detector between begin_event() and end_event().
template <typename Detector, typename Events, typename Sink>
void profile_events(Detector& d, const Events& events, Sink& sink) {
  for (const auto& e : events) {
    begin_event();
    d.on_event(e, sink);
    end_event();
  }
}

// ---- Clock ----
// The recorder reads rdtsc (x86-64 with an invariant TSC) or std::chrono::steady_clock,
// whichever is cheaper to read on this machine: the read is most of a transition's cost, and
// the cheaper it is the less each phase's time is distorted. rdtsc is converted to ns with a
// rate calibrated against steady_clock over a few busy-waited milliseconds.
enum class clock_source : std::uint8_t { steady_clock, rdtsc };
std::string_view clock_source_name(clock_source s) noexcept;

struct clock_info {
  clock_source source = clock_source::steady_clock;
  double ns_per_tick = 1.0;
  double steady_clock_read_ns = 0;  // cost of one read, measured
  double rdtsc_read_ns = 0;         // 0 when rdtsc is unavailable or not invariant
};

// Chooses and calibrates the clock on first call (about 100 ms); later calls return the same.
// Until then the recorder counts steady_clock nanoseconds.
const clock_info& select_clock();

// ---- Instrumentation overhead ----
struct calibration {
  // Recorder time charged to each phase interval with nothing in it (median over batches of
  // empty begin_event/DETECTORS_PHASE/end_event sequences): what the report subtracts per
  // entered phase.
  double interval_overhead_ns = 0;
  // Wall-clock cost of one begin_event()/end_event() pair and of one extra mark: what the
  // instrumentation adds to a run.
  double event_cost_ns = 0;
  double mark_cost_ns = 0;
};

// Measures the overhead with the selected clock. Leaves the calling thread's totals as they
// were.
calibration calibrate();

}  // namespace phase_profile
