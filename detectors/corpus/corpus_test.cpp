// Tests for the corpus generator: determinism, shape, and that each detector's episodes are
// recognised by that detector (and produce findings in faulty periods).
#include "detectors/corpus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bench/measurement.h"
#include "detectors/detector.h"

namespace detectors {
namespace {

corpus_options small(std::uint64_t seed, std::size_t events = 5000) {
  corpus_options o;
  o.seed = seed;
  o.events = events;
  return o;
}

TEST(Corpus, SameSeedGivesByteIdenticalOutput) {
  for (std::string_view focus : {std::string_view{}, detector_names().front()}) {
    const std::string a = generate_corpus(focus, small(7)).envelope_text();
    const std::string b = generate_corpus(focus, small(7)).envelope_text();
    EXPECT_EQ(a, b);
    EXPECT_NE(a, generate_corpus(focus, small(8)).envelope_text());
  }
}

// 64-bit FNV-1a: a checksum with a fixed definition (std::hash has none across libraries).
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3;
  }
  return h;
}

// The streams every compiler must produce, at the benchmark's seed. The golden findings and
// the committed ceilings were measured on them, so a generator change that alters a stream (or
// a draw whose order the compiler chooses) fails here first. After an intended change,
// regenerate the golden files, re-measure the ceilings, and update these values.
corpus stream(std::string_view focus) {
  return generate_corpus(focus, small(bench::corpus_seed, 20000));
}

// Each detector's own lines in its focused stream. These must NOT move when a detector is added
// to or removed from the list: they are what its goldens, windows and ceilings are made of.
TEST(Corpus, EachDetectorsOwnLinesMatchTheCommittedChecksums) {
  const std::pair<std::string_view, std::uint64_t> expected[] = {
      {"pod_evicted", 18275754101757868910ULL},     {"xid_correlation", 16544590045710330111ULL},
      {"hbm_ecc", 8384560565797058530ULL},          {"nccl_hang", 10922236260226188258ULL},
      {"thermal_throttle", 1006140270590446833ULL}, {"pcie_aer", 17319321945388065204ULL},
  };
  for (const auto& [focus, checksum] : expected) {
    if (make_detector(focus) == nullptr) continue;  // not in this build's list
    EXPECT_EQ(fnv1a(stream(focus).envelope_text(focus)), checksum) << "focus '" << focus << "'";
  }
}

// Where each line of a focused stream comes from and when: its timestamp and whether it is the
// focused detector's own line, noise or a background line. Like the own lines, this layout must
// NOT move when a detector is added: background slots hold exactly one line and add no time.
std::string layout(const corpus& c, std::string_view focus) {
  std::string out;
  for (std::size_t i = 0; i < c.size(); ++i) {
    out += std::to_string(c.events()[i].ts_ns);
    const std::string_view origin = c.origin(i);
    out += origin == focus ? " own\n" : origin == "noise" ? " noise\n" : " background\n";
  }
  return out;
}

TEST(Corpus, EachFocusedStreamsLayoutMatchesTheCommittedChecksums) {
  const std::pair<std::string_view, std::uint64_t> expected[] = {
      {"pod_evicted", 14624654715225625593ULL},     {"xid_correlation", 18004148798214479273ULL},
      {"hbm_ecc", 340516980807362907ULL},           {"nccl_hang", 10450006648705942086ULL},
      {"thermal_throttle", 5276540560543960014ULL}, {"pcie_aer", 15093895628419702388ULL},
  };
  for (const auto& [focus, checksum] : expected) {
    if (make_detector(focus) == nullptr) continue;  // not in this build's list
    EXPECT_EQ(fnv1a(layout(stream(focus), focus)), checksum) << "focus '" << focus << "'";
  }
}

