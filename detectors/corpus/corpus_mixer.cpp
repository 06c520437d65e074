// File: corpus_mixer.cpp
// generate_corpus: interleaves the detectors' episodes and noise into one realistic stream.
//
// Every generator draws from its own RNG, seeded from the stream seed and its name
// (generator_seed), and the mixer from a third one of its own. The mixer makes the same four
// draws for every episode slot, whatever happens in it: the quiet/faulty toggle, the slot kind,
// one 64-bit value that picks a background generator, and the gap to the next slot. So in a
// focused stream, which slots are the focused detector's, what it emits there and when do not
// depend on which other detectors exist (see generate_corpus in corpus.h).
//
// The background pick is a rendezvous (highest random weight) choice: every candidate scores
// the slot's value mixed with its name, and the highest score wins. Adding a detector therefore
// changes only the background slots the new one wins (about 1 in N); every other slot keeps its
// generator, and because a background episode runs on a seed made from the slot's value, it
// keeps its line too.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "detectors/corpus.h"

namespace detectors {
namespace {

struct named_generator {
  std::string_view name;
  episode_generator generate;
};

// Same order as detector_names(): both expand the list.
constexpr named_generator generators[] = {
#define ALLOCGATE_DETECTOR(name, summary) {#name, generate_##name##_episode},
#include "detectors/detector_list.inc"
};
constexpr std::size_t generator_count = std::size(generators);

// The origin of noise lines (detectors are 0 .. generator_count - 1).
constexpr std::uint32_t noise_origin = generator_count;
constexpr std::string_view noise_name = "noise";
constexpr std::string_view mixer_name = "mixer";

// A generator that never emits a line would make a background slot empty; it gets this many
// episodes to emit one before the mixer gives up on it.
constexpr int background_attempts = 64;

// SplitMix64's finaliser: a fixed, well-mixed 64-bit hash.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

// The generator among `candidates` that wins slot value `pick`. `keys[i]` is generator i's
// fixed key (its seed in this stream); ties, which need equal 64-bit scores, go to the first.
std::size_t rendezvous(std::uint64_t pick, const std::vector<std::size_t>& candidates,
                       const std::vector<std::uint64_t>& keys) {
  std::size_t best = candidates.front();
  std::uint64_t best_score = mix64(pick ^ keys[best]);
  for (const std::size_t i : candidates) {
    const std::uint64_t score = mix64(pick ^ keys[i]);
    if (score > best_score) {
      best = i;
      best_score = score;
    }
  }
  return best;
}

std::size_t find_generator(std::string_view name) {
  for (std::size_t i = 0; i < generator_count; ++i)
    if (generators[i].name == name) return i;
  return generator_count;
}

}  // namespace

corpus generate_corpus(std::string_view focus, const corpus_options& o) {
  std::size_t focus_index = generator_count;
  if (!focus.empty()) {
    focus_index = find_generator(focus);
    if (focus_index == generator_count)
      throw std::invalid_argument("generate_corpus: unknown detector '" + std::string(focus) + "'");
  }
  const bool focused = focus_index != generator_count;
  if (o.nodes == 0) throw std::invalid_argument("generate_corpus: nodes must be at least 1");

  // The stream, and a scratch stream where background episodes run (focused streams only).
  auto stream = std::make_shared<stream_state>(o.nodes, o.start_ns);
  auto scratch = std::make_shared<stream_state>(o.nodes, o.start_ns);
  stream->lines.reserve(o.events + 64);

  stream_builder mixer(generator_seed(o.seed, mixer_name), stream, noise_origin, 0);
  stream_builder noise(generator_seed(o.seed, noise_name), stream, noise_origin,
                       o.malformed_permille);
  std::vector<stream_builder> builders;
  std::vector<std::uint64_t> keys;  // generator i's seed in this stream, its rendezvous key
  std::vector<std::size_t> all;
  std::vector<std::size_t> others;  // the background generators of a focused stream
  builders.reserve(generator_count);
  for (std::size_t i = 0; i < generator_count; ++i) {
    const bool background = focused && i != focus_index;
    keys.push_back(generator_seed(o.seed, generators[i].name));
    builders.emplace_back(keys[i], background ? scratch : stream, static_cast<std::uint32_t>(i),
                          o.malformed_permille);
    all.push_back(i);
    if (background) others.push_back(i);
  }

  while (stream->lines.size() < o.events) {
    // Faulty periods are rare and short, as on a real fleet: about 1 slot in 150 starts one,
    // and it lasts about 40 slots.
    const bool toggle = stream->faulty ? mixer.chance(1, 40) : mixer.chance(1, 150);
    if (toggle) stream->faulty = !stream->faulty;
    const auto roll = static_cast<std::uint32_t>(mixer.uniform(0, 99));
    const std::uint64_t pick = mixer.next();
    const std::int64_t gap_ms = mixer.uniform(1, 100);

    if (roll < o.noise_percent) {
      generate_noise_line(noise);
    } else if (focused && roll < o.noise_percent + o.focus_percent) {
      generators[focus_index].generate(builders[focus_index]);
    } else if (focused && !others.empty()) {
      // One line of another detector's episode, at the current time: every background slot
      // adds exactly one line and no time, whichever generator it picks, so the focused
      // detector's lines keep their positions and timestamps when detectors are added.
      const std::size_t i = rendezvous(pick, others, keys);
      builders[i].reseed(mix64(pick ^ ~keys[i]));
      scratch->now_ns = stream->now_ns;
      scratch->faulty = stream->faulty;
      scratch->lines.clear();
      for (int attempt = 0; attempt < background_attempts && scratch->lines.empty(); ++attempt)
        generators[i].generate(builders[i]);
      if (scratch->lines.empty())
        throw std::logic_error("generate_corpus: generator '" + std::string(generators[i].name) +
                               "' emits no line");
      stream_line line = std::move(scratch->lines.front());
      line.ts_ns = stream->now_ns;
      stream->lines.push_back(std::move(line));
    } else if (focused) {
      generate_noise_line(noise);  // a single detector in the list: nothing else to mix in
    } else {
      // The unfocused stream runs whole episodes of every detector, each on its own continuing
      // RNG: it changes, by definition, when a detector is added to the list.
      const std::size_t i = rendezvous(pick, all, keys);
      generators[i].generate(builders[i]);
    }
    stream->now_ns += gap_ms * 1'000'000;  // 1-100 ms between slots
  }

  auto& records = stream->lines;
  records.resize(o.events);

  corpus c;
  c.nodes_ = stream->nodes;
  c.lines_.reserve(records.size());
  c.origins_.reserve(records.size());
  for (auto& r : records) {
    c.lines_.push_back(std::move(r.line));
    c.origins_.push_back(r.origin);
  }
  c.events_.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    c.events_.push_back(
        event{records[i].ts_ns, c.nodes_[records[i].node_index], records[i].src, c.lines_[i]});
  }
  return c;
}

std::string_view corpus::origin(std::size_t i) const noexcept {
  const std::uint32_t o = origins_[i];
  return o < generator_count ? generators[o].name : noise_name;
}

std::string corpus::text() const {
  std::string out;
  for (const auto& l : lines_) {
    out += l;
    out += '\n';
  }
  return out;
}

std::string corpus::envelope_text(std::string_view only_origin) const {
  std::string out;
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (!only_origin.empty() && origin(i) != only_origin) continue;
    const event& e = events_[i];
    out += std::to_string(e.ts_ns);
    out += '\t';
    out += e.node;
    out += '\t';
    out += to_string(e.src);
    out += '\t';
    out += e.line;
    out += '\n';
  }
  return out;
}

}  // namespace detectors
