// File: cli_golden_test.cpp
// Tests of the golden-test harness itself: that a matching case passes, that every kind of
// mismatch fails with a readable first difference, and that the update mode rewrites the
// expected files. The committed cases under testdata/cli run a small demo CLI through the
// ALLOCGATE_CLI_GOLDEN_TESTS macro the tools use.
#include "common/cli_golden.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using tools::testing::golden_case;
using tools::testing::run_case;

// The demo CLI: `echo ARG...` prints its arguments and standard input; `copy FROM TO` copies a
// file; anything else is a usage error (exit 2).
int demo_run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "echo") {
    for (std::size_t i = 1; i < args.size(); ++i)
      out << "arg: " << args[i] << "\n";
    std::string line;
    while (std::getline(std::cin, line))
      out << "stdin: " << line << "\n";
    return 0;
  }
  if (args.size() == 3 && args[0] == "copy") {
    std::ifstream in(args[1]);
    std::ofstream o(args[2]);
    o << in.rdbuf() << "copied\n";
    out << "copied " << args[1] << "\n";
    return 0;
  }
  err << "demo: usage: demo echo ARG... | demo copy FROM TO\n";
  return 2;
}

ALLOCGATE_CLI_GOLDEN_TESTS(DemoCli, demo_run, ALLOCGATE_TESTDATA)

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A scratch testdata folder with one case, removed at the end of the test.
class harness : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "cli-golden-self-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ / "cli" / "case";
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }
  golden_case the_case() const { return {"case", dir_, root_}; }

  fs::path root_;
  fs::path dir_;
};

TEST_F(harness, MatchingCasePasses) {
  put(dir_ / "args", "echo\nhello world\n");
  put(dir_ / "stdin", "line one\n");
  put(dir_ / "stdout", "arg: hello world\nstdin: line one\n");
  put(dir_ / "stderr", "");
  put(dir_ / "exit_code", "0\n");
  EXPECT_TRUE(run_case(the_case(), demo_run, false).empty());
}

TEST_F(harness, WrongStdoutFailsNamingTheLine) {
  put(dir_ / "args", "echo\na\nb\n");
  put(dir_ / "stdout", "arg: a\narg: c\n");
  put(dir_ / "stderr", "");
  put(dir_ / "exit_code", "0\n");
  const auto failures = run_case(the_case(), demo_run, false);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("stdout, line 2"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("expected: \"arg: c\\n\""), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("actual:   \"arg: b\\n\""), std::string::npos) << failures[0];
}

TEST_F(harness, WrongExitCodeAndStderrFail) {
  put(dir_ / "args", "bogus\n");
  put(dir_ / "stdout", "");
  put(dir_ / "stderr", "");
  put(dir_ / "exit_code", "0\n");
  const auto failures = run_case(the_case(), demo_run, false);
  ASSERT_EQ(failures.size(), 2u);
  EXPECT_NE(failures[0].find("stderr, line 1"), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("exit_code"), std::string::npos) << failures[1];
}

TEST_F(harness, MissingExpectedFileFails) {
  put(dir_ / "args", "echo\n");
  EXPECT_EQ(run_case(the_case(), demo_run, false).size(), 3u);
}

TEST_F(harness, WrittenFileIsComparedAndPathsAreNormalised) {
  put(dir_ / "files" / "in.txt", "data\n");
  put(dir_ / "args", "copy\n$TMP/in.txt\n$TMP/out/../out.txt\n");
  put(dir_ / "stdout", "copied $TMP/in.txt\n");
  put(dir_ / "stderr", "");
  put(dir_ / "exit_code", "0\n");
  put(dir_ / "expect_files" / "out.txt", "data\ncopied\n");
  put(dir_ / "expect_tree", "in.txt\nout.txt\n");
  fs::create_directories(dir_ / "files" / "out");
  EXPECT_TRUE(run_case(the_case(), demo_run, false).empty());

  put(dir_ / "expect_files" / "out.txt", "other\n");
  auto failures = run_case(the_case(), demo_run, false);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("$TMP/out.txt, line 1"), std::string::npos) << failures[0];

  put(dir_ / "expect_files" / "out.txt", "data\ncopied\n");
  put(dir_ / "expect_tree", "in.txt\n");
  failures = run_case(the_case(), demo_run, false);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("expect_tree"), std::string::npos) << failures[0];
}

