// File: hbm_ecc_gen.cpp
// Corpus generator for hbm_ecc: dcgm-exporter scrapes of the memory-error metrics of one
// node's GPUs, in the label layouts exporter generations and deployments produce.
//
// The generator keeps no state between episodes, yet a detector must see each GPU's counters
// evolve consistently. So a node's hardware (GPU model, count, UUIDs, exporter layout) is a
// pure function of its name, and a healthy counter is a pure, non-decreasing function of the
// GPU and the clock. A faulty episode samples a GPU at its healthy value, then again after the
// fault; the next healthy scrape falls back to the healthy value, which the detector sees as a
// counter reset (as after a driver reload), not as a fault.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "detectors/corpus.h"

namespace detectors {
namespace {

// A stable hash of a node name (FNV-1a, then splitmix64's finaliser so that names differing
// in one digit give unrelated UUIDs).
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

// Label layouts seen in the wild.
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
  bool timestamps;  // exporter output captured with `promtool`/federation timestamps
};

// The same node has the same hardware and exporter in every DCGM generator
// (thermal_throttle_gen.cpp uses the same hash, salt and formulas for the fields both have).
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
  p.timestamps = (h >> 32) % 6 == 0;
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

// HGX baseboards put their eight GPUs on these buses.
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
                   bool escaped_model) {
  const std::string uuid = gpu_uuid(node, gpu);
  const std::string_view bus = bus_ids[static_cast<std::size_t>(gpu) % bus_ids.size()];
  const std::string model = escaped_model ? std::string(model_name(p.model)) + R"( \"SXM\")"
                                          : std::string(model_name(p.model));
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
      // Only GPUs allocated to a pod carry its labels.
      const std::string base = fmt::format(
          R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
          gpu, uuid, bus, gpu, model, node);
      if (gpu >= 6) return base;
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

enum metric_id : std::size_t {
  sbe_vol,
  sbe_agg,
  dbe_vol,
  dbe_agg,
  retired_sbe,
  retired_dbe,
  retired_pending,
  uncorrectable_rows,
  correctable_rows,
  remap_failure,
  remap_pending,
  metric_count,
};

struct metric_text {
  std::string_view name, help, type;
};

constexpr std::array<metric_text, metric_count> metrics = {{
    {"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "Total number of single-bit volatile ECC errors.", "counter"},
    {"DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", "Total number of single-bit persistent ECC errors.",
     "counter"},
    {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "Total number of double-bit volatile ECC errors.", "counter"},
    {"DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "Total number of double-bit persistent ECC errors.",
     "counter"},
    {"DCGM_FI_DEV_RETIRED_SBE", "Total number of retired pages due to single-bit errors.",
     "counter"},
    {"DCGM_FI_DEV_RETIRED_DBE", "Total number of retired pages due to double-bit errors.",
     "counter"},
    {"DCGM_FI_DEV_RETIRED_PENDING", "Total number of pages pending retirement.", "counter"},
    {"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "Number of remapped rows for uncorrectable errors",
     "counter"},
    {"DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "Number of remapped rows for correctable errors",
     "counter"},
    {"DCGM_FI_DEV_ROW_REMAP_FAILURE", "Whether remapping of rows has failed", "gauge"},
    {"DCGM_FI_DEV_ROW_REMAP_PENDING", "Whether remapping of rows is pending", "gauge"},
}};

constexpr std::uint64_t not_supported = 9223372036854775794ULL;  // DCGM_INT64_NOT_SUPPORTED

// Ampere and Hopper repair HBM by remapping rows and do not retire pages; Volta retires pages
// and has no row remapper. DCGM reports the other mechanism's fields as NOT_SUPPORTED.
bool supported(gpu_model m, std::size_t metric) noexcept {
  const bool retirement =
      metric == retired_sbe || metric == retired_dbe || metric == retired_pending;
  const bool remapping = metric == uncorrectable_rows || metric == correctable_rows ||
                         metric == remap_failure || metric == remap_pending;
  if (m == gpu_model::v100) return !remapping;
  return !retirement;
}

// The value a healthy GPU reports now: constant history plus, for the SBE totals, a trickle of
// one corrected error per 12 hours (wrapping every 10 days, which reads as a counter reset).
// Kept small so that climbing back from a simulated driver reload (0) is no SBE storm.
std::uint64_t healthy_value(std::string_view node, int gpu, std::size_t metric,
                            std::int64_t now_ns) {
  const std::uint64_t h = fnv1a(node, 0x3000 + static_cast<std::uint64_t>(gpu));
  const auto trickle = static_cast<std::uint64_t>(now_ns / (12 * 3600 * ns_per_second));
  switch (metric) {
    case sbe_vol:
      return h % 5 + trickle % 20;
    case sbe_agg:
      return h % 5 + trickle % 20 + (h >> 8) % 300;
    case dbe_agg:
      return (h >> 20) % 16 == 0 ? 1 : 0;  // an old, long-handled DBE
    case retired_sbe:
      return (h >> 24) % 3;
    case retired_dbe:
      return (h >> 20) % 16 == 0 ? 1 : 0;
    case correctable_rows:
      return (h >> 28) % 4;
    case uncorrectable_rows:
      return (h >> 20) % 16 == 0 ? 1 : 0;
    default:
      return 0;
  }
}

struct scrape {
  stream_builder& b;
  std::string_view node;
  node_profile p;
  bool escaped_model;

  void emit_header(std::size_t metric) {
    b.emit(node, source::dcgm,
           fmt::format("# HELP {} {}", metrics[metric].name, metrics[metric].help));
    b.emit(node, source::dcgm,
           fmt::format("# TYPE {} {}", metrics[metric].name, metrics[metric].type));
  }

  void emit(std::size_t metric, int gpu, std::uint64_t value) {
    if (!supported(p.model, metric)) value = not_supported;
    const int instances = p.style == layout::mig ? 2 : 1;
    for (int i = 0; i < instances; ++i) {
      std::string line = fmt::format("{}{{{}}} {}", metrics[metric].name,
                                     labels(p, node, gpu, i, escaped_model), value);
      if (p.timestamps) line += fmt::format(" {}", b.now() / 1'000'000);
      b.emit(node, source::dcgm, std::move(line));
    }
  }

  void emit_healthy(std::size_t metric, int gpu) {
    emit(metric, gpu, healthy_value(node, gpu, metric, b.now()));
  }
};

void healthy_scrape(scrape& s) {
  stream_builder& b = s.b;
  // A slice of one scrape: a few metric families for every GPU (a whole scrape is ~100
  // lines per node; the mixer interleaves slices with other nodes' and sources' lines).
  const int families = static_cast<int>(b.uniform(1, 3));
  for (int f = 0; f < families; ++f) {
    const auto metric = static_cast<std::size_t>(b.uniform(0, metric_count - 1));
    if (b.chance(1, 3)) s.emit_header(metric);
    for (int g = 0; g < s.p.gpus; ++g)
      s.emit_healthy(metric, g);
  }
}

void faulty_scrape(scrape& s) {
  stream_builder& b = s.b;
  const int g = static_cast<int>(b.uniform(0, s.p.gpus - 1));
  const bool volta = s.p.model == gpu_model::v100;
  const std::int64_t interval = b.uniform(15, 30) * ns_per_second;
  auto before = [&](std::size_t metric) { return healthy_value(s.node, g, metric, b.now()); };
  const std::int64_t pick = b.uniform(0, 99);

  if (pick < 30) {
    // An uncorrectable error: both DBE totals rise; the GPU repairs the row (or retires the
    // page) at the next reset.
    const std::uint64_t n = static_cast<std::uint64_t>(b.uniform(1, 2));
    const std::uint64_t vol = before(dbe_vol), agg = before(dbe_agg);
    const std::size_t repaired = volta ? retired_dbe : uncorrectable_rows;
    const std::size_t pending = volta ? retired_pending : remap_pending;
    const std::uint64_t rep = before(repaired);
    s.emit(dbe_vol, g, vol);
    s.emit(dbe_agg, g, agg);
    s.emit(repaired, g, rep);
    s.emit(pending, g, 0);
    b.advance(interval);
    s.emit(dbe_vol, g, vol + n);
    s.emit(dbe_agg, g, agg + n);
    s.emit(repaired, g, rep + 1);
    s.emit(pending, g, 1);
  } else if (pick < 55) {
    // A burst of corrected errors: well over 100 within a few minutes.
    const std::uint64_t vol = before(sbe_vol), agg = before(sbe_agg);
    std::uint64_t added = 0;
    s.emit(sbe_vol, g, vol);
    s.emit(sbe_agg, g, agg);
    const int samples = static_cast<int>(b.uniform(3, 6));
    for (int i = 0; i < samples; ++i) {
      b.advance(interval);
      added += static_cast<std::uint64_t>(b.uniform(30, 90));
      s.emit(sbe_vol, g, vol + added);
      s.emit(sbe_agg, g, agg + added);
    }
  } else if (pick < 65 && !volta) {
    // The remapper has run out of spare rows.
    const std::uint64_t rows = before(uncorrectable_rows);
    s.emit(uncorrectable_rows, g, rows);
    s.emit(remap_failure, g, 0);
    b.advance(interval);
    s.emit(uncorrectable_rows, g, rows + 1);
    s.emit(remap_failure, g, 1);
  } else if (pick < 80) {
    // A correctable-error repair waiting for a reset (Volta: a page waiting for retirement).
    const std::size_t repaired = volta ? retired_sbe : correctable_rows;
    const std::size_t pending = volta ? retired_pending : remap_pending;
    const std::uint64_t rep = before(repaired);
    s.emit(repaired, g, rep);
    s.emit(pending, g, 0);
    b.advance(interval);
    s.emit(repaired, g, rep + 1);
    s.emit(pending, g, 1);
  } else {
    // Not a fault: the driver was reloaded and the volatile totals restart from zero.
    s.emit(sbe_vol, g, before(sbe_vol));
    s.emit(dbe_vol, g, before(dbe_vol));
    b.advance(interval);
    s.emit(sbe_vol, g, 0);
    s.emit(dbe_vol, g, 0);
  }
}

}  // namespace

void generate_hbm_ecc_episode(stream_builder& b) {
  const std::string_view node = b.random_node();
  scrape s{b, node, profile_for(node), b.chance(1, 32)};
  if (b.faulty() && b.chance(1, 2)) {
    faulty_scrape(s);
  } else {
    healthy_scrape(s);
  }
}

}  // namespace detectors
