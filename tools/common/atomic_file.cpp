// File: atomic_file.cpp
#include "common/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/error.h"

namespace tools {
namespace {

// The file a write lands in: a symlink is followed (the link stays, its target is replaced),
// so a registry kept elsewhere and linked into the tree is updated, not shadowed.
std::string resolve_target(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) return resolved;
  return path;  // does not exist yet (or a dangling link): written as named
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Temporary files are "<name>.tmp.<pid>.XXXXXX". A writer killed before its rename (SIGKILL
// cannot be caught) leaves one behind; the next writer removes those whose process is gone.
void remove_temporaries_of_dead_writers(const std::string& dir, const std::string& base) {
  const std::string prefix = base + ".tmp.";
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  while (const dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || rest.size() - dot - 1 != 6) continue;
    char* end = nullptr;
    const long pid = std::strtol(rest.c_str(), &end, 10);
    if (end != rest.c_str() + dot || pid <= 0) continue;
    const bool dead = pid > INT_MAX || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
    if (dead) ::unlink((dir + "/" + name).c_str());
  }
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string target = resolve_target(path);
  struct stat existing {};
  const bool exists = ::stat(target.c_str(), &existing) == 0;
  if (exists) {
    if (!S_ISREG(existing.st_mode))
      throw input_error(fmt::format("{}: not a regular file; not replacing it", path));
    // access() says yes to root for any file; a file without a write bit is read-only to
    // everyone by intent.
    if (::access(target.c_str(), W_OK) != 0 || (existing.st_mode & 0222) == 0)
      throw input_error(
          fmt::format("{}: is read-only (mode {:o}); not replacing it (make it writable first)",
                      path, existing.st_mode & 07777));
  }
  const std::string dir = dir_of(target);
  const std::string base = base_of(target);
  remove_temporaries_of_dead_writers(dir, base);

  std::string temp = fmt::format("{}/{}.tmp.{}.XXXXXX", dir, base, ::getpid());
  const int fd = mkstemp(temp.data());
  if (fd < 0)
    throw input_error(
        fmt::format("{}: cannot create a temporary file: {}", path, std::strerror(errno)));
  const auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(temp.c_str());
    throw input_error(fmt::format("{}: {}: {}", path, what, reason));
  };
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write failed");
    }
    written += static_cast<std::size_t>(n);
  }
  // mkstemp creates 0600: a replaced file keeps its mode and, where allowed, its owner; a new
  // one gets the ordinary 0644 of a committed file.
  if (::fchmod(fd, exists ? existing.st_mode & 07777 : 0644) != 0) fail("cannot set the mode");
  if (exists && (existing.st_uid != ::geteuid() || existing.st_gid != ::getegid()))
    (void)::fchown(fd, existing.st_uid, existing.st_gid);  // best effort: needs privilege
  if (::fsync(fd) != 0) fail("cannot flush");
  if (::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw input_error(fmt::format("{}: cannot flush: {}", path, reason));
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw input_error(fmt::format("{}: cannot replace: {}", path, reason));
  }
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw input_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string out;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw input_error(fmt::format("{}: cannot read: {}", path, reason));
    }
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_read_bytes) {
      ::close(fd);
      throw input_error(fmt::format(
          "{}: larger than {} MiB; not an input the tools read (a device or a wrong path?)", path,
          max_read_bytes >> 20));
    }
  }
  ::close(fd);
  return out;
}

}  // namespace tools
