// File: prometheus_line_reference.h
// The Prometheus line parser as it was before the single-pass, SSE2 rewrite (byte loops, one
// walk over the labels per label looked up), kept verbatim as the oracle of
// prometheus_line_test's differential tests: the rewrite must give the same verdict, error,
// fields and GPU identity for every line. Test-only.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include "detectors/prometheus_line.h"

namespace detectors::reference {
namespace {  // included by prometheus_line_test.cpp only

constexpr std::size_t npos = std::string_view::npos;

constexpr bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t';
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_metric_start(char c) noexcept {
  return is_alpha(c) || c == '_' || c == ':';
}
constexpr bool is_metric_char(char c) noexcept {
  return is_metric_start(c) || is_digit(c);
}
constexpr bool is_label_start(char c) noexcept {
  return is_alpha(c) || c == '_';
}
constexpr bool is_label_char(char c) noexcept {
  return is_label_start(c) || is_digit(c);
}

std::size_t skip_blanks(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_blank(s[i]))
    ++i;
  return i;
}

std::size_t token_end(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && !is_blank(s[i]))
    ++i;
  return i;
}

// One `name = "value"` starting at s[i]. Returns the index after the closing quote, or npos
// with `error` set.
std::size_t scan_label(std::string_view s, std::size_t i, prom_label& out,
                       std::string_view& error) noexcept {
  if (i >= s.size() || !is_label_start(s[i])) {
    error = "expected a label name";
    return npos;
  }
  const std::size_t name_start = i;
  while (i < s.size() && is_label_char(s[i]))
    ++i;
  out.name = s.substr(name_start, i - name_start);
  i = skip_blanks(s, i);
  if (i >= s.size() || s[i] != '=') {
    error = "expected '=' after a label name";
    return npos;
  }
  i = skip_blanks(s, i + 1);
  if (i >= s.size() || s[i] != '"') {
    error = "expected a quoted label value";
    return npos;
  }
  const std::size_t value_start = ++i;
  out.escaped = false;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\') {
      if (i + 1 >= s.size()) break;
      out.escaped = true;
      i += 2;
    } else {
      ++i;
    }
  }
  if (i >= s.size()) {
    error = "unterminated label value";
    return npos;
  }
  out.raw_value = s.substr(value_start, i - value_start);
  return i + 1;
}

// The label set starting after '{' at s[i]. Returns the index of the closing '}' or npos.
std::size_t scan_labels(std::string_view s, std::size_t i, std::string_view& error) noexcept {
  i = skip_blanks(s, i);
  for (;;) {
    if (i >= s.size()) {
      error = "unterminated label set";
      return npos;
    }
    if (s[i] == '}') return i;  // empty set, or after a trailing comma
    prom_label label;
    i = scan_label(s, i, label, error);
    if (i == npos) return npos;
    i = skip_blanks(s, i);
    if (i >= s.size()) {
      error = "unterminated label set";
      return npos;
    }
    if (s[i] == '}') return i;
    if (s[i] != ',') {
      error = "expected ',' or '}' after a label";
      return npos;
    }
    i = skip_blanks(s, i + 1);
  }
}

bool all_digits(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// Decimal digits into a uint64; false on overflow.
bool parse_magnitude(std::string_view digits, std::uint64_t& out) noexcept {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t m = 0;
  for (char c : digits) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (m > (max - d) / 10) return false;
    m = m * 10 + d;
  }
  out = m;
  return true;
}

bool parse_number(std::string_view t, prom_number& out) noexcept {
  if (t.empty()) return false;
  const bool has_sign = t[0] == '+' || t[0] == '-';
  const bool negative = t[0] == '-';
  const std::string_view unsigned_part = has_sign ? t.substr(1) : t;
  out = prom_number{};
  if (all_digits(unsigned_part) && parse_magnitude(unsigned_part, out.magnitude)) {
    out.integer = true;
    out.negative = negative && out.magnitude != 0;
    const auto d = static_cast<double>(out.magnitude);
    out.value = negative ? -d : d;
    return true;
  }
  // from_chars takes no leading '+' (Prometheus writes "+Inf"), and must not see a second sign.
  std::string_view f = t[0] == '+' ? t.substr(1) : t;
  if (f.empty() || (t[0] == '+' && (f[0] == '+' || f[0] == '-'))) return false;
  double d = 0;
  const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), d);
  if (ec != std::errc{} || end != f.data() + f.size()) return false;
  out.value = d;
  return true;
}

