// File: corpus.h
// Deterministic, seeded generation of realistic GPU-node streams for tests and benchmarks.
//
// Each detector has a format generator that appends one "episode" of its own lines (a single
// metric line, a multi-line AER record, a burst of Xids...) through a stream_builder. The
// mixer (generate_corpus) interleaves episodes from all generators with unrelated noise, moves
// the clock forward, alternates quiet and faulty periods and truncates a small fraction of
// lines, so every detector sees the mixed stream it sees on a real node.
//
// Every generator draws from its own RNG, seeded from the stream seed and its name, and the
// mixer's draws never depend on how many generators exist. So a detector's own lines in its
// focused stream, and where and when they stand, are the same whichever other detectors are
// listed: adding a detector moves neither its goldens nor its allocation counts, and changes
// its benchmark windows only in the background lines the new detector takes over.
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
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/event.h"

namespace detectors {

// One line of a stream, as a generator emitted it.
struct stream_line {
  std::int64_t ts_ns;
  std::uint32_t node_index;
  source src;
  std::string line;
  std::uint32_t origin = 0;  // which generator emitted it (the mixer's numbering)
};

// What every generator of one stream shares: the node names, the clock, the quiet/faulty
// period and the lines emitted so far.
struct stream_state {
  stream_state(std::size_t node_count, std::int64_t start_ns);

  std::vector<std::string> nodes;  // node-000 ... node-NNN
  std::int64_t now_ns;             // strictly non-decreasing
  bool faulty = false;
  std::vector<stream_line> lines;
};

// The seed of a generator's own RNG in a stream: a fixed hash of (stream seed, generator name),
// so a generator's draws do not depend on which other generators exist.
std::uint64_t generator_seed(std::uint64_t stream_seed, std::string_view name) noexcept;

// What a generator writes through: its own RNG over a stream's shared clock, nodes and lines.
class stream_builder {
 public:
  using line_record = stream_line;

  // A stand-alone builder with a stream of its own (a generator's own tests). It never
  // truncates lines.
  stream_builder(std::uint64_t seed, std::size_t node_count, std::int64_t start_ns);
  // A builder over a shared stream (the mixer gives each generator one). Lines it emits are
  // tagged `origin`, and each is truncated with probability malformed_permille/1000, drawn
  // from this builder's RNG.
  stream_builder(std::uint64_t seed, std::shared_ptr<stream_state> state, std::uint32_t origin,
                 std::uint32_t malformed_permille);

  // Random helpers with a fixed definition (portable determinism).
  std::uint64_t next() { return rng_(); }
  // Restarts the RNG: the mixer gives a background episode a seed of its own slot's.
  void reseed(std::uint64_t seed) { rng_.seed(seed); }
  // Uniform in [lo, hi] (inclusive).
  std::int64_t uniform(std::int64_t lo, std::int64_t hi);
  // True with probability numerator/denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<std::size_t>(uniform(0, static_cast<std::int64_t>(items.size()) - 1))];
  }

  // The clock: strictly non-decreasing timestamps (ns since epoch).
  std::int64_t now() const noexcept { return state_->now_ns; }
  void advance(std::int64_t ns) noexcept { state_->now_ns += ns; }

  // Nodes are named node-000 ... node-NNN; an episode picks one and stays on it.
  std::size_t node_count() const noexcept { return state_->nodes.size(); }
  std::string_view node(std::size_t i) const { return state_->nodes[i]; }
  std::string_view random_node() {
    return state_->nodes[static_cast<std::size_t>(
        uniform(0, static_cast<std::int64_t>(state_->nodes.size()) - 1))];
  }

  // True while the mixer is in a faulty period: generators emit their fault patterns then,
  // and mostly healthy lines otherwise.
  bool faulty() const noexcept { return state_->faulty; }
  void set_faulty(bool f) noexcept { state_->faulty = f; }

  // Appends one line at the current time.
  void emit(std::string_view node, source src, std::string line);

  std::vector<line_record>& lines() noexcept { return state_->lines; }
  const std::vector<line_record>& lines() const noexcept { return state_->lines; }

 private:
  std::mt19937_64 rng_;
  std::shared_ptr<stream_state> state_;
  std::uint32_t origin_ = 0;
  std::uint32_t malformed_permille_ = 0;
};

// A detector's format generator: appends one episode of its own lines.
using episode_generator = void (*)(stream_builder& b);

struct corpus_options {
  std::uint64_t seed = 42;
  std::size_t events = 64 * 1024;  // number of lines to produce (exactly)
  std::size_t nodes = 16;
  // Share of episode slots that run the focus detector's generator (the rest: one line each of
  // the other detectors' episodes, and unrelated noise). Ignored when focus is empty.
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
  std::size_t size() const noexcept { return events_.size(); }
  // The whole stream as text, one line per event, each ending in '\n'.
  std::string text() const;
  // The stream as "ts_ns\tnode\tsource\tline\n" records (lossless, for tools and goldens);
  // with `only_origin`, just the lines that generator emitted.
  std::string envelope_text(std::string_view only_origin = {}) const;
  // The generator that emitted line i: a detector's name, or "noise".
  std::string_view origin(std::size_t i) const noexcept;

 private:
  friend corpus generate_corpus(std::string_view, const corpus_options&);
  std::vector<std::string> nodes_;
  std::vector<std::string> lines_;
  std::vector<std::uint32_t> origins_;
  std::vector<event> events_;
};

// Generates a mixed stream weighted towards `focus` (a detector name; empty = all equally).
// Throws std::invalid_argument for an unknown detector name.
//
// Focused: focus slots run the focused detector's whole episode, background slots one line of
// another detector's episode (at the slot's time), noise slots one noise line. The focused
// detector's own lines (time, node, source, text, truncation) and the stream's layout are
// byte-identical whatever other detectors are listed. A background slot is won by one of the
// other detectors by a rendezvous choice, so adding a detector changes only the background
// slots it wins (about 1 in N) and leaves every other line as it was. Unfocused: every non-noise
// slot runs a whole episode of a detector picked among all of them, so that stream changes when a
// detector is added.
corpus generate_corpus(std::string_view focus, const corpus_options& options);

// Each listed detector's generator, defined in its folder (detectors/<name>/<name>_gen.cpp).
#define ALLOCGATE_DETECTOR(name, summary) void generate_##name##_episode(stream_builder& b);
#include "detectors/detector_list.inc"
// Unrelated lines every node logs (systemd, sshd, other kernel drivers, other metrics).
void generate_noise_line(stream_builder& b);

}  // namespace detectors
