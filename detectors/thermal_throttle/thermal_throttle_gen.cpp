// File: thermal_throttle_gen.cpp
// Corpus generator for thermal_throttle: dcgm-exporter scrapes of clock event reasons and GPU
// and memory temperatures, in the label layouts and metric names exporter generations use.
//
// Episodes keep no state: a node's hardware and exporter (GPU model, count, UUIDs, label
// layout, old or new reasons metric, or a stock exporter's windowed clock-event counts or
// thermal-violation counter instead) are a pure function of its name, so successive episodes
// describe the same GPUs. A faulty episode is a short sequence of scrapes of one GPU: a
// thermal-throttle run and its end, a power-brake event, or a benign look-alike (power
// capping, a thermal blip shorter than the detector's K). Now and then an episode is an
// operator's `nvidia-smi -q` report of one GPU (its Clocks Event Reasons and Temperature
// sections), throttling or not.
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
// What a node's exporter sends for clock events.
enum class reasons_source : std::uint8_t {
  bitmask,          // DCGM_FI_DEV_CLOCK(S)_..._REASONS, added to the counter list
  event_counts,     // stock list with DCGM_EXP_CLOCK_EVENTS_COUNT enabled (one line)
  thermal_counter,  // stock list with the *_VIOLATION counters enabled
};

struct node_profile : internal::dcgm_node {
  bool new_reasons_name;  // DCGM 3.3+ exports DCGM_FI_DEV_CLOCKS_EVENT_REASONS
  bool memory_temp_supported;
  reasons_source reasons;
  bool old_counts_name;  // DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT (early 2024 exporters)
};

node_profile profile_for(std::string_view node) {
  node_profile p{internal::dcgm_node_for(node), false, false, reasons_source::bitmask, false};
  const std::uint64_t h = internal::dcgm_hash(node, 0xdc6);
  // Exporters old enough for the two-label layout predate the rename.
  p.new_reasons_name =
      p.style != layout::old_spaces && p.style != layout::no_bus_id && (h >> 24) % 3 != 0;
  p.memory_temp_supported = p.model != gpu_model::v100;
  // Stock exporters (3.3.5+, so not the old layouts) send counts or violation counters.
  if (internal::dcgm_stock_exporter(node) && p.style != layout::old_spaces &&
      p.style != layout::no_bus_id) {
    p.reasons = (h >> 40) % 3 == 0 ? reasons_source::thermal_counter : reasons_source::event_counts;
    p.old_counts_name = (h >> 44) % 8 == 0;
  }
  return p;
}

// dcgm-exporter's clock_event label values, by NVML bit.
std::string_view exporter_reason(std::uint64_t bit) {
  switch (bit) {
    case 0x1:
      return "gpu_idle";
    case 0x2:
      return "clocks_setting";
    case 0x4:
      return "power_cap";
    case 0x8:
      return "hw_slowdown";
    case 0x10:
      return "sync_boost";
    case 0x20:
      return "sw_thermal";
    case 0x40:
      return "hw_thermal";
    case 0x80:
      return "hw_power_brake";
    default:
      return "display_clocks";
  }
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
    if (metric == reasons && p.reasons != reasons_source::bitmask) {
      emit_stock(gpu, value);
      return;
    }
    internal::emit_dcgm_sample(b, node, p, name(metric), gpu, value,
                               internal::dcgm_model_name(p.model), escaped_pod);
  }

  // What a stock exporter sends instead of the bitmask `mask`.
  void emit_stock(int gpu, std::uint64_t mask) {
    const std::string_view model = internal::dcgm_model_name(p.model);
    if (p.reasons == reasons_source::thermal_counter) {
      // Cumulative ns throttled: flat while healthy, rising while thermal (a driver reload
      // between episodes reads as a reset).
      const std::uint64_t base =
          internal::dcgm_hash(node, 0x7400 + static_cast<std::uint64_t>(gpu)) %
          1'000'000'000'000ULL;
      const bool thermal = (mask & 0x60) != 0;
      const auto rise = static_cast<std::uint64_t>(thermal ? b.uniform(1, 30) : 0);
      thermal_ns = (thermal_ns == 0 ? base : thermal_ns) + rise * 1'000'000'000ULL;
      internal::emit_dcgm_sample(b, node, p, "DCGM_FI_DEV_THERMAL_VIOLATION", gpu, thermal_ns,
                                 model, escaped_pod);
      return;
    }
    // One line per reason seen in the window, with how often it was seen.
    const std::string_view metric = p.old_counts_name ? "DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT"
                                                      : "DCGM_EXP_CLOCK_EVENTS_COUNT";
    const std::string_view label = p.old_counts_name ? "throttle_reason" : "clock_event";
    const std::string labels = internal::dcgm_labels(p, node, gpu, 0, model, escaped_pod);
    for (std::uint64_t bit = 1; bit <= 0x100; bit <<= 1) {
      if ((mask & bit) == 0) continue;
      // Thermal counts grow with the run: the detector needs K of them in the window.
      const std::int64_t seen = (bit & 0x60) ? 1 + 2 * run_samples : b.uniform(1, 10);
      b.emit(node, source::dcgm,
             fmt::format(R"({}{{{},{}="{}",window_size_in_ms="300000"}} {})", metric, labels, label,
                         exporter_reason(bit), seen));
    }
  }

  // One scrape of one GPU: temperatures first, as dcgm-exporter orders its fields.
  void sample(int gpu, std::uint64_t mask, std::int64_t celsius) {
    emit(gpu_temp, gpu, static_cast<std::uint64_t>(celsius));
    emit(memory_temp, gpu, static_cast<std::uint64_t>(celsius + b.uniform(3, 8)));
    emit(reasons, gpu, mask);
    run_samples = (mask & 0x60) ? run_samples + 1 : 0;
  }

  std::int64_t run_samples = 0;  // thermal samples of this episode's GPU so far
  std::uint64_t thermal_ns = 0;  // its thermal-violation counter (thermal_counter nodes)
};

