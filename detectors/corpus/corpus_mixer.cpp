// File: corpus_mixer.cpp
// generate_corpus: interleaves the detectors' episodes and noise into one realistic stream.
#include <array>
#include <stdexcept>
#include <string>

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

const named_generator* find_generator(std::string_view name) {
  for (const auto& g : generators)
    if (g.name == name) return &g;
  return nullptr;
}

}  // namespace

corpus generate_corpus(std::string_view focus, const corpus_options& o) {
  const named_generator* focused = nullptr;
  if (!focus.empty()) {
    focused = find_generator(focus);
    if (focused == nullptr)
      throw std::invalid_argument("generate_corpus: unknown detector '" + std::string(focus) + "'");
  }
  if (o.nodes == 0) throw std::invalid_argument("generate_corpus: nodes must be at least 1");

  stream_builder b(o.seed, o.nodes, o.start_ns);
  b.lines().reserve(o.events + 64);
  while (b.lines().size() < o.events) {
    // Faulty periods are rare and short, as on a real fleet: about 1 episode in 150 starts
    // one, and it lasts about 40 episodes.
    if (!b.faulty() ? b.chance(1, 150) : b.chance(1, 40)) b.set_faulty(!b.faulty());

    const auto roll = static_cast<std::uint32_t>(b.uniform(0, 99));
    if (roll < o.noise_percent) {
      generate_noise_line(b);
    } else if (focused != nullptr && roll < o.noise_percent + o.focus_percent) {
      focused->generate(b);
    } else {
      generators[static_cast<std::size_t>(b.uniform(0, generator_count - 1))].generate(b);
    }
    b.advance(b.uniform(1, 100) * 1'000'000);  // 1-100 ms between episodes
  }

  auto& records = b.lines();
  records.resize(o.events);
  // Truncation at a random point: what a crashed writer or a full buffer leaves behind.
  for (auto& r : records) {
    if (r.line.size() > 2 && b.chance(o.malformed_permille, 1000))
      r.line.resize(
          static_cast<std::size_t>(b.uniform(1, static_cast<std::int64_t>(r.line.size()) - 1)));
  }

  corpus c;
  c.nodes_.reserve(b.node_count());
  for (std::size_t i = 0; i < b.node_count(); ++i)
    c.nodes_.emplace_back(b.node(i));
  c.lines_.reserve(records.size());
  for (auto& r : records)
    c.lines_.push_back(std::move(r.line));
  c.events_.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    c.events_.push_back(
        event{records[i].ts_ns, c.nodes_[records[i].node_index], records[i].src, c.lines_[i]});
  }
  return c;
}

std::string corpus::text() const {
  std::string out;
  for (const auto& l : lines_) {
    out += l;
    out += '\n';
  }
  return out;
}

std::string corpus::envelope_text() const {
  std::string out;
  for (const auto& e : events_) {
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
