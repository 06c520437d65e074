// File: store_conformance_test.cpp
// The history_store contract (history_store.h), checked on every backend: the same tests run
// once per entry of `backends`, so a new backend passes them all before benchhist uses it
// (golang/perf's storage/db/dbtest runs one suite on sqlite3 and Cloud SQL the same way).
// Writers racing and writers killed mid-ingest are real processes (fork), as parallel CI jobs
// are. Also the selector: which locations open which backend, and which are refused.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "benchhist/history_reports.h"
#include "benchhist/history_store.h"
#include "benchhist/run_selection.h"
#include "common/error.h"
#include "store/conformance_backend.h"
#include "store/test_records.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

using test_support::conformance_backend;
using test_support::make_record;
using test_support::stored_values;

// Every backend; a new one adds its entry here.
const std::vector<conformance_backend> backends = {test_support::sqlite_conformance_backend(),
                                                   test_support::postgres_conformance_backend()};

class HistoryStoreConformance : public ::testing::TestWithParam<conformance_backend> {
 protected:
  void SetUp() override {
    if (const std::string why = GetParam().unavailable(); !why.empty())
      GTEST_SKIP() << GetParam().name << " not tested here: " << why;
    location_ = GetParam().location(dir_.path());
  }
  std::unique_ptr<history_store> open(store_access access = store_access::read_write) const {
    return open_history_store(location_, access);
  }
  const std::string& location() const { return location_; }
  const conformance_backend& backend() const { return GetParam(); }
  // How messages name the location: the file of a sqlite: location, any password hidden.
  std::string named() const {
    const std::string shown = shown_location(location_);
    return shown.rfind("sqlite:", 0) == 0 ? shown.substr(7) : shown;
  }

  // Waits for `child`; true when it exited with status 0.
  static bool exited_cleanly(pid_t child) {
    int status = 0;
    return ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

 private:
  test_support::temp_dir dir_;
  std::string location_;
};

// ---- runs in, runs out ----

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
  r.info.merge_base = "cafe0000";
  r.info.branch = "feature/x";
  r.info.bench_date = "2026-11-22T10:00:00+00:00";
  r.info.machine = R"({"host_name":"ci","num_cpus":2,"caches":[{"type":"Data"}]})";
  r.info.source = "dir/results \"1\".json";
  // Doubles that a decimal round trip could lose, and names needing quoting.
  r.samples["BM_0Detector"]["ns/event"] = {0.1, 1e-300, 123456789.125, 1.0 / 3, 5e-324, 1e308};
  r.samples["BM_\"quoted\", {braced}\\"]["allocs/event"] = {2, 2};
  const auto id = open()->add_run(r);
  const auto got = open(store_access::read_only)->get_run(id);  // a second store sees it
  ASSERT_TRUE(got);
  EXPECT_EQ(got->info.id, id);
  EXPECT_EQ(got->info.commit, r.info.commit);
  EXPECT_EQ(got->info.parent, r.info.parent);
  EXPECT_EQ(got->info.merge_base, r.info.merge_base);
  EXPECT_EQ(got->info.branch, r.info.branch);
  EXPECT_EQ(got->info.bench_date, r.info.bench_date);
  EXPECT_EQ(got->info.timestamp, r.info.timestamp);
  EXPECT_EQ(got->info.platform, r.info.platform);
  EXPECT_EQ(got->info.allocator, r.info.allocator);
  EXPECT_EQ(got->info.machine, r.info.machine);
  EXPECT_EQ(got->info.source, r.info.source);
  EXPECT_EQ(got->info.content_hash, r.info.content_hash);
  EXPECT_EQ(got->samples, r.samples);
}

