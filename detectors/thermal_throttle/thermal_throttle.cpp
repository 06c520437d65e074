// File: thermal_throttle.cpp
// The thermal_throttle detector: a small per-GPU state machine over dcgm-exporter's clock
// event reasons (idle -> run of thermal samples -> active episode -> end), with temperatures
// attached. See thermal_throttle.h for the rules.
#include "detectors/thermal_throttle.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <optional>

#include "detectors/nvsmi_query.h"
#include "detectors/phase.h"
#include "detectors/prometheus_line.h"
#include "formats/internal/dcgm_metric_match.h"
#include "formats/internal/gpu_lru.h"

namespace detectors {
namespace {

using internal::thermal_gpu_state;

constexpr std::string_view detector_name = "thermal_throttle";

enum class metric_kind : std::uint8_t {
  reasons,
  gpu_temp,
  memory_temp,
  event_counts,       // exporter-computed: reason -> times seen within its window
  thermal_violation,  // cumulative time throttled for thermal reasons
  other_violation,    // power, sync boost, board limit, low utilisation, reliability
};

struct metric_info {
  std::string_view name;
  metric_kind kind;
};

constexpr std::array<metric_info, 12> metric_table = {{
    {"DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", metric_kind::reasons},
    {"DCGM_FI_DEV_CLOCKS_EVENT_REASONS", metric_kind::reasons},  // DCGM 3.3+ name
    {"DCGM_FI_DEV_GPU_TEMP", metric_kind::gpu_temp},
    {"DCGM_FI_DEV_MEMORY_TEMP", metric_kind::memory_temp},
    // dcgm-exporter 3.3.5+ (etc/default-counters.csv lists it, commented out); before the
    // rename (early 2024) DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT{throttle_reason=...}.
    {"DCGM_EXP_CLOCK_EVENTS_COUNT", metric_kind::event_counts},
    {"DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT", metric_kind::event_counts},
    {"DCGM_FI_DEV_THERMAL_VIOLATION", metric_kind::thermal_violation},
    {"DCGM_FI_DEV_POWER_VIOLATION", metric_kind::other_violation},
    {"DCGM_FI_DEV_SYNC_BOOST_VIOLATION", metric_kind::other_violation},
    {"DCGM_FI_DEV_BOARD_LIMIT_VIOLATION", metric_kind::other_violation},
    {"DCGM_FI_DEV_LOW_UTIL_VIOLATION", metric_kind::other_violation},
    {"DCGM_FI_DEV_RELIABILITY_VIOLATION", metric_kind::other_violation},
}};
// The table's names by length: most other DCGM metrics are rejected by their length alone.
constexpr internal::name_index metric_index = internal::index_names(metric_table);

// NVML's nvmlClocksEventReason* bits.
constexpr std::uint64_t sw_thermal = 0x20;
constexpr std::uint64_t hw_thermal = 0x40;
constexpr std::uint64_t hw_power_brake = 0x80;
// Not an NVML bit: DCGM_FI_DEV_THERMAL_VIOLATION rose since the previous sample (NVML's
// thermal perf policy, which does not say whether HW or SW slowdown did it).
constexpr std::uint64_t thermal_violation = std::uint64_t{1} << 40;
// Not NVML bits either: an nvidia-smi -q report's Clocks Event Reasons Counters show more SW
// (HW) thermal slowdown time than the GPU's previous report did.
constexpr std::uint64_t sw_thermal_time = std::uint64_t{1} << 41;
constexpr std::uint64_t hw_thermal_time = std::uint64_t{1} << 42;
constexpr std::uint64_t pseudo_bits = thermal_violation | sw_thermal_time | hw_thermal_time;

struct reason_bit {
  std::uint64_t bit;
  std::string_view name;
};

// dcgm-exporter's clock_event / throttle_reason label values (its clockEventToString).
constexpr std::array<reason_bit, 9> exporter_reason_names = {{
    {0x1, "gpu_idle"},
    {0x2, "clocks_setting"},
    {0x4, "power_cap"},
    {0x8, "hw_slowdown"},
    {0x10, "sync_boost"},
    {0x20, "sw_thermal"},
    {0x40, "hw_thermal"},
    {0x80, "hw_power_brake"},
    {0x100, "display_clocks"},
}};

constexpr std::array<reason_bit, 12> reason_names = {{
    {0x1, "gpu_idle"},
    {0x2, "applications_clocks_setting"},
    {0x4, "sw_power_cap"},
    {0x8, "hw_slowdown"},
    {0x10, "sync_boost"},
    {0x20, "sw_thermal_slowdown"},
    {0x40, "hw_thermal_slowdown"},
    {0x80, "hw_power_brake_slowdown"},
    {0x100, "display_clock_setting"},
    {thermal_violation, "thermal_violation"},
    {sw_thermal_time, "sw_thermal_slowdown_time_rose"},
    {hw_thermal_time, "hw_thermal_slowdown_time_rose"},
}};

// HW slowdown (0x8) is asserted for both thermal and power-brake events, so it is thermal only
// when HW thermal (0x40) is set too, and then 0x40 alone already decides.
constexpr bool is_thermal(std::uint64_t mask) noexcept {
  return (mask & (sw_thermal | hw_thermal | pseudo_bits)) != 0;
}

// The nvidia-smi -q sections thermal_throttle reads (the others are hbm_ecc's).
constexpr bool thermal_section(nvsmi_section s) noexcept {
  return s == nvsmi_section::clocks_event_reasons ||
         s == nvsmi_section::clocks_event_reasons_counters || s == nvsmi_section::temperature;
}

// "hw_slowdown, hw_thermal_slowdown (0x48)"
void append_reasons(std::string& out, std::uint64_t mask) {
  std::uint64_t known = 0;
  bool first = true;
  for (const reason_bit& r : reason_names) {
    if ((mask & r.bit) == 0) continue;
    known |= r.bit;
    if (!first) out += ", ";
    out += r.name;
    first = false;
  }
  if (mask & ~known) {
    fmt::format_to(std::back_inserter(out), "{}unknown 0x{:x}", first ? "" : ", ", mask & ~known);
    first = false;
  }
  if (first) out += "none";
  // The pseudo-bits are no NVML value: the hex shows the NVML bits only.
  if ((mask & ~pseudo_bits) != 0 || (mask & pseudo_bits) == 0)
    fmt::format_to(std::back_inserter(out), " (0x{:x})", mask & ~pseudo_bits);
}

void append_temperatures(std::string& out, std::string_view what, bool has_gpu, double gpu_temp,
                         bool has_mem, double mem_temp) {
  if (!has_gpu && !has_mem) {
    out += "temperature not reported";
    return;
  }
  out += what;
  if (has_gpu) fmt::format_to(std::back_inserter(out), " GPU {:g} C", gpu_temp);
  if (has_gpu && has_mem) out += ",";
  if (has_mem) fmt::format_to(std::back_inserter(out), " memory {:g} C", mem_temp);
}

void append_temperatures(std::string& out, const thermal_gpu_state& gpu) {
  append_temperatures(out, "max", gpu.run_has_gpu_temp, gpu.run_max_gpu_temp, gpu.run_has_mem_temp,
                      gpu.run_max_mem_temp);
}

std::int64_t seconds(std::int64_t ns) noexcept {
  return ns / ns_per_second;
}

}  // namespace

thermal_throttle_detector::thermal_throttle_detector(const thermal_throttle_config& config)
    : config_(config), clock_(config.max_sample_gap_ns) {
  if (config_.sustain_samples == 0) config_.sustain_samples = 1;
  if (config_.max_gpus == 0) config_.max_gpus = 1;
  // Sized once, so that a fresh detector's first GPUs and findings do not grow them step by
  // step: the index's buckets for a typical node set (it still grows past that, up to the
  // cap), the scratch key and the message for their usual lengths.
  index_.reserve(std::min<std::size_t>(config_.max_gpus, 256));
  snapshot_.contexts.resize(snapshot_.reader.max_nodes());
  for (pending_snapshot& p : snapshot_.contexts)
    p.node.reserve(255);
  key_.reserve(128);
  message_.reserve(256);
}

void thermal_throttle_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  // A line goes to the nvidia-smi -q reader while a report's block is open (the reader says
  // when it ends), and otherwise only when it can open one; then to the DCGM match only when it
  // can be a metric of ours. A line that opens with a metric name's first byte while no report
  // is open (most of a scrape) skips both tests.
  if (ev.line.empty() || ev.line[0] != 'D' || snapshot_.reader.any_block()) {
    if ((snapshot_.reader.any_block() || nvsmi_query_reader::may_open_block(ev.line)) &&
        on_nvsmi(ev, sink))
      return;
    if (!internal::may_be_dcgm(ev.line)) return;
  }
  dcgm_identity_labels id_labels;
  const internal::dcgm_line_match<metric_info> match = internal::match_dcgm_line(
      metric_table, ev.line, id_labels.capture, internal::dcgm_family_prefix, &metric_index);
  if (match.info == nullptr) {
    if (match.malformed) ++stats_.malformed;
    return;
  }
  const metric_info* info = match.info;
  const prom_sample& sample = match.sample;
  const bool blank = is_dcgm_blank(sample.value);
  const bool integral =
      info->kind != metric_kind::gpu_temp && info->kind != metric_kind::memory_temp;
  std::optional<std::uint64_t> mask;
  if (!blank) {
    if (integral) {
      mask = sample.value.as_uint64();
      if (!mask) {  // a bitmask, a count or a duration is a non-negative integer
        ++stats_.malformed;
        return;
      }
    } else if (!std::isfinite(sample.value.value)) {
      ++stats_.malformed;
      return;
    }
  }
  std::uint64_t event_bit = 0;
  if (info->kind == metric_kind::event_counts) {
    // Which reason the count is of: clock_event (DCGM_EXP_...) or throttle_reason (the older
    // name); a count of no known reason cannot be used.
    std::optional<prom_label> reason = sample.label("clock_event");
    if (!reason) reason = sample.label("throttle_reason");
    if (reason)
      for (const reason_bit& r : exporter_reason_names)
        if (r.name == reason->raw_value) event_bit = r.bit;
    if (event_bit == 0) {
      ++stats_.malformed;
      return;
    }
  }
  char id_buffer[512];
  dcgm_gpu_id id;
  if (!dcgm_gpu_identity(id_labels, id_buffer, id)) {
    ++stats_.malformed;  // no GPU to attribute the sample to
    return;
  }
  ++stats_.recognised;
  if (blank) return;

