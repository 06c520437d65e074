// File: hbm_ecc.cpp
// The hbm_ecc detector: per-GPU baselines of dcgm-exporter's memory-error counters, turned
// into findings when an uncorrectable error, a failed or pending repair, or a storm of
// corrected errors shows up. See hbm_ecc.h for the rules.
#include "detectors/hbm_ecc.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include "detectors/nvsmi_query.h"
#include "detectors/phase.h"
#include "detectors/prometheus_line.h"
#include "formats/internal/dcgm_metric_match.h"
#include "formats/internal/gpu_lru.h"

namespace detectors {
namespace {

using internal::hbm_gpu_state;
using internal::hbm_kind;
using internal::hbm_metric;

constexpr std::string_view detector_name = "hbm_ecc";

// Counters start from their first sample; flags start from zero (see hbm_ecc.h).
enum class metric_shape : std::uint8_t { counter, flag };

struct metric_info {
  std::string_view name;
  hbm_metric metric;
  metric_shape shape;
};

constexpr std::array<metric_info, internal::hbm_dcgm_metric_count> metric_table = {{
    {"DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", hbm_metric::sbe_vol_total, metric_shape::counter},
    {"DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", hbm_metric::sbe_agg_total, metric_shape::counter},
    {"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", hbm_metric::dbe_vol_total, metric_shape::counter},
    {"DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", hbm_metric::dbe_agg_total, metric_shape::counter},
    {"DCGM_FI_DEV_RETIRED_SBE", hbm_metric::retired_sbe, metric_shape::counter},
    {"DCGM_FI_DEV_RETIRED_DBE", hbm_metric::retired_dbe, metric_shape::counter},
    {"DCGM_FI_DEV_RETIRED_PENDING", hbm_metric::retired_pending, metric_shape::flag},
    {"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", hbm_metric::uncorrectable_remapped_rows,
     metric_shape::counter},
    {"DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", hbm_metric::correctable_remapped_rows,
     metric_shape::counter},
    {"DCGM_FI_DEV_ROW_REMAP_FAILURE", hbm_metric::row_remap_failure, metric_shape::flag},
    {"DCGM_FI_DEV_ROW_REMAP_PENDING", hbm_metric::row_remap_pending, metric_shape::flag},
}};
// The table's names by length: most other DCGM metrics are rejected by their length alone.
constexpr internal::name_index metric_index = internal::index_names(metric_table);

struct kind_info {
  std::string_view name;
  severity sev;
  action recommended;
};

constexpr std::array<kind_info, internal::hbm_kind_count> kind_table = {{
    {"dbe_ecc", severity::critical, action::reset_gpu},
    {"uncorrectable_remap", severity::critical, action::reset_gpu},
    {"row_remap_failure", severity::critical, action::replace_gpu},
    {"row_remap_pending", severity::warning, action::reset_gpu},
    {"retired_pages_pending", severity::warning, action::reset_gpu},
    {"sbe_page_retired", severity::info, action::observe},
    {"sbe_rate", severity::warning, action::observe},
}};

constexpr std::size_t idx(hbm_metric m) noexcept {
  return static_cast<std::size_t>(m);
}
constexpr std::size_t idx(hbm_kind k) noexcept {
  return static_cast<std::size_t>(k);
}

// The nvidia-smi -q fields hbm_ecc acts on, in hbm_metric order after the DCGM metrics.
constexpr std::array<std::string_view, internal::hbm_metric_count - internal::hbm_dcgm_metric_count>
    nvsmi_names = {
        "nvidia-smi ECC Errors > Volatile > DRAM Uncorrectable",
        "nvidia-smi ECC Errors > Volatile > SRAM Uncorrectable",
        "nvidia-smi ECC Errors > Volatile > SRAM Uncorrectable Parity",
        "nvidia-smi ECC Errors > Volatile > SRAM Uncorrectable SEC-DED",
        "nvidia-smi ECC Errors > Volatile > Double Bit > Total",
        "nvidia-smi Retired Pages > Pending Page Blacklist",
        "nvidia-smi Remapped Rows > Pending",
        "nvidia-smi Remapped Rows > Remapping Failure Occurred",
};

std::string_view metric_name(std::size_t metric) noexcept {
  return metric < metric_table.size() ? metric_table[metric].name
                                      : nvsmi_names[metric - metric_table.size()];
}

bool is_flag(std::size_t metric) noexcept {
  return metric >= metric_table.size() || metric_table[metric].shape == metric_shape::flag;
}

// The hbm_metric an nvidia-smi field is, or hbm_metric_count for fields only read.
std::size_t nvsmi_metric(nvsmi_field f) noexcept {
  switch (f) {
    case nvsmi_field::volatile_dram_uncorrectable:
      return idx(hbm_metric::nvsmi_volatile_dram_uncorrectable);
    case nvsmi_field::volatile_sram_uncorrectable:
      return idx(hbm_metric::nvsmi_volatile_sram_uncorrectable);
    case nvsmi_field::volatile_sram_uncorrectable_parity:
      return idx(hbm_metric::nvsmi_volatile_sram_uncorrectable_parity);
    case nvsmi_field::volatile_sram_uncorrectable_secded:
      return idx(hbm_metric::nvsmi_volatile_sram_uncorrectable_secded);
    case nvsmi_field::volatile_double_bit_total:
      return idx(hbm_metric::nvsmi_volatile_double_bit_total);
    case nvsmi_field::retired_pending:
      return idx(hbm_metric::nvsmi_retired_pending);
    case nvsmi_field::remap_pending:
      return idx(hbm_metric::nvsmi_remap_pending);
    case nvsmi_field::remap_failure:
      return idx(hbm_metric::nvsmi_remap_failure);
    default:
      return internal::hbm_metric_count;
  }
}

}  // namespace

hbm_ecc_detector::hbm_ecc_detector(const hbm_ecc_config& config)
    : config_(config), clock_(config.sbe_window_ns) {
  if (config_.max_gpus == 0) config_.max_gpus = 1;
  if (config_.max_sbe_points < 2) config_.max_sbe_points = 2;
}

hbm_ecc_detector::~hbm_ecc_detector() = default;

std::size_t hbm_ecc_detector::state_size() const noexcept {
  return index_.size() + sbe_points_;
}

void hbm_ecc_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  // A line goes to the nvidia-smi -q reader while a report's block is open (the reader says
  // when it ends), and otherwise only when it can open one; then to the DCGM match only when it
  // can be a metric of ours. A line that opens with a metric name's first byte while no report
  // is open (most of a scrape) skips both tests.
  if (ev.line.empty() || ev.line[0] != 'D' || nvsmi_.any_block()) {
    if ((nvsmi_.any_block() || nvsmi_query_reader::may_open_block(ev.line)) && on_nvsmi(ev, sink))
      return;
    if (!internal::may_be_dcgm(ev.line)) return;
  }
  dcgm_identity_labels id_labels;
  const internal::dcgm_line_match<metric_info> match = internal::match_dcgm_line(
      metric_table, ev.line, id_labels.capture, internal::dcgm_prefix, &metric_index);
  if (match.info == nullptr) {
    if (match.malformed) ++stats_.malformed;
    return;
  }
  const metric_info* info = match.info;
  const prom_sample& sample = match.sample;
  const bool blank = is_dcgm_blank(sample.value);
  const std::optional<std::uint64_t> value = sample.value.as_uint64();
  // Counters and flags are non-negative integers; anything else cannot be compared.
  if (!blank && !value) {
    ++stats_.malformed;
    return;
  }