TEST_F(harness, FileTheCommandDidNotWriteFails) {
  put(dir_ / "args", "echo\n");
  put(dir_ / "stdout", "");
  put(dir_ / "stderr", "");
  put(dir_ / "exit_code", "0\n");
  put(dir_ / "expect_files" / "never.txt", "x\n");
  const auto failures = run_case(the_case(), demo_run, false);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("did not leave $TMP/never.txt"), std::string::npos) << failures[0];
}

TEST_F(harness, UpdateRewritesTheExpectedFiles) {
  put(dir_ / "args", "echo\nx\n");
  put(dir_ / "stdout", "stale\n");
  EXPECT_TRUE(run_case(the_case(), demo_run, true).empty());
  EXPECT_EQ(slurp(dir_ / "stdout"), "arg: x\n");
  EXPECT_EQ(slurp(dir_ / "stderr"), "");
  EXPECT_EQ(slurp(dir_ / "exit_code"), "0\n");
  EXPECT_TRUE(run_case(the_case(), demo_run, false).empty());
}

TEST(cli_golden, ParseArgsExpandsNamesAndEscapes) {
  const auto args = tools::testing::parse_args(
      "a b\n$TMP/r.txt\n$TESTDATA/x\nline\\none\nback\\\\n\n\n", "/td", "/tmp/q");
  ASSERT_EQ(args.size(), 6u);
  EXPECT_EQ(args[0], "a b");
  EXPECT_EQ(args[1], "/tmp/q/r.txt");
  EXPECT_EQ(args[2], "/td/x");
  EXPECT_EQ(args[3], "line\none");
  EXPECT_EQ(args[4], "back\\n");
  EXPECT_EQ(args[5], "");
}

TEST(cli_golden, FirstDifferenceNamesTheFirstDifferingLine) {
  EXPECT_EQ(tools::testing::first_difference("stdout", "a\nb\n", "a\nb\n"), "");
  const std::string d = tools::testing::first_difference("stdout", "a\nb\n", "a\n");
  EXPECT_NE(d.find("stdout, line 2"), std::string::npos) << d;
  EXPECT_NE(d.find("actual:   <end of output>"), std::string::npos) << d;
  const std::string nl = tools::testing::first_difference("stdout", "a\n", "a");
  EXPECT_NE(nl.find("expected: \"a\\n\""), std::string::npos) << nl;
}

TEST(cli_golden, DiscoveryIsSortedAndEmptyWithoutAFolder) {
  EXPECT_TRUE(tools::testing::discover_cases("/nonexistent-testdata").empty());
  const auto cases = tools::testing::discover_cases(ALLOCGATE_TESTDATA);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].name, "echo_args_stdin_and_file");
  EXPECT_EQ(cases[1].name, "usage_error");
}

}  // namespace

TEST(cli_golden, SessionRunsEachInvocationWithItsOwnEnvironment) {
  ::unsetenv("ALLOCGATE_SESSION_PROBE");
  std::vector<std::string> seen;
  const tools::testing::cli_function record = [&](std::span<const std::string> args,
                                                  std::ostream& out, std::ostream&) {
    const char* probe = ::getenv("ALLOCGATE_SESSION_PROBE");
    std::string line = probe != nullptr ? std::string("env=") + probe : "env unset";
    for (const auto& a : args)
      line += " " + a;
    seen.push_back(line);
    out << line << "\n";
    return static_cast<int>(args.size());
  };
  const std::vector<std::string> args = {"ALLOCGATE_SESSION_PROBE=1", "a", "b", ";", "c"};
  std::ostringstream out, err;
  // The exit code is the last invocation's; the assignment held for the first one only.
  EXPECT_EQ(tools::testing::run_session(record, args, out, err), 1);
  EXPECT_EQ(seen, (std::vector<std::string>{"env=1 a b", "env unset c"}));
  EXPECT_EQ(::getenv("ALLOCGATE_SESSION_PROBE"), nullptr);
}