  if (info->kind == metric_kind::other_violation) return;  // not thermal: nothing to track

  DETECTORS_PHASE(state);
  const std::string_view node = ev.node.empty() ? id.host : ev.node;
  if (clock_.late(node, ev)) [[unlikely]] {
    ++stats_.late;
    return;
  }
  thermal_gpu_state& gpu = touch(node, id.subject, ev.ts_ns);

  switch (info->kind) {
    case metric_kind::reasons:
      on_reasons(gpu, *mask, ev.ts_ns, config_.sustain_samples, false, sink);
      break;
    case metric_kind::event_counts:
      on_event_count(gpu, event_bit, *mask, sample, ev.ts_ns, sink);
      break;
    case metric_kind::thermal_violation:
      on_thermal_violation(gpu, *mask, ev.ts_ns, sink);
      break;
    default:
      on_temperature(gpu, info->kind == metric_kind::memory_temp, sample.value.value, ev.ts_ns);
      break;
  }
}

bool thermal_throttle_detector::on_nvsmi(const event& ev, finding_sink& sink) {
  const std::string_view node = ev.node.empty() ? std::string_view("unknown") : ev.node;
  const nvsmi_line l = snapshot_.reader.read(node, ev.line);
  if (l.ends_block) flush_snapshot(l.context, sink);
  // A report's line: reading it was parsing (phase.h).
  DETECTORS_PHASE(parse);
  switch (tally(l, thermal_section(l.section))) {
    case nvsmi_tally::not_ours:
      return false;
    case nvsmi_tally::malformed:
      ++stats_.malformed;
      return true;
    case nvsmi_tally::header:
      ++stats_.recognised;
      return true;
    case nvsmi_tally::other_section:
      return true;  // hbm_ecc's sections
    case nvsmi_tally::mine:
      break;
  }
  ++stats_.recognised;
  if (l.kind != nvsmi_line_kind::field) return true;
  const bool reason = l.field == nvsmi_field::clocks_event_reason &&
                      (l.value == nvsmi_value::yes || l.value == nvsmi_value::no);
  const bool temperature =
      (l.field == nvsmi_field::gpu_current_temp || l.field == nvsmi_field::memory_current_temp) &&
      l.value == nvsmi_value::number;
  // Of the counters only the thermal ones are evidence here (power capping, sync boost and
  // power braking time are read, not tracked).
  const bool counter = l.field == nvsmi_field::clocks_event_counter &&
                       l.value == nvsmi_value::number &&
                       (l.reason_bit == sw_thermal || l.reason_bit == hw_thermal);
  if (!reason && !temperature && !counter) return true;

  DETECTORS_PHASE(state);
  const std::string_view gpu_id = snapshot_.reader.gpu();
  const std::string_view subject = gpu_id.empty() ? std::string_view("unknown") : gpu_id;
  if (temperature) {
    thermal_gpu_state& gpu = touch(node, subject, ev.ts_ns);
    on_temperature(gpu, l.field == nvsmi_field::memory_current_temp, static_cast<double>(l.number),
                   ev.ts_ns);
    return true;
  }
  // The reasons are one sample of the GPU, complete when its block ends (the temperatures
  // further down the block belong to it).
  pending_snapshot& p = snapshot_.contexts[l.context];
  if (!p.pending) {
    p.pending = true;
    p.node.assign(node);
    // Empty for a block read without its GPU header: flush_snapshot names it "unknown".
    std::copy(gpu_id.begin(), gpu_id.end(), p.gpu.begin());
    p.gpu_size = gpu_id.size();
  }
  p.ts_ns = ev.ts_ns;
  if (counter) {
    const std::size_t k = l.reason_bit == hw_thermal ? 1 : 0;
    p.counter_seen[k] = true;
    p.counter_us[k] = static_cast<std::uint64_t>(l.number);  // the reader checks it is >= 0
    return true;
  }
  p.has_reasons = true;
  if (l.value == nvsmi_value::yes) p.mask |= l.reason_bit;
  return true;
}

