// File: thermal_throttle.h
// The thermal_throttle detector: sustained thermal clock throttling of a GPU, from
// dcgm-exporter's Prometheus text and from `nvidia-smi -q` reports.
//
// It reads the NVML clock-event bitmask under both of its names,
// DCGM_FI_DEV_CLOCK_THROTTLE_REASONS (DCGM < 3.3) and DCGM_FI_DEV_CLOCKS_EVENT_REASONS, plus
// DCGM_FI_DEV_GPU_TEMP and DCGM_FI_DEV_MEMORY_TEMP, in every label layout dcgm-exporter has
// used (see hbm_ecc.h). The bits:
//   0x1 gpu_idle  0x2 applications_clocks_setting  0x4 sw_power_cap  0x8 hw_slowdown
//   0x10 sync_boost  0x20 sw_thermal_slowdown  0x40 hw_thermal_slowdown
//   0x80 hw_power_brake_slowdown  0x100 display_clock_setting
//
// A stock exporter sends no bitmask (its etc/default-counters.csv has temperatures only, with
// the following one line away), so the detector also reads:
//   - DCGM_EXP_CLOCK_EVENTS_COUNT{clock_event="hw_thermal"|"sw_thermal"|...} (older name
//     DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT{throttle_reason=...}): how often the exporter
//     saw each reason within its window (window_size_in_ms). A thermal count of at least
//     sustain_samples is a sustained episode: one thermal_throttle_start (no end: the exporter
//     stops sending a reason it no longer sees), again only after max_sample_gap_ns without one.
//   - DCGM_FI_DEV_THERMAL_VIOLATION, the cumulative time throttled for thermal reasons: each
//     sample that rose since the previous one is a thermal sample ("thermal_violation"), one that
//     did not is not, and they run through the same K-sample rule as the bitmask. The other
//     *_VIOLATION counters (power, sync boost, board limit, low utilisation, reliability) are
//     read (recognised) but are not thermal.
//   - nvidia-smi -q reports (nvsmi_query.h): the Clocks Event (or Throttle) Reasons section of a
//     GPU's block is one sample, taken when the block ends, with the block's Temperature
//     section; one look is enough (K = 1), since an operator's report is a single snapshot.
//     Newer drivers add Clocks Event Reasons Counters, cumulative time per reason: SW or HW
//     thermal slowdown time that rose since the GPU's previous report makes the sample thermal
//     ("sw_thermal_slowdown_time_rose", "hw_thermal_slowdown_time_rose"; the HW one drains
//     like 0x40), since the GPU slowed down for heat in between even when no flag is Active at
//     the instant of the report. Counters are compared only within one GPU's blocks (not those
//     read without their GPU header), and a report older than the GPU's last one is late.
// GPU-level Xid (DCGM_FI_DEV_XID_ERRORS) is xid_correlation's and PCIe replays pcie_aer's.
//
// A sample is thermal when it has 0x20 or 0x40 (HW slowdown 0x8 counts only together with
// 0x40: on its own it may be a power brake). Findings, per GPU:
//
//   kind                     severity  action                when
//   thermal_throttle_start   warning   drain_node (0x40 seen) sustain_samples consecutive
//                                      / observe (SW only)   thermal samples
//   thermal_throttle_end     info      observe               the first non-thermal sample
//                                                            after a start (with duration)
//   power_brake              info      observe               0x80 asserted (once per episode)
//
// Power capping (0x4) and power brake (0x80) alone are not thermal. The start carries the
// decoded reasons and the highest GPU and memory temperatures seen during the run (including
// the last reading before it); the end carries the duration from the first thermal sample.
// DCGM's blank sentinels are no value. MIG exporters repeat device metrics per GPU instance in
// one scrape; samples of one GPU closer than min_sample_interval_ns count once. A report's GPU
// is its bus id (the block's "GPU 00000000:75:00.0" header).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_clock.h"
#include "detectors/gpu_key_hash.h"
#include "detectors/nvsmi_query.h"

namespace detectors {

struct prom_sample;

struct thermal_throttle_config {
  // K: consecutive thermal samples before thermal_throttle_start.
  std::uint32_t sustain_samples = 3;
  // Reasons samples of one GPU closer than this are one scrape (MIG repeats, both metric
  // names exported side by side) and count once.
  std::int64_t min_sample_interval_ns = 1 * ns_per_second;
  // Samples further apart than this are not consecutive: the run restarts, and an active
  // episode ends at its last thermal sample.
  std::int64_t max_sample_gap_ns = 5 * 60 * ns_per_second;
  // A temperature reading older than this when a run starts is not attributed to it.
  std::int64_t temp_freshness_ns = 2 * 60 * ns_per_second;
  // A GPU not seen for this long is forgotten (an open episode is dropped silently: with no
  // samples there is no end to report).
  std::int64_t gpu_idle_evict_ns = 15 * 60 * ns_per_second;
  // At most this many GPUs are tracked; the least recently seen is dropped to make room.
  std::size_t max_gpus = 4096;
};

namespace internal {

struct thermal_gpu_state {
  std::string key;  // node + '\n' + subject: the index points into it
  std::size_t node_size = 0;
  std::int64_t last_seen_ns = 0;

  bool have_sample = false;
  std::int64_t last_sample_ns = 0;  // the last counted reasons sample