  char id_buffer[512];
  dcgm_gpu_id id;
  if (!dcgm_gpu_identity(id_labels, id_buffer, id)) {
    // No usable GPU identity: the sample cannot be attributed.
    ++stats_.malformed;
    return;
  }
  ++stats_.recognised;
  if (blank) return;  // DCGM measured nothing: not a reset, not a value

  DETECTORS_PHASE(state);
  const std::string_view node = ev.node.empty() ? id.host : ev.node;
  if (clock_.late(node, ev)) [[unlikely]] {
    ++stats_.late;
    return;
  }
  hbm_gpu_state& gpu = touch(node, id.subject, ev.ts_ns);
  on_sample(gpu, idx(info->metric), *value, ev.ts_ns, sink);
}

bool hbm_ecc_detector::on_nvsmi(const event& ev, finding_sink& sink) {
  const std::string_view node = ev.node.empty() ? std::string_view("unknown") : ev.node;
  const nvsmi_line l = nvsmi_.read(node, ev.line);
  const bool ours = l.section == nvsmi_section::ecc_errors ||
                    l.section == nvsmi_section::retired_pages ||
                    l.section == nvsmi_section::remapped_rows;
  // A report's line: reading it was parsing (phase.h).
  DETECTORS_PHASE(parse);
  switch (tally(l, ours)) {
    case nvsmi_tally::not_ours:
      return false;
    case nvsmi_tally::malformed:
      ++stats_.malformed;
      return true;
    case nvsmi_tally::header:
      ++stats_.recognised;
      return true;
    case nvsmi_tally::other_section:
      return true;  // thermal_throttle's sections
    case nvsmi_tally::mine:
      break;
  }
  ++stats_.recognised;
  const std::size_t metric = nvsmi_metric(l.field);
  if (metric == internal::hbm_metric_count) return true;
  std::uint64_t value = 0;
  if (l.value == nvsmi_value::yes) {
    value = 1;
  } else if (l.value == nvsmi_value::number) {
    value = static_cast<std::uint64_t>(l.number);  // counts are never negative (reader checks)
  } else if (l.value != nvsmi_value::no) {
    return true;  // N/A: the GPU does not have it
  }
  DETECTORS_PHASE(state);
  const std::string_view gpu_id = nvsmi_.gpu();
  hbm_gpu_state& gpu = touch(node, gpu_id.empty() ? std::string_view("unknown") : gpu_id, ev.ts_ns);
  on_sample(gpu, metric, value, ev.ts_ns, sink);
  return true;
}

