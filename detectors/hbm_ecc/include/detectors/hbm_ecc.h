// File: hbm_ecc.h
// The hbm_ecc detector: GPU memory (HBM) error counters from dcgm-exporter's Prometheus text
// and from `nvidia-smi -q` reports.
//
// It reads, per GPU, the ECC totals (DCGM_FI_DEV_ECC_{SBE,DBE}_{VOL,AGG}_TOTAL), page
// retirement (DCGM_FI_DEV_RETIRED_{SBE,DBE,PENDING}) and row remapping
// (DCGM_FI_DEV_{UNCORRECTABLE,CORRECTABLE}_REMAPPED_ROWS, DCGM_FI_DEV_ROW_REMAP_{FAILURE,
// PENDING}) in every label layout dcgm-exporter has used (any order; `Hostname` or `hostname`;
// MIG and Kubernetes labels; old exporters with only gpu and UUID), and reports:
//
//   kind                    severity  action       when
//   dbe_ecc                 critical  reset_gpu    a DBE total or RETIRED_DBE increases
//   uncorrectable_remap     critical  reset_gpu    UNCORRECTABLE_REMAPPED_ROWS increases
//   row_remap_failure       critical  replace_gpu  ROW_REMAP_FAILURE becomes non-zero/increases
//   row_remap_pending       warning   reset_gpu    ROW_REMAP_PENDING becomes non-zero/increases
//                                                  (or, from an exporter that does not send it,
//                                                  CORRECTABLE_REMAPPED_ROWS increases)
//   retired_pages_pending   warning   reset_gpu    RETIRED_PENDING becomes non-zero/increases
//   sbe_page_retired        info      observe      RETIRED_SBE increases
//   sbe_rate                warning   observe      an SBE total rises by >= sbe_threshold
//                                                  within sbe_window (default 100 per hour)
//
// Counters (totals, retired and remapped counts) take their first sample as a baseline, and a
// counter that decreases has been reset (driver reload, GPU reset): it is re-baselined without
// a finding. Flags (the two PENDING metrics and ROW_REMAP_FAILURE) start from zero, so a GPU
// already waiting for a reset is reported on its first sample. DCGM's blank sentinels
// (9223372036854775792..795) mean "no value" and are skipped.
//
// A stock exporter (its etc/default-counters.csv) sends the remapped-row counts and
// ROW_REMAP_FAILURE but not ROW_REMAP_PENDING: a remap waits for a GPU reset from the moment it
// is counted, so a rising count of a GPU that never sent ROW_REMAP_PENDING is a pending remap.
//
// nvidia-smi -q reports (nvsmi_query.h) are read section by section: ECC Errors > Volatile
// uncorrectable counts (DRAM, SRAM, SRAM parity / SEC-DED; older drivers: Double Bit > Total)
// give dbe_ecc, Retired Pages > Pending Page Blacklist (older: Pending) retired_pages_pending,
// Remapped Rows > Pending row_remap_pending and > Remapping Failure Occurred row_remap_failure.
// Each is a flag: reported when it rises from zero (a report shows the state now, so there is
// no baseline to wait for). Aggregate counts and the rest of the sections are history: read,
// not reported. A report's GPU is the bus id of its block's header.
//
// A GPU is identified by its node and UUID, falling back to pci_bus_id, then the gpu index;
// the finding's subject is that identifier. The node is the event's, or the Hostname label
// when the event has none (a plain file fed to `detect`).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "detectors/detector.h"
#include "detectors/event_clock.h"
#include "detectors/gpu_key_hash.h"
#include "detectors/nvsmi_query.h"