  // The current run of consecutive thermal samples.
  std::uint32_t run = 0;
  std::int64_t run_first_ns = 0;
  std::int64_t run_last_ns = 0;
  std::uint64_t run_reasons = 0;  // every bit seen during the run
  bool run_has_gpu_temp = false, run_has_mem_temp = false;
  double run_max_gpu_temp = 0, run_max_mem_temp = 0;
  bool active = false;  // thermal_throttle_start reported

  bool braking = false;  // inside a power-brake episode (already reported)

  bool have_gpu_temp = false, have_mem_temp = false;
  double gpu_temp = 0, mem_temp = 0;
  std::int64_t gpu_temp_ns = 0, mem_temp_ns = 0;

  // DCGM_FI_DEV_THERMAL_VIOLATION's last value.
  bool have_violation = false;
  std::uint64_t violation = 0;
  // nvidia-smi -q Clocks Event Reasons Counters: SW, HW thermal slowdown time (us) last seen.
  std::array<bool, 2> have_thermal_us{};
  std::array<std::uint64_t, 2> thermal_us{};
  // The time of the report they were read from.
  bool have_thermal_us_ns = false;
  std::int64_t thermal_us_ns = 0;
  // An episode reported from the exporter's windowed clock-event counts.
  bool window_active = false;
  std::int64_t window_last_ns = 0;
};

}  // namespace internal

class thermal_throttle_detector final : public detector {
 public:
  explicit thermal_throttle_detector(const thermal_throttle_config& config = {});

  std::string_view name() const noexcept override { return "thermal_throttle"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // Completes an nvidia-smi -q report's last GPU block.
  void finish(finding_sink& sink) override;
  // GPUs tracked.
  std::size_t state_size() const noexcept override { return index_.size(); }

 private:
  using gpu_list = std::list<internal::thermal_gpu_state>;

  internal::thermal_gpu_state& touch(std::string_view node, std::string_view subject,
                                     std::int64_t ts_ns);
  void erase(gpu_list::iterator it);

  // `required`: thermal samples in a row before a start (K, or 1 for an nvidia-smi report).
  void on_reasons(internal::thermal_gpu_state& gpu, std::uint64_t mask, std::int64_t ts_ns,
                  std::uint32_t required, bool snapshot, finding_sink& sink);
  void on_event_count(internal::thermal_gpu_state& gpu, std::uint64_t bit, std::uint64_t count,
                      const prom_sample& sample, std::int64_t ts_ns, finding_sink& sink);
  void on_thermal_violation(internal::thermal_gpu_state& gpu, std::uint64_t total,
                            std::int64_t ts_ns, finding_sink& sink);
  // True when the line was an nvidia-smi -q line (of any section).
  bool on_nvsmi(const event& ev, finding_sink& sink);
  void flush_snapshot(std::size_t context, finding_sink& sink);
  void on_temperature(internal::thermal_gpu_state& gpu, bool memory, double celsius,
                      std::int64_t ts_ns);
  void end_run(internal::thermal_gpu_state& gpu, std::int64_t end_ns, std::uint64_t now_mask,
               bool samples_stopped, finding_sink& sink);
  void emit(const internal::thermal_gpu_state& gpu, severity sev, std::string_view kind,
            std::int64_t first_ns, std::int64_t last_ns, std::uint64_t count, action act,
            finding_sink& sink);

  thermal_throttle_config config_;
  // Late samples (event_clock.h) are counted and skipped.
  event_clock clock_;
  // GPUs from least to most recently seen, so both evictions (idle, over the cap) take from
  // the front in O(1); the index maps a GPU's key to its entry (list entries never move).
  gpu_list gpus_;
  std::unordered_map<gpu_key, gpu_list::iterator, gpu_key_stored_hash> index_;
  // Evicted GPUs' storage (list entries, index nodes), reused for new GPUs: at steady state,
  // GPUs come and go without allocating.
  struct {
    gpu_list states;
    std::vector<std::unordered_map<gpu_key, gpu_list::iterator, gpu_key_stored_hash>::node_type>
        index_nodes;
  } pool_;
  std::string key_;      // scratch: node + subject of the current sample
  std::string message_;  // the current finding's message (findings borrow it)
  // The nvidia-smi -q reports being read, and per node context of the reader the reasons of
  // its current GPU block: one sample, taken when the block ends (reports of several nodes may
  // be interleaved). A pending sample names its GPU (node, bus id), looked up when it is taken.
  struct pending_snapshot {
    bool pending = false;
    bool has_reasons = false;  // an Active / Not Active line was read
    std::uint64_t mask = 0;
    // SW, HW thermal slowdown time (us) from Clocks Event Reasons Counters.
    std::array<bool, 2> counter_seen{};
    std::array<std::uint64_t, 2> counter_us{};
    std::int64_t ts_ns = 0;
    std::string node;  // reserved once (node names up to 255 bytes fit without allocating)
    std::array<char, 40> gpu{};
    std::size_t gpu_size = 0;
  };
  struct {
    nvsmi_query_reader reader;
    std::vector<pending_snapshot> contexts;  // one per reader context, allocated once
  } snapshot_;
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_thermal_throttle_detector();
std::unique_ptr<detector> make_thermal_throttle_detector(const thermal_throttle_config& config);

}  // namespace detectors
