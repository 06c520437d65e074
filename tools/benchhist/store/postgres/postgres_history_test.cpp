// File: postgres_history_test.cpp
// What only the PostgreSQL backend has, beyond the store contract (store_conformance_test.cpp):
// credentials (from the URI or PG* variables, never shown), unreachable servers, its indexes,
// and databases that are not benchhist's.
#include "postgres/postgres_history.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "common/error.h"
#include "postgres/test_server.h"
#include "store/test_records.h"

namespace tools {
namespace {

using test_support::make_record;
using test_support::new_postgres_database;
using test_support::postgres_query;
using test_support::postgres_server;

class PostgresHistory : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgres_server().unavailable.empty())
      GTEST_SKIP() << "postgres not tested here: " << postgres_server().unavailable;
    uri_ = new_postgres_database();
  }
  // The test database's URI with `userinfo` ("user" or "user:password") in it.
  std::string uri_as(const std::string& userinfo) const {
    const auto host = uri_.find('@') + 1;
    return "postgresql://" + userinfo + "@" + uri_.substr(host);
  }
  // The message of the input_error `open` throws; "" (and a failure) when it throws none.
  static std::string open_error(const std::string& uri, store_access access) {
    try {
      open_postgres_history(uri, access);
    } catch (const input_error& e) {
      return e.what();
    }
    ADD_FAILURE() << uri << " opened";
    return "";
  }
  std::string uri_;
};

TEST_F(PostgresHistory, MigrationCreatesTheWindowIndexes) {
  open_postgres_history(uri_);
  EXPECT_EQ(postgres_query(uri_, "SELECT version FROM benchhist_schema"),
            std::to_string(postgres_history_schema_version()));
  EXPECT_EQ(postgres_query(uri_,
                           "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                           "WHERE tablename = 'runs' AND indexname LIKE 'runs_by_%'"),
            "runs_by_branch,runs_by_platform");
}

TEST_F(PostgresHistory, CredentialsComeFromTheUriOrTheEnvironmentAndAreNeverShown) {
  postgres_query(uri_,
                 "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                 "'bh_secure') THEN CREATE ROLE bh_secure LOGIN SUPERUSER PASSWORD "
                 "'right-one'; END IF; END $$");
  // Right password in the URI: a store is created.
  open_postgres_history(uri_as("bh_secure:right-one"))->add_run(make_record("aaaa1111"));
  // Wrong one: refused in one line naming the location, without the password.
  const std::string wrong = open_error(uri_as("bh_secure:wrong-one"), store_access::read_write);
  EXPECT_NE(wrong.find("password authentication failed"), std::string::npos) << wrong;
  EXPECT_NE(wrong.find("bh_secure:***@"), std::string::npos) << wrong;
  EXPECT_EQ(wrong.find("wrong-one"), std::string::npos) << wrong;
  EXPECT_EQ(wrong.find('\n'), std::string::npos) << wrong;
  // From PGPASSWORD, as psql takes it; a wrong one there is not shown either.
  ::setenv("PGPASSWORD", "right-one", 1);
  EXPECT_EQ(
      open_postgres_history(uri_as("bh_secure"), store_access::read_only)->list_runs({}).size(),
      1u);
  ::setenv("PGPASSWORD", "wrong-two", 1);
  const std::string env_wrong = open_error(uri_as("bh_secure"), store_access::read_only);
  ::unsetenv("PGPASSWORD");
  EXPECT_NE(env_wrong.find("password authentication failed"), std::string::npos) << env_wrong;
  EXPECT_EQ(env_wrong.find("wrong-two"), std::string::npos) << env_wrong;
}

TEST_F(PostgresHistory, UnreachableServerIsOneLine) {
  const std::string what = open_error("postgresql://nobody@%2Fnonexistent%2Fsocket%2Fdir/history",
                                      store_access::read_only);
  EXPECT_NE(what.find("cannot connect to the history server"), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
}

TEST_F(PostgresHistory, ForeignDatabaseIsRefusedAndLeftAlone) {
  postgres_query(uri_, "CREATE TABLE notes (id integer PRIMARY KEY, body text)");
  for (const store_access access : {store_access::read_write, store_access::read_only}) {
    const std::string what = open_error(uri_, access);
    EXPECT_NE(what.find("not a benchhist history database (it has tables of its own)"),
              std::string::npos)
        << what;
  }
  EXPECT_EQ(postgres_query(uri_, "SELECT to_regclass('benchhist_schema') IS NULL"), "t");
  EXPECT_EQ(postgres_query(uri_, "SELECT to_regclass('runs') IS NULL"), "t");
}

TEST_F(PostgresHistory, ReaderNeverWrites) {
  open_postgres_history(uri_)->add_run(make_record("aaaa1111"));
  auto reader = open_postgres_history(uri_, store_access::read_only);
  EXPECT_THROW(reader->add_run(make_record("bbbb2222")), input_error);
  EXPECT_EQ(postgres_query(uri_, "SELECT count(*) FROM runs"), "1");
}

}  // namespace
}  // namespace tools
