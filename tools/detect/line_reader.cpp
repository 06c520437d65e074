// File: line_reader.cpp
// Chunked line reading for `detect` (line_reader.h).
#include "detect/line_reader.h"

#include <unistd.h>

#include <algorithm>
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

std::string_view line_reader::first_bytes() {
  if (pos_ == len_ && !eof_) {
    len_ = fill();
    pos_ = 0;
    eof_ = len_ == 0;
  }
  return std::string_view(chunk_.get() + pos_, std::min<std::size_t>(len_ - pos_, 8));
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
        if (skipping_) {
          skipping_ = false;
          ++overlong_;
        }
        if (line_.empty()) return false;
        line = std::string_view(line_.data(), line_.size());
        break;
      }
    }
    const char* begin = chunk_.get() + pos_;
    const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', len_ - pos_));
    const std::size_t n = nl == nullptr ? len_ - pos_ : static_cast<std::size_t>(nl - begin);
    pos_ += nl == nullptr ? n : n + 1;
    if (!skipping_ && line_.size() + n > max_line_bytes) {
      // Too long: drop what is held and skip the rest of the line, so memory stays bounded.
      skipping_ = true;
      line_.clear();
    }
    if (skipping_) {
      if (nl != nullptr) {
        skipping_ = false;
        ++overlong_;
      }
      continue;
    }
    if (nl != nullptr && line_.empty()) {
      // The common case, a line inside one chunk, is a view into the chunk: no copy.
      line = std::string_view(begin, n);
      break;
    }
    // Geometric growth would reach twice the cap; vector::reserve allocates exactly what it is
    // asked (std::string's may double), so the buffer grows to the cap at most.
    if (line_.size() + n > line_.capacity())
      line_.reserve(std::min(std::max(2 * line_.capacity(), line_.size() + n), max_line_bytes));
    line_.insert(line_.end(), begin, begin + n);
    if (nl == nullptr) continue;
    line = std::string_view(line_.data(), line_.size());
    break;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

}  // namespace tools::detect
