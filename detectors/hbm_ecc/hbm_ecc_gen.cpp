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
//
// About one node in three runs the stock exporter (etc/default-counters.csv): it sends the
// remapped-row counts and ROW_REMAP_FAILURE only, so its faults show as those counts rising.
// Now and then an episode is an operator's `nvidia-smi -q` report of one GPU (its ECC Errors,
// Retired Pages and Remapped Rows sections), healthy or showing the fault.
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "corpus/internal/dcgm_gen_common.h"
#include "detectors/corpus.h"

namespace detectors {
namespace {

using gpu_model = internal::dcgm_gpu_model;

// The same node has the same hardware and exporter in every DCGM generator.
using node_profile = internal::dcgm_node;

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
  const std::uint64_t h = internal::dcgm_hash(node, 0x3000 + static_cast<std::uint64_t>(gpu));
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

// The metrics a stock exporter sends.
bool in_stock_list(std::size_t metric) noexcept {
  return metric == uncorrectable_rows || metric == correctable_rows || metric == remap_failure;
}

struct scrape {
  stream_builder& b;
  std::string_view node;
  node_profile p;
  bool escaped_model;
  bool stock = false;  // the node's exporter runs the stock counter list

  void emit_header(std::size_t metric) {
    if (stock && !in_stock_list(metric)) return;
    b.emit(node, source::dcgm,
           fmt::format("# HELP {} {}", metrics[metric].name, metrics[metric].help));
    b.emit(node, source::dcgm,
           fmt::format("# TYPE {} {}", metrics[metric].name, metrics[metric].type));
  }

  void emit(std::size_t metric, int gpu, std::uint64_t value) {
    if (stock && !in_stock_list(metric)) return;
    if (!supported(p.model, metric)) value = not_supported;
    // Some exporters' modelName carries escaped quotes.
    const std::string_view plain = internal::dcgm_model_name(p.model);
    const std::string model =
        escaped_model ? std::string(plain) + R"( \"SXM\")" : std::string(plain);
    internal::emit_dcgm_sample(b, node, p, metrics[metric].name, gpu, value, model,
                               /*escaped_pod=*/false);
  }

