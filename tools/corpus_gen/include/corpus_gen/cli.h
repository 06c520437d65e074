// File: cli.h
// The `corpus-gen` command line as a library function: build/bin/corpus-gen's main only
// forwards its arguments and standard streams here, and the golden tests call it directly.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace tools::corpus_gen {

// `args` without the program name. Writes the stream to `out` (or to -o FILE). Returns 0 on
// success, 2 for bad arguments or unwritable output; --help returns 0.
int run(std::span<const std::string> args, std::ostream& out, std::ostream& err);

}  // namespace tools::corpus_gen
