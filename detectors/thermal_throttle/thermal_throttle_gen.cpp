// File: thermal_throttle_gen.cpp
// Corpus generator for thermal_throttle: dcgm-exporter scrapes of clock event reasons and GPU
// and memory temperatures, in the label layouts and metric names exporter generations use.
//
// Episodes keep no state: a node's hardware and exporter (GPU model, count, UUIDs, label
// layout, old or new reasons metric) are a pure function of its name, so successive episodes
// describe the same GPUs. A faulty episode is a short sequence of scrapes of one GPU: a
// thermal-throttle run and its end, a power-brake event, or a benign look-alike (power
// capping, a thermal blip shorter than the detector's K).
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "corpus/internal/dcgm_gen_common.h"
#include "detectors/corpus.h"

namespace detectors {
namespace {

using gpu_model = internal::dcgm_gpu_model;
using layout = internal::dcgm_layout;

// The hardware and exporter every DCGM generator gives the node, plus what only this one uses.
struct node_profile : internal::dcgm_node {
  bool new_reasons_name;  // DCGM 3.3+ exports DCGM_FI_DEV_CLOCKS_EVENT_REASONS
  bool memory_temp_supported;
};

node_profile profile_for(std::string_view node) {
  node_profile p{internal::dcgm_node_for(node), false, false};
  const std::uint64_t h = internal::dcgm_hash(node, 0xdc6);
  // Exporters old enough for the two-label layout predate the rename.
  p.new_reasons_name =
      p.style != layout::old_spaces && p.style != layout::no_bus_id && (h >> 24) % 3 != 0;
  p.memory_temp_supported = p.model != gpu_model::v100;
  return p;
}

enum metric_id : std::size_t { reasons, gpu_temp, memory_temp, metric_count };

constexpr std::uint64_t not_supported = 9223372036854775794ULL;  // DCGM_INT64_NOT_SUPPORTED

struct scrape {
  stream_builder& b;
  std::string_view node;
  node_profile p;
  bool escaped_pod;

  std::string_view name(std::size_t metric) const {
    switch (metric) {
      case reasons:
        return p.new_reasons_name ? "DCGM_FI_DEV_CLOCKS_EVENT_REASONS"
                                  : "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS";
      case gpu_temp:
        return "DCGM_FI_DEV_GPU_TEMP";
      default:
        return "DCGM_FI_DEV_MEMORY_TEMP";
    }
  }

  void emit_header(std::size_t metric) {
    static constexpr std::array<std::string_view, metric_count> help = {
        "Current clock throttle reasons.", "GPU temperature (in C).", "Memory temperature (in C)."};
    std::string_view h = help[metric];
    if (metric == reasons && p.new_reasons_name) h = "Current clock event reasons.";
    b.emit(node, source::dcgm, fmt::format("# HELP {} {}", name(metric), h));
    b.emit(node, source::dcgm, fmt::format("# TYPE {} gauge", name(metric)));
  }

  void emit(std::size_t metric, int gpu, std::uint64_t value) {
    if (metric == memory_temp && !p.memory_temp_supported) value = not_supported;
    internal::emit_dcgm_sample(b, node, p, name(metric), gpu, value,
                               internal::dcgm_model_name(p.model), escaped_pod);
  }

  // One scrape of one GPU: temperatures first, as dcgm-exporter orders its fields.
  void sample(int gpu, std::uint64_t mask, std::int64_t celsius) {
    emit(gpu_temp, gpu, static_cast<std::uint64_t>(celsius));
    emit(memory_temp, gpu, static_cast<std::uint64_t>(celsius + b.uniform(3, 8)));
    emit(reasons, gpu, mask);
  }
};

// Reasons a healthy GPU reports: idle, running flat out (none), held at its power limit,
// pinned application clocks, sync boost.
std::uint64_t healthy_mask(stream_builder& b) {
  const std::int64_t r = b.uniform(0, 99);
  if (r < 40) return 0x1;
  if (r < 70) return 0x0;
  if (r < 93) return 0x4;
  if (r < 97) return 0x2;
  return 0x10;
}

void healthy_scrape(scrape& s) {
  stream_builder& b = s.b;
  const int families = static_cast<int>(b.uniform(1, 3));
  for (int f = 0; f < families; ++f) {
    const auto metric = static_cast<std::size_t>(b.uniform(0, metric_count - 1));
    if (b.chance(1, 3)) s.emit_header(metric);
    for (int g = 0; g < s.p.gpus; ++g) {
      if (metric == reasons) {
        s.emit(reasons, g, healthy_mask(b));
      } else {
        const std::int64_t t = b.uniform(34, 74);
        s.emit(metric, g, static_cast<std::uint64_t>(metric == memory_temp ? t + 5 : t));
      }
    }
  }
}

void faulty_scrape(scrape& s) {
  stream_builder& b = s.b;
  const int g = static_cast<int>(b.uniform(0, s.p.gpus - 1));
  auto next_scrape = [&] { b.advance(b.uniform(10, 30) * ns_per_second); };
  const std::int64_t pick = b.uniform(0, 99);
  next_scrape();

  if (pick < 55) {
    // Failing cooling: a sustained run of thermal slowdown, then recovery.
    static constexpr std::array<std::uint64_t, 6> thermal = {0x20, 0x40, 0x48, 0x60, 0x24, 0x68};
    const std::uint64_t mask = b.pick(std::span<const std::uint64_t>(thermal));
    const int samples = static_cast<int>(b.uniform(3, 8));
    std::int64_t celsius = b.uniform(84, 88);
    for (int i = 0; i < samples; ++i) {
      s.sample(g, mask, celsius);
      celsius += b.uniform(0, 2);
      next_scrape();
    }
    // One draw per statement (argument evaluation order differs between compilers).
    const std::int64_t cooled = celsius - b.uniform(6, 12);
    s.sample(g, b.chance(1, 2) ? 0x0 : 0x4, cooled);
  } else if (pick < 70) {
    // The chassis asserted power brake: HW slowdown with the brake bit, then released.
    const int samples = static_cast<int>(b.uniform(1, 3));
    for (int i = 0; i < samples; ++i) {
      const std::int64_t braked_celsius = b.uniform(60, 75);
      s.sample(g, b.chance(3, 4) ? 0x88 : 0x80, braked_celsius);
      next_scrape();
    }
    s.sample(g, 0x0, b.uniform(60, 75));
  } else if (pick < 85) {
    // Not thermal: a hot GPU held at its power limit.
    const int samples = static_cast<int>(b.uniform(3, 6));
    for (int i = 0; i < samples; ++i) {
      s.sample(g, 0x4, b.uniform(78, 83));
      next_scrape();
    }
  } else {
    // A thermal blip shorter than the detector's K (3): no finding.
    s.sample(g, 0x20, b.uniform(84, 87));
    if (b.chance(1, 2)) {
      next_scrape();
      s.sample(g, 0x20, b.uniform(84, 87));
    }
    next_scrape();
    s.sample(g, 0x4, b.uniform(75, 80));
  }
}

}  // namespace

void generate_thermal_throttle_episode(stream_builder& b) {
  const std::string_view node = b.random_node();
  scrape s{b, node, profile_for(node), b.chance(1, 16)};
  if (b.faulty() && b.chance(1, 2)) {
    faulty_scrape(s);
  } else {
    healthy_scrape(s);
  }
}

}  // namespace detectors
