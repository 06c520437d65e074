// File: instr_report_test.cpp
// The callgrind reader and the instruction gate's reports, on small profiles written by hand
// in callgrind's format (testdata/profiles): totals, self and inclusive cost, name
// compression, the results JSON, and the tables by function.
#include "instr/instr_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "instr/callgrind_profile.h"

namespace {

using instr::callgrind_profile;
using instr::function_cost;

const std::string testdata = ALLOCGATE_TESTDATA;

const function_cost& fn(const callgrind_profile& p, const std::string& name) {
  for (const auto& f : p.functions)
    if (instr::short_name(f.name) == name) return f;
  throw std::runtime_error("no function " + name);
}

TEST(CallgrindProfile, ReadsTotalsSelfAndInclusiveCost) {
  const callgrind_profile p = instr::load_callgrind(testdata + "/profiles/small/callgrind.out.1");
  EXPECT_EQ(p.total, 1000u);
  EXPECT_EQ(p.event, "Ir");
  EXPECT_EQ(p.benchmark(), "BM_ADetector");
  EXPECT_EQ(p.events(), 8u);
  EXPECT_EQ(p.valgrind_version(), "3.19.0");
  ASSERT_EQ(p.functions.size(), 3u);
  // Self costs add up to the total; a call's cost counts toward its caller's inclusive cost.
  const auto& on_event = fn(p, "detectors::a_detector::on_event");
  EXPECT_EQ(on_event.self, 200u);
  EXPECT_EQ(on_event.inclusive, 1000u);
  EXPECT_EQ(on_event.file, "/work/src/detectors/a/a.cpp");
  const auto& parse = fn(p, "detectors::parse_a");
  EXPECT_EQ(parse.self, 400u);
  EXPECT_EQ(parse.inclusive, 600u);
  EXPECT_EQ(parse.file, "/work/src/detectors/a/a_parse.cpp");  // from a compressed "fl=(2)"
  const auto& memchr = fn(p, "__memchr_avx2");
  EXPECT_EQ(memchr.self, 400u);  // called from two functions, one entry
  EXPECT_EQ(memchr.object, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(p.functions.front().name.substr(0, 31), "detectors::a_detector::on_event");
}

TEST(CallgrindProfile, DirectRecursionIsNotCountedTwice) {
  const callgrind_profile p = instr::parse_callgrind(
      "events: Ir\nfl=a.cpp\nfn=f\n1 10\ncfn=f\ncalls=1 1\n1 30\ncfn=g\ncalls=1 1\n1 5\n"
      "fn=g\n1 5\ntotals: 15\n",
      "mem");
  EXPECT_EQ(fn(p, "f").self, 10u);
  EXPECT_EQ(fn(p, "f").inclusive, 15u);
}

TEST(CallgrindProfile, RefusesWhatIsNotCallgrindFormat) {
  const auto message = [](const std::string& text) {
    try {
      instr::parse_callgrind(text, "p.out");
    } catch (const tools::input_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("{\"benchmarks\": []}\n"),
            "p.out: not a callgrind output (no 'events:' line); expected valgrind "
            "--tool=callgrind's callgrind.out file");
  EXPECT_EQ(message("events: Ir\nno colon or equals\n"),
            "p.out:2: not a callgrind line: 'no colon or equals'");
  EXPECT_EQ(message("fn=f\n1 2\n"), "p.out:2: cost line before the 'events:' header");
  EXPECT_EQ(message("events: Ir\nfn=(7)\n"), "p.out:2: name id (7) used before it was defined");
  EXPECT_EQ(message("events: Ir\nfn=f\n1 x\n"),
            "p.out:3: first event's cost: expected a whole number, got 'x'");
  // A nameless function would be a blank row in the tables (found by callgrind_profile_fuzz).
  EXPECT_EQ(message("events: Ir\nfn=\n1 2\ntotals: 2\n"), "p.out:2: 'fn=' names no function");
  EXPECT_EQ(message("events: Ir\nfn=f\ncfn= \ncalls=1 1\n1 2\ntotals: 0\n"),
            "p.out:3: 'cfn=' names no function");
}

// Each of these would otherwise read as a smaller count than callgrind measured, and a
// smaller count passes the gate.
TEST(CallgrindProfile, RefusesTruncatedAndInconsistentProfiles) {
  const auto message = [](const std::string& text) {
    try {
      instr::parse_callgrind(text, "p.out");
    } catch (const tools::input_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("events: Ir\nsummary: 30\nfn=f\n1 10\n"),
            "p.out:4: no 'totals:' line (callgrind writes it last: a truncated profile?)");
  EXPECT_EQ(message("events: Ir\nsummary: 30\nfn=f\n1 10\ntotals: 10\n"),
            "p.out:2: 'summary: 30' disagrees with 'totals: 10'");
  EXPECT_EQ(message("events: Ir\nfn=f\n1 10\ntotals: 30\n"),
            "p.out: the functions' costs add up to 10 but 'totals:' says 30 (an edited or damaged "
            "profile?)");
  EXPECT_EQ(message("events: Ir\nfn=f\n1 18446744073709551615\n2 1\ntotals: 0\n"),
            "p.out:4: cost sum overflows 64 bits");
  EXPECT_EQ(message("events: Ir\nfn=f\n1 10\ntotals: 10\ntotals: 10\n"),
            "p.out:5: a second 'totals:' line");
  EXPECT_EQ(message("events: Ir\nsummary: 10\nfn=f\n1 10\ntotals: 10\n"), "no error");
}

TEST(ShortName, DropsSignatureTemplatesReturnTypeAndClones) {
  EXPECT_EQ(instr::short_name("detectors::parse_a(std::basic_string_view<char, "
                              "std::char_traits<char> >) [clone .isra.0]"),
            "detectors::parse_a");
  EXPECT_EQ(instr::short_name("void std::vector<int, std::allocator<int> >::_M_realloc_insert<"
                              "int const&>(__gnu_cxx::__normal_iterator<int*>, int const&)"),
            "std::vector::_M_realloc_insert");
  EXPECT_EQ(instr::short_name("ns::lru::operator()(int) const"), "ns::lru::operator()");
  EXPECT_EQ(instr::short_name("__memchr_avx2"), "__memchr_avx2");
}

TEST(ProfileSet, TurnsAFolderIntoResultsJson) {
  const instr::profile_set set = instr::load_profile_set(testdata + "/profiles/small");
  ASSERT_EQ(set.profiles.size(), 2u);  // the exit dump names no benchmark and is left out
  EXPECT_NE(set.platform.find("compiler=gcc-12.2.0"), std::string::npos);
  EXPECT_EQ(set.platform.substr(set.platform.size() - 16), " valgrind=3.19.0");
  const auto json = nlohmann::json::parse(instr::results_json(set));
  EXPECT_EQ(json["context"]["instr_platform"], set.platform);
  const auto& warm = json["benchmarks"][0];
  EXPECT_EQ(warm["name"], "BM_ADetector");
  EXPECT_EQ(warm["iterations"], 2);
  EXPECT_EQ(warm["window"], 4);
  EXPECT_DOUBLE_EQ(warm["instr/event"].get<double>(), 1000.0 / 8);
  EXPECT_DOUBLE_EQ(warm["instr/op"].get<double>(), 500.0);
  EXPECT_DOUBLE_EQ(json["benchmarks"][1]["instr/event"].get<double>(), 1100.0 / 8);
}

TEST(ProfileSet, RefusesTwoProfilesOfOneBenchmark) {
  const auto dir = std::filesystem::temp_directory_path() / "instr_report_test_twice";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string small = testdata + "/profiles/small/";
  std::filesystem::copy_file(small + "runner.txt", dir / "runner.txt");
  std::filesystem::copy_file(small + "callgrind.out.1", dir / "callgrind.out.1");
  std::filesystem::copy_file(small + "callgrind.out.1", dir / "callgrind.out.2");
  try {
    instr::load_profile_set(dir.string());
    ADD_FAILURE() << "a second profile of one benchmark was accepted";
  } catch (const tools::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("a second profile of 'BM_ADetector'"), std::string::npos)
        << e.what();
  }
  std::filesystem::remove_all(dir);
}

// A trigger whose counts are missing or disagree would give the gate a wrong instr/op (with no
// windows, 0: a pass); each is a one-line error naming the file and the field.
TEST(ProfileSet, RefusesATriggerWithoutConsistentCounts) {
  const auto dir = std::filesystem::temp_directory_path() / "instr_report_test_trigger";
  const std::string small = testdata + "/profiles/small/";
  const std::string original = tools::read_file(small + "callgrind.out.1");
  const std::string counts = "windows=2 window=4 events=8";
  ASSERT_NE(original.find(counts), std::string::npos);
  const auto message = [&](const std::string& replacement) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(small + "runner.txt", dir / "runner.txt");
    std::filesystem::copy_file(small + "callgrind.out.2", dir / "callgrind.out.2");
    std::string text = original;
    text.replace(text.find(counts), counts.size(), replacement);
    std::ofstream(dir / "callgrind.out.1") << text;
    try {
      instr::load_profile_set(dir.string());
    } catch (const tools::input_error& e) {
      return std::string(e.what()).substr((dir / "callgrind.out.1").string().size());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("window=4 events=8"),
            ": trigger field 'windows': expected a whole number above 0, got '(none)' (trigger "
            "'Client Request: BM_ADetector window=4 events=8')");
  EXPECT_EQ(message("windows=x window=4 events=8")
                .rfind(": trigger field 'windows': expected a whole number above 0, got 'x'", 0),
            0u);
  EXPECT_EQ(message("windows=-2 window=4 events=8")
                .rfind(": trigger field 'windows': expected a whole number above 0, got '-2'", 0),
            0u);
  EXPECT_EQ(message("windows=2 window=4 events=0")
                .rfind(": trigger field 'events': expected a whole number above 0, got '0'", 0),
            0u);
  EXPECT_EQ(message("windows=1 window=4 events=8"),
            ": trigger field 'events': 1 windows of 4 events are not events=8");
  EXPECT_EQ(message("windows=4294967296 window=4294967296 events=8"),
            ": trigger field 'events': 4294967296 windows of 4294967296 events are not events=8");
  EXPECT_EQ(message(counts), "no error");
  std::filesystem::remove_all(dir);
}

TEST(Diff, NamesTheFunctionThatGrewFirst) {
  instr::explain_options o;
  o.roots.roots = {"/work/src"};
  const callgrind_profile base = instr::load_base(testdata + "/profiles/base", "BM_ADetector");
  const callgrind_profile head =
      instr::load_callgrind(testdata + "/profiles/small/callgrind.out.1");
  const std::string diff = instr::render_diff(base, head, o);
  EXPECT_NE(diff.find("112.50 -> 125.00 instr/event (+11.11%)"), std::string::npos) << diff;
  // parse_a's own cost grew by 100 instructions over 8 events; on_event's only through it.
  const auto first_row = diff.find("detectors::parse_a");
  EXPECT_NE(first_row, std::string::npos) << diff;
  EXPECT_LT(first_row, diff.find("detectors::a_detector::on_event")) << diff;
  EXPECT_NE(diff.find("+12.50"), std::string::npos) << diff;
}

TEST(Diff, SumsTheOverloadsAShortNameCovers) {
  const auto profile = [](int a, int b) {
    return instr::parse_callgrind(
        fmt::format("desc: Trigger: Client Request: BM_A events=1\nevents: Ir\nfl=x.cpp\n"
                    "fn=ns::f(int)\n1 {}\nfn=ns::f(char)\n1 {}\ntotals: {}\n",
                    a, b, a + b),
        "mem");
  };
  instr::explain_options o;
  o.roots.roots = {};
  // One overload got cheaper, the other dearer by more: the name's change is the sum.
  const std::string diff = instr::render_diff(profile(100, 100), profile(90, 130), o);
  EXPECT_NE(diff.find("200.00     220.00       +20.00"), std::string::npos) << diff;
}

}  // namespace
