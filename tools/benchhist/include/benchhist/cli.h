// File: cli.h
// The `benchhist` command line as a function: parses `args` (without the program name), runs
// the subcommand, and writes everything to `out` and `err`, so tests drive the whole program
// in-process. Returns the exit code: 0 ok, 1 regression / over budget / nondeterministic
// allocations, 2 input or configuration error (one line on `err`; nothing written).
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace tools::benchhist {

int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace tools::benchhist