hbm_gpu_state& hbm_ecc_detector::touch(std::string_view node, std::string_view subject,
                                       std::int64_t ts_ns) {
  internal::no_gpu_pool frees_evicted_gpus;
  return internal::touch_lru_gpu(gpus_, index_, frees_evicted_gpus, key_, node, subject, ts_ns,
                                 config_.gpu_idle_evict_ns, config_.max_gpus,
                                 [this](gpu_list::iterator it) { erase(it); });
}

void hbm_ecc_detector::on_sample(hbm_gpu_state& gpu, std::size_t metric, std::uint64_t value,
                                 std::int64_t ts_ns, finding_sink& sink) {
  internal::hbm_counter& c = gpu.counters[metric];
  const internal::hbm_counter before = c;
  // A cumulative counter read out of order would look like a reset and then a jump: a sample
  // older than the counter's last one is stale.
  if (before.seen && ts_ns < before.ts_ns) [[unlikely]] {
    ++stats_.late;
    return;
  }
  c = {true, value, ts_ns};

  if (is_flag(metric)) {
    const std::uint64_t prev = before.seen ? before.value : 0;
    if (value <= prev) return;  // cleared (reset) or unchanged
    const std::int64_t first = before.seen ? before.ts_ns : ts_ns;
    hbm_kind kind = hbm_kind::row_remap_pending;
    std::string_view what = "row remap pending: the GPU must be reset to use the spare row";
    switch (static_cast<hbm_metric>(metric)) {
      case hbm_metric::row_remap_failure:
      case hbm_metric::nvsmi_remap_failure:
        kind = hbm_kind::row_remap_failure;
        what = "row remapping failed: no spare row left for a failing HBM row";
        break;
      case hbm_metric::retired_pending:
      case hbm_metric::nvsmi_retired_pending:
        kind = hbm_kind::retired_pages_pending;
        what = "page retirement pending: the GPU must be reset to retire the page";
        break;
      case hbm_metric::nvsmi_volatile_dram_uncorrectable:
      case hbm_metric::nvsmi_volatile_sram_uncorrectable:
      case hbm_metric::nvsmi_volatile_sram_uncorrectable_parity:
      case hbm_metric::nvsmi_volatile_sram_uncorrectable_secded:
      case hbm_metric::nvsmi_volatile_double_bit_total:
        kind = hbm_kind::dbe_ecc;
        what = "uncorrectable ECC errors since the last driver load or GPU reset";
        break;
      default:
        break;
    }
    if (!due(gpu, kind, ts_ns)) return;
    DETECTORS_PHASE(emit);
    message_.clear();
    fmt::format_to(std::back_inserter(message_), "{} ({} {} -> {})", what, metric_name(metric),
                   prev, value);
    report(gpu, kind, first, ts_ns, value - prev, sink);
    return;
  }

  const bool is_sbe_total =
      metric == idx(hbm_metric::sbe_vol_total) || metric == idx(hbm_metric::sbe_agg_total);
  // First sample: a baseline. A decrease: the counter was reset (driver reload, GPU reset).
  const bool rebaseline = !before.seen || value < before.value;
  if (is_sbe_total) {
    on_sbe(gpu, metric, value, ts_ns, rebaseline, sink);
    return;
  }
  if (rebaseline || value == before.value) return;

  const std::uint64_t delta = value - before.value;
  hbm_kind kind;
  std::string_view what;
  switch (static_cast<hbm_metric>(metric)) {
    case hbm_metric::dbe_vol_total:
    case hbm_metric::dbe_agg_total:
      kind = hbm_kind::dbe_ecc;
      what = "uncorrectable (double-bit) ECC errors";
      break;
    case hbm_metric::retired_dbe:
      kind = hbm_kind::dbe_ecc;
      what = "pages retired after double-bit ECC errors";
      break;
    case hbm_metric::uncorrectable_remapped_rows:
      kind = hbm_kind::uncorrectable_remap;
      what = "HBM rows remapped after uncorrectable ECC errors";
      break;
    case hbm_metric::retired_sbe:
      kind = hbm_kind::sbe_page_retired;
      what = "pages retired after repeated single-bit ECC errors";
      break;
    case hbm_metric::correctable_remapped_rows:
      // Correctable remaps are the hardware repairing itself, but the spare row is used only
      // after a reset. An exporter that sends ROW_REMAP_PENDING says when that is due; from one
      // that does not (the stock counter list), the rising count is the pending remap.
      if (gpu.counters[idx(hbm_metric::row_remap_pending)].seen) return;
      kind = hbm_kind::row_remap_pending;
      what =
          "row remap pending (inferred: this exporter sends no DCGM_FI_DEV_ROW_REMAP_PENDING): "
          "the GPU must be reset to use the spare row";
      break;
    default:
      return;
  }
  if (!due(gpu, kind, ts_ns)) return;
  DETECTORS_PHASE(emit);
  message_.clear();
  fmt::format_to(std::back_inserter(message_), "{}: {} {} -> {} (+{})", what, metric_name(metric),
                 before.value, value, delta);
  report(gpu, kind, before.ts_ns, ts_ns, delta, sink);
}

