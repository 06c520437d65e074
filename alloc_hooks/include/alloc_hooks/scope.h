// File: scope.h
// A RAII measurement of one block on the current thread.
#pragma once

#include "alloc_hooks/counters.h"

namespace alloc_hooks {

// Measures what the current thread allocates between construction and delta(). Scopes nest:
// an inner scope does not disturb an outer one's peak. Never allocates.
//
//   alloc_hooks::scope s;
//   detector.on_event(ev, sink);
//   const alloc_hooks::snapshot d = s.delta();  // d.allocs, d.bytes_allocated, ...
class scope {
 public:
  scope() noexcept;
  ~scope();
  scope(const scope&) = delete;
  scope& operator=(const scope&) = delete;

  // Counts since construction. peak_live_bytes: the highest live growth above the start.
  snapshot delta() const noexcept;

 private:
  snapshot start_;
  std::int64_t saved_peak_;  // the thread's peak before this scope reset the watermark
};

}  // namespace alloc_hooks
