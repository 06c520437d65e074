// File: cli.h
// The `instr-report` command line as a library function: build/bin/instr-report's main only
// forwards its arguments and standard streams here, and the golden tests call it directly.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace instr {

// `args` without the program name. Subcommands:
//   results --profiles DIR [--out FILE]   the gate's results JSON from a profile folder
//   explain BENCHMARK|DETECTOR --profiles DIR [--base FILE|DIR] [--top N] [--format F]
// Returns 0 on success (--help too), 2 for bad usage or input, reported on `err`.
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace instr