// The whole streams: background lines are other detectors' and the unfocused stream mixes all
// of them, so these move when a detector is added (and then only in the background slots the
// new detector wins, see corpus_mixer.cpp) or when a generator changes. They are data, kept in
// testdata/whole_stream_checksums.txt and rewritten with ALLOCGATE_UPDATE_GOLDEN=1 (review the
// diff: the own-line and layout checksums above must not have moved).
TEST(Corpus, WholeStreamsMatchTheCommittedChecksums) {
#ifdef ALLOCGATE_ONLY_DETECTOR
  GTEST_SKIP() << "built for one detector (ALLOCGATE_ONLY_DETECTOR): other streams";
#endif
  const std::string path =
      std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) + "/corpus/testdata/whole_stream_checksums.txt";
  std::vector<std::string> focuses = {""};
  for (std::string_view name : detector_names())
    focuses.emplace_back(name);
  std::string actual =
      "# fnv1a of generate_corpus(focus, seed 20241119, 20000 events).envelope_text(); "
      "'(all)' is the unfocused stream\n";
  for (const std::string& focus : focuses)
    actual += (focus.empty() ? std::string("(all)") : focus) + " " +
              std::to_string(fnv1a(stream(focus).envelope_text())) + "\n";
  if (std::getenv("ALLOCGATE_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << path << "; review and commit the diff";
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; create it with ALLOCGATE_UPDATE_GOLDEN=1";
  const std::string expected{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(actual, expected) << path << " (after an intended change: ALLOCGATE_UPDATE_GOLDEN=1)";
}

// A focused stream is the focused detector's episodes, one line each of the others', and
// noise; every line says which generator emitted it.
TEST(Corpus, FocusedStreamsRecordWhichGeneratorEmittedEachLine) {
  for (std::string_view focus : detector_names()) {
    const corpus c = stream(focus);
    std::size_t own = 0, noise = 0, background = 0;
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::string_view origin = c.origin(i);
      if (origin == focus)
        ++own;
      else if (origin == "noise")
        ++noise;
      else
        ++background;
      ASSERT_TRUE(origin == "noise" || std::find(detector_names().begin(), detector_names().end(),
                                                 origin) != detector_names().end())
          << origin;
    }
    EXPECT_GT(own, c.size() / 2) << focus;
    EXPECT_GT(noise, 0u) << focus;
    if (detector_names().size() > 1) {
      EXPECT_GT(background, 0u) << focus;
    }
    std::size_t own_lines = 0;
    for (const char ch : c.envelope_text(focus))
      own_lines += ch == '\n';
    EXPECT_EQ(own_lines, own) << focus;
  }
}

TEST(Corpus, HasExactlyTheRequestedEventsInTimeOrder) {
  const corpus c = generate_corpus("", small(3, 4321));
  ASSERT_EQ(c.size(), 4321u);
  const auto ev = c.events();
  EXPECT_TRUE(std::is_sorted(ev.begin(), ev.end(),
                             [](const event& a, const event& b) { return a.ts_ns < b.ts_ns; }));
  for (const event& e : ev) {
    EXPECT_EQ(e.line.find('\n'), std::string_view::npos);
    EXPECT_FALSE(e.node.empty());
  }
}

TEST(Corpus, UnknownFocusIsRejected) {
  EXPECT_THROW(generate_corpus("no_such_detector", small(1)), std::invalid_argument);
}

TEST(Corpus, EventsSurviveMovingTheCorpus) {
  corpus a = generate_corpus(detector_names().front(), small(5, 100));
  const std::string before(a.events()[10].line);
  corpus b = std::move(a);
  EXPECT_EQ(b.events()[10].line, before);
}

class EachDetector : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EachDetector, RecognisesMostOfItsFocusedStreamAndFindsFaults) {
  corpus_options o = small(11, 40'000);
  const corpus c = generate_corpus(GetParam(), o);
  auto d = make_detector(GetParam());
  ASSERT_NE(d, nullptr);
  counting_sink sink;
  for (const event& e : c.events())
    d->on_event(e, sink);
  d->finish(sink);
  const detector_stats& s = d->stats();
  EXPECT_EQ(s.events, c.size());
  // 60% of episodes are the focus detector's, but not every line of an episode is one the
  // detector parses (healthy samples it skips, headers of other reasons): at least 1 in 10.
  EXPECT_GT(s.recognised, c.size() / 10) << GetParam();
  EXPECT_GT(sink.total(), 0u) << GetParam() << ": faulty periods produced no finding";
  // Truncation hits 5 in 1000 lines; a detector may also count its own odd lines.
  EXPECT_LT(s.malformed, c.size() / 50) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(All, EachDetector, ::testing::ValuesIn(detector_names()),
                         [](const auto& info) { return std::string(info.param); });

TEST(Registry, TheCatalogAndTheNamesAgree) {
  const auto catalog = detector_catalog();
  const auto names = detector_names();
  ASSERT_EQ(catalog.size(), names.size());
  ASSERT_FALSE(names.empty());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(catalog[i].name, names[i]);
    EXPECT_FALSE(catalog[i].summary.empty()) << names[i];
    for (std::size_t j = 0; j < i; ++j)
      EXPECT_NE(names[j], names[i]) << "listed twice";
  }
}

TEST(Registry, EveryNamedDetectorCanBeMadeAndNamesItself) {
  for (std::string_view name : detector_names()) {
    auto d = make_detector(name);
    ASSERT_NE(d, nullptr) << name;
    EXPECT_EQ(d->name(), name);
  }
  EXPECT_EQ(make_detector("nope"), nullptr);
}

}  // namespace
}  // namespace detectors
