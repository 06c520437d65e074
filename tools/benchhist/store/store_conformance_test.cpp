// File: store_conformance_test.cpp
// The history_store contract (history_store.h), checked on every backend: the same tests run
// once per entry of `backends`, so a new backend passes them all before benchhist uses it.
// Also the selector: which locations open which backend, and which are refused.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "benchhist/history_store.h"
#include "common/error.h"
#include "store/conformance_backend.h"
#include "store/test_records.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

using test_support::make_record;
using test_support::stored_values;

using test_support::conformance_backend;

// Every backend; a new one adds its entry here.
const std::vector<conformance_backend> backends = {test_support::sqlite_conformance_backend()};

class HistoryStoreConformance : public ::testing::TestWithParam<conformance_backend> {
 protected:
  std::unique_ptr<history_store> open() const { return open_history_store(location_); }
  const std::string& location() const { return location_; }

 private:
  test_support::temp_dir dir_;
  std::string location_ = GetParam().location(dir_.path());
};

TEST_P(HistoryStoreConformance, RoundTripListAndFind) {
  auto store = open();
  run_record a = make_record("aaaa1111");
  a.info.merge_base = "0000ffff";
  a.info.branch = "main";
  const auto id_a = store->add_run(a);
  const auto id_b = store->add_run(make_record("bbbb2222"));
  EXPECT_LT(id_a, id_b);
  const auto got = store->get_run(id_a);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->info.merge_base, "0000ffff");
  EXPECT_EQ(got->samples, a.samples);  // every repetition, in order
  EXPECT_FALSE(store->get_run(id_b + 1));
  const auto runs = store->list_runs({});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].commit, "aaaa1111");  // oldest first
  run_filter last;
  last.last = 1;
  ASSERT_EQ(store->list_runs(last).size(), 1u);
  EXPECT_EQ(store->list_runs(last)[0].commit, "bbbb2222");
  EXPECT_EQ(store->find_commit("bbbb", {})->id, id_b);
  EXPECT_FALSE(store->find_commit("cccc", {}));
  EXPECT_FALSE(store->find_commit("bbb", {}));  // shorter than 4: no prefix match
  run_filter other;
  other.platform = "linux-arm64-gcc12-libstdc++";
  EXPECT_FALSE(store->find_commit("bbbb", other));
}

TEST_P(HistoryStoreConformance, EveryFieldAndValueComesBackExactly) {
  run_record r = make_record("cafe0001", 2, 3);
  r.info.parent = "cafe0000";
  r.info.bench_date = "2026-11-22T10:00:00+00:00";
  r.info.machine = R"({"host_name":"ci","num_cpus":2})";
  r.info.source = "dir/results.json";
  r.samples["BM_0Detector"]["ns/event"] = {0.1, 1e-300, 123456789.125};
  const auto id = open()->add_run(r);
  const auto got = open()->get_run(id);  // a second store on the same location sees it
  ASSERT_TRUE(got);
  r.info.id = id;
  EXPECT_EQ(got->info.commit, r.info.commit);
  EXPECT_EQ(got->info.parent, r.info.parent);
  EXPECT_EQ(got->info.bench_date, r.info.bench_date);
  EXPECT_EQ(got->info.timestamp, r.info.timestamp);
  EXPECT_EQ(got->info.machine, r.info.machine);
  EXPECT_EQ(got->info.source, r.info.source);
  EXPECT_EQ(got->info.content_hash, r.info.content_hash);
  EXPECT_EQ(got->samples, r.samples);  // doubles bit for bit
}

TEST_P(HistoryStoreConformance, FiltersSelectPlatformAllocatorAndBranch) {
  auto store = open();
  run_record a = make_record("aaaa0001");
  a.info.branch = "main";
  run_record b = make_record("aaaa0002");
  b.info.allocator = "mimalloc";
  b.info.branch = "feature";
  store->add_run(a);
  store->add_run(b);
  run_filter f;
  f.allocator = "mimalloc";
  ASSERT_EQ(store->list_runs(f).size(), 1u);
  EXPECT_EQ(store->list_runs(f)[0].commit, "aaaa0002");
  f = {};
  f.branch = "main";
  ASSERT_EQ(store->list_runs(f).size(), 1u);
  EXPECT_EQ(store->list_runs(f)[0].commit, "aaaa0001");
  f = {};
  f.platform = "nowhere";
  EXPECT_TRUE(store->list_runs(f).empty());
}

TEST_P(HistoryStoreConformance, AmbiguousCommitPrefixIsAnInputError) {
  auto store = open();
  store->add_run(make_record("abcd0001"));
  store->add_run(make_record("abcd0002"));
  EXPECT_THROW(store->find_commit("abcd", {}), input_error);
  EXPECT_EQ(store->find_commit("abcd0002", {})->commit, "abcd0002");
}

TEST_P(HistoryStoreConformance, DuplicateRunIsRejectedAndNothingWritten) {
  auto store = open();
  const auto first = store->add_run(make_record("aaaa1111"));
  try {
    store->add_run(make_record("aaaa1111"));
    ADD_FAILURE() << "a duplicate run was stored";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("run " + std::to_string(first)), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store->list_runs({}).size(), 1u);
  EXPECT_EQ(stored_values(*store), 30u);
  // Same commit, other allocator: a different run.
  run_record other = make_record("aaaa1111");
  other.info.allocator = "mimalloc";
  EXPECT_NO_THROW(store->add_run(other));
}

TEST_P(HistoryStoreConformance, ConcurrentIngestLosesNothing) {
  open();  // created (and migrated) once, before the race
  constexpr int processes = 4, runs_each = 5;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t c = ::fork();
    ASSERT_GE(c, 0);
    if (c == 0) {
      int rc = 0;
      try {
        auto store = open();
        for (int k = 0; k < runs_each; ++k)
          store->add_run(make_record(fmt::format("p{}-run{}", p, k), 4));
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
    children.push_back(c);
  }
  for (pid_t c : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(c, &status, 0), c);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto store = open();
  EXPECT_EQ(store->list_runs({}).size(), std::size_t{processes * runs_each});
  EXPECT_EQ(stored_values(*store), std::size_t{processes * runs_each * 4 * 5 * 2});
  EXPECT_EQ(GetParam().integrity(location()), "ok");
}

INSTANTIATE_TEST_SUITE_P(Backends, HistoryStoreConformance, ::testing::ValuesIn(backends),
                         [](const auto& info) { return info.param.name; });

// ---- the selector ----

TEST(HistoryStoreSelector, PlainPathAndSqliteSchemeOpenTheSameFile) {
  test_support::temp_dir dir;
  open_history_store(dir.file("h.db"))->add_run(make_record("aaaa1111"));
  EXPECT_EQ(open_history_store("sqlite:" + dir.file("h.db"))->list_runs({}).size(), 1u);
  // A colon after a '/' or a leading '.' is part of a path, not a scheme.
  EXPECT_NO_THROW(open_history_store(dir.file("a:b.db")));
}

TEST(HistoryStoreSelector, UnknownSchemeIsRefusedNamingTheKnownOnes) {
  for (const char* location : {"postgres://db/history", "mysql:h", "s3:bucket/h.db"}) {
    try {
      open_history_store(location);
      ADD_FAILURE() << location << " was accepted";
    } catch (const input_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(location), std::string::npos) << what;
      EXPECT_NE(what.find("sqlite:PATH"), std::string::npos) << what;
    }
  }
  EXPECT_THROW(open_history_store("sqlite:"), input_error);
}

}  // namespace
}  // namespace tools