namespace detectors {

struct hbm_ecc_config {
  // sbe_rate fires when a GPU's SBE total rises by at least this many errors within
  // sbe_window_ns (default: >= 100 corrected errors in a sliding hour).
  std::uint64_t sbe_threshold = 100;
  std::int64_t sbe_window_ns = 3600 * ns_per_second;
  // One fault shows on several counters (volatile and aggregate totals, retired pages) and
  // keeps rising while the GPU is failing: a kind is reported at most once per GPU within this
  // interval. sbe_rate uses sbe_window_ns instead.
  std::int64_t repeat_suppress_ns = 5 * 60 * ns_per_second;
  // A GPU not seen for this long is forgotten (longer than sbe_window_ns, so the window
  // survives a few missed scrapes).
  std::int64_t gpu_idle_evict_ns = 2 * 3600 * ns_per_second;
  // At most this many GPUs are tracked; the least recently seen is dropped to make room.
  std::size_t max_gpus = 4096;
  // Change points kept per SBE counter within the window; beyond it the oldest are dropped
  // (the window shrinks, so the detector errs towards not firing).
  std::size_t max_sbe_points = 256;
};

namespace internal {

// The metrics hbm_ecc reads, in the order of its metric table.
enum class hbm_metric : std::uint8_t {
  sbe_vol_total,
  sbe_agg_total,
  dbe_vol_total,
  dbe_agg_total,
  retired_sbe,
  retired_dbe,
  retired_pending,
  uncorrectable_remapped_rows,
  correctable_remapped_rows,
  row_remap_failure,
  row_remap_pending,
  // Fields of nvidia-smi -q reports, each a flag (reported when it rises from zero).
  nvsmi_volatile_dram_uncorrectable,
  nvsmi_volatile_sram_uncorrectable,
  nvsmi_volatile_sram_uncorrectable_parity,
  nvsmi_volatile_sram_uncorrectable_secded,
  nvsmi_volatile_double_bit_total,
  nvsmi_retired_pending,
  nvsmi_remap_pending,
  nvsmi_remap_failure,
};
inline constexpr std::size_t hbm_dcgm_metric_count = 11;
inline constexpr std::size_t hbm_metric_count = 19;

enum class hbm_kind : std::uint8_t {
  dbe_ecc,
  uncorrectable_remap,
  row_remap_failure,
  row_remap_pending,
  retired_pages_pending,
  sbe_page_retired,
  sbe_rate,
};
inline constexpr std::size_t hbm_kind_count = 7;

struct hbm_counter {
  bool seen = false;
  std::uint64_t value = 0;
  std::int64_t ts_ns = 0;  // when `value` was sampled
};

// A point where an SBE total changed: the value holds from ts_ns until the next point.
struct hbm_sbe_point {
  std::int64_t ts_ns = 0;
  std::uint64_t value = 0;
};

struct hbm_gpu_state {
  std::string key;  // node + '\n' + subject: the index points into it
  std::size_t node_size = 0;
  std::int64_t last_seen_ns = 0;
  std::array<hbm_counter, hbm_metric_count> counters{};
  std::array<std::deque<hbm_sbe_point>, 2> sbe_points;  // volatile, aggregate
  std::array<std::int64_t, hbm_kind_count> last_reported_ns{};
  std::array<bool, hbm_kind_count> reported{};
};

}  // namespace internal

class hbm_ecc_detector final : public detector {
 public:
  explicit hbm_ecc_detector(const hbm_ecc_config& config = {});
  ~hbm_ecc_detector() override;

  std::string_view name() const noexcept override { return "hbm_ecc"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // GPUs tracked plus SBE change points held in their windows.
  std::size_t state_size() const noexcept override;

 private:
  using gpu_list = std::list<internal::hbm_gpu_state>;

  internal::hbm_gpu_state& touch(std::string_view node, std::string_view subject,
                                 std::int64_t ts_ns);
  void erase(gpu_list::iterator it);
  void on_sample(internal::hbm_gpu_state& gpu, std::size_t metric, std::uint64_t value,
                 std::int64_t ts_ns, finding_sink& sink);
  // True when the line was an nvidia-smi -q line (of any section).
  bool on_nvsmi(const event& ev, finding_sink& sink);
  void on_sbe(internal::hbm_gpu_state& gpu, std::size_t metric, std::uint64_t value,
              std::int64_t ts_ns, bool reset, finding_sink& sink);
  bool due(const internal::hbm_gpu_state& gpu, internal::hbm_kind kind,
           std::int64_t ts_ns) const noexcept;
  void report(internal::hbm_gpu_state& gpu, internal::hbm_kind kind, std::int64_t first_ns,
              std::int64_t last_ns, std::uint64_t count, finding_sink& sink);

  hbm_ecc_config config_;
  // Late samples (event_clock.h) are counted and skipped: counters compare only in time order.
  event_clock clock_;
  // GPUs from least to most recently seen, so both evictions (idle, over the cap) take from
  // the front in O(1); the index maps a GPU's key to its entry (list entries never move).
  gpu_list gpus_;
  std::unordered_map<gpu_key, gpu_list::iterator, gpu_key_stored_hash> index_;
  std::size_t sbe_points_ = 0;
  std::string key_;           // scratch: node + subject of the current sample
  std::string message_;       // the current finding's message (findings borrow it)
  nvsmi_query_reader nvsmi_;  // the nvidia-smi -q report being read
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_hbm_ecc_detector();
std::unique_ptr<detector> make_hbm_ecc_detector(const hbm_ecc_config& config);

}  // namespace detectors