TEST_P(HistoryStoreConformance, FiltersSelectPlatformAllocatorAndBranch) {
  auto store = open();
  run_record a = make_record("aaaa0001");
  a.info.branch = "main";
  run_record b = make_record("aaaa0002");
  b.info.allocator = "mimalloc";
  b.info.branch = "feature";
  run_record c = make_record("aaaa0003");
  c.info.branch = "main";
  store->add_run(a);
  store->add_run(b);
  store->add_run(c);
  run_filter f;
  f.allocator = "mimalloc";
  ASSERT_EQ(store->list_runs(f).size(), 1u);
  EXPECT_EQ(store->list_runs(f)[0].commit, "aaaa0002");
  f = {};
  f.branch = "main";
  ASSERT_EQ(store->list_runs(f).size(), 2u);
  EXPECT_EQ(store->list_runs(f)[0].commit, "aaaa0001");
  f.last = 1;  // the newest of the filtered runs, not of all runs
  ASSERT_EQ(store->list_runs(f).size(), 1u);
  EXPECT_EQ(store->list_runs(f)[0].commit, "aaaa0003");
  f = {};
  f.platform = "nowhere";
  EXPECT_TRUE(store->list_runs(f).empty());
  f = {};
  f.allocator = "glibc";
  EXPECT_EQ(store->find_commit("aaaa0002", f), std::nullopt);  // mimalloc's run
}

TEST_P(HistoryStoreConformance, CommitPrefixesAreLiteral) {
  auto store = open();
  store->add_run(make_record("ab%_0001"));
  store->add_run(make_record("abcd0002"));
  EXPECT_EQ(store->find_commit("ab%_", {})->commit, "ab%_0001");  // no wildcard
  EXPECT_EQ(store->find_commit("abcd", {})->commit, "abcd0002");
  EXPECT_FALSE(store->find_commit("ab__", {}));
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
  } catch (const duplicate_run_error& e) {
    EXPECT_EQ(e.stored_id(), first);
    EXPECT_NE(std::string(e.what()).find("run " + std::to_string(first)), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store->list_runs({}).size(), 1u);
  EXPECT_EQ(stored_values(*store), 30u);
  // Same commit, other allocator: a different run, and the store still takes writes.
  run_record other = make_record("aaaa1111");
  other.info.allocator = "mimalloc";
  EXPECT_GT(store->add_run(other), first);
  EXPECT_EQ(backend().integrity(location()), "ok");
}

// ---- what the commands ask of the store ----

// compare (merge-base, previous), cv, median, changes/trend/report (series of the newest N)
// all go through list_runs / find_commit / get_run; here they run on each backend over one
// small history whose answers are known.
TEST_P(HistoryStoreConformance, CommandQueriesSeeTheHistoryInOrder) {
  auto store = open();
  std::vector<std::int64_t> ids;
  for (int k = 0; k < 6; ++k) {
    run_record r = make_record(fmt::format("c{}{}{}{}0000", k, k, k, k), 2, 5);
    r.info.merge_base = k == 0 ? "" : "c00000000";
    r.info.branch = k == 0 ? "main" : "feature";
    // ns/event of BM_0Detector: 100 + 10k + repetition (medians 102, 112, ...).
    for (int rep = 0; rep < 5; ++rep)
      r.samples["BM_0Detector"]["ns/event"][static_cast<std::size_t>(rep)] = 100 + 10 * k + rep;
    ids.push_back(store->add_run(r));
  }
  run_record other = make_record("d0000000", 2, 5);
  other.info.platform = "linux-arm64-gcc12-libstdc++";
  store->add_run(other);  // another platform: never in the same-platform windows

  compare_request req;
  req.filter.platform = "linux-amd64-gcc12-libstdc++";
  const auto no_git = [] { return std::string(); };
  compare_sides sides = resolve_compare_sides(req, store.get(), no_git);
  EXPECT_NE(sides.head.label.find("c55550000"), std::string::npos) << sides.head.label;
  EXPECT_NE(sides.base.label.find("c00000000"), std::string::npos) << sides.base.label;
  req.base = "previous";
  sides = resolve_compare_sides(req, store.get(), no_git);
  EXPECT_NE(sides.base.label.find("c44440000"), std::string::npos) << sides.base.label;

  run_filter window = req.filter;
  window.last = 3;
  const history_series series = load_series(*store, window, "ns/event", "");
  ASSERT_EQ(series.size(), 2u);
  const auto& points = series.at("BM_0Detector");
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].run.id, ids[3]);  // the newest three, oldest first
  EXPECT_EQ(points[2].run.id, ids[5]);
  EXPECT_EQ(points[2].median, 152);

  const median_report med = make_median_report(*store, window, "ns/event", 140, "BM_0Detector");
  ASSERT_EQ(med.rows.size(), 1u);
  EXPECT_EQ(med.rows[0].median, 142);  // of 132, 142, 152
  EXPECT_TRUE(med.over_budget());

  cv_options cv;
  cv.metrics = {"ns/event"};
  cv.min_runs = 2;
  const cv_report noise = make_cv_report(*store, window, cv);
  ASSERT_EQ(noise.rows.size(), 2u);
  EXPECT_EQ(noise.rows[0].runs, 3u);

  run_filter main_only;
  main_only.branch = "main";
  EXPECT_EQ(load_series(*store, main_only, "ns/event", "").at("BM_0Detector").size(), 1u);
  const auto latest = latest_comparison(*store, window, compare_options{});
  ASSERT_TRUE(latest);
  EXPECT_NE(latest->head_label.find("c55550000"), std::string::npos) << latest->head_label;
}

