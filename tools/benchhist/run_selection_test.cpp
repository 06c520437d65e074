// File: run_selection_test.cpp
// Which runs a comparison looks at: runs named by id or commit, the merge-base and previous
// bases, files on either side, and the report's latest comparison.
#include "benchhist/run_selection.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/atomic_file.h"
#include "common/error.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

// A run of BM_ADetector with five ns/event repetitions around `level`.
run_record level_run(const std::string& commit, double level, const std::string& merge_base = "",
                     const std::string& allocator = "glibc") {
  run_record r;
  r.info.commit = commit;
  r.info.merge_base = merge_base;
  r.info.platform = "p";
  r.info.allocator = allocator;
  r.info.content_hash = commit + allocator;
  r.samples["BM_ADetector"]["ns/event"] = {level - 2, level - 1, level, level + 1, level + 2};
  return r;
}

std::string no_worktree() {
  ADD_FAILURE() << "the worktree's merge-base was asked for";
  return "";
}

class RunSelection : public ::testing::Test {
 protected:
  test_support::temp_dir dir;
  std::unique_ptr<history_store> store = open_history_store(dir.file("h.db"));
};

TEST(RunLabel, ShortShaBranchPlatformAllocator) {
  run_info i;
  i.id = 3;
  i.commit = "aaaa111122223333";
  i.branch = "main";
  i.platform = "p";
  i.allocator = "glibc";
  EXPECT_EQ(short_sha(i.commit), "aaaa111122");
  EXPECT_EQ(short_sha("abc"), "abc");
  EXPECT_EQ(run_label(i), "run 3 (aaaa111122 on main, p, glibc)");
  i.branch.clear();
  EXPECT_EQ(run_label(i), "run 3 (aaaa111122, p, glibc)");
}

TEST_F(RunSelection, FindRunByIdOrCommitPrefix) {
  const auto id = store->add_run(level_run("aaaa1111", 100));
  store->add_run(level_run("bbbb2222", 100));
  EXPECT_EQ(find_run(*store, std::to_string(id), {}).info.commit, "aaaa1111");
  EXPECT_EQ(find_run(*store, "bbbb", {}).info.commit, "bbbb2222");
  try {
    find_run(*store, "9", {});
    ADD_FAILURE() << "run 9 found";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "no run with id 9");
  }
  run_filter other;
  other.platform = "q";
  try {
    find_run(*store, "bbbb", other);
    ADD_FAILURE() << "bbbb found on platform q";
  } catch (const input_error& e) {
    EXPECT_STREQ(e.what(), "no stored run of commit 'bbbb' on q");
  }
}

TEST_F(RunSelection, DefaultsCompareTheNewestRunWithItsMergeBase) {
  store->add_run(level_run("aaaa1111", 100));
  store->add_run(level_run("cccc3333", 100));
  store->add_run(level_run("bbbb2222", 120, "aaaa1111"));
  const compare_sides s = resolve_compare_sides({}, store.get(), no_worktree);
  EXPECT_EQ(s.head.label, "run 3 (bbbb2222, p, glibc)");
  EXPECT_EQ(s.base.label, "run 1 (aaaa1111, p, glibc)");
  EXPECT_EQ(s.base.samples.at("BM_ADetector").at("ns/event").at(2), 100);
}

