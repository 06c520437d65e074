// File: test_server.h
// The PostgreSQL server the tests use, started by pg_test_server.sh. Under ctest the server
// is a fixture (tools/benchhist/CMakeLists.txt: one server for all the tests, stopped and
// removed by the cleanup test even when tests fail) and ALLOCGATE_TEST_PG_STATE names its state
// directory. A test binary run by hand starts its own server on first use and stops it at exit.
#pragma once

#include <string>

namespace tools::test_support {

struct postgres_test_server {
  std::string uri;          // admin database of the server; empty when unavailable
  std::string unavailable;  // why there is no server (the tests skip with this)
};

// The server, started on the first call.
const postgres_test_server& postgres_server();

// A URI for a new, empty database on that server.
std::string new_postgres_database();

// The first column of the first row of `sql` run on database `uri` ("" when there is none);
// throws std::runtime_error naming the error.
std::string postgres_query(const std::string& uri, const std::string& sql);

}  // namespace tools::test_support
