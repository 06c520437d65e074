// File: dcgm_gen_common.cpp
// A node's GPU hardware and dcgm-exporter label layout as pure functions of its name, and the
// rendering of one GPU's labels and sample lines, for the DCGM corpus generators. See
// dcgm_gen_common.h.
#include "corpus/internal/dcgm_gen_common.h"

#include <fmt/format.h>

#include <array>
#include <cstddef>

namespace detectors::internal {
namespace {

// HGX baseboards put their eight GPUs on these buses.
constexpr std::array<std::string_view, 8> bus_ids = {
    "00000000:18:00.0", "00000000:2A:00.0", "00000000:3A:00.0", "00000000:5D:00.0",
    "00000000:9A:00.0", "00000000:AB:00.0", "00000000:BA:00.0", "00000000:DB:00.0"};

std::string gpu_uuid(std::string_view node, int gpu) {
  const std::uint64_t a = dcgm_hash(node, 0x1000 + static_cast<std::uint64_t>(gpu));
  const std::uint64_t b = dcgm_hash(node, 0x2000 + static_cast<std::uint64_t>(gpu));
  return fmt::format("GPU-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                     a & 0xffff, b >> 48, b & 0xffffffffffffULL);
}

}  // namespace

std::uint64_t dcgm_hash(std::string_view s, std::uint64_t salt) noexcept {
  std::uint64_t h = 1469598103934665603ULL ^ salt;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

std::string_view dcgm_bus_id(int gpu) noexcept {
  return bus_ids[static_cast<std::size_t>(gpu) % bus_ids.size()];
}

bool dcgm_stock_exporter(std::string_view node) noexcept {
  // About one node in three runs the exporter as shipped.
  return (dcgm_hash(node, 0x570d) >> 8) % 3 == 0;
}

std::string nvsmi_line(int depth, std::string_view key, std::string_view value) {
  std::string out(static_cast<std::size_t>(depth) * 4, ' ');
  out += key;
  if (value.empty()) return out;
  if (out.size() < 42) out.resize(42, ' ');
  out += ": ";
  out += value;
  return out;
}

void emit_nvsmi_gpu_header(stream_builder& b, std::string_view node, int gpu) {
  if (b.chance(1, 3)) {
    b.emit(node, source::nvidia_smi, "==============NVSMI LOG==============");
    b.emit(node, source::nvidia_smi, "");
    b.emit(node, source::nvidia_smi, nvsmi_line(0, "Driver Version", "535.183.01"));
    b.emit(node, source::nvidia_smi, nvsmi_line(0, "Attached GPUs", "8"));
  }
  b.emit(node, source::nvidia_smi, fmt::format("GPU {}", dcgm_bus_id(gpu)));
}

dcgm_node dcgm_node_for(std::string_view node) {
  const std::uint64_t h = dcgm_hash(node, 0xdc6);
  dcgm_node p{};
  const std::uint64_t m = h % 20;
  p.model = m < 10 ? dcgm_gpu_model::h100 : m < 17 ? dcgm_gpu_model::a100 : dcgm_gpu_model::v100;
  p.gpus = p.model == dcgm_gpu_model::v100 && (h >> 8) % 2 == 0 ? 4 : 8;
  static constexpr std::array<dcgm_layout, 10> layouts = {
      dcgm_layout::modern,     dcgm_layout::modern,
      dcgm_layout::modern,     dcgm_layout::no_bus_id,
      dcgm_layout::kubernetes, dcgm_layout::kubernetes,
      dcgm_layout::mig,        dcgm_layout::old_spaces,
      dcgm_layout::sorted,     dcgm_layout::lower_hostname,
  };
  p.style = layouts[(h >> 16) % layouts.size()];
  if (p.style == dcgm_layout::mig && p.model == dcgm_gpu_model::v100) {
    p.style = dcgm_layout::modern;
  }
  p.timestamps = (h >> 32) % 6 == 0;
  return p;
}

std::string_view dcgm_model_name(dcgm_gpu_model m) noexcept {
  switch (m) {
    case dcgm_gpu_model::h100:
      return "NVIDIA H100 80GB HBM3";
    case dcgm_gpu_model::a100:
      return "NVIDIA A100-SXM4-80GB";
    case dcgm_gpu_model::v100:
      return "Tesla V100-SXM2-32GB";
  }
  return "";
}

std::string dcgm_labels(const dcgm_node& hw, std::string_view node, int gpu, int mig_instance,
                        std::string_view model, bool escaped_pod) {
  const std::string uuid = gpu_uuid(node, gpu);
  const std::string_view bus = dcgm_bus_id(gpu);
  switch (hw.style) {
    case dcgm_layout::modern:
      return fmt::format(
          R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
          gpu, uuid, bus, gpu, model, node);
    case dcgm_layout::no_bus_id:
      return fmt::format(R"(gpu="{}",UUID="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
                         gpu, uuid, gpu, model, node);
    case dcgm_layout::old_spaces:
      return fmt::format(R"(gpu="{}", UUID="{}")", gpu, uuid);
    case dcgm_layout::lower_hostname:
      return fmt::format(R"(gpu="{}",UUID="{}",device="nvidia{}",modelName="{}",hostname="{}")",
                         gpu, uuid, gpu, model, node);
    case dcgm_layout::kubernetes: {
      const std::string base = fmt::format(
          R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",Hostname="{}")",
          gpu, uuid, bus, gpu, model, node);
      if (gpu >= 6) return base;  // unallocated GPUs carry no pod labels
      // A relabelling rule copied a job annotation with quotes in it: escaped on the wire.
      if (escaped_pod)
        return fmt::format(R"({},container="trainer",namespace="ml-train",pod="sweep-{}",)"
                           R"(job_desc="lr=\"3e-4\" bs=\"1024\"")",
                           base, dcgm_hash(node, 9) % 89);
      return fmt::format(R"({},container="trainer",namespace="ml-train",pod="llm-pretrain-{}-{}")",
                         base, dcgm_hash(node, 7) % 97, gpu / 2);
    }
    case dcgm_layout::mig: {
      static constexpr std::array<std::string_view, 2> profiles = {"3g.40gb", "4g.40gb"};
      return fmt::format(R"(gpu="{}",UUID="{}",pci_bus_id="{}",device="nvidia{}",modelName="{}",)"
                         R"(GPU_I_PROFILE="{}",GPU_I_ID="{}",Hostname="{}")",
                         gpu, uuid, bus, gpu, model,
                         profiles[static_cast<std::size_t>(mig_instance) % 2],
                         mig_instance == 0 ? 2 : 1, node);
    }
    case dcgm_layout::sorted:
      return fmt::format(
          R"(Hostname="{}",UUID="{}",device="nvidia{}",gpu="{}",modelName="{}",pci_bus_id="{}")",
          node, uuid, gpu, gpu, model, bus);
  }
  return {};
}

void emit_dcgm_sample(stream_builder& b, std::string_view node, const dcgm_node& hw,
                      std::string_view metric, int gpu, std::uint64_t value, std::string_view model,
                      bool escaped_pod) {
  const int instances = hw.style == dcgm_layout::mig ? 2 : 1;
  for (int i = 0; i < instances; ++i) {
    std::string line = fmt::format("{}{{{}}} {}", metric,
                                   dcgm_labels(hw, node, gpu, i, model, escaped_pod), value);
    if (hw.timestamps) line += fmt::format(" {}", b.now() / 1'000'000);
    b.emit(node, source::dcgm, std::move(line));
  }
}

}  // namespace detectors::internal
