// Golden test: the generator's stream for a fixed seed, run through all six detectors, must
// produce exactly the checked-in findings (test/data/golden_findings.jsonl).
//
// After an intended change of behaviour, regenerate and review the diff:
//   ALLOCGATE_UPDATE_GOLDEN=1 build/detectors/golden_test
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace detectors {
namespace {

const std::string golden_path =
    std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) + "/testing/golden_findings_all.jsonl";

std::string findings_for_fixed_stream() {
  corpus_options o;
  o.seed = bench::corpus_seed;
  o.events = 30'000;
  const corpus c = generate_corpus("", o);
  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : detector_names())
    all.push_back(make_detector(name));
  collecting_sink sink;
  for (const event& e : c.events())
    for (auto& d : all)
      d->on_event(e, sink);
  for (auto& d : all)
    d->finish(sink);
  std::string out;
  for (const auto& f : sink.findings)
    out += to_json(f) + "\n";
  return out;
}

TEST(Golden, FixedSeedStreamProducesTheCheckedInFindings) {
  const std::string actual = findings_for_fixed_stream();
  ASSERT_FALSE(actual.empty()) << "the fixed stream produced no findings at all";
  if (std::getenv("ALLOCGATE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << golden_path << "; review and commit the diff";
  }
  std::ifstream in(golden_path, std::ios::binary);
  ASSERT_TRUE(in) << golden_path << " is missing; create it with ALLOCGATE_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  // Compare line by line for a readable first difference.
  std::istringstream a(actual), e(expected.str());
  std::string al, el;
  int line = 0;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, al));
    const bool more_e = static_cast<bool>(std::getline(e, el));
    ++line;
    if (!more_a && !more_e) break;
    ASSERT_EQ(al, el) << "first difference at line " << line << " of " << golden_path;
  }
}

}  // namespace
}  // namespace detectors
