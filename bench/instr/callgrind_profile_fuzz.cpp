// File: callgrind_profile_fuzz.cpp
// libFuzzer target for the callgrind profile reader (callgrind_profile.h) and what the gate
// makes of a profile that parses: any input either parses or throws input_error (one line,
// bounded length); nothing else (crash, other exception, sanitizer report) is allowed. A
// profile that parses has self costs adding up to its total and no function's self above its
// inclusive cost, and renders as results JSON and as the by-function tables.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/error.h"
#include "instr/callgrind_profile.h"
#include "instr/instr_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const instr::callgrind_profile p = instr::parse_callgrind(text, "fuzz.out");
    std::uint64_t self = 0;
    for (const instr::function_cost& f : p.functions) {
      if (f.self > f.inclusive) std::abort();  // a call's cost counts toward inclusive only
      self += f.self;
      if (instr::short_name(f.name).empty()) std::abort();
    }
    if (self != p.total) std::abort();  // the reader refuses profiles where they differ
    instr::explain_options o;
    o.roots.roots = {"/"};
    instr::render_explanation(p, o);
    instr::render_diff(p, p, o);
    instr::profile_set set;
    set.folder = "fuzz";
    set.platform = "compiler=fuzz";
    set.profiles.push_back(p);
    instr::results_json(set);
  } catch (const tools::input_error& e) {
    const std::string message = e.what();
    if (message.find('\n') != std::string::npos || message.size() > 1000) std::abort();
  }
  return 0;
}
