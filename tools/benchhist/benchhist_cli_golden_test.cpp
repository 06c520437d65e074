// File: benchhist_cli_golden_test.cpp
// benchhist's command-line contract as saved expected output: every case under testdata/cli/
// runs through tools::benchhist::run and must print, write and return exactly what is saved
// (the harness is common/cli_golden.h; ALLOCGATE_UPDATE_GOLDEN=1 rewrites the expectations).
// benchhist keeps state in a history store, so most cases are short sessions (several
// invocations separated by ";" in args; see cli_golden.h).
#include <gtest/gtest.h>

#include <cstdlib>

#include "benchhist/cli.h"
#include "common/cli_golden.h"

namespace tools {
namespace {

// The cases must not see the checkout running the tests: ingest would take its HEAD as the
// commit and compare its merge-base. With GIT_DIR naming no repository, git answers "not a
// repository" wherever the test runs, as it does outside any checkout.
class outside_git : public ::testing::Environment {
 public:
  void SetUp() override { ::setenv("GIT_DIR", "/nonexistent/allocgate-no-repository", 1); }
};
const auto* const git_env = ::testing::AddGlobalTestEnvironment(new outside_git);

}  // namespace
}  // namespace tools

ALLOCGATE_CLI_GOLDEN_TESTS(BenchhistCli, tools::benchhist::run, ALLOCGATE_TESTDATA)
