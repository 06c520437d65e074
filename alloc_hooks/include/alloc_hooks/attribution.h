// File: attribution.h
// Site attribution: which call stacks make the allocations, for explaining a gate breach.
//
// Only the `allocgate::alloc_hooks_attribution` build of the hook records anything; the
// default hook is compiled without it, so attribution costs nothing where it is not used.
// Recording takes a backtrace per allocation (slow: microseconds), on armed threads only.
#pragma once

#include <cstdint>

namespace alloc_hooks {

// The environment variable that asks a binary linked with alloc_hooks_attribution to record:
// `ratchet explain` runs the binary with it naming a file, and the binary writes its site table
// there (write_attribution) when it exits. alloc_hooks::measure (benchmark.h) does all of this.
inline constexpr const char* attribution_out_env = "ALLOCGATE_ATTRIBUTION_OUT";

// True in binaries linked with alloc_hooks_attribution.
bool attribution_compiled_in() noexcept;

// Start/stop recording the calling thread's allocations into the process-wide site table.
void arm_attribution() noexcept;
void disarm_attribution() noexcept;
void reset_attribution() noexcept;

// Writes the site table to `path` in the attribution file format (attribution_file.h).
// `events` is the caller's count of events processed while armed, so readers can normalise.
// Returns false when attribution is not compiled in or the file cannot be written.
bool write_attribution(const char* path, std::uint64_t events);

}  // namespace alloc_hooks
