// File: line_reader.cpp
// Chunked line reading for `detect` (line_reader.h).
#include "detect/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace tools::detect {

line_reader::line_reader(int fd) : fd_(fd), chunk_(new char[chunk_size]) {}

line_reader::line_reader(std::istream& in) : in_(&in), chunk_(new char[chunk_size]) {}

std::size_t line_reader::fill() {
  if (in_ != nullptr) {
    in_->read(chunk_.get(), static_cast<std::streamsize>(chunk_size));
    if (in_->bad()) throw std::system_error(EIO, std::generic_category());
    return static_cast<std::size_t>(in_->gcount());
  }
  for (;;) {
    const ssize_t n = ::read(fd_, chunk_.get(), chunk_size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category());
  }
}

bool line_reader::next(std::string_view& line) {
  line_.clear();
  for (;;) {
    if (pos_ == len_) {
      if (!eof_) {
        len_ = fill();
        pos_ = 0;
        eof_ = len_ == 0;
      }
      if (eof_) {
        if (line_.empty()) return false;
        line = line_;
        break;
      }
    }
    const char* begin = chunk_.get() + pos_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', len_ - pos_));
    if (nl == nullptr) {
      line_.append(begin, len_ - pos_);
      pos_ = len_;
      continue;
    }
    const std::size_t n = static_cast<std::size_t>(nl - begin);
    pos_ += n + 1;
    // The common case, a line inside one chunk, is a view into the chunk: no copy.
    if (line_.empty()) {
      line = std::string_view(begin, n);
    } else {
      line_.append(begin, n);
      line = line_;
    }
    break;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

}  // namespace tools::detect
