// File: dcgm_metric_match.h
// Recognising the lines of a DCGM detector (hbm_ecc, thermal_throttle): a cheap prefix check,
// lookup of the metric name in the detector's own metric table, telling a name cut short by
// truncation from a metric that is simply not ours, then the full Prometheus parse (which
// captures the labels the detector asks for on the way). Private to the detectors. Marks the start
// of the parse phase (phase.h) for both detectors: everything before it is rejection.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "detectors/phase.h"
#include "detectors/prometheus_line.h"

namespace detectors::internal {

// Every metric a DCGM detector reads starts with the device-field prefix...
inline constexpr std::string_view dcgm_prefix = "DCGM_FI_DEV_";
// ...or, for the fields dcgm-exporter computes itself (DCGM_EXP_CLOCK_EVENTS_COUNT and its
// older name DCGM_FI_EXP_CLOCK_THROTTLE_REASONS_COUNT), with the family's prefix. Names are
// still told apart by the word at dcgm_prefix.size() (every name is long enough).
inline constexpr std::string_view dcgm_family_prefix = "DCGM_";

inline std::string_view skip_leading_blanks(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
  return s.substr(i);
}

inline std::string_view trim_trailing(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The 8 bytes after the device-field prefix, where a DCGM detector's metric names of one
// length differ (ECC_SBE_VOL_TOTAL, ECC_DBE_AGG_TOTAL...); callers check the size first.
inline std::uint64_t word_after_prefix(std::string_view name) noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, name.data() + dcgm_prefix.size(), sizeof w);
  return w;
}

// a == b for names of one size of at least 8 bytes, eight bytes at a time (the last eight
// overlapping the rest), without a call to memcmp.
inline bool same_long_name(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  std::uint64_t x;
  std::uint64_t y;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, a.data() + i, sizeof x);
    std::memcpy(&y, b.data() + i, sizeof y);
    if (x != y) return false;
  }
  std::memcpy(&x, a.data() + n - 8, sizeof x);
  std::memcpy(&y, b.data() + n - 8, sizeof y);
  return x == y;
}

// A table's entries by the length of their names (bit k of by_length[n]: entry k's name has
// n bytes; [63] holds all longer ones), built at compile time, so that a line is compared only
// with the names of its length: most of another detector's metrics are rejected at once.
struct name_index {
  std::array<std::uint32_t, 64> by_length{};
};
template <typename Info, std::size_t N>
constexpr name_index index_names(const std::array<Info, N>& table) noexcept {
  static_assert(N <= 32, "a name_index holds up to 32 names");
  name_index index;
  for (std::size_t k = 0; k < N; ++k)
    index.by_length[table[k].name.size() < 63 ? table[k].name.size() : 63] |= std::uint32_t{1} << k;
  return index;
}

// The entry of `table` (elements with a `name`) for metric `name`, or null. Names are
// compared in full only when their length and the word after the prefix agree: most lines
// name one metric of several of the same length. `index` (index_names(table)) spares the walk
// over the names of other lengths.
template <typename Info, std::size_t N>
const Info* find_metric(const std::array<Info, N>& table, std::string_view name,
                        const name_index* index = nullptr) noexcept {
  if (index != nullptr && name.size() >= dcgm_prefix.size() + sizeof(std::uint64_t)) {
    const std::uint64_t word = word_after_prefix(name);
    for (std::uint32_t c = index->by_length[name.size() < 63 ? name.size() : 63]; c != 0;
         c &= c - 1) {
      const Info& m = table[static_cast<std::size_t>(std::countr_zero(c))];
      if (m.name.size() == name.size() && word_after_prefix(m.name) == word &&
          same_long_name(m.name, name))
        return &m;
    }
    return nullptr;
  }
  if (name.size() < dcgm_prefix.size() + sizeof(std::uint64_t)) {
    for (const Info& m : table)
      if (m.name == name) return &m;
    return nullptr;
  }
  const std::uint64_t word = word_after_prefix(name);
  for (const Info& m : table)
    if (m.name.size() == name.size() && word_after_prefix(m.name) == word && m.name == name)
      return &m;
  return nullptr;
}

// A line that stops inside one of the table's metric names ("DCGM_FI_DEV_ECC_DB") was cut
// short; one that stops within the device-field prefix says too little to be anyone's.
template <typename Info, std::size_t N>
bool is_truncated_name(const std::array<Info, N>& table, std::string_view line,
                       std::string_view name) noexcept {
  if (name.size() <= dcgm_prefix.size() || trim_trailing(line).size() != name.size()) return false;
  for (const Info& m : table)
    if (m.name.substr(0, name.size()) == name) return true;
  return false;
}

// Whether a line can be a DCGM detector's at all: its first byte after any blanks is the 'D'
// every DCGM metric name opens with. Checked before anything is set up for a match, since most
// lines of a mixed stream are other formats'.
inline bool may_be_dcgm(std::string_view raw) noexcept {
  std::size_t i = 0;
  while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t'))
    ++i;
  return i < raw.size() && raw[i] == 'D';
}

// What a line is to a DCGM detector.
template <typename Info>
struct dcgm_line_match {
  const Info* info = nullptr;  // the table entry; null when the line is not a sample of ours
  bool malformed = false;      // ours, but cut short or not a valid sample
  prom_sample sample;          // valid when info is set
};

// `labels` captures the labels a detector reads (one walk over them, during the parse).
// `prefix` is what every name of the table starts with (dcgm_prefix, or dcgm_family_prefix
// for a table with exporter-computed fields); `index` is index_names(table), for tables
// whose walk is worth sparing.
template <typename Info, std::size_t N>
dcgm_line_match<Info> match_dcgm_line(const std::array<Info, N>& table, std::string_view raw,
                                      prom_label_capture& labels,
                                      std::string_view prefix = dcgm_prefix,
                                      const name_index* index = nullptr) noexcept {
  // Each return builds its result in place: a line of ours is not first zeroed and then
  // overwritten (most of a scrape's lines are ours).
  const std::string_view line = skip_leading_blanks(raw);
  // Cheap rejection: every line of ours starts with the table's prefix.
  if (line.substr(0, prefix.size()) != prefix) return {};
  const std::string_view name = prometheus_metric_name(line);
  const Info* info = find_metric(table, name, index);
  if (info == nullptr) return {nullptr, is_truncated_name(table, line, name), {}};
  // A metric of ours: from here on the work is parsing (phase.h). The name is read once:
  // the parse carries on after it.
  DETECTORS_PHASE(parse);
  const prom_parse_result parsed = parse_prometheus_line_after_name(line, name.size(), labels);
  if (parsed.kind != prom_line_kind::sample) return {nullptr, true, {}};
  return {info, false, parsed.sample};
}

}  // namespace detectors::internal
