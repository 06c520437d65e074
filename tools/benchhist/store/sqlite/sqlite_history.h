// File: sqlite_history.h
// The SQLite backend of the history store, for the selector (history_store.cpp) and the
// SQLite-specific tests. Everything else opens stores through open_history_store.
#pragma once

#include <memory>
#include <string>

#include "benchhist/history_store.h"

namespace tools {

// A SQLite database file, created (and migrated) on open for read_write; opened with
// SQLITE_OPEN_READONLY, never created or migrated, for read_only. A database that is not
// benchhist's is refused either way. Concurrent writers wait for each other (busy timeout); a
// process killed mid-write leaves no partial run.
std::unique_ptr<history_store> open_sqlite_history(const std::string& path,
                                                   store_access access = store_access::read_write);

// The schema version open_sqlite_history migrates to (PRAGMA user_version).
int sqlite_history_schema_version();

}  // namespace tools