// An operator's `nvidia-smi -q` report of one GPU: its Clocks Event Reasons (Clocks Throttle
// Reasons on older drivers) and Temperature sections, between the lines nvidia-smi prints
// around them, then the blank line that ends the block.
void nvsmi_report(scrape& s, int gpu, std::uint64_t mask, std::int64_t celsius) {
  stream_builder& b = s.b;
  const auto emit = [&](std::string line) { b.emit(s.node, source::nvidia_smi, std::move(line)); };
  const auto active = [&](std::uint64_t bit) { return (mask & bit) ? "Active" : "Not Active"; };
  internal::emit_nvsmi_gpu_header(b, s.node, gpu);
  emit(internal::nvsmi_line(1, "Product Name", internal::dcgm_model_name(s.p.model)));
  emit(internal::nvsmi_line(1, "Performance State", "P0"));
  const bool old_driver = s.p.model == gpu_model::v100;
  emit(internal::nvsmi_line(1, old_driver ? "Clocks Throttle Reasons" : "Clocks Event Reasons"));
  emit(internal::nvsmi_line(2, "Idle", active(0x1)));
  emit(internal::nvsmi_line(2, "Applications Clocks Setting", active(0x2)));
  emit(internal::nvsmi_line(2, "SW Power Cap", active(0x4)));
  emit(internal::nvsmi_line(2, "HW Slowdown", active(0x8)));
  emit(internal::nvsmi_line(3, "HW Thermal Slowdown", active(0x40)));
  emit(internal::nvsmi_line(3, "HW Power Brake Slowdown", active(0x80)));
  emit(internal::nvsmi_line(2, "Sync Boost", active(0x10)));
  emit(internal::nvsmi_line(2, "SW Thermal Slowdown", active(0x20)));
  emit(internal::nvsmi_line(2, "Display Clock Setting", active(0x100)));
  emit(internal::nvsmi_line(1, "Sparse Operation Mode", "Disabled"));
  emit(internal::nvsmi_line(1, "Temperature"));
  emit(internal::nvsmi_line(2, "GPU Current Temp", fmt::format("{} C", celsius)));
  emit(internal::nvsmi_line(2, "GPU T.Limit Temp", fmt::format("{} C", 87 - celsius)));
  emit(internal::nvsmi_line(2, "GPU Shutdown Temp", "92 C"));
  emit(internal::nvsmi_line(2, "GPU Slowdown Temp", "89 C"));
  emit(internal::nvsmi_line(2, "GPU Target Temperature", "N/A"));
  const std::int64_t memory_celsius = celsius + b.uniform(3, 8);
  emit(internal::nvsmi_line(
      2, "Memory Current Temp",
      s.p.memory_temp_supported ? fmt::format("{} C", memory_celsius) : std::string("N/A")));
  emit(internal::nvsmi_line(1, "GPU Power Readings"));
  emit(internal::nvsmi_line(2, "Power Draw", fmt::format("{}.00 W", b.uniform(90, 690))));
  emit("");
}

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
  if (b.chance(1, 40)) {
    // An operator looks at a healthy GPU.
    const int g = static_cast<int>(b.uniform(0, s.p.gpus - 1));
    const std::uint64_t mask = healthy_mask(b);
    nvsmi_report(s, g, mask, b.uniform(34, 74));
    return;
  }
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

  if (pick >= 90) {
    // An operator's report of a throttling GPU (or, one time in three, of a healthy one).
    static constexpr std::array<std::uint64_t, 4> thermal = {0x20, 0x48, 0x24, 0xa4};
    const std::uint64_t mask =
        b.chance(1, 3) ? 0x4 : b.pick(std::span<const std::uint64_t>(thermal));
    nvsmi_report(s, g, mask, b.uniform(80, 90));
    return;
  }
  if (pick < 50) {
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
  } else if (pick < 65) {
    // The chassis asserted power brake: HW slowdown with the brake bit, then released.
    const int samples = static_cast<int>(b.uniform(1, 3));
    for (int i = 0; i < samples; ++i) {
      const std::int64_t braked_celsius = b.uniform(60, 75);
      s.sample(g, b.chance(3, 4) ? 0x88 : 0x80, braked_celsius);
      next_scrape();
    }
    s.sample(g, 0x0, b.uniform(60, 75));
  } else if (pick < 78) {
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
