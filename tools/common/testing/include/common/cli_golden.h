// File: cli_golden.h
// Golden tests for the command-line tools: a command is run as a library function and its
// stdout, stderr, exit code and written files are compared with files saved beside the test.
//
// A CLI is `int run(std::span<const std::string> args, std::ostream& out, std::ostream& err)`
// (args without argv[0]); its main only forwards std::cout and std::cerr. Standard input is
// std::cin, which the harness points at the case's `stdin` file for the duration of the call.
//
// A case is a folder <testdata>/cli/<case>/ holding
//   args          one argument per line; `$TESTDATA` is the product's testdata folder, `$TMP` a
//                 fresh directory for this case; `\n` in a line is a newline, `\\` a backslash.
//                 A case may be a short session, for tools that keep state (a history store):
//                 a line ";" separates invocations, run in order like `a; b; c` in a shell, all
//                 printing to the same streams; the exit code is the last one's (a failing
//                 earlier step shows in the saved stderr, so a broken setup cannot pass).
//                 Leading NAME=VALUE lines of an invocation set that environment variable for
//                 it alone.
//   files/        optional: copied into $TMP before the run
//   stdin         optional: standard input (empty when absent)
//   stdout, stderr, exit_code   what the command must print and return
//   expect_files/ optional: files the command must leave in $TMP (path relative to $TMP)
//   expect_tree   optional: every file left in $TMP after the run, sorted, one per line
// In what the command prints or writes, the paths of $TMP and $TESTDATA are replaced by those
// names before comparing, so expected files do not depend on where the test runs.
//
// ALLOCGATE_UPDATE_GOLDEN=1 rewrites stdout, stderr, exit_code, expect_tree and the existing
// expect_files/ from what the command did; review the diff before committing it.
//
// Usage in a test file (the CMake function allocgate_cli_golden_test defines
// ALLOCGATE_TESTDATA as the product's testdata folder):
//   ALLOCGATE_CLI_GOLDEN_TESTS(RatchetCli, tools::ratchet::run, ALLOCGATE_TESTDATA)
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tools::testing {

using cli_function =
    std::function<int(std::span<const std::string> args, std::ostream& out, std::ostream& err)>;

struct golden_case {
  std::string name;           // the folder's name
  std::filesystem::path dir;  // <testdata>/cli/<name>
  std::filesystem::path testdata;
};

// GoogleTest prints a case as its folder name (in test listings and ctest names).
inline void PrintTo(const golden_case& c, std::ostream* os) {
  *os << c.name;
}

// Every folder under <testdata>/cli, sorted by name; empty when there is none (the suite's
// HasCases test then fails, so a misplaced testdata folder cannot pass as "no cases").
std::vector<golden_case> discover_cases(const std::filesystem::path& testdata);

// The test name GoogleTest shows: the folder name with anything but letters, digits and '_'
// turned into '_'.
std::string case_test_name(const ::testing::TestParamInfo<golden_case>& info);

// "" when equal; otherwise a readable description of the first differing line of `what`
// (e.g. "stdout, line 3:\n  expected: ...\n  actual:   ...").
std::string first_difference(std::string_view what, std::string_view expected,
                             std::string_view actual);

// Parses an args file (see above) with $TESTDATA and $TMP expanded.
std::vector<std::string> parse_args(std::string_view text, const std::string& testdata,
                                    const std::string& tmp);

// Runs args as a session (see `args` above): invocations separated by ";", each with its
// leading NAME=VALUE environment assignments. Returns the last invocation's exit code.
int run_session(const cli_function& run, std::span<const std::string> args, std::ostream& out,
                std::ostream& err);

// Runs one case. Returns one message per mismatch (empty: the case passes). With `update`,
// rewrites the expected files instead and returns no mismatch.
std::vector<std::string> run_case(const golden_case& c, const cli_function& run, bool update);

// True when ALLOCGATE_UPDATE_GOLDEN=1 is set.
bool update_requested();

class cli_golden_test : public ::testing::TestWithParam<golden_case> {
 protected:
  void check(const cli_function& run) {
    for (const std::string& failure : run_case(GetParam(), run, update_requested()))
      ADD_FAILURE() << failure;
  }
};

}  // namespace tools::testing

// Defines the test suite `suite`: one test per case folder under `testdata`/cli, plus one test
// that the folder holds at least one case.
#define ALLOCGATE_CLI_GOLDEN_TESTS(suite, run_function, testdata)                           \
  class suite : public ::tools::testing::cli_golden_test {};                                \
  TEST_P(suite, Golden) {                                                                   \
    check(run_function);                                                                    \
  }                                                                                         \
  INSTANTIATE_TEST_SUITE_P(Cases, suite,                                                    \
                           ::testing::ValuesIn(::tools::testing::discover_cases(testdata)), \
                           ::tools::testing::case_test_name);                               \
  TEST(suite##Discovery, HasCases) {                                                        \
    EXPECT_FALSE(::tools::testing::discover_cases(testdata).empty());                       \
  }
