// File: phase.h
// Named phases of a detector's per-event work, for the phase profile (how its time and
// allocations split between rejecting, parsing, updating state and emitting).
//
// A detector marks where each phase of on_event() begins:
//
//   void my_detector::on_event(const event& ev, finding_sink& sink) {
//     if (!looks_like_mine(ev.line)) return;   // every event starts in phase::reject
//     DETECTORS_PHASE(parse);
//     const auto rec = parse_my_line(ev.line);
//     if (!rec) return;
//     DETECTORS_PHASE(state);
//     ...update per-node state...
//     DETECTORS_PHASE(emit);
//     sink.on_finding(...);
//   }
//
// Semantics: each event starts in `reject`; DETECTORS_PHASE(x) ends the current phase and
// starts x; the harness ends whatever phase is open when on_event returns. A phase may be
// entered more than once per event (time and allocations accumulate). Marks in helper
// functions are fine: only the order in which they execute matters.
//
// In normal builds the macro expands to nothing, so the gate's benchmarks and production code
// pay nothing. Only the `detectors_phased` build (compiled with DETECTORS_PHASE_PROFILING)
// calls into the recorder, which the phase profiler provides (bench/phases/phase_profile.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace detectors {

enum class phase : std::uint8_t {
  reject,  // deciding the line is not this detector's (prefix/keyword checks)
  parse,   // turning the line into fields (string_view parsing, number conversion)
  state,   // updating per-node / per-GPU / per-job state, sweeping old entries
  emit,    // building findings and handing them to the sink
};
inline constexpr std::size_t phase_count = 4;

constexpr std::string_view phase_name(phase p) noexcept {
  switch (p) {
    case phase::reject:
      return "reject";
    case phase::parse:
      return "parse";
    case phase::state:
      return "state";
    case phase::emit:
      return "emit";
  }
  return "?";
}

namespace internal {
// Defined by the phase recorder (bench/phases/phase_profile.cpp); only referenced when
// profiling.
void enter_phase(phase p) noexcept;
}  // namespace internal

}  // namespace detectors

#if defined(DETECTORS_PHASE_PROFILING)
#define DETECTORS_PHASE(name) ::detectors::internal::enter_phase(::detectors::phase::name)
#else
#define DETECTORS_PHASE(name) static_cast<void>(0)
#endif
