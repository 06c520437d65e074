// File: cli.h
// The `detector_phases` command line as a library function: build/bin/detector_phases's main
// only forwards its arguments and standard streams here, and the tests call it directly.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace phase_profile {

// `args` without the program name. Profiles the chosen detectors (phases/phase_runs.h) and
// writes the report (phases/phase_report.h) to `out`. Returns 0 on success (--help too), 2
// for a usage or configuration error (unknown detector, bad option), reported on `err`.
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace phase_profile
