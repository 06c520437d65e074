// File: cli.h
// The `ratchet` command line as a library function: build/bin/ratchet's main only forwards
// its arguments and standard streams here, and the golden tests call it directly.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace tools::ratchet {

// `args` without the program name. Returns the exit code: 0 pass, 1 breach, 2 configuration
// or input error (fail closed) or bad usage; --help returns 0.
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace tools::ratchet
