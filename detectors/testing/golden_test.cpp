// File: golden_test.cpp
// Golden findings: each listed detector, alone on its focused stream (the benchmark's seed,
// 10000 events: focused streams are dense in findings, and this keeps each file under 1 MB),
// must produce exactly the findings checked in as
// detectors/<name>/testdata/golden_findings.jsonl. A detector's own lines in its focused stream
// do not depend on which other detectors are listed (corpus.h), and a detector reads only its
// own lines, so adding a detector moves no other golden.
// And every detector, run together with all the others over the unfocused stream, must report
// exactly what it reports alone there: detectors share no state.
//
// After an intended change of behaviour, regenerate and review the diff:
//   make update-goldens   (or ALLOCGATE_UPDATE_GOLDEN=1 build/detectors/testing/golden_test)
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "detectors/detector.h"

namespace detectors {
namespace {

corpus golden_stream(std::string_view focus, std::size_t events) {
  corpus_options o;
  o.seed = bench::corpus_seed;
  o.events = events;
  return generate_corpus(focus, o);
}

std::string golden_path(std::string_view name) {
  return std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) + "/" + std::string(name) +
         "/testdata/golden_findings.jsonl";
}

// The findings of `names`' detectors, fed every event of `c` in turn, one JSON line each.
std::string findings_of(std::span<const std::string_view> names, const corpus& c,
                        std::string_view only_detector = {}) {
  std::vector<std::unique_ptr<detector>> all;
  for (std::string_view name : names)
    all.push_back(make_detector(name));
  collecting_sink sink;
  for (const event& e : c.events())
    for (auto& d : all)
      d->on_event(e, sink);
  for (auto& d : all)
    d->finish(sink);
  std::string out;
  for (const auto& f : sink.findings)
    if (only_detector.empty() || f.detector == only_detector) out += to_json(f) + "\n";
  return out;
}

// Compares line by line for a readable first difference.
void expect_same_lines(const std::string& actual, const std::string& expected,
                       std::string_view what) {
  std::istringstream a(actual), e(expected);
  std::string al, el;
  int line = 0;
  while (true) {
    const bool more_a = static_cast<bool>(std::getline(a, al));
    const bool more_e = static_cast<bool>(std::getline(e, el));
    ++line;
    if (!more_a && !more_e) break;
    ASSERT_EQ(al, el) << "first difference at line " << line << " of " << what;
  }
}

class Golden : public ::testing::TestWithParam<std::string_view> {};

TEST_P(Golden, FocusedStreamProducesTheCheckedInFindings) {
  const std::string_view name = GetParam();
  const std::string_view alone[] = {name};
  const std::string actual = findings_of(alone, golden_stream(name, 10'000));
  ASSERT_FALSE(actual.empty()) << name << ": its focused stream produced no findings at all";
  const std::string path = golden_path(name);
  if (std::getenv("ALLOCGATE_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out << actual;
    ASSERT_TRUE(out.flush()) << "cannot write " << path;
    GTEST_SKIP() << "rewrote " << path << "; review and commit the diff";
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; create it with ALLOCGATE_UPDATE_GOLDEN=1";
  std::stringstream expected;
  expected << in.rdbuf();
  expect_same_lines(actual, expected.str(), path);
}

INSTANTIATE_TEST_SUITE_P(EachDetector, Golden, ::testing::ValuesIn(detector_names()),
                         [](const auto& info) { return std::string(info.param); });

TEST(GoldenTogether, EachDetectorReportsTheSameWithTheOthersAsAlone) {
  const corpus c = golden_stream("", 30'000);
  const std::string together = findings_of(detector_names(), c);
  ASSERT_FALSE(together.empty()) << "the unfocused stream produced no findings at all";
  for (std::string_view name : detector_names()) {
    SCOPED_TRACE(std::string(name));
    const std::string_view alone[] = {name};
    const std::string expected = findings_of(alone, c);
    EXPECT_FALSE(expected.empty()) << name << " found nothing in the unfocused stream";
    expect_same_lines(findings_of(detector_names(), c, name), expected,
                      std::string(name) + "'s findings alone");
  }
}

}  // namespace
}  // namespace detectors