void thermal_throttle_detector::flush_snapshot(std::size_t context, finding_sink& sink) {
  pending_snapshot& p = snapshot_.contexts[context];
  if (!p.pending) return;
  std::uint64_t mask = p.mask;
  bool sample = p.has_reasons;
  const std::array<bool, 2> seen = p.counter_seen;
  const std::array<std::uint64_t, 2> us = p.counter_us;
  p.pending = p.has_reasons = false;
  p.mask = 0;
  p.counter_seen = {};
  DETECTORS_PHASE(state);
  const bool known_gpu = p.gpu_size != 0;
  thermal_gpu_state& gpu =
      touch(p.node, known_gpu ? std::string_view(p.gpu.data(), p.gpu_size) : "unknown", p.ts_ns);
  // The thermal slowdown counters are cumulative: the Active flags above them show the one
  // instant the report was taken, the counters whether the GPU slowed down for heat at any
  // time since the previous report. That is what thermal_throttle tracks, so a counter that
  // rose is a thermal sample as much as an Active flag is (as DCGM_FI_DEV_THERMAL_VIOLATION
  // rising is); one that did not rise, with nothing Active, is a cool one. A GPU's first
  // counters are a baseline, and a decrease a reset (driver reload): neither says anything
  // about the time between, so a report with counters only is then no sample at all.
  // Counters are compared only between reports of one GPU: those of a block without its GPU
  // header (a paste, or a node whose reader context was taken) may be any of the node's GPUs'.
  // A report older than the GPU's last counters is late: its counters would read as a reset
  // and make the next report's unchanged ones a rise.
  if (known_gpu && (seen[0] || seen[1]) && gpu.have_thermal_us_ns && p.ts_ns < gpu.thermal_us_ns)
      [[unlikely]] {
    ++stats_.late;
    return;
  }
  static constexpr std::array<std::uint64_t, 2> rose_bits = {sw_thermal_time, hw_thermal_time};
  for (std::size_t k = 0; k < 2; ++k) {
    if (!seen[k] || !known_gpu) continue;
    if (gpu.have_thermal_us[k] && us[k] >= gpu.thermal_us[k]) {
      sample = true;
      if (us[k] > gpu.thermal_us[k]) mask |= rose_bits[k];
    }
    gpu.have_thermal_us[k] = true;
    gpu.thermal_us[k] = us[k];
    gpu.have_thermal_us_ns = true;
    gpu.thermal_us_ns = p.ts_ns;
  }
  if (!sample) return;
  // An operator's snapshot is one look: what it shows is reported at once.
  on_reasons(gpu, mask, p.ts_ns, 1, true, sink);
}