TEST_F(RunSelection, MergeBaseMustMatchTheHeadsPlatformAndAllocator) {
  store->add_run(level_run("aaaa1111", 100, "", "mimalloc"));
  store->add_run(level_run("bbbb2222", 120, "aaaa1111", "glibc"));
  try {
    resolve_compare_sides({}, store.get(), no_worktree);
    ADD_FAILURE() << "a mimalloc run was taken as the base of a glibc run";
  } catch (const input_error& e) {
    EXPECT_NE(std::string(e.what()).find("no stored run of the merge-base aaaa1111 (p)"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(RunSelection, HeadWithoutMergeBaseIsAnInputError) {
  store->add_run(level_run("aaaa1111", 100));
  compare_request r;
  r.head = "1";
  EXPECT_THROW(resolve_compare_sides(r, store.get(), no_worktree), input_error);
  store.reset();
  test_support::temp_dir empty;
  const auto none = open_history_store(empty.file("e.db"));
  r.location = "e.db";
  r.head.clear();
  EXPECT_THROW(resolve_compare_sides(r, none.get(), no_worktree), input_error);
}

TEST_F(RunSelection, PreviousIsTheNewestComparableRunBeforeTheHead) {
  store->add_run(level_run("aaaa1111", 100));
  store->add_run(level_run("dddd4444", 100, "", "mimalloc"));
  store->add_run(level_run("bbbb2222", 110));
  store->add_run(level_run("cccc3333", 120));
  compare_request r;
  r.base = "previous";
  r.head = "bbbb";
  EXPECT_EQ(resolve_compare_sides(r, store.get(), no_worktree).base.label,
            "run 1 (aaaa1111, p, glibc)");
  r.head.clear();  // the newest: run 4, whose previous glibc run is 3
  EXPECT_EQ(resolve_compare_sides(r, store.get(), no_worktree).base.label,
            "run 3 (bbbb2222, p, glibc)");
  r.head = "aaaa";
  EXPECT_THROW(resolve_compare_sides(r, store.get(), no_worktree), input_error);
}

TEST_F(RunSelection, AFileHeadTakesTheWorktreesMergeBase) {
  store->add_run(level_run("aaaa1111", 100));
  const std::string head = dir.file("head.json");
  write_file_atomically(
      head, R"({"context": {}, "benchmarks": [{"name": "BM_ADetector", "run_type": "iteration",
        "iterations": 1, "real_time": 1, "cpu_time": 1, "time_unit": "ns", "ns/event": 130}]})");
  compare_request r;
  r.head = head;
  EXPECT_TRUE(compare_needs_store(r));
  const compare_sides s =
      resolve_compare_sides(r, store.get(), [] { return std::string("aaaa1111"); });
  EXPECT_EQ(s.head.label, head);
  EXPECT_EQ(s.base.label, "run 1 (aaaa1111, p, glibc)");
  // Both sides files: no store needed, none asked for.
  r.base = head;
  EXPECT_FALSE(compare_needs_store(r));
  EXPECT_EQ(resolve_compare_sides(r, nullptr, no_worktree).base.label, head);
  // A store is needed but none given: an error, not a crash.
  r.base = "previous";
  EXPECT_THROW(resolve_compare_sides(r, nullptr, no_worktree), input_error);
}

TEST_F(RunSelection, AnAllDigitCommitIsFoundWhenNoRunHasThatId) {
  store->add_run(level_run("aaaa1111", 100));
  store->add_run(level_run("12345678", 110));
  EXPECT_EQ(find_run(*store, "1", {}).info.commit, "aaaa1111");  // run id
  EXPECT_EQ(find_run(*store, "12345678", {}).info.commit, "12345678");
  EXPECT_EQ(find_run(*store, "1234", {}).info.commit, "12345678");
}

TEST_F(RunSelection, KeywordsAreNeverFilesAndFilesAreNamedExplicitly) {
  store->add_run(level_run("aaaa1111", 100));
  store->add_run(level_run("bbbb2222", 110, "aaaa1111"));
  const std::string results =
      R"({"context": {}, "benchmarks": [{"name": "BM_ADetector", "run_type": "iteration",
        "iterations": 1, "real_time": 1, "cpu_time": 1, "time_unit": "ns", "ns/event": 130}]})";
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  write_file_atomically("previous", results);
  write_file_atomically("merge-base", results);
  compare_request r;
  r.base = "previous";
  const std::string previous = resolve_compare_sides(r, store.get(), no_worktree).base.label;
  r.base = "merge-base";
  const std::string merge_base = resolve_compare_sides(r, store.get(), no_worktree).base.label;
  r.base_file = "previous";
  const std::string file = resolve_compare_sides(r, store.get(), no_worktree).base.label;
  std::filesystem::current_path(cwd);
  EXPECT_EQ(previous, "run 1 (aaaa1111, p, glibc)");
  EXPECT_EQ(merge_base, "run 1 (aaaa1111, p, glibc)");
  EXPECT_EQ(file, "previous");
}

TEST_F(RunSelection, LatestComparisonIsTheNewestRunAgainstTheOneBeforeOnTheSameAllocator) {
  EXPECT_FALSE(latest_comparison(*store, {}, {}));
  store->add_run(level_run("aaaa1111", 100));
  EXPECT_FALSE(latest_comparison(*store, {}, {}));
  store->add_run(level_run("bbbb2222", 100, "", "mimalloc"));
  EXPECT_FALSE(latest_comparison(*store, {}, {}));  // one mimalloc run only
  store->add_run(level_run("cccc3333", 200, "", "mimalloc"));
  const auto rep = latest_comparison(*store, {}, {});
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->base_label, "run 2 (bbbb2222, p, mimalloc)");
  EXPECT_EQ(rep->head_label, "run 3 (cccc3333, p, mimalloc)");
  EXPECT_TRUE(rep->regressed());
}

}  // namespace
}  // namespace tools
