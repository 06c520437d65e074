// File: atomic_file.h
// Writing a file so that readers see either the old content or the new, never a half.
#pragma once

#include <cstddef>
#include <string>

namespace tools {

// Writes `content` to a temporary file beside `path`, flushes it to disk, and renames it over
// `path`. Throws input_error (naming the path) on failure; the old file is then untouched.
void write_file_atomically(const std::string& path, const std::string& content);

// Registries, results and baselines are kilobytes to megabytes; anything past this is a device
// (/dev/zero), a pipe that never ends or a wrong path, and is refused rather than read forever.
inline constexpr std::size_t max_read_bytes = std::size_t{256} << 20;

// Reads a whole file, up to max_read_bytes; throws input_error naming the path and the reason
// (errno) when it cannot.
std::string read_file(const std::string& path);

}  // namespace tools
