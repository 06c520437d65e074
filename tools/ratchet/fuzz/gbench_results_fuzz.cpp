// File: gbench_results_fuzz.cpp
// libFuzzer target for the Google Benchmark results reader and the gate over it: any input
// either is refused with input_error (exit 2) or gives a report whose verdicts agree with an
// independent recomputation (the median of allocs/op over the repetitions, per event, against
// the ceiling). Nothing else (crash, other exception, sanitizer report) is allowed.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/gbench_results.h"
#include "ratchet/alloc_gate.h"
#include "ratchet/ceiling_registry.h"

namespace {

// Fixed ceilings the fuzzed results are gated against: the names of the seed files.
const tools::ceiling_registry& registry() {
  static const tools::ceiling_registry r = tools::ceiling_registry::parse(
      "BM_ADetector window=1024 allocs_per_event=2.0\n"
      "BM_BDetector window=1 allocs_per_event=0\n",
      "fuzz-ceilings.txt");
  return r;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tools::gate_report report;
  tools::gbench_results results;
  try {
    results = tools::parse_gbench_results(text, "fuzz.json");
    tools::gate_options options;
    options.allow_nondeterministic = true;
    report = tools::check_allocations(registry(), results, options);
  } catch (const tools::input_error& e) {
    const std::string message = e.what();
    if (message.find('\n') != std::string::npos || message.size() > 2000) std::abort();
    return 0;
  }
  for (const tools::gate_row& row : report.rows) {
    const tools::ceiling* c = registry().find(row.benchmark);
    if (c == nullptr) std::abort();
    const std::vector<double> allocs = results.repetitions(row.benchmark, "allocs/op");
    if (allocs.empty()) std::abort();  // gated without a measurement
    const double measured = median_of(allocs) / static_cast<double>(c->window);
    // Clearly above or clearly below the ceiling: the verdict must say so. Within rounding
    // of the registry's 6 decimals either verdict is defensible.
    const double tolerance = 1e-6 + 1e-12 * std::fabs(measured);
    const bool breach = row.verdict == tools::gate_verdict::breach;
    const bool bytes_breach = row.bytes_ceiling && row.bytes_per_event > *row.bytes_ceiling;
    if (measured > c->allocs_per_event + tolerance && !breach) std::abort();
    if (measured < c->allocs_per_event - tolerance && breach && !bytes_breach) std::abort();
  }
  return 0;
}
