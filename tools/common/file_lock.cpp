// File: file_lock.cpp
#include "common/file_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/error.h"

namespace tools {

file_lock::file_lock(const std::string& path, std::chrono::milliseconds timeout) {
  char resolved[PATH_MAX];
  const std::string target = ::realpath(path.c_str(), resolved) != nullptr ? resolved : path;
  const std::size_t slash = target.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : target.substr(0, slash));
  fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0)
    throw input_error(fmt::format("{}: cannot open its folder {} to lock it: {}", path, dir,
                                  std::strerror(errno)));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const std::string reason = std::strerror(errno);
      ::close(fd_);
      throw input_error(fmt::format("{}: cannot lock: {}", path, reason));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::close(fd_);
      throw input_error(
          fmt::format("{}: still locked by another writer after {} s; is another ratchet running?",
                      path, std::chrono::duration_cast<std::chrono::seconds>(timeout).count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

file_lock::~file_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace tools
