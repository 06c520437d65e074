// File: benchhist_cli_golden_test.cpp
// benchhist's command-line contract as saved expected output: every case under testdata/cli/
// runs through tools::benchhist::run and must print, write and return exactly what is saved
// (the harness is common/cli_golden.h; ALLOCGATE_UPDATE_GOLDEN=1 rewrites the expectations).
//
// benchhist keeps state in a history store, so one case may be a short session: its args hold
// several invocations separated by a line ";", run in order like `a; b; c` in a shell, all
// printing to the same streams; the case's exit code is the last invocation's. A failing
// earlier step shows in the saved stderr, so a broken setup cannot pass unnoticed. Leading
// NAME=VALUE arguments of an invocation set that environment variable for it alone, as in a
// shell.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "benchhist/cli.h"
#include "common/cli_golden.h"

namespace tools {
namespace {

// Sets an environment variable for the lifetime of the object, then restores it.
class scoped_env {
 public:
  scoped_env(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = ::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~scoped_env() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// "NAME=VALUE" with NAME in [A-Z0-9_]+: an environment assignment, not an argument.
std::optional<std::pair<std::string, std::string>> assignment(const std::string& arg) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  for (std::size_t i = 0; i < eq; ++i)
    if (!((arg[i] >= 'A' && arg[i] <= 'Z') || (arg[i] >= '0' && arg[i] <= '9') || arg[i] == '_'))
      return std::nullopt;
  return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

int run_invocation(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::vector<std::unique_ptr<scoped_env>> env;
  std::size_t first = 0;
  for (; first < args.size(); ++first) {
    auto a = assignment(args[first]);
    if (!a) break;
    env.push_back(std::make_unique<scoped_env>(a->first, a->second));
  }
  return benchhist::run(args.subspan(first), out, err);
}

int run_session(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  int code = 0;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= args.size(); ++i) {
    if (i < args.size() && args[i] != ";") continue;
    code = run_invocation(args.subspan(begin, i - begin), out, err);
    begin = i + 1;
  }
  return code;
}

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

ALLOCGATE_CLI_GOLDEN_TESTS(BenchhistCli, tools::run_session, ALLOCGATE_TESTDATA)
