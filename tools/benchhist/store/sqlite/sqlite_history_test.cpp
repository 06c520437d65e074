// File: sqlite_history_test.cpp
// What only the SQLite backend has, beyond the store contract (store_conformance_test.cpp,
// which also covers migration, newer schemas and writers killed mid-ingest): its on-disk
// schema (PRAGMA user_version, indexes), foreign and negative-version files, read-only files
// in read-only directories, and its rows.
#include "sqlite/sqlite_history.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "store/test_records.h"
#include "test_support/temp_dir.h"

namespace tools {
namespace {

using test_support::make_record;

std::string query_text(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

void exec_sql(const std::string& db_path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(SqliteHistory, SchemaIsVersionedAndMigrated) {
  test_support::temp_dir dir;
  const std::string path = dir.file("h.db");
  // A version-1 database (no indexes yet) with one run, as an older benchhist wrote it.
  exec_sql(path,
           "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, commit_sha TEXT NOT NULL, "
           "parent_sha TEXT NOT NULL DEFAULT '', merge_base TEXT NOT NULL DEFAULT '', branch TEXT "
           "NOT NULL DEFAULT '', timestamp TEXT NOT NULL, bench_date TEXT NOT NULL DEFAULT '', "
           "platform TEXT NOT NULL, allocator TEXT NOT NULL, machine TEXT NOT NULL DEFAULT '{}', "
           "content_hash TEXT NOT NULL, source TEXT NOT NULL DEFAULT '', UNIQUE (commit_sha, "
           "platform, allocator, content_hash));"
           "CREATE TABLE samples (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, "
           "benchmark TEXT NOT NULL, metric TEXT NOT NULL, repetition INTEGER NOT NULL, value "
           "REAL NOT NULL, PRIMARY KEY (run_id, benchmark, metric, repetition)) WITHOUT ROWID;"
           "INSERT INTO runs (commit_sha, timestamp, platform, allocator, content_hash) VALUES "
           "('old1', 't', 'p', 'glibc', 'h');"
           "PRAGMA user_version = 1;");
  auto store = open_sqlite_history(path);
  EXPECT_EQ(sqlite_history_schema_version(), 2);
  EXPECT_EQ(query_text(path, "PRAGMA user_version"), "2");
  EXPECT_EQ(query_text(path, "SELECT name FROM sqlite_master WHERE name='samples_by_metric'"),
            "samples_by_metric");
  EXPECT_EQ(store->list_runs({}).at(0).commit, "old1");  // data kept
  store.reset();
  // A database from a newer benchhist is refused, not misread.
  exec_sql(path, "PRAGMA user_version = 99");
  EXPECT_THROW(open_sqlite_history(path), input_error);
}

TEST(SqliteHistory, NegativeSchemaVersionIsRefused) {
  test_support::temp_dir dir;
  const std::string path = dir.file("h.db");
  open_sqlite_history(path).reset();
  for (const char* v : {"PRAGMA user_version = -1", "PRAGMA user_version = -100000"}) {
    exec_sql(path, v);
    try {
      open_sqlite_history(path);
      ADD_FAILURE() << v << ": accepted";
    } catch (const input_error& e) {
      EXPECT_NE(std::string(e.what()).find("schema version"), std::string::npos) << e.what();
    }
  }
}

TEST(SqliteHistory, ForeignDatabaseIsRefusedAndLeftAlone) {
  test_support::temp_dir dir;
  const std::string path = dir.file("other.db");
  exec_sql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
  for (const store_access access : {store_access::read_write, store_access::read_only}) {
    try {
      open_sqlite_history(path, access);
      ADD_FAILURE() << "a foreign database was accepted";
    } catch (const input_error& e) {
      EXPECT_NE(std::string(e.what()).find("not a benchhist history database"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(query_text(path, "SELECT group_concat(name) FROM sqlite_master"), "notes");
    EXPECT_EQ(query_text(path, "PRAGMA user_version"), "0");
  }
}

TEST(SqliteHistory, ReadOnlyOpenNeverCreates) {
  test_support::temp_dir dir;
  EXPECT_THROW(open_sqlite_history(dir.file("typo.db"), store_access::read_only), input_error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("typo.db")));
}

TEST(SqliteHistory, ReadOnlyDatabaseInReadOnlyDirectoryCanBeRead) {
  test_support::temp_dir dir;
  const std::string path = dir.file("h.db");
  open_sqlite_history(path)->add_run(make_record("aaaa1111"));
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // root may write anything: read as an unprivileged user, as CI does.
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(4);
    try {
      const auto runs = open_sqlite_history(path, store_access::read_only)->list_runs({});
      ::_exit(runs.size() == 1 && runs[0].commit == "aaaa1111" ? 0 : 5);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "read-only open: %s\n", e.what());
      ::_exit(6);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::chmod(dir.path().c_str(), 0700);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "4: cannot drop privileges, 5: wrong runs, 6: error";
  EXPECT_FALSE(std::filesystem::exists(path + "-shm"));
}

TEST(SqliteHistory, DuplicateRunWritesNoRows) {
  test_support::temp_dir dir;
  auto store = open_sqlite_history(dir.file("h.db"));
  store->add_run(make_record("aaaa1111"));
  EXPECT_THROW(store->add_run(make_record("aaaa1111")), input_error);
  EXPECT_EQ(query_text(dir.file("h.db"), "SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(query_text(dir.file("h.db"), "SELECT count(*) FROM samples"), "30");
}

}  // namespace
}  // namespace tools
