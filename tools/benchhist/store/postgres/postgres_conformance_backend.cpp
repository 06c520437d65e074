// File: postgres_conformance_backend.cpp
// The PostgreSQL backend as the conformance suite sees it: a new database on the test server
// (test_server.h) for every test, checked for runs without samples and samples without runs,
// versioned by its benchhist_schema table.
#include <fmt/format.h>

#include "postgres/test_server.h"
#include "store/conformance_backend.h"

namespace tools::test_support {

conformance_backend postgres_conformance_backend() {
  conformance_backend b;
  b.name = "postgres";
  b.unavailable = [] { return postgres_server().unavailable; };
  b.location = [](const std::string&) { return new_postgres_database(); };
  b.integrity = [](const std::string& location) -> std::string {
    if (postgres_query(location, "SELECT to_regclass('runs') IS NOT NULL") != "t")
      return "no runs table";
    const std::string bare = postgres_query(
        location,
        "SELECT count(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE "
        "s.run_id = r.id)");
    const std::string orphans = postgres_query(
        location,
        "SELECT count(*) FROM samples s WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE "
        "r.id = s.run_id)");
    if (bare != "0" || orphans != "0")
      return fmt::format("{} runs without samples, {} samples without a run", bare, orphans);
    return "ok";
  };
  b.schema_version = [](const std::string& location) {
    if (postgres_query(location, "SELECT to_regclass('benchhist_schema') IS NOT NULL") != "t")
      return 0;
    const std::string v = postgres_query(location, "SELECT max(version) FROM benchhist_schema");
    return v.empty() ? 0 : std::stoi(v);
  };
  b.set_schema_version = [](const std::string& location, int version) {
    postgres_query(location, fmt::format("UPDATE benchhist_schema SET version = {}", version));
  };
  // Migration 2 added the window indexes.
  b.make_previous_version = [](const std::string& location) {
    postgres_query(location,
                   "DROP INDEX runs_by_platform; DROP INDEX runs_by_branch; UPDATE "
                   "benchhist_schema SET version = 1");
  };
  return b;
}

}  // namespace tools::test_support