void thermal_throttle_detector::finish(finding_sink& sink) {
  for (std::size_t i = 0; i < snapshot_.contexts.size(); ++i)
    flush_snapshot(i, sink);
}

void thermal_throttle_detector::on_event_count(thermal_gpu_state& gpu, std::uint64_t bit,
                                               std::uint64_t count, const prom_sample& sample,
                                               std::int64_t ts_ns, finding_sink& sink) {
  if ((bit & (sw_thermal | hw_thermal)) == 0) return;  // only thermal counts are tracked
  if (count < config_.sustain_samples) {
    if (count == 0) gpu.window_active = false;
    return;
  }
  // The exporter saw the reason at least K times within its window: a sustained episode. It
  // is reported once; it ends when no such count comes for max_sample_gap_ns.
  const bool fresh = !gpu.window_active || ts_ns - gpu.window_last_ns > config_.max_sample_gap_ns;
  gpu.window_active = true;
  gpu.window_last_ns = ts_ns;
  if (!fresh || gpu.active) return;
  DETECTORS_PHASE(emit);
  const std::optional<prom_label> window = sample.label("window_size_in_ms");
  message_.clear();
  fmt::format_to(std::back_inserter(message_),
                 "thermal throttling: dcgm-exporter counted {} {} times within its {} ms window; ",
                 bit == hw_thermal ? "hw_thermal" : "sw_thermal", count,
                 window ? window->raw_value : std::string_view("?"));
  append_temperatures(
      message_, "now", gpu.have_gpu_temp && ts_ns - gpu.gpu_temp_ns <= config_.temp_freshness_ns,
      gpu.gpu_temp, gpu.have_mem_temp && ts_ns - gpu.mem_temp_ns <= config_.temp_freshness_ns,
      gpu.mem_temp);
  emit(gpu, severity::warning, "thermal_throttle_start", ts_ns, ts_ns, count,
       bit == hw_thermal ? action::drain_node : action::observe, sink);
}

