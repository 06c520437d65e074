// File: pause.h
// Excluding setup code from the counts of the current thread.
#pragma once

namespace alloc_hooks {

// While paused, the calling thread's allocations and frees are not counted (they still
// happen). Calls nest: counting resumes when every pause has been matched by a resume.
// Note: memory allocated while paused and freed while counting shows up as a free without an
// allocation; keep paused setup data alive until counting is paused again or the block ends.
void pause_counting() noexcept;
void resume_counting() noexcept;
bool counting_paused() noexcept;

// RAII form: pauses for the lifetime of the guard.
class pause_guard {
 public:
  pause_guard() noexcept { pause_counting(); }
  ~pause_guard() { resume_counting(); }
  pause_guard(const pause_guard&) = delete;
  pause_guard& operator=(const pause_guard&) = delete;
};

}  // namespace alloc_hooks
