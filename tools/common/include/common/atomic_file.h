// File: atomic_file.h
// Writing a file so that readers see either the old content or the new, never a half.
#pragma once

#include <string>

namespace tools {

// Writes `content` to a temporary file beside `path`, flushes it to disk, and renames it over
// `path`. Throws input_error (naming the path) on failure; the old file is then untouched.
void write_file_atomically(const std::string& path, const std::string& content);

// Reads a whole file; throws input_error naming the path when it cannot.
std::string read_file(const std::string& path);

}  // namespace tools
