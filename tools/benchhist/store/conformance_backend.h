// File: conformance_backend.h
// How store_conformance_test.cpp reaches a backend: each backend's folder provides one of these
// (sqlite/sqlite_conformance_backend.cpp, postgres/postgres_conformance_backend.cpp), and the
// conformance suite runs every test on each. The hooks reach under the interface only where
// the contract is about the stored bytes themselves: consistency and schema versions.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace tools::test_support {

struct conformance_backend {
  std::string name;
  // Empty when the backend can be tested here; otherwise why not (the tests skip, saying so).
  std::function<std::string()> unavailable;
  // A location for a new, empty store, unique to the test; `dir` is the test's own directory.
  std::function<std::string(const std::string& dir)> location;
  // "ok", or what the backend's own consistency check finds wrong with the store at
  // `location` (including a run without samples or samples without a run).
  std::function<std::string(const std::string& location)> integrity;
  // The schema version recorded in the store (0: none).
  std::function<int(const std::string& location)> schema_version;
  // Records `version` as the store's schema version, as a newer benchhist would.
  std::function<void(const std::string& location, int version)> set_schema_version;
  // Turns a current store into what the previous schema version wrote (its last migration
  // undone, its data kept).
  std::function<void(const std::string& location)> make_previous_version;
};

// Test names and failure messages show the backend's name, not the struct's bytes.
inline void PrintTo(const conformance_backend& b, std::ostream* os) {
  *os << b.name;
}

conformance_backend sqlite_conformance_backend();
conformance_backend postgres_conformance_backend();

}  // namespace tools::test_support
