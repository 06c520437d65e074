// File: conformance_backend.h
// How store_conformance_test.cpp reaches a backend: each backend's folder provides one of these
// (sqlite/sqlite_conformance_backend.cpp), and the conformance suite runs every test on each.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace tools::test_support {

struct conformance_backend {
  std::string name;
  // A location for a new, empty store inside the directory `dir`.
  std::function<std::string(const std::string& dir)> location;
  // "ok", or what the backend's own consistency check finds wrong with the store at `location`.
  std::function<std::string(const std::string& location)> integrity;
};

// Test names and failure messages show the backend's name, not the struct's bytes.
inline void PrintTo(const conformance_backend& b, std::ostream* os) {
  *os << b.name;
}

conformance_backend sqlite_conformance_backend();

}  // namespace tools::test_support