// ---- writers racing, writers dying ----

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
  for (pid_t c : children)
    EXPECT_TRUE(exited_cleanly(c));
  auto store = open();
  const auto runs = store->list_runs({});
  EXPECT_EQ(runs.size(), std::size_t{processes * runs_each});
  for (std::size_t k = 1; k < runs.size(); ++k)
    EXPECT_LT(runs[k - 1].id, runs[k].id);
  EXPECT_EQ(stored_values(*store), std::size_t{processes * runs_each * 4 * 5 * 2});
  EXPECT_EQ(backend().integrity(location()), "ok");
}

TEST_P(HistoryStoreConformance, RacingCopiesOfOneRunStoreItOnce) {
  open();
  constexpr int processes = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t c = ::fork();
    ASSERT_GE(c, 0);
    if (c == 0) {
      // 0: stored it, 3: refused as a duplicate, 1: anything else.
      int rc = 1;
      try {
        open()->add_run(make_record("same0001"));
        rc = 0;
      } catch (const duplicate_run_error&) {
        rc = 3;
      } catch (...) {
      }
      ::_exit(rc);
    }
    children.push_back(c);
  }
  int stored = 0, refused = 0;
  for (pid_t c : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(c, &status, 0), c);
    ASSERT_TRUE(WIFEXITED(status));
    stored += WEXITSTATUS(status) == 0;
    refused += WEXITSTATUS(status) == 3;
  }
  EXPECT_EQ(stored, 1);
  EXPECT_EQ(refused, processes - 1);
  EXPECT_EQ(open()->list_runs({}).size(), 1u);
}

TEST_P(HistoryStoreConformance, FirstWritersRacingCreateTheSchemaOnce) {
  constexpr int processes = 4;
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    const pid_t c = ::fork();
    ASSERT_GE(c, 0);
    if (c == 0) {
      int rc = 0;
      try {
        open()->add_run(make_record(fmt::format("first{}", p)));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", p, e.what());
        rc = 1;
      }
      ::_exit(rc);
    }
    children.push_back(c);
  }
  for (pid_t c : children)
    EXPECT_TRUE(exited_cleanly(c));
  EXPECT_EQ(open()->list_runs({}).size(), std::size_t{processes});
  EXPECT_EQ(backend().integrity(location()), "ok");
}

TEST_P(HistoryStoreConformance, KillMidIngestLeavesNoPartialRun) {
  open()->add_run(make_record("before"));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    ::setenv("ALLOCGATE_HISTORY_TEST_HOOK_FD", std::to_string(fds[1]).c_str(), 1);
    try {
      // The hook signals after the run row and one benchmark's samples are written, then waits.
      open()->add_run(make_record("killed", 6));
    } catch (...) {
    }
    ::_exit(3);  // only reached if the hook did not fire
  }
  ::close(fds[1]);
  char byte = 0;
  ASSERT_EQ(::read(fds[0], &byte, 1), 1) << "the child never reached the mid-ingest hook";
  ::close(fds[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto store = open();
  const auto runs = store->list_runs({});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].commit, "before");
  EXPECT_EQ(stored_values(*store), 30u);  // only the first run's
  EXPECT_EQ(backend().integrity(location()), "ok");
  // The dead writer's lock died with it: the next ingest goes through, even of the same run.
  EXPECT_NO_THROW(store->add_run(make_record("killed", 6)));
  EXPECT_EQ(store->list_runs({}).size(), 2u);
}