bool parse_timestamp(std::string_view t, std::int64_t& out) noexcept {
  const bool negative = !t.empty() && t[0] == '-';
  const std::string_view digits = negative ? t.substr(1) : t;
  std::uint64_t m = 0;
  if (!all_digits(digits) || !parse_magnitude(digits, m)) return false;
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (m > max + (negative ? 1 : 0)) return false;
  // -(2^63) has no positive int64 counterpart: build it from -(m - 1) - 1.
  out = negative ? (m == 0 ? 0 : -static_cast<std::int64_t>(m - 1) - 1)
                 : static_cast<std::int64_t>(m);
  return true;
}

prom_parse_result fail(std::string_view error) noexcept {
  prom_parse_result r;
  r.kind = prom_line_kind::malformed;
  r.error = error;
  return r;
}

bool next_label(std::string_view& rest_, prom_label& out) noexcept {
  std::size_t i = 0;
  while (i < rest_.size() && (is_blank(rest_[i]) || rest_[i] == ','))
    ++i;
  if (i >= rest_.size()) {
    rest_ = {};
    return false;
  }
  std::string_view error;
  const std::size_t after = scan_label(rest_, i, out, error);
  if (after == npos) {  // only for text that did not come from parse_prometheus_line
    rest_ = {};
    return false;
  }
  rest_.remove_prefix(after);
  return true;
}

std::optional<prom_label> label(const prom_sample& s, std::string_view name) noexcept {
  std::string_view rest = s.labels;
  prom_label l;
  while (next_label(rest, l))
    if (l.name == name) return l;
  return std::nullopt;
}

std::string_view metric_name(std::string_view line) noexcept {
  const std::size_t start = skip_blanks(line, 0);
  if (start >= line.size() || !is_metric_start(line[start])) return {};
  std::size_t i = start;
  while (i < line.size() && is_metric_char(line[i]))
    ++i;
  return line.substr(start, i - start);
}

prom_parse_result parse_line(std::string_view line) noexcept {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t i = skip_blanks(line, 0);
  if (i >= line.size() || line[i] == '#') {
    prom_parse_result r;
    r.kind = prom_line_kind::not_sample;
    return r;
  }

  prom_sample s;
  s.metric = metric_name(line);
  if (s.metric.empty()) return fail("expected a metric name");
  const std::size_t name_end = i + s.metric.size();
  i = skip_blanks(line, name_end);

  if (i < line.size() && line[i] == '{') {
    std::string_view error;
    const std::size_t close = scan_labels(line, i + 1, error);
    if (close == npos) return fail(error);
    s.labels = line.substr(i + 1, close - i - 1);
    i = skip_blanks(line, close + 1);
  } else if (i == name_end && i < line.size()) {
    // The name runs straight into something that is neither '{' nor a blank.
    return fail("invalid character in metric name");
  }

  if (i >= line.size()) return fail("missing value");
  const std::size_t value_end = token_end(line, i);
  if (!parse_number(line.substr(i, value_end - i), s.value)) return fail("invalid value");

  i = skip_blanks(line, value_end);
  if (i < line.size()) {
    const std::size_t ts_end = token_end(line, i);
    if (!parse_timestamp(line.substr(i, ts_end - i), s.timestamp_ms))
      return fail("invalid timestamp");
    s.has_timestamp = true;
    if (skip_blanks(line, ts_end) < line.size()) return fail("trailing text after timestamp");
  }

  prom_parse_result r;
  r.kind = prom_line_kind::sample;
  r.sample = s;
  return r;
}

bool gpu_identity(const prom_sample& s, std::span<char> buffer, dcgm_gpu_id& out) noexcept {
  // The first present, non-empty label of `names`, unescaped into the front of `buffer`
  // (which then moves past it). Empty when none; nullopt when it does not fit.
  auto first_of =
      [&](std::initializer_list<std::string_view> names) -> std::optional<std::string_view> {
    for (std::string_view n : names) {
      const auto l = label(s, n);
      if (!l || l->raw_value.empty()) continue;
      const auto v = unescape_label_value(*l, buffer);
      if (v && l->escaped) buffer = buffer.subspan(v->size());
      return v;
    }
    return std::string_view{};
  };
  const auto subject = first_of({"UUID", "uuid", "pci_bus_id"});
  if (!subject) return false;
  out.subject = *subject;
  if (out.subject.empty()) {
    const auto index = label(s, "gpu");
    constexpr std::string_view prefix = "gpu";
    if (!index || index->raw_value.empty() || index->escaped ||
        prefix.size() + index->raw_value.size() > buffer.size())
      return false;
    prefix.copy(buffer.data(), prefix.size());
    index->raw_value.copy(buffer.data() + prefix.size(), index->raw_value.size());
    out.subject = std::string_view(buffer.data(), prefix.size() + index->raw_value.size());
    buffer = buffer.subspan(out.subject.size());
  }
  const auto host = first_of({"Hostname", "hostname"});
  if (!host) return false;
  out.host = *host;
  return true;
}

}  // namespace
}  // namespace detectors::reference
