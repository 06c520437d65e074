// File: prometheus_line.h
// An allocation-free parser for one line of the Prometheus text exposition format, the format
// dcgm-exporter serves (and the hbm_ecc and thermal_throttle detectors read):
//
//   METRIC{label="value",...} VALUE [TIMESTAMP]
//   DCGM_FI_DEV_GPU_TEMP{gpu="0", UUID="GPU-5fd4e1b2-..."} 41 1732000000000
//   # HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).
//
// Labels come in any order, with optional spaces around names, '=' and commas, an optional
// trailing comma, and escaped values (\" \\ \n). Values are parsed twice over: as the nearest
// double and, when written as an integer, exactly, because 64-bit counters and DCGM's blank
// sentinels (9223372036854775792...) are not representable as doubles and must be compared
// exactly. Every result points into the caller's line; nothing is copied or allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace detectors {

enum class prom_line_kind : std::uint8_t {
  sample,      // METRIC[{labels}] VALUE [TIMESTAMP]
  not_sample,  // empty, blank, or a comment (# HELP, # TYPE, # anything)
  malformed,   // neither: truncated or invalid
};

// A sample value as written.
struct prom_number {
  double value = 0;             // nearest double; NaN and +/-Inf as written
  bool integer = false;         // written as [+-]digits and fits in 64 bits: magnitude is exact
  bool negative = false;        // sign, when integer
  std::uint64_t magnitude = 0;  // |value| exactly, when integer

  // The value as an exact non-negative integer: from the integer text, or from a double that
  // holds an integer exactly (at most 2^53, e.g. "12.000000"). nullopt otherwise.
  std::optional<std::uint64_t> as_uint64() const noexcept;
  // The same for signed values that fit in int64.
  std::optional<std::int64_t> as_int64() const noexcept;
};

struct prom_label {
  std::string_view name;
  std::string_view raw_value;  // between the quotes, escapes not undone
  bool escaped = false;        // raw_value contains a backslash: undo with unescape_label_value
};

// Walks the labels of a parsed sample (its `labels` text has already been validated).
class prom_label_cursor {
 public:
  explicit prom_label_cursor(std::string_view labels) noexcept : rest_(labels) {}
  // The next label, or false at the end.
  bool next(prom_label& out) noexcept;

 private:
  std::string_view rest_;
};

struct prom_sample {
  std::string_view metric;
  std::string_view labels;  // the text between the braces (validated); empty without braces
  prom_number value;
  bool has_timestamp = false;
  std::int64_t timestamp_ms = 0;  // as written; detectors take time from the envelope

  // The first label of that name (names are case-sensitive), or nullopt.
  std::optional<prom_label> label(std::string_view name) const noexcept;
};

struct prom_parse_result {
  prom_line_kind kind = prom_line_kind::malformed;
  prom_sample sample;      // valid when kind == sample
  std::string_view error;  // a static description when kind == malformed
};

// A set of label names to pick out while a line is parsed (at most 32, all different),
// indexed by length at compile time, so that the parse tells in one lookup whether a label
// can be one of them.
class prom_label_names {
 public:
  constexpr explicit prom_label_names(std::span<const std::string_view> names) noexcept
      : names_(names) {
    for (std::size_t k = 0; k < names.size() && k < 32; ++k) {
      const std::uint32_t bit = std::uint32_t{1} << k;
      if (names[k].size() < by_size_.size()) {
        by_size_[names[k].size()] |= bit;
      } else {
        longer_ |= bit;
      }
    }
  }

  std::span<const std::string_view> names() const noexcept { return names_; }
  // Bit k set when names()[k] may have `size` bytes.
  std::uint32_t candidates(std::size_t size) const noexcept {
    return size < by_size_.size() ? by_size_[size] : longer_;
  }

 private:
  std::span<const std::string_view> names_;
  std::array<std::uint32_t, 64> by_size_{};
  std::uint32_t longer_ = 0;
};

