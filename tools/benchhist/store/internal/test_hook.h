// File: test_hook.h
// The hook every backend calls half-way through an ingest transaction, so that the
// conformance suite can kill a writer at a known point inside it: with
// ALLOCGATE_HISTORY_TEST_HOOK_FD set, it writes one byte to that descriptor and then waits to
// be killed. Never set outside tests; unset, it costs one getenv per ingest.
#pragma once

#include <unistd.h>

#include <cstdlib>

namespace tools::store_internal {

inline void mid_ingest_test_hook() {
  const char* fd = std::getenv("ALLOCGATE_HISTORY_TEST_HOOK_FD");
  if (fd == nullptr) return;
  const char byte = 'k';
  if (::write(std::atoi(fd), &byte, 1) != 1) std::abort();
  for (;;)
    ::pause();
}

}  // namespace tools::store_internal
