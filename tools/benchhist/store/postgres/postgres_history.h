// File: postgres_history.h
// The PostgreSQL backend of the history store, for the selector (history_store.cpp) and the
// PostgreSQL-specific tests. Everything else opens stores through open_history_store.
#pragma once

#include <memory>
#include <string>

#include "benchhist/history_store.h"

namespace tools {

// A database on a PostgreSQL server, named by a libpq URI (postgresql://... or
// postgres://...). What the URI leaves out comes from the PG* environment variables
// (PGHOST, PGUSER, PGPASSWORD, PGPASSFILE, ...), as for psql. read_write creates and migrates
// the schema when needed; read_only never writes (the session is read-only). Writers
// serialize on a transaction-scoped advisory lock, so concurrent ingests from many processes
// all land, ids follow commit order, and a writer killed mid-ingest leaves no partial run
// (the server rolls its transaction back).
std::unique_ptr<history_store> open_postgres_history(
    const std::string& uri, store_access access = store_access::read_write);

// The schema version open_postgres_history migrates to (table benchhist_schema).
int postgres_history_schema_version();

// The URI with any password (user:PASSWORD@ or password=...) replaced by "***": the form every
// message shows.
std::string redact_postgres_uri(const std::string& uri);

}  // namespace tools
