// File: history_store.cpp
// The backend selector: maps a location ("h.db", "sqlite:h.db", "postgresql://host/db") to the
// backend that serves it. A new backend adds its scheme here and its folder beside sqlite/.
#include "benchhist/history_store.h"

#include <fmt/format.h>

#include <string_view>

#include "common/error.h"
#include "postgres/postgres_history.h"
#include "sqlite/sqlite_history.h"

namespace tools {
namespace {

// The scheme of "scheme:rest" (RFC 3986 letters: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )),
// or empty when the location is a plain path ("./a:b" and "dir/a:b" have none).
std::string_view scheme_of(std::string_view location) {
  const auto colon = location.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_alpha(location[0])) return {};
  for (const char c : location.substr(0, colon))
    if (!is_alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return {};
  return location.substr(0, colon);
}

// Starts with "keyword=" (lowercase letters and '_'), as every libpq connection string does.
bool looks_like_keyword_value(std::string_view location) {
  const auto eq = location.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  for (const char c : location.substr(0, eq))
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

}  // namespace

std::unique_ptr<history_store> open_history_store(const std::string& location,
                                                  store_access access) {
  const std::string_view scheme = scheme_of(location);
  // "host=H dbname=D password=P" is how libpq also spells a server; here it would be the name
  // of a SQLite file, created on the first ingest and printed in every message. (A file whose
  // name starts that way is still reachable as sqlite:NAME or ./NAME.)
  if (scheme.empty() && looks_like_keyword_value(location))
    throw input_error(fmt::format(
        "history location '{}': a key=value connection string is not a history location; write "
        "postgresql://[USER@]HOST[:PORT]/DATABASE (or sqlite:PATH for a file of that name)",
        shown_location(location)));
  if (scheme.empty()) return open_sqlite_history(location, access);
  if (scheme == "sqlite") {
    const std::string path = location.substr(scheme.size() + 1);
    if (path.empty()) throw input_error("history location 'sqlite:' names no database file");
    return open_sqlite_history(path, access);
  }
  if (scheme == "postgresql" || scheme == "postgres") {
    // libpq reads "postgres:x" (no "//") as a database named "postgres:x" on the default server.
    if (location.compare(scheme.size(), 3, "://") != 0)
      throw input_error(fmt::format("history location '{}': write {}://[USER@]HOST[:PORT]/DATABASE",
                                    shown_location(location), scheme));
    return open_postgres_history(location, access);
  }
  throw input_error(
      fmt::format("history location '{}': unknown backend '{}' (known: a plain path, sqlite:PATH, "
                  "postgresql://...)",
                  shown_location(location), scheme));
}

std::string shown_location(const std::string& location) {
  // Any URI with an authority may carry user:password@ (an unknown scheme's too), and any
  // location password=... (a key=value string is refused, but named).
  if (scheme_of(location).empty() || location.find("://") == std::string::npos) {
    if (location.find("password=") == std::string::npos) return location;
  }
  return redact_postgres_uri(location);
}

}  // namespace tools
