// File: cli_test.cpp
// benchhist's command line driven in-process through run(args, out, err): help and usage
// errors reach the given streams, `platform` names this build's toolchain, the store location
// selects a backend, and the report groups the fixture's twelve benchmarks into six detectors.
// The rest of the command-line contract is in the golden cases under testdata/cli/.
#include "benchhist/cli.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "benchhist/commands.h"
#include "benchhist/history_ingest.h"
#include "benchhist/history_store.h"
#include "common/atomic_file.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

struct result {
  int code;
  std::string out, err;
};

result run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  const int code = benchhist::run(args, out, err);
  return {code, out.str(), err.str()};
}

std::size_t lines(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(Cli, HelpGoesToOutAndExitsZero) {
  const result r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("Exit codes: 0 ok, 1 regression"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Usage: benchhist"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(Cli, UsageErrorsAreOneLineOnErrAndExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"list", "--bogus"}, {"median", "--max", "nan"}, {"compare", "--format", "html"}}) {
    const result r = run_cli(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("benchhist: error: ", 0), 0u) << r.err;
  }
}

// Not a golden case: the platform names the toolchain that built the test.
TEST(Cli, PlatformPrintsThisBuildsPlatform) {
  const result r = run_cli({"platform"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, detect_platform() + "\n");
  EXPECT_EQ(r.out.rfind("linux-", 0), 0u) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST(Cli, StoreLocationSelectsTheBackend) {
  test_support::temp_dir dir;
  const std::string results = std::string(BENCHHIST_TESTDATA) + "/run_a.json";
  result r = run_cli({"--db", "sqlite:" + dir.file("h.db"), "ingest", results, "--commit",
                      "aaaa1111", "--date", "2026-01-02T03:04:05Z", "--platform", "test-plat"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("benchhist: stored run 1: commit aaaa1111, test-plat, glibc", 0), 0u);
  r = run_cli({"--db", dir.file("h.db"), "list"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2026-01-02T03:04:05Z"), std::string::npos) << r.out;
  r = run_cli({"--db", "mysql://host/history", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "benchhist: error: history location 'mysql://host/history': unknown backend "
            "'mysql' (known: a plain path, sqlite:PATH, postgresql://...)\n");
  // A server that is not there: one line, exit 2, the password hidden.
  r = run_cli({"--db", "postgresql://u:s3cret@%2Fnonexistent%2Fsocket/history", "list"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.rfind("benchhist: error: postgresql://u:***@%2Fnonexistent%2Fsocket/history: "
                        "cannot connect to the history server: ",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(Cli, PasswordsWithSpecialCharactersAreNeverPrinted) {
  // A password that was not percent-encoded: '/', '?' and '#' end the authority for a URI
  // parser, and libpq's own message quotes the fragment it choked on.
  const std::string uri = "postgresql://u:p@ss:w/o?rd#%&=x y@%2Fnonexistent%2Fsocket/history";
  result r = run_cli({"--db", uri, "list"});
  EXPECT_EQ(r.code, 2);
  for (const char* part : {"ss:w", "w/o", "o?rd", "rd#", "=x y"})
    EXPECT_EQ(r.err.find(part), std::string::npos) << part << " in " << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  // A libpq key=value string is not a history location (it would be a SQLite file name):
  // refused before anything is created, its password hidden.
  test_support::temp_dir dir;
  const std::string kv = "host=" + dir.path() + " password=s3cret dbname=history";
  r = run_cli({"--db", kv, "ingest", std::string(BENCHHIST_TESTDATA) + "/run_a.json", "--commit",
               "aaaa1111"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("postgresql://"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(kv));
}

TEST(Cli, ReportGroupsEachDetectorsBenchmarks) {
  test_support::temp_dir dir;
  const std::string db = dir.file("h.db");
  for (const char* run : {"run_a", "run_b"}) {
    const result r =
        run_cli({"--db", db, "ingest", std::string(BENCHHIST_TESTDATA) + "/" + run + ".json",
                 "--commit", std::string(run) + "0000"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const result r = run_cli({"--db", db, "report", "--out", dir.file("report")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = read_file(dir.file("report/index.html"));
  std::size_t groups = 0, charts = 0;
  for (auto p = html.find("<section class=\"group\""); p != std::string::npos;
       p = html.find("<section class=\"group\"", p + 1))
    ++groups;
  for (auto p = html.find("class=\"chart\""); p != std::string::npos;
       p = html.find("class=\"chart\"", p + 1))
    ++charts;
  EXPECT_EQ(groups, 6u);
  EXPECT_EQ(charts, 12u);
  EXPECT_NE(html.find("<h2>BM_PodEvicted</h2>"), std::string::npos);
}

TEST(Cli, ChangesLooksAtTheNewestRunsByDefault) {
  // A level shift just older than the default window: `changes` without --last must not see
  // it (its cost grows with the square of the runs it looks at), `--last 0` must.
  test_support::temp_dir dir;
  const std::string db = dir.file("h.db");
  {
    const auto store = open_history_store(db);
    for (std::size_t i = 0; i < changes_default_runs + 10; ++i) {
      run_record r;
      r.info.commit = fmt::format("{:08x}", i + 1);
      r.info.platform = "p";
      r.info.allocator = "glibc";
      r.info.timestamp = fmt::format("2026-01-01T00:00:{:02}Z", i % 60);
      r.info.content_hash = "h" + r.info.commit;
      // The oldest ten runs at 200, then a steady 100 with a little wobble.
      const double level = i < 10 ? 200.0 : 100.0 + static_cast<double>(i % 3);
      r.samples["BM_PodEvicted"]["ns/event"] = {level, level, level};
      store->add_run(r);
    }
  }
  result r = run_cli({"--db", db, "changes"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("no change points"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fmt::format("window: the newest {} runs", changes_default_runs)),
            std::string::npos)
      << r.out;
  r = run_cli({"--db", db, "changes", "--last", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.find("window:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0000000b"), std::string::npos) << r.out;  // the first run at 100
}

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1))
    ++n;
  return n;
}

TEST(Cli, ReportChartsInstructionsBesideTiming) {
  // Timing runs and instruction runs (the callgrind measurement's results) in one history:
  // each detector's section shows both metrics, and the instruction change is marked.
  test_support::temp_dir dir;
  const std::string db = dir.file("h.db");
  const std::string inputs = std::string(BENCHHIST_TESTDATA) + "/inputs/";
  int k = 0;
  for (const char* file :
       {"base", "slow", "instr_base", "instr_base", "instr_base", "instr_base", "instr_base",
        "instr_more", "instr_more", "instr_more", "instr_more", "instr_more"}) {
    const result r = run_cli({"--db", db, "ingest", inputs + file + ".json", "--commit",
                              "c" + std::to_string(k++) + "aaaaaa", "--platform", "p"});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  const result r = run_cli({"--db", db, "report", "--out", dir.file("report")});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = read_file(dir.file("report/index.html"));
  EXPECT_NE(html.find("ns/event and instr/event over the last"), std::string::npos);
  // Section BM_A: BM_ADetector's ns/event and instr/event, BM_ADetectorCold's instr/event;
  // section BM_B: BM_BDetector's ns/event.
  EXPECT_EQ(occurrences(html, "class=\"chart\""), 4u);
  EXPECT_NE(html.find("<h2>BM_A</h2>"), std::string::npos) << html.substr(0, 3000);
  EXPECT_GE(occurrences(html, "instr/event"), 2u);
  // The +10 % instruction step (A) and the -3 % one (A cold) are both change points.
  EXPECT_EQ(occurrences(html, "class=\"changepoint\""), 2u);
}

}  // namespace
}  // namespace tools