void thermal_throttle_detector::on_thermal_violation(thermal_gpu_state& gpu, std::uint64_t total,
                                                     std::int64_t ts_ns, finding_sink& sink) {
  // A cumulative duration: the first sample is a baseline, a decrease a reset (driver reload).
  const bool rose = gpu.have_violation && total > gpu.violation;
  const bool baseline = !gpu.have_violation || total < gpu.violation;
  gpu.have_violation = true;
  gpu.violation = total;
  if (baseline) return;
  on_reasons(gpu, rose ? thermal_violation : 0, ts_ns, config_.sustain_samples, false, sink);
}

void thermal_throttle_detector::on_temperature(thermal_gpu_state& gpu, bool memory, double celsius,
                                               std::int64_t ts_ns) {
  if (memory) {
    gpu.have_mem_temp = true;
    gpu.mem_temp = celsius;
    gpu.mem_temp_ns = ts_ns;
  } else {
    gpu.have_gpu_temp = true;
    gpu.gpu_temp = celsius;
    gpu.gpu_temp_ns = ts_ns;
  }
  if (gpu.run == 0) return;
  // During a run every reading counts towards its maximum.
  if (memory) {
    gpu.run_max_mem_temp = gpu.run_has_mem_temp ? std::max(gpu.run_max_mem_temp, celsius) : celsius;
    gpu.run_has_mem_temp = true;
  } else {
    gpu.run_max_gpu_temp = gpu.run_has_gpu_temp ? std::max(gpu.run_max_gpu_temp, celsius) : celsius;
    gpu.run_has_gpu_temp = true;
  }
}

