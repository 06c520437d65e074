// File: file_lock.h
// Serialising the read-modify-write of a file between processes (two `ratchet raise` runs on
// one registry must not lose either update).
#pragma once

#include <chrono>
#include <string>

namespace tools {

// An exclusive flock(2) on the folder holding `path` (a symlink is followed to its target's
// folder), held for the object's lifetime. The folder rather than a lock file beside `path`:
// nothing new appears in a source tree, and a lock file that is removed or recreated cannot
// split writers onto two locks. Throws input_error naming the path when the folder cannot be
// opened or the lock is not granted within `timeout`.
class file_lock {
 public:
  explicit file_lock(const std::string& path,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~file_lock();
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace tools
