// File: sqlite_conformance_backend.cpp
// The SQLite backend as the conformance suite sees it: a "sqlite:" location in the test's
// directory, checked with PRAGMA integrity_check, versioned by PRAGMA user_version.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#include "store/conformance_backend.h"

namespace tools::test_support {
namespace {

std::string path_of(const std::string& location) {
  return location.substr(location.find(':') + 1);
}

// The first column of the first row of `sql` ("" when there is none); throws on an error.
std::string query(const std::string& location, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path_of(location).c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + location);
  }
  sqlite3_stmt* st = nullptr;
  std::string out;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    out = t ? reinterpret_cast<const char*>(t) : "";
  }
  const std::string err = sqlite3_errmsg(db);
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + err);
  return out;
}

}  // namespace

conformance_backend sqlite_conformance_backend() {
  conformance_backend b;
  b.name = "sqlite";
  b.unavailable = [] { return std::string(); };
  b.location = [](const std::string& dir) { return "sqlite:" + dir + "/h.db"; };
  b.integrity = [](const std::string& location) {
    if (!std::filesystem::exists(path_of(location))) return std::string("no such file");
    std::string out = query(location, "PRAGMA integrity_check");
    if (out != "ok") return out;
    const std::string bare =
        query(location,
              "SELECT count(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE "
              "s.run_id = r.id)");
    const std::string orphans =
        query(location,
              "SELECT count(*) FROM samples s WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE "
              "r.id = s.run_id)");
    if (bare != "0" || orphans != "0")
      return fmt::format("{} runs without samples, {} samples without a run", bare, orphans);
    return out;
  };
  b.schema_version = [](const std::string& location) {
    if (!std::filesystem::exists(path_of(location))) return 0;
    return std::stoi(query(location, "PRAGMA user_version"));
  };
  b.set_schema_version = [](const std::string& location, int version) {
    query(location, fmt::format("PRAGMA user_version = {}", version));
  };
  // Migration 2 added the indexes.
  b.make_previous_version = [](const std::string& location) {
    query(location, "DROP INDEX samples_by_metric");
    query(location, "DROP INDEX runs_by_commit");
    query(location, "PRAGMA user_version = 1");
  };
  return b;
}

}  // namespace tools::test_support