void thermal_throttle_detector::on_reasons(thermal_gpu_state& gpu, std::uint64_t mask,
                                           std::int64_t ts_ns, std::uint32_t required,
                                           bool snapshot, finding_sink& sink) {
  if (gpu.have_sample) {
    const std::int64_t since = ts_ns - gpu.last_sample_ns;
    if (since < config_.min_sample_interval_ns) return;  // same scrape (or out of order)
    if (since > config_.max_sample_gap_ns) {
      // Not consecutive: whatever the GPU did in between is unknown.
      if (gpu.active) {
        end_run(gpu, gpu.run_last_ns, 0, true, sink);
        DETECTORS_PHASE(state);
      }
      gpu.run = 0;
      gpu.braking = false;
    }
  }
  gpu.have_sample = true;
  gpu.last_sample_ns = ts_ns;

  if (is_thermal(mask)) {
    if (gpu.run == 0) {
      gpu.run_first_ns = ts_ns;
      gpu.run_reasons = 0;
      // The reading just before the run (the same scrape, usually) belongs to it.
      gpu.run_has_gpu_temp =
          gpu.have_gpu_temp && ts_ns - gpu.gpu_temp_ns <= config_.temp_freshness_ns;
      gpu.run_max_gpu_temp = gpu.gpu_temp;
      gpu.run_has_mem_temp =
          gpu.have_mem_temp && ts_ns - gpu.mem_temp_ns <= config_.temp_freshness_ns;
      gpu.run_max_mem_temp = gpu.mem_temp;
    }
    ++gpu.run;
    gpu.run_last_ns = ts_ns;
    gpu.run_reasons |= mask;
    if (!gpu.active && gpu.run >= required) {
      gpu.active = true;
      DETECTORS_PHASE(emit);
      message_.clear();
      if (snapshot) {
        message_ += "thermal throttling in an nvidia-smi -q report: ";
      } else {
        fmt::format_to(std::back_inserter(message_),
                       "thermal throttling for {} consecutive samples ({} s): ", gpu.run,
                       seconds(ts_ns - gpu.run_first_ns));
      }
      append_reasons(message_, gpu.run_reasons);
      message_ += "; ";
      append_temperatures(message_, gpu);
      // HW thermal slowdown means the GPU hit its hardware limit: cooling needs a look.
      const action act =
          (gpu.run_reasons & (hw_thermal | hw_thermal_time)) ? action::drain_node : action::observe;
      emit(gpu, severity::warning, "thermal_throttle_start", gpu.run_first_ns, ts_ns, gpu.run, act,
           sink);
      DETECTORS_PHASE(state);
    }
  } else {
    if (gpu.active) {
      end_run(gpu, ts_ns, mask, false, sink);
      DETECTORS_PHASE(state);
    }
    gpu.run = 0;
  }

  if (mask & hw_power_brake) {
    if (!gpu.braking) {
      gpu.braking = true;
      DETECTORS_PHASE(emit);
      message_.clear();
      message_ += "hardware power brake: clocks cut on the board's power-brake signal; ";
      append_reasons(message_, mask);
      emit(gpu, severity::info, "power_brake", ts_ns, ts_ns, 1, action::observe, sink);
    }
  } else {
    gpu.braking = false;
  }
}

void thermal_throttle_detector::end_run(thermal_gpu_state& gpu, std::int64_t end_ns,
                                        std::uint64_t now_mask, bool samples_stopped,
                                        finding_sink& sink) {
  DETECTORS_PHASE(emit);  // callers mark their return to state
  message_.clear();
  fmt::format_to(std::back_inserter(message_), "thermal throttling ended after {} s ({} samples): ",
                 seconds(end_ns - gpu.run_first_ns), gpu.run);
  append_reasons(message_, gpu.run_reasons);
  message_ += "; ";
  append_temperatures(message_, gpu);
  if (samples_stopped) {
    message_ += "; no samples since the last thermal one";
  } else {
    message_ += "; now ";
    append_reasons(message_, now_mask);
  }
  emit(gpu, severity::info, "thermal_throttle_end", gpu.run_first_ns, end_ns, gpu.run,
       action::observe, sink);
  gpu.active = false;
  gpu.run = 0;
}

void thermal_throttle_detector::emit(const thermal_gpu_state& gpu, severity sev,
                                     std::string_view kind, std::int64_t first_ns,
                                     std::int64_t last_ns, std::uint64_t count, action act,
                                     finding_sink& sink) {
  finding f;
  f.detector = detector_name;
  f.node = internal::gpu_node(gpu);
  f.subject = internal::gpu_subject(gpu);
  f.sev = sev;
  f.kind = kind;
  f.message = message_;
  f.first_ns = first_ns;
  f.last_ns = last_ns;
  f.count = count;
  f.recommended = act;
  ++stats_.findings;
  sink.on_finding(f);
}

thermal_gpu_state& thermal_throttle_detector::touch(std::string_view node, std::string_view subject,
                                                    std::int64_t ts_ns) {
  // An open episode of an evicted GPU is dropped: without samples there is no end to report.
  return internal::touch_lru_gpu(gpus_, index_, pool_, key_, node, subject, ts_ns,
                                 config_.gpu_idle_evict_ns, config_.max_gpus,
                                 [this](gpu_list::iterator it) { erase(it); });
}

void thermal_throttle_detector::erase(gpu_list::iterator it) {
  internal::park_lru_gpu(gpus_, index_, pool_, it);
}

std::unique_ptr<detector> make_thermal_throttle_detector() {
  return make_thermal_throttle_detector(thermal_throttle_config{});
}

std::unique_ptr<detector> make_thermal_throttle_detector(const thermal_throttle_config& config) {
  return std::make_unique<thermal_throttle_detector>(config);
}

}  // namespace detectors