// Labels picked out while a line is parsed: the first label named names->names()[k] is
// stored in labels[k] and sets bit k of `found`. One walk over the labels, where each
// prom_sample::label() call would walk them again from the start.
struct prom_label_capture {
  const prom_label_names* names = nullptr;
  std::span<prom_label> labels;  // one slot per name
  std::uint32_t found = 0;       // set by the parse (meaningful for a sample only)
};

// Parses one line (without its newline; a trailing '\r' is tolerated).
prom_parse_result parse_prometheus_line(std::string_view line) noexcept;
// The same, capturing labels on the way.
prom_parse_result parse_prometheus_line(std::string_view line,
                                        prom_label_capture& capture) noexcept;
// The same for a line whose metric name the caller has already read: `line` starts with it (no
// leading blanks) and metric_size == prometheus_metric_name(line).size() > 0. Skips reading
// the name a second time; the verdict is parse_prometheus_line's.
prom_parse_result parse_prometheus_line_after_name(std::string_view line, std::size_t metric_size,
                                                   prom_label_capture& capture) noexcept;

// The metric name a line starts with (after leading blanks), without looking further: the
// cheap first check that lets a detector reject other metrics before parsing. Empty for a
// comment or anything that does not start with a metric name.
std::string_view prometheus_metric_name(std::string_view line) noexcept;

// The label value with its escapes undone (\" -> ", \\ -> \, \n -> newline; any other escaped
// character is kept with its backslash, as Prometheus does). Returns raw_value itself when
// nothing is escaped, a view into `buffer` otherwise, and nullopt when `buffer` is too small.
std::optional<std::string_view> unescape_label_value(const prom_label& label,
                                                     std::span<char> buffer) noexcept;

// DCGM reports "no value" in integer fields with sentinels just below INT64_MAX:
// DCGM_INT64_BLANK (...792), NOT_FOUND (...793), NOT_SUPPORTED (...794), NOT_PERMISSIONED
// (...795). Older dcgm-exporter releases print them as values; they mean "nothing measured".
inline constexpr std::uint64_t dcgm_int64_blank = 9223372036854775792ULL;
inline constexpr std::uint64_t dcgm_int64_not_permissioned = 9223372036854775795ULL;

// True for one of DCGM's int64 blank sentinels (compared exactly).
bool is_dcgm_blank(const prom_number& v) noexcept;

// The GPU a dcgm-exporter sample describes, from whichever labels its exporter generation set.
struct dcgm_gpu_id {
  // The UUID label (or `uuid`), else pci_bus_id, else "gpu" + the gpu index ("gpu3").
  std::string_view subject;
  // The Hostname (or `hostname`) label; empty when absent.
  std::string_view host;
};

// The labels dcgm_gpu_identity reads, in its order of preference.
inline constexpr std::array<std::string_view, 6> dcgm_identity_label_names = {
    "UUID", "uuid", "pci_bus_id", "gpu", "Hostname", "hostname"};

inline constexpr prom_label_names dcgm_identity_label_set{dcgm_identity_label_names};

// Storage for those labels and the capture that fills it during the parse. Not copyable: the
// capture points into the object's own storage.
struct dcgm_identity_labels {
  std::array<prom_label, dcgm_identity_label_names.size()> labels;
  prom_label_capture capture{&dcgm_identity_label_set, labels};

  dcgm_identity_labels() = default;
  dcgm_identity_labels(const dcgm_identity_labels&) = delete;
  dcgm_identity_labels& operator=(const dcgm_identity_labels&) = delete;
};

// Fills `out` with escapes undone; subject and host may point into `buffer`. False when the
// sample names no GPU (no non-empty UUID, pci_bus_id or gpu label) or `buffer` is too small.
bool dcgm_gpu_identity(const prom_sample& s, std::span<char> buffer, dcgm_gpu_id& out) noexcept;
// The same from labels captured while the sample was parsed (no further walk over its labels).
bool dcgm_gpu_identity(const dcgm_identity_labels& labels, std::span<char> buffer,
                       dcgm_gpu_id& out) noexcept;

}  // namespace detectors
