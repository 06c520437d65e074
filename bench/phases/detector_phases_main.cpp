// File: detector_phases_main.cpp
// `detector_phases`, the phase profiler (make bench-phases): where each detector's per-event
// time and allocations go, phase by phase. Everything but the streams is in cli.cpp; the runs
// are phase_runs.cpp. It links `detectors_phased`, whose DETECTORS_PHASE marks call the
// recorder (phases/phase_profile.h), so the marks' timing overhead never enters the gate's
// headline numbers (detector_bench_* link plain `detectors`).
#include <iostream>
#include <string>
#include <vector>

#include "phases/cli.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return phase_profile::run(args, std::cout, std::cerr);
}
