// File: dcgm_gen_common.h
// What the dcgm-exporter corpus generators (hbm_ecc_gen.cpp, thermal_throttle_gen.cpp) share:
// a node's GPU hardware and exporter label layout, derived from the node's name, and the
// rendering of one GPU's labels and sample lines. Generators keep no state between episodes,
// so the hardware must be a pure function of the name; keeping that function in one place
// means every DCGM generator describes a node's GPUs the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "detectors/corpus.h"

namespace detectors::internal {

// A stable hash of a node name (FNV-1a, then splitmix64's finaliser so that names differing
// in one digit give unrelated UUIDs).
std::uint64_t dcgm_hash(std::string_view s, std::uint64_t salt) noexcept;

// Label layouts seen in the wild.
enum class dcgm_layout : std::uint8_t {
  modern,          // 3.3+: gpu, UUID, pci_bus_id, device, modelName, Hostname
  no_bus_id,       // 2.x-3.2: no pci_bus_id
  old_spaces,      // 1.x (gpu-monitoring-tools): gpu and UUID, ", " between labels
  lower_hostname,  // `hostname` spelled in lower case
  kubernetes,      // pod-resources mapping: container, namespace, pod appended
  mig,             // MIG enabled: device metrics repeated per GPU instance
  sorted,          // relabelled by a scraper that sorts label names
};

enum class dcgm_gpu_model : std::uint8_t { h100, a100, v100 };

// A node's GPUs and exporter, the same in every DCGM generator.
struct dcgm_node {
  dcgm_gpu_model model;
  dcgm_layout style;
  int gpus;
  bool timestamps;  // exporter output captured with `promtool`/federation timestamps
};

dcgm_node dcgm_node_for(std::string_view node);

std::string_view dcgm_model_name(dcgm_gpu_model m) noexcept;

// The labels of one GPU (one GPU instance under MIG) in the node's layout. `model` is the
// modelName value; `escaped_pod` gives allocated GPUs of a Kubernetes node a pod annotation
// with escaped quotes instead of the usual pod labels.
std::string dcgm_labels(const dcgm_node& hw, std::string_view node, int gpu, int mig_instance,
                        std::string_view model, bool escaped_pod);

// The PCI bus id of a node's GPU ("00000000:18:00.0"), as DCGM's pci_bus_id label and
// nvidia-smi's "GPU 00000000:18:00.0" block header print it.
std::string_view dcgm_bus_id(int gpu) noexcept;

// A node whose dcgm-exporter runs the stock counter list (etc/default-counters.csv): no clock
// event bitmask, no ECC totals, no retired pages, no ROW_REMAP_PENDING.
bool dcgm_stock_exporter(std::string_view node) noexcept;

// One line of an `nvidia-smi -q` report: "    Pending      ...      : Yes", the key indented
// by `depth` levels of four spaces and padded so that the colon stands in column 42, as
// nvidia-smi prints it; no value gives a group header ("    Remapped Rows").
std::string nvsmi_line(int depth, std::string_view key, std::string_view value = {});

// Emits the opening of a report of one GPU: now and then the log header a whole report
// starts with, then the GPU's block header.
void emit_nvsmi_gpu_header(stream_builder& b, std::string_view node, int gpu);

// Emits one sample of `metric` for a GPU: one line per GPU instance, with a millisecond
// timestamp when the node's exporter output carries them.
void emit_dcgm_sample(stream_builder& b, std::string_view node, const dcgm_node& hw,
                      std::string_view metric, int gpu, std::uint64_t value, std::string_view model,
                      bool escaped_pod);

}  // namespace detectors::internal
