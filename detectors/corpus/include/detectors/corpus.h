// File: corpus.h
// Deterministic, seeded generation of realistic GPU-node streams for tests and benchmarks.
//
// Each detector has a format generator that appends one "episode" of its own lines (a single
// metric line, a multi-line AER record, a burst of Xids...) through a stream_builder. The
// mixer (generate_corpus) interleaves episodes from all generators with unrelated noise, moves
// the clock forward, alternates quiet and faulty periods and truncates a small fraction of
// lines, so every detector sees the mixed stream it sees on a real node.
//
// Same seed and options -> byte-identical output, whatever the compiler or standard library:
// only std::mt19937_64 (whose output sequence the standard fixes) and the integer helpers
// below are used, never the implementation-defined std:: distributions, and every draw is its
// own statement (never two in one argument list or one `a + b`, whose evaluation order the
// compiler chooses). corpus_test pins each stream's checksum, and CI runs it under GCC and
// Clang.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/event.h"

namespace detectors {

class stream_builder {
 public:
  stream_builder(std::uint64_t seed, std::size_t node_count, std::int64_t start_ns);

  // Random helpers with a fixed definition (portable determinism).
  std::uint64_t next() { return rng_(); }
  // Uniform in [lo, hi] (inclusive).
  std::int64_t uniform(std::int64_t lo, std::int64_t hi);
  // True with probability numerator/denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(items.size()) - 1))];
  }

  // The clock: strictly non-decreasing timestamps (ns since epoch).
  std::int64_t now() const noexcept { return now_ns_; }
  void advance(std::int64_t ns) noexcept { now_ns_ += ns; }

  // Nodes are named node-000 ... node-NNN; an episode picks one and stays on it.
  std::size_t node_count() const noexcept { return nodes_.size(); }
  std::string_view node(std::size_t i) const { return nodes_[i]; }
  std::string_view random_node() {
    return nodes_[static_cast<std::size_t>(
        uniform(0, static_cast<std::int64_t>(nodes_.size()) - 1))];
  }

  // True while the mixer is in a faulty period: generators emit their fault patterns then,
  // and mostly healthy lines otherwise.
  bool faulty() const noexcept { return faulty_; }
  void set_faulty(bool f) noexcept { faulty_ = f; }

  // Appends one line at the current time.
  void emit(std::string_view node, source src, std::string line);

  struct line_record {
    std::int64_t ts_ns;
    std::uint32_t node_index;
    source src;
    std::string line;
  };
  std::vector<line_record>& lines() noexcept { return lines_; }
  const std::vector<line_record>& lines() const noexcept { return lines_; }

 private:
  std::mt19937_64 rng_;
  std::vector<std::string> nodes_;
  std::int64_t now_ns_;
  bool faulty_ = false;
  std::vector<line_record> lines_;
};

// A detector's format generator: appends one episode of its own lines.
using episode_generator = void (*)(stream_builder& b);

struct corpus_options {
  std::uint64_t seed = 42;
  std::size_t events = 64 * 1024;  // number of lines to produce (exactly)
  std::size_t nodes = 16;
  // Share of episodes that come from the focus detector's generator (the rest: the other
  // five detectors' generators and unrelated noise). Ignored when focus is empty.
  std::uint32_t focus_percent = 60;
  std::uint32_t noise_percent = 10;      // share of unrelated noise lines
  std::uint32_t malformed_permille = 5;  // share of lines truncated at a random point
  std::int64_t start_ns = 1'732'000'000LL * ns_per_second;  // 2024-11-19
};

// A generated stream. Events point into the corpus's own storage: keep it alive while they
// are used.
class corpus {
 public:
  corpus() = default;
  // Move-only: events point into the corpus's own strings, which a move keeps in place.
  corpus(corpus&&) = default;
  corpus& operator=(corpus&&) = default;
  corpus(const corpus&) = delete;
  corpus& operator=(const corpus&) = delete;

  std::span<const event> events() const noexcept { return events_; }
  // Event i as it would appear in a plain log file (the line only).
  std::size_t size() const noexcept { return events_.size(); }
  // The whole stream as text, one line per event, each ending in '\n'.
  std::string text() const;
  // The stream as "ts_ns\tnode\tsource\tline\n" records (lossless, for tools and goldens).
  std::string envelope_text() const;

 private:
  friend corpus generate_corpus(std::string_view, const corpus_options&);
  std::vector<std::string> nodes_;
  std::vector<std::string> lines_;
  std::vector<event> events_;
};

// Generates a mixed stream weighted towards `focus` (a detector name; empty = all equally).
// Throws std::invalid_argument for an unknown detector name.
corpus generate_corpus(std::string_view focus, const corpus_options& options);

// Each listed detector's generator, defined in its folder (detectors/<name>/<name>_gen.cpp).
#define ALLOCGATE_DETECTOR(name, summary) void generate_##name##_episode(stream_builder& b);
#include "detectors/detector_list.inc"
// Unrelated lines every node logs (systemd, sshd, other kernel drivers, other metrics).
void generate_noise_line(stream_builder& b);

}  // namespace detectors
