// File: cli.h
// The `detect` command line as a library function: build/bin/detect's main only forwards its
// arguments and standard streams here, and the golden tests call it directly.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace tools::detect {

// `args` without the program name; "-" or no file reads std::cin. Returns 0 on success, 2 for
// unreadable input or bad arguments; --help and --list return 0.
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

// build/bin/detect's main: run() on the process's own streams, "-" read from descriptor 0, and
// standard output flushed and closed with its errors checked, so findings that never reached
// their destination (a full disk, a closed pipe or descriptor) are exit 2, not a silent 0.
int run_process(std::span<const std::string> args);

}  // namespace tools::detect