// ---- schema versions ----

TEST_P(HistoryStoreConformance, NewStoreIsAtTheCurrentSchemaVersion) {
  EXPECT_EQ(backend().schema_version(location()), 0);
  open();
  const int current = backend().schema_version(location());
  EXPECT_GE(current, 1);
  open();  // opening again changes nothing
  EXPECT_EQ(backend().schema_version(location()), current);
}

TEST_P(HistoryStoreConformance, OlderSchemaIsMigratedKeepingItsRuns) {
  open()->add_run(make_record("old00001"));
  const int current = backend().schema_version(location());
  backend().make_previous_version(location());
  ASSERT_EQ(backend().schema_version(location()), current - 1);
  // A reader does not migrate.
  EXPECT_EQ(open(store_access::read_only)->list_runs({}).size(), 1u);
  EXPECT_EQ(backend().schema_version(location()), current - 1);
  auto store = open();
  EXPECT_EQ(backend().schema_version(location()), current);
  EXPECT_EQ(store->list_runs({}).at(0).commit, "old00001");
  EXPECT_NO_THROW(store->add_run(make_record("new00001")));
  EXPECT_EQ(backend().integrity(location()), "ok");
}

TEST_P(HistoryStoreConformance, NewerSchemaIsRefusedAndLeftAlone) {
  open()->add_run(make_record("aaaa1111"));
  const int newer = backend().schema_version(location()) + 1;
  backend().set_schema_version(location(), newer);
  for (const store_access access : {store_access::read_write, store_access::read_only}) {
    try {
      open(access);
      ADD_FAILURE() << "a newer schema was accepted";
    } catch (const input_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("newer than this benchhist"), std::string::npos) << what;
      EXPECT_NE(what.find(named()), std::string::npos) << what;
    }
  }
  EXPECT_EQ(backend().schema_version(location()), newer);
}

TEST_P(HistoryStoreConformance, ReaderOfAnEmptyLocationCreatesNothing) {
  try {
    open(store_access::read_only);
    ADD_FAILURE() << "an empty location was read as a history";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find(named()), std::string::npos) << e.what();
  }
  EXPECT_EQ(backend().schema_version(location()), 0);
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
  for (const char* location : {"mysql://db/history", "mysql:h", "s3:bucket/h.db"}) {
    try {
      open_history_store(location);
      ADD_FAILURE() << location << " was accepted";
    } catch (const input_error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(location), std::string::npos) << what;
      EXPECT_NE(what.find("sqlite:PATH"), std::string::npos) << what;
      EXPECT_NE(what.find("postgresql://"), std::string::npos) << what;
    }
  }
  EXPECT_THROW(open_history_store("sqlite:"), input_error);
  EXPECT_THROW(open_history_store("postgres:history"), input_error);  // not a URI
}

TEST(HistoryStoreSelector, PasswordsNeverReachAMessage) {
  EXPECT_EQ(shown_location("postgresql://bench:s3cret@db.example:5432/history"),
            "postgresql://bench:***@db.example:5432/history");
  EXPECT_EQ(shown_location("postgres://db/history?user=b&password=s3cret&sslmode=require"),
            "postgres://db/history?user=b&password=***&sslmode=require");
  EXPECT_EQ(shown_location("postgresql://bench@db/history"), "postgresql://bench@db/history");
  EXPECT_EQ(shown_location("mysql://u:s3cret@h/x"), "mysql://u:***@h/x");
  EXPECT_EQ(shown_location("dir/h:1.db"), "dir/h:1.db");
  // Nothing listens on port 1: the connection fails, and the message keeps the secret. (No
  // Kerberos attempt: the sanitizer build should see libpq alone.)
  try {
    open_history_store(
        "postgresql://bench:s3cret@127.0.0.1:1/history?connect_timeout=2&gssencmode=disable");
    ADD_FAILURE() << "connected to port 1";
  } catch (const input_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace tools
