// File: test_server.cpp
#include "postgres/test_server.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace tools::test_support {
namespace {

std::string read_trimmed(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

std::string own_state;  // set when this process started the server

void stop_own_server() {
  if (own_state.empty()) return;
  const std::string cmd =
      fmt::format("'{}' stop '{}' >/dev/null 2>&1", ALLOCGATE_PG_TEST_SERVER, own_state);
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "pg_test_server stop failed\n");
}

// The caller's PG* variables (PGSERVICE, PGOPTIONS, PGHOST…) are for the caller's own servers;
// libpq would apply them to the test server too. Tests that read them set their own.
void forget_callers_pg_variables() {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.rfind("PG", 0) == 0) names.emplace_back(entry.substr(0, entry.find('=')));
  }
  for (const std::string& name : names)
    ::unsetenv(name.c_str());
}

postgres_test_server start() {
  forget_callers_pg_variables();
  postgres_test_server s;
  std::string state;
  if (const char* env = std::getenv("ALLOCGATE_TEST_PG_STATE"); env != nullptr && *env) {
    state = env;
  } else {
    std::string tmpl = (std::filesystem::temp_directory_path() / "benchhist_pg.XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    state = tmpl + "/state";
    // --watch: a test binary killed before its atexit handler runs takes the server with it.
    const std::string cmd =
        fmt::format("'{}' start '{}' --watch {} >&2", ALLOCGATE_PG_TEST_SERVER, state, ::getpid());
    own_state = state;
    std::atexit([] {
      stop_own_server();
      // The directory also holds the server's lock file (state.lock).
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::path(own_state).parent_path(), ec);
    });
    if (std::system(cmd.c_str()) != 0) {
      s.unavailable = "pg_test_server.sh start failed (see above)";
      return s;
    }
  }
  if (std::filesystem::exists(state + "/skip")) {
    s.unavailable = read_trimmed(state + "/skip");
  } else if (std::filesystem::exists(state + "/uri")) {
    s.uri = read_trimmed(state + "/uri");
  } else {
    s.unavailable = "no PostgreSQL test server: " + state + "/uri is missing (its start failed)";
  }
  return s;
}

}  // namespace

const postgres_test_server& postgres_server() {
  static const postgres_test_server server = start();
  return server;
}

std::string new_postgres_database() {
  static int counter = 0;
  const std::string admin = postgres_server().uri;
  if (admin.empty()) throw std::runtime_error(postgres_server().unavailable);
  const std::string name = fmt::format("bh_{}_{}", ::getpid(), ++counter);
  postgres_query(admin, "CREATE DATABASE " + name);
  return admin.substr(0, admin.rfind('/') + 1) + name;
}

std::string postgres_query(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connect " + uri + ": " + msg);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string out;
  const bool ok = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
  const std::string err = ok ? "" : PQresultErrorMessage(r);
  if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  PQclear(r);
  PQfinish(conn);
  if (!ok) throw std::runtime_error(sql + ": " + err);
  return out;
}

}  // namespace tools::test_support