  void emit_healthy(std::size_t metric, int gpu) {
    emit(metric, gpu, healthy_value(node, gpu, metric, b.now()));
  }
};

// An operator's `nvidia-smi -q` report of GPU `gpu`: its memory sections as nvidia-smi prints
// them for the node's GPU model (Volta: Single Bit / Double Bit groups and retired pages;
// Ampere and Hopper: SRAM / DRAM counts and remapped rows), then the blank line that ends the
// block. `volatile_dbe` uncorrectable errors since the last reset; the flags as given.
struct report_state {
  std::uint64_t volatile_dbe = 0;
  bool pending = false;  // remap (Ampere+) or page retirement (Volta) waiting for a reset
  bool failure = false;  // remapping failed
};

void nvsmi_report(scrape& s, int gpu, const report_state& st) {
  stream_builder& b = s.b;
  const auto emit = [&](std::string line) { b.emit(s.node, source::nvidia_smi, std::move(line)); };
  const auto count = [](std::uint64_t n) { return std::to_string(n); };
  const auto yes_no = [](bool v) { return std::string(v ? "Yes" : "No"); };
  const std::uint64_t sbe = healthy_value(s.node, gpu, sbe_vol, b.now());
  const std::uint64_t sbe_total = healthy_value(s.node, gpu, sbe_agg, b.now());
  const std::uint64_t dbe_total = healthy_value(s.node, gpu, dbe_agg, b.now()) + st.volatile_dbe;
  internal::emit_nvsmi_gpu_header(b, s.node, gpu);
  emit(internal::nvsmi_line(1, "Product Name", internal::dcgm_model_name(s.p.model)));
  emit(internal::nvsmi_line(1, "ECC Mode"));
  emit(internal::nvsmi_line(2, "Current", "Enabled"));
  emit(internal::nvsmi_line(2, "Pending", "Enabled"));
  emit(internal::nvsmi_line(1, "ECC Errors"));
  const bool volta = s.p.model == gpu_model::v100;
  for (int aggregate = 0; aggregate < 2; ++aggregate) {
    emit(internal::nvsmi_line(2, aggregate ? "Aggregate" : "Volatile"));
    const std::uint64_t corrected = aggregate ? sbe_total : sbe;
    const std::uint64_t uncorrected = aggregate ? dbe_total : st.volatile_dbe;
    if (volta) {
      for (int dbe = 0; dbe < 2; ++dbe) {
        const std::uint64_t n = dbe ? uncorrected : corrected;
        emit(internal::nvsmi_line(3, dbe ? "Double Bit" : "Single Bit"));
        emit(internal::nvsmi_line(4, "Device Memory", count(n)));
        emit(internal::nvsmi_line(4, "Register File", "0"));
        emit(internal::nvsmi_line(4, "L1 Cache", "0"));
        emit(internal::nvsmi_line(4, "L2 Cache", "0"));
        emit(internal::nvsmi_line(4, "Texture Memory", "N/A"));
        emit(internal::nvsmi_line(4, "Texture Shared", "N/A"));
        emit(internal::nvsmi_line(4, "CBU", "0"));
        emit(internal::nvsmi_line(4, "Total", count(n)));
      }
    } else {
      emit(internal::nvsmi_line(3, "SRAM Correctable", "0"));
      emit(internal::nvsmi_line(3, "SRAM Uncorrectable Parity", "0"));
      emit(internal::nvsmi_line(3, "SRAM Uncorrectable SEC-DED", "0"));
      emit(internal::nvsmi_line(3, "DRAM Correctable", count(corrected)));
      emit(internal::nvsmi_line(3, "DRAM Uncorrectable", count(uncorrected)));
    }
  }
  emit(internal::nvsmi_line(1, "Retired Pages"));
  if (volta) {
    emit(internal::nvsmi_line(2, "Single Bit ECC",
                              count(healthy_value(s.node, gpu, retired_sbe, b.now()))));
    emit(internal::nvsmi_line(2, "Double Bit ECC",
                              count(healthy_value(s.node, gpu, retired_dbe, b.now()))));
    emit(internal::nvsmi_line(2, "Pending Page Blacklist", yes_no(st.pending)));
  } else {
    emit(internal::nvsmi_line(2, "Single Bit ECC", "N/A"));
    emit(internal::nvsmi_line(2, "Double Bit ECC", "N/A"));
    emit(internal::nvsmi_line(2, "Pending Page Blacklist", "N/A"));
    emit(internal::nvsmi_line(1, "Remapped Rows"));
    emit(internal::nvsmi_line(2, "Correctable Error",
                              count(healthy_value(s.node, gpu, correctable_rows, b.now()))));
    emit(internal::nvsmi_line(2, "Uncorrectable Error",
                              count(healthy_value(s.node, gpu, uncorrectable_rows, b.now()) +
                                    (st.volatile_dbe ? 1 : 0))));
    emit(internal::nvsmi_line(2, "Pending", yes_no(st.pending)));
    emit(internal::nvsmi_line(2, "Remapping Failure Occurred", yes_no(st.failure)));
    emit(internal::nvsmi_line(2, "Bank Remap Availability Histogram"));
    emit(internal::nvsmi_line(3, "Max",
                              s.p.model == gpu_model::h100 ? "2560 bank(s)" : "640 bank(s)"));
    emit(internal::nvsmi_line(3, "High", "0 bank(s)"));
    emit(internal::nvsmi_line(3, "Partial", "0 bank(s)"));
    emit(internal::nvsmi_line(3, "Low", "0 bank(s)"));
    emit(internal::nvsmi_line(3, "None", "0 bank(s)"));
  }
  emit(internal::nvsmi_line(1, "Temperature"));
  emit(internal::nvsmi_line(2, "GPU Current Temp", fmt::format("{} C", b.uniform(30, 70))));
  emit("");
}

void healthy_scrape(scrape& s) {
  stream_builder& b = s.b;
  if (b.chance(1, 40)) {
    // An operator looks at a healthy GPU.
    nvsmi_report(s, static_cast<int>(b.uniform(0, s.p.gpus - 1)), report_state{});
    return;
  }
  // A slice of one scrape: a few metric families for every GPU (a whole scrape is ~100
  // lines per node; the mixer interleaves slices with other nodes' and sources' lines).
  const int families = static_cast<int>(b.uniform(1, 3));
  for (int f = 0; f < families; ++f) {
    // A stock exporter has three of the families.
    const auto metric = s.stock
                            ? static_cast<std::size_t>(b.uniform(uncorrectable_rows, remap_failure))
                            : static_cast<std::size_t>(b.uniform(0, metric_count - 1));
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

  if (pick >= 90) {
    // An operator's report of the faulty GPU: an uncorrectable error waiting for a reset, a
    // pending repair, or a failed remap (Ampere and Hopper only).
    report_state st;
    const std::int64_t what = b.uniform(0, 2);
    if (what == 0) st.volatile_dbe = static_cast<std::uint64_t>(b.uniform(1, 4));
    st.pending = what != 2 || volta;
    st.failure = what == 2 && !volta;
    nvsmi_report(s, g, st);
    return;
  }
  if (s.stock && pick >= 30 && pick < 55) {
    // A stock exporter sends no SBE totals: the burst is invisible. Its remapper shows a
    // correctable-error repair instead.
    const std::uint64_t rep = before(correctable_rows);
    s.emit(correctable_rows, g, rep);
    b.advance(interval);
    s.emit(correctable_rows, g, rep + 1);
    return;
  }
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
  scrape s{b, node, internal::dcgm_node_for(node), b.chance(1, 32)};
  s.stock = internal::dcgm_stock_exporter(node) && s.p.model != gpu_model::v100;
  if (b.faulty() && b.chance(1, 2)) {
    faulty_scrape(s);
  } else {
    healthy_scrape(s);
  }
}

}  // namespace detectors
