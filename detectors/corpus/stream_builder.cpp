// File: stream_builder.cpp
// The clock, node names and portable random helpers shared by the format generators.
#include <cstdio>

#include "detectors/corpus.h"

namespace detectors {

stream_builder::stream_builder(std::uint64_t seed, std::size_t node_count, std::int64_t start_ns)
    : rng_(seed), now_ns_(start_ns) {
  nodes_.reserve(node_count);
  for (std::size_t i = 0; i < node_count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%03zu", i);
    nodes_.emplace_back(name);
  }
}

std::int64_t stream_builder::uniform(std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  // Modulo bias is at most span/2^64: irrelevant for test data, and the result is portable.
  return lo + static_cast<std::int64_t>(rng_() % span);
}

bool stream_builder::chance(std::uint64_t numerator, std::uint64_t denominator) {
  return rng_() % denominator < numerator;
}

void stream_builder::emit(std::string_view node, source src, std::string line) {
  std::uint32_t index = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i] == node) {
      index = static_cast<std::uint32_t>(i);
      break;
    }
  }
  lines_.push_back(line_record{now_ns_, index, src, std::move(line)});
}

}  // namespace detectors
