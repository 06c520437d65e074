// File: benchhist_kill_test.cpp
// `benchhist ingest` killed with SIGKILL at random points (real processes, forked, each killed
// after a random delay up to about a whole ingest): the history afterwards passes SQLite's
// integrity check and holds either the runs it had or those plus the whole new run, never part
// of one; no journal or temporary file is left once the next writer has run. And several
// `benchhist ingest` processes at once on one history lose no run. Bounded in time.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "benchhist/cli.h"
#include "benchhist/history_store.h"
#include "common/run_killed.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr auto time_budget = std::chrono::seconds(4);
constexpr int max_rounds = 300;

std::vector<std::string> ingest_args(const std::string& db, const std::string& commit) {
  // Everything git would be asked for is given, so the child spends its time in the store.
  return {"--db",         db,
          "ingest",       std::string(BENCHHIST_TESTDATA) + "/run_a.json",
          "--commit",     commit,
          "--parent",     "0000000",
          "--merge-base", "0000000",
          "--branch",     "main",
          "--date",       "2026-01-02T03:04:05Z",
          "--platform",   "test-plat"};
}

// benchhist's library in a child process, killed after `delay` unless `kill_it` is false.
int run_and_kill(const std::vector<std::string>& args, std::chrono::microseconds delay,
                 bool kill_it) {
  return tools::testing::run_killed([](const std::vector<std::string>& a, std::ostream& out,
                                       std::ostream& err) { return benchhist::run(a, out, err); },
                                    args, delay, kill_it);
}

std::string integrity(const std::string& db) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    return "cannot open";
  }
  std::string result;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return result;
}

std::size_t runs_in(const std::string& db) {
  return open_history_store(db, store_access::read_only)->list_runs({}).size();
}

// Values of one whole ingest of run_a.json, to tell a whole run from part of one.
std::size_t values_per_run(const std::string& db) {
  const auto store = open_history_store(db, store_access::read_only);
  const auto runs = store->list_runs({});
  const std::optional<run_record> run = store->get_run(runs.front().id);
  std::size_t n = 0;
  for (const auto& [bench, metrics] : run->samples)
    for (const auto& [metric, values] : metrics)
      n += values.size();
  return n;
}

std::size_t total_values(const std::string& db) {
  const auto store = open_history_store(db, store_access::read_only);
  std::size_t n = 0;
  for (const auto& info : store->list_runs({})) {
    const std::optional<run_record> run = store->get_run(info.id);
    for (const auto& [bench, metrics] : run->samples)
      for (const auto& [metric, values] : metrics)
        n += values.size();
  }
  return n;
}

TEST(Kill, IngestKilledAtRandomPointsLeavesAConsistentHistory) {
  test_support::temp_dir dir;
  const std::string db = dir.file("history.db");
  const auto t0 = clock_type::now();
  const int first = run_and_kill(ingest_args(db, "base0000"), {}, false);
  const auto whole = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0);
  ASSERT_TRUE(WIFEXITED(first) && WEXITSTATUS(first) == 0);
  const std::size_t per_run = values_per_run(db);
  ASSERT_GT(per_run, 0u);

  std::mt19937_64 rng(20261206);
  std::uniform_int_distribution<std::int64_t> delay_us(0, whole.count() + 100);
  std::size_t runs = 1;
  int rounds = 0, killed = 0;
  const auto deadline = clock_type::now() + time_budget;
  while (rounds < max_rounds && clock_type::now() < deadline) {
    ++rounds;
    const int st = run_and_kill(ingest_args(db, fmt::format("c{:07}", rounds)),
                                std::chrono::microseconds(delay_us(rng)), true);
    if (WIFSIGNALED(st)) ++killed;
    ASSERT_EQ(integrity(db), "ok") << "round " << rounds;
    const std::size_t now = runs_in(db);
    ASSERT_TRUE(now == runs || now == runs + 1) << "round " << rounds << ": " << now;
    runs = now;
    ASSERT_EQ(total_values(db), runs * per_run) << "round " << rounds << ": part of a run stored";
  }
  ::testing::Test::RecordProperty("rounds", rounds);
  ::testing::Test::RecordProperty("killed", killed);
  EXPECT_GT(killed, 0);

  // The next ingest recovers whatever the last kill left (SQLite rolls back a hot journal)
  // and leaves no journal behind.
  const int last = run_and_kill(ingest_args(db, "last0000"), {}, false);
  ASSERT_TRUE(WIFEXITED(last) && WEXITSTATUS(last) == 0);
  for (const auto& e : fs::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename(), "history.db") << "left behind: " << e.path();
  EXPECT_EQ(runs_in(db), runs + 1);
  EXPECT_EQ(integrity(db), "ok");
}

TEST(Concurrency, ParallelIngestProcessesLoseNoRun) {
  test_support::temp_dir dir;
  const std::string db = dir.file("history.db");
  constexpr int processes = 6;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::ostringstream out, err;
      ::_exit(benchhist::run(ingest_args(db, fmt::format("p{:07}", p)), out, err));
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(runs_in(db), std::size_t{processes});
  EXPECT_EQ(integrity(db), "ok");
}

}  // namespace
}  // namespace tools