void hbm_ecc_detector::on_sbe(hbm_gpu_state& gpu, std::size_t metric, std::uint64_t value,
                              std::int64_t ts_ns, bool reset, finding_sink& sink) {
  auto& points = gpu.sbe_points[metric == idx(hbm_metric::sbe_vol_total) ? 0 : 1];
  if (reset) {
    sbe_points_ -= points.size();
    points.clear();
  }
  if (points.empty() || points.back().value != value) {
    points.push_back({ts_ns, value});
    ++sbe_points_;
  }
  // Keep the last point at or before the window start: it gives the value the counter had
  // when the window opened.
  const std::int64_t window_start = ts_ns - config_.sbe_window_ns;
  while (points.size() >= 2 && points[1].ts_ns <= window_start) {
    points.pop_front();
    --sbe_points_;
  }
  while (points.size() > config_.max_sbe_points) {
    points.pop_front();
    --sbe_points_;
  }
  const std::uint64_t increase = value - points.front().value;
  if (reset || increase < config_.sbe_threshold) return;

  if (!due(gpu, hbm_kind::sbe_rate, ts_ns)) return;
  DETECTORS_PHASE(emit);
  message_.clear();
  fmt::format_to(std::back_inserter(message_),
                 "{} corrected (single-bit) ECC errors within {} s ({} {} -> {}; threshold {})",
                 increase, config_.sbe_window_ns / ns_per_second, metric_name(metric),
                 points.front().value, value, config_.sbe_threshold);
  report(gpu, hbm_kind::sbe_rate, points.front().ts_ns, ts_ns, increase, sink);
}

bool hbm_ecc_detector::due(const hbm_gpu_state& gpu, hbm_kind kind,
                           std::int64_t ts_ns) const noexcept {
  const std::size_t k = idx(kind);
  // An SBE storm is reported once per window; other kinds once per repeat_suppress_ns.
  const std::int64_t quiet =
      kind == hbm_kind::sbe_rate ? config_.sbe_window_ns : config_.repeat_suppress_ns;
  return !gpu.reported[k] || ts_ns - gpu.last_reported_ns[k] >= quiet;
}

void hbm_ecc_detector::report(hbm_gpu_state& gpu, hbm_kind kind, std::int64_t first_ns,
                              std::int64_t last_ns, std::uint64_t count, finding_sink& sink) {
  const std::size_t k = idx(kind);
  gpu.reported[k] = true;
  gpu.last_reported_ns[k] = last_ns;

  const kind_info& info = kind_table[k];
  finding f;
  f.detector = detector_name;
  f.node = internal::gpu_node(gpu);
  f.subject = internal::gpu_subject(gpu);
  f.sev = info.sev;
  f.kind = info.name;
  f.message = message_;
  f.first_ns = std::min(first_ns, last_ns);
  f.last_ns = last_ns;
  f.count = count;
  f.recommended = info.recommended;
  ++stats_.findings;
  sink.on_finding(f);
}

void hbm_ecc_detector::erase(gpu_list::iterator it) {
  for (const auto& points : it->sbe_points)
    sbe_points_ -= points.size();
  index_.erase(gpu_key(it->key));
  gpus_.erase(it);
}

std::unique_ptr<detector> make_hbm_ecc_detector() {
  return make_hbm_ecc_detector(hbm_ecc_config{});
}

std::unique_ptr<detector> make_hbm_ecc_detector(const hbm_ecc_config& config) {
  return std::make_unique<hbm_ecc_detector>(config);
}

}  // namespace detectors
