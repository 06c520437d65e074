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

#include "detectors/corpus.h"

namespace detectors {
namespace {

// A stable hash of a node name (FNV-1a, then splitmix64's finaliser).
std::uint64_t fnv1a(std::string_view s, std::uint64_t salt) noexcept {
  std::uint64_t h = 1469598103934665603ULL ^ salt;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

enum class layout : std::uint8_t {
  modern,          // 3.3+: gpu, UUID, pci_bus_id, device, modelName, Hostname
  no_bus_id,       // 2.x-3.2: no pci_bus_id
  old_spaces,      // 1.x (gpu-monitoring-tools): gpu and UUID, ", " between labels
  lower_hostname,  // `hostname` spelled in lower case
  kubernetes,      // pod-resources mapping: container, namespace, pod appended
  mig,             // MIG enabled: device metrics repeated per GPU instance
  sorted,          // relabelled by a scraper that sorts label names
};

enum class gpu_model : std::uint8_t { h100, a100, v100 };

struct node_profile {
  gpu_model model;
  layout style;
  int gpus;
  bool new_reasons_name;  // DCGM 3.3+ exports DCGM_FI_DEV_CLOCKS_EVENT_REASONS
  bool timestamps;
  bool memory_temp_supported;
};

// The same node has the same hardware and exporter in every DCGM generator (hbm_ecc_gen.cpp
// uses the same hash, salt and formulas for the fields both have).
node_profile profile_for(std::string_view node) {
  const std::uint64_t h = fnv1a(node, 0xdc6);
  node_profile p{};
  const std::uint64_t m = h % 20;
  p.model = m < 10 ? gpu_model::h100 : m < 17 ? gpu_model::a100 : gpu_model::v100;
  p.gpus = p.model == gpu_model::v100 && (h >> 8) % 2 == 0 ? 4 : 8;
  static constexpr std::array<layout, 10> layouts = {
      layout::modern,     layout::modern,         layout::modern, layout::no_bus_id,
      layout::kubernetes, layout::kubernetes,     layout::mig,    layout::old_spaces,
      layout::sorted,     layout::lower_hostname,
  };
  p.style = layouts[(h >> 16) % layouts.size()];
  if (p.style == layout::mig && p.model == gpu_model::v100) p.style = layout::modern;
  // Exporters old enough for the two-label layout predate the rename.
  p.new_reasons_name =
      p.style != layout::old_spaces && p.style != layout::no_bus_id && (h >> 24) % 3 != 0;
  p.timestamps = (h >> 32) % 6 == 0;
  p.memory_temp_supported = p.model != gpu_model::v100;
  return p;
}

std::string_view model_name(gpu_model m) noexcept {
  switch (m) {
    case gpu_model::h100:
      return "NVIDIA H100 80GB HBM3";
    case gpu_model::a100:
      return "NVIDIA A100-SXM4-80GB";
    case gpu_model::v100:
      return "Tesla V100-SXM2-32GB";
  }
  return "";
}

constexpr std::array<std::string_view, 8> bus_ids = {
    "00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0",
    "00000000:9A:00.0", "00000000:AB:00.0", "00000000:BA:00.0", "00000000:DB:00.0"};

std::string gpu_uuid(std::string_view node, int gpu) {
  const std::uint64_t a = fnv1a(node, 0x1000 + static_cast<std::uint64_t>(gpu));
  const std::uint64_t b = fnv1a(node, 0x2000 + static_cast<std::uint64_t>(gpu));
  return fmt::format("GPU-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                     a & 0xffff, b >> 48, b & 0xffffffffffffULL);
}

std::string labels(const node_profile& p, std::string_view node, int gpu, int mig_instance,
                   bool escaped_pod) {
  const std::string uuid = gpu_uuid(node, gpu);
  const std::string_view bus = bus_ids[static_cast<std::size_t>(gpu) % bus_ids.size()];
  const std::string_view model = model_name(p.model);
  switch (p.style) {
    case layout::modern:
      return fmt::format(
          R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
          gpu, uuid, bus, gpu, model, node);
    case layout::no_bus_id:
      return fmt::format(R"(gpu="{}",UUID="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
                         gpu, uuid, gpu, model, node);
    case layout::old_spaces:
      return fmt::format(R"(gpu="{}", UUID="{}")", gpu, uuid);
    case layout::lower_hostname:
      return fmt::format(R"(gpu="{}",UUID="{}",device="nvidia{}",modelName="{}",hostname="{}")",
                         gpu, uuid, gpu, model, node);
    case layout::kubernetes: {
      const std::string base = fmt::format(
          R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
          gpu, uuid, bus, gpu, model, node);
      if (gpu >= 6) return base;  // unallocated GPUs carry no pod labels
      // A relabelling rule copied a job annotation with quotes in it: escaped on the wire.
      if (escaped_pod)
        return fmt::format(R"({},container="trainer",namespace="ml-train",pod="sweep-{}",)"
                           R"(job_desc="lr=\"3e-4\" bs=\"1024\"")",
                           base, fnv1a(node, 9) % 89);
      return fmt::format(R"({},container="trainer",namespace="ml-train",pod="llm-pretrain-{}-{}")",
                         base, fnv1a(node, 7) % 97, gpu / 2);
    }
    case layout::mig: {
      static constexpr std::array<std::string_view, 2> profiles = {"3g.40gb", "4g.40gb"};
      return fmt::format(R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",)"
                         R"(GPU_I_PROFILE="{}",GPU_I_ID="{}",Hostname="{}")",
                         gpu, uuid, bus, gpu, model,
                         profiles[static_cast<std::size_t>(mig_instance) % 2],
                         mig_instance == 0 ? 2 : 1, node);
    }
    case layout::sorted:
      return fmt::format(
          R"(Hostname="{}",UUID="{}",device="nvidia{}",gpu="{}",modelName="{}",pci_bus_id="{}")",
          node, uuid, gpu, gpu, model, bus);
  }
  return {};
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
    const int instances = p.style == layout::mig ? 2 : 1;
    for (int i = 0; i < instances; ++i) {
      std::string line =
          fmt::format("{}{{{}}} {}", name(metric), labels(p, node, gpu, i, escaped_pod), value);
      if (p.timestamps) line += fmt::format(" {}", b.now() / 1'000'000);
      b.emit(node, source::dcgm, std::move(line));
    }
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
    s.sample(g, b.chance(1, 2) ? 0x0 : 0x4, celsius - b.uniform(6, 12));
  } else if (pick < 70) {
    // The chassis asserted power brake: HW slowdown with the brake bit, then released.
    const int samples = static_cast<int>(b.uniform(1, 3));
    for (int i = 0; i < samples; ++i) {
      s.sample(g, b.chance(3, 4) ? 0x88 : 0x80, b.uniform(60, 75));
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
