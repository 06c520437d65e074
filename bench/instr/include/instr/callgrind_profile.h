// File: callgrind_profile.h
// Reading one callgrind output file (valgrind --tool=callgrind, "callgrind format" version 1):
// the total of its first event (Ir, instructions executed) and, per function, its self and
// inclusive cost. The instruction gate reads one file per benchmark (the runner dumps each
// benchmark separately; see bench/instr_count.cpp).
//
// Read here rather than through callgrind_annotate: one pass gives self and inclusive cost
// together (callgrind_annotate prints one or the other per run, as text meant for people),
// the trigger line names the benchmark and its event count, and a base profile can be diffed
// function by function (Debian 12's callgrind_annotate 3.19 has no diff mode). The test suite
// checks this reader's totals and self costs against callgrind_annotate's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace instr {

struct function_cost {
  std::string name;    // as callgrind wrote it (demangled by valgrind)
  std::string file;    // the source file of its first cost, as in the debug info ("???" if none)
  std::string object;  // the ELF object, e.g. "/usr/lib/x86_64-linux-gnu/libc.so.6"
  // Every source file its cost lines came from (fl=, and fi=/fe= for code inlined into it),
  // in order of first use: a project function whose first instruction is an inlined std::copy
  // has a header as `file` but its own .cpp here.
  std::vector<std::string> files;
  std::uint64_t self = 0;
  // Self plus the cost of every call it made, except calls to itself (direct recursion would
  // count twice). Mutual recursion is counted once per level, as callgrind_annotate does.
  std::uint64_t inclusive = 0;
};

struct callgrind_profile {
  std::string path;
  std::string creator;      // "callgrind-3.19.0"
  std::string trigger;      // "Client Request: BM_X windows=16 window=1024 events=16384"
  std::string event;        // the first event's name, "Ir"
  std::uint64_t total = 0;  // "totals:" of the first event (the sum of the functions' self)
  std::vector<function_cost> functions;      // by inclusive cost, then self, then name
  std::map<std::string, std::string> facts;  // key=value words of the trigger after its name

  // The benchmark named by a client-request trigger ("BM_X" above); "" for any other dump.
  std::string benchmark() const;
  // "events" of the trigger; 0 when absent or not a number.
  std::uint64_t events() const;
  // The valgrind version of "creator:" ("3.19.0"), "" if unknown.
  std::string valgrind_version() const;
};

// Throws tools::input_error naming file and line for anything that is not callgrind format,
// and for a profile that is truncated (no closing "totals:") or inconsistent (a "summary:" or
// the functions' self costs that do not add up to "totals:", a sum beyond 64 bits).
callgrind_profile parse_callgrind(const std::string& text, const std::string& path);
callgrind_profile load_callgrind(const std::string& path);

}  // namespace instr
