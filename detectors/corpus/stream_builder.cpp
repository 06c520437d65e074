// File: stream_builder.cpp
// The clock, node names and portable random helpers shared by the format generators, and the
// per-generator seeds that keep each generator's draws its own.
#include <cstdio>

#include "detectors/corpus.h"

namespace detectors {

std::uint64_t generator_seed(std::uint64_t stream_seed, std::string_view name) noexcept {
  // 64-bit FNV-1a of the name, folded into the stream seed, then SplitMix64's finaliser so that
  // nearby seeds and names give unrelated mt19937_64 states. All fixed definitions: the same
  // seeds on every compiler and standard library.
  std::uint64_t h = 0xcbf29ce484222325;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3;
  }
  std::uint64_t z = stream_seed ^ h;
  z += 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

stream_state::stream_state(std::size_t node_count, std::int64_t start_ns) : now_ns(start_ns) {
  nodes.reserve(node_count);
  for (std::size_t i = 0; i < node_count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%03zu", i);
    nodes.emplace_back(name);
  }
}

stream_builder::stream_builder(std::uint64_t seed, std::size_t node_count, std::int64_t start_ns)
    : rng_(seed), state_(std::make_shared<stream_state>(node_count, start_ns)) {}

stream_builder::stream_builder(std::uint64_t seed, std::shared_ptr<stream_state> state,
                               std::uint32_t origin, std::uint32_t malformed_permille)
    : rng_(seed),
      state_(std::move(state)),
      origin_(origin),
      malformed_permille_(malformed_permille) {}

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
  for (std::size_t i = 0; i < state_->nodes.size(); ++i) {
    if (state_->nodes[i] == node) {
      index = static_cast<std::uint32_t>(i);
      break;
    }
  }
  // Truncation at a random point: what a crashed writer or a full buffer leaves behind. Drawn
  // from this generator's own RNG, so whether one of its lines is cut depends on its lines alone.
  if (malformed_permille_ != 0 && line.size() > 2 && chance(malformed_permille_, 1000)) {
    const auto keep = uniform(1, static_cast<std::int64_t>(line.size()) - 1);
    line.resize(static_cast<std::size_t>(keep));
  }
  state_->lines.push_back(stream_line{state_->now_ns, index, src, std::move(line), origin_});
}

}  // namespace detectors
