// File: sqlite_conformance_backend.cpp
// The SQLite backend as the conformance suite sees it: a "sqlite:" location in the test's
// directory, checked with PRAGMA integrity_check.
#include <sqlite3.h>

#include "store/conformance_backend.h"

namespace tools::test_support {

conformance_backend sqlite_conformance_backend() {
  return {
      "sqlite",
      [](const std::string& dir) { return "sqlite:" + dir + "/h.db"; },
      [](const std::string& location) {
        const std::string path = location.substr(location.find(':') + 1);
        sqlite3* db = nullptr;
        std::string out = "cannot open " + path;
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
          sqlite3_stmt* st = nullptr;
          if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW)
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
          sqlite3_finalize(st);
        }
        sqlite3_close(db);
        return out;
      },
  };
}

}  // namespace tools::test_support
