// File: ratchet_kill_test.cpp
// `ratchet tighten` and `ratchet raise` killed with SIGKILL at random points (real processes,
// forked, each killed after a random delay up to about a whole run): the registry is
// always the old file or the new one, whole; a killed writer's lock dies with it (the next run
// does not wait for it); its temporary file is removed by the next writer. Bounded in time: the
// loop stops after a few seconds whatever the machine's speed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/run_killed.h"
#include "ratchet/cli.h"

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr auto time_budget = std::chrono::seconds(4);
constexpr int max_rounds = 400;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

struct temp_dir {
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "ratchet_kill.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

// A Google Benchmark JSON with one repetition per benchmark, `allocs` allocations per 1024-event
// window.
std::string results_json(int benchmarks, int allocs) {
  std::string j = R"({"context": {"date": "x"}, "benchmarks": [)";
  for (int i = 0; i < benchmarks; ++i) {
    j += fmt::format(
        R"({}{{"name": "BM_K{}", "run_name": "BM_K{}", "run_type": "iteration", "repetitions": 1,
           "repetition_index": 0, "iterations": 1, "real_time": 1, "cpu_time": 1,
           "time_unit": "ns", "allocs/op": {}, "window": 1024}})",
        i == 0 ? "" : ",", i, i, allocs);
  }
  return j + "]}";
}

// Runs `args` through ratchet's library in a child process; the parent kills it after `delay`
// (or lets it finish). Returns the wait status.
int run_and_kill(const std::vector<std::string>& args, std::chrono::microseconds delay,
                 bool kill_it) {
  return tools::testing::run_killed(
      [](const std::vector<std::string>& a, std::ostream& out, std::ostream& err) {
        return tools::ratchet::run(a, out, err);
      },
      args, delay, kill_it);
}

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos)
      out.push_back(e.path().filename().string());
  return out;
}

// Kills `args` again and again against a registry reset to `before` each round; `after` is what
// a completed run writes.
void kill_loop(const fs::path& dir, const fs::path& registry, const std::string& before,
               const std::vector<std::string>& args) {
  // One whole run first: what it writes, and how long it takes here.
  put(registry, before);
  const auto t0 = clock_type::now();
  const int status = run_and_kill(args, {}, false);
  const auto whole = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - t0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a whole run should succeed";
  const std::string after = slurp(registry);
  ASSERT_NE(after, before);

  std::mt19937_64 rng(20261206);
  std::uniform_int_distribution<std::int64_t> delay_us(0, whole.count() + 100);
  int rounds = 0, killed = 0, saw_old = 0, saw_new = 0;
  const auto deadline = clock_type::now() + time_budget;
  while (rounds < max_rounds && clock_type::now() < deadline) {
    ++rounds;
    put(registry, before);
    const int st = run_and_kill(args, std::chrono::microseconds(delay_us(rng)), true);
    if (WIFSIGNALED(st)) ++killed;
    const std::string now = slurp(registry);
    if (now == before) {
      ++saw_old;
    } else if (now == after) {
      ++saw_new;
    } else {
      ADD_FAILURE() << "round " << rounds << ": the registry is neither the old nor the new file:\n"
                    << now;
      break;
    }
    // At most the killed writer's own temporary is left, and the next writer removes it.
    EXPECT_LE(temporaries(dir).size(), 1u) << "round " << rounds;
  }
  ::testing::Test::RecordProperty("rounds", rounds);
  ::testing::Test::RecordProperty("killed", killed);
  ::testing::Test::RecordProperty("old", saw_old);
  ::testing::Test::RecordProperty("new", saw_new);
  EXPECT_GT(killed, 0) << "no run was killed in " << rounds << " rounds";

  // A run after the kills takes the lock at once (a dead writer holds none) and cleans up.
  put(registry, before);
  const auto t1 = clock_type::now();
  const int last = run_and_kill(args, {}, false);
  EXPECT_TRUE(WIFEXITED(last) && WEXITSTATUS(last) == 0);
  EXPECT_LT(clock_type::now() - t1, std::chrono::seconds(5)) << "the lock outlived its writer";
  EXPECT_EQ(slurp(registry), after);
  EXPECT_TRUE(temporaries(dir).empty()) << temporaries(dir).front();
}

TEST(Kill, TightenKilledAtRandomPointsLeavesTheOldOrTheNewRegistry) {
  temp_dir dir;
  const fs::path registry = dir.path / "alloc-ceilings.txt";
  const fs::path results = dir.path / "results.json";
  constexpr int benchmarks = 200;
  put(results, results_json(benchmarks, 0));
  std::string before = "# ceilings, one line per benchmark\n";
  for (int i = 0; i < benchmarks; ++i)
    before += fmt::format("BM_K{} window=1024 allocs_per_event=5\n", i);
  kill_loop(dir.path, registry, before,
            {"tighten", "--results", results.string(), "--registry", registry.string()});
}

TEST(Kill, RaiseKilledAtRandomPointsLeavesTheOldOrTheNewRegistry) {
  temp_dir dir;
  const fs::path registry = dir.path / "alloc-ceilings.txt";
  std::string before = "# ceilings\n";
  for (int i = 0; i < 200; ++i)
    before += fmt::format("BM_K{} window=1024 allocs_per_event=5\n", i);
  kill_loop(dir.path, registry, before,
            {"raise", "BM_K7", "9", "--reason", "kill test", "--registry", registry.string()});
}

}  // namespace
