// File: prometheus_line.cpp
// A hand-written scanner for the Prometheus text exposition format (no regex, no copies): it
// runs on every metric line of every node, and both detectors that read dcgm-exporter output
// share it so they agree on what a well-formed line is.
#include "detectors/prometheus_line.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <system_error>

namespace detectors {
namespace {

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

// The name character classes above as one table lookup per byte, for the scalar scans (the
// tail of a line shorter than a 16-byte block, and targets without SSE2): the range
// comparisons cost several branches a byte.
enum char_class : std::uint8_t {
  metric_char_class = 1,
  label_char_class = 2,
};

constexpr std::array<std::uint8_t, 256> make_char_classes() noexcept {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t b = 0; b < table.size(); ++b) {
    const char c = static_cast<char>(b);
    table[b] = static_cast<std::uint8_t>((is_metric_char(c) ? metric_char_class : 0) |
                                         (is_label_char(c) ? label_char_class : 0));
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

bool in_class(char c, char_class cls) noexcept {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}

std::size_t skip_blanks(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_blank(s[i]))
    ++i;
  return i;
}

// skip_blanks for the usual case where the expected character follows at once (no blanks
// in dcgm-exporter's own output): one comparison instead of the loop.
std::size_t skip_blanks_to(std::string_view s, std::size_t i, char expected) noexcept {
  if (i < s.size() && s[i] == expected) return i;
  return skip_blanks(s, i);
}

std::size_t token_end(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && !is_blank(s[i]))
    ++i;
  return i;
}

#if defined(__SSE2__)
// Bit j set when byte j of `block` is a name character of `cls`: letters ((b | 0x20) in
// 'a'..'z'), digits, '_' and, for metric names, ':'. Unsigned range tests as
// max(b - lo, hi - lo) == hi - lo.
unsigned name_char_mask(__m128i block, char_class cls) noexcept {
  const __m128i folded = _mm_or_si128(block, _mm_set1_epi8(0x20));
  const __m128i letter_offset = _mm_sub_epi8(folded, _mm_set1_epi8('a'));
  const __m128i letter = _mm_cmpeq_epi8(_mm_max_epu8(letter_offset, _mm_set1_epi8('z' - 'a')),
                                        _mm_set1_epi8('z' - 'a'));
  const __m128i digit_offset = _mm_sub_epi8(block, _mm_set1_epi8('0'));
  const __m128i digit =
      _mm_cmpeq_epi8(_mm_max_epu8(digit_offset, _mm_set1_epi8(9)), _mm_set1_epi8(9));
  __m128i name =
      _mm_or_si128(_mm_or_si128(letter, digit), _mm_cmpeq_epi8(block, _mm_set1_epi8('_')));
  if (cls == metric_char_class)
    name = _mm_or_si128(name, _mm_cmpeq_epi8(block, _mm_set1_epi8(':')));
  return static_cast<unsigned>(_mm_movemask_epi8(name));
}
#endif

// The end of the run of `cls` characters starting at s[i]. 16 bytes per step where SSE2 is
// available (x86-64), like find_quote_or_backslash below; a line's last partial block is
// read as its final 16 bytes. The scalar loop is for lines under 16 bytes and other targets.
[[gnu::always_inline]] inline std::size_t class_run_end(std::string_view s, std::size_t i,
                                                        char_class cls) noexcept {
#if defined(__SSE2__)
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const unsigned others = ~name_char_mask(block, cls) & 0xffffu;
    if (others != 0) return i + static_cast<std::size_t>(std::countr_zero(others));
  }
  if (i < s.size() && s.size() >= 16) {
    // The last < 16 bytes: one load of the line's final 16 bytes (which end exactly at its
    // end), the bytes before i shifted out, instead of a byte loop. i > base here.
    const std::size_t base = s.size() - 16;
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + base));
    const unsigned others = (~name_char_mask(block, cls) & 0xffffu) >> (i - base);
    return others != 0 ? i + static_cast<std::size_t>(std::countr_zero(others)) : s.size();
  }
#endif
  while (i < s.size() && in_class(s[i], cls))
    ++i;
  return i;
}

// The index of the first '"' or '\\' in s[i, size), or size. Label values are most of a DCGM
// line's bytes (UUIDs, model names, bus ids): on x86-64 (SSE2 is part of the base ISA) this
// looks at 16 bytes per step, the last < 16 bytes as the line's final (overlapping) block;
// the scalar loop is for lines under 16 bytes and other targets. Only 16-byte blocks inside
// `s` are loaded, never past its end.
[[gnu::always_inline]] inline std::size_t find_quote_or_backslash(std::string_view s,
                                                                  std::size_t i) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
  }
  if (i < s.size() && s.size() >= 16) {
    // The last < 16 bytes (usually the last label's value): as in class_run_end, the line's
    // final 16 bytes with the bytes before i shifted out.
    const std::size_t base = s.size() - 16;
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + base));
    const __m128i hits =
        _mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits)) >> (i - base);
    return mask != 0 ? i + static_cast<std::size_t>(std::countr_zero(mask)) : s.size();
  }
#endif
  while (i < s.size() && s[i] != '"' && s[i] != '\\')
    ++i;
  return i;
}

// Label names are short: a few word compares, with no loop up to 16 bytes (two overlapping
// loads cover any length from 2 to 4, 4 to 8 and 8 to 16), beat a call to memcmp. Both views
// hold `size` bytes.
template <typename Word>
bool same_word(const char* a, const char* b) noexcept {
  Word x = 0;
  Word y = 0;
  std::memcpy(&x, a, sizeof x);
  std::memcpy(&y, b, sizeof y);
  return x == y;
}

bool same_bytes(const char* a, const char* b, std::size_t size) noexcept {
  if (size >= 8) {
    std::size_t j = 0;
    for (; j + 16 < size; j += 8)
      if (!same_word<std::uint64_t>(a + j, b + j)) return false;
    return same_word<std::uint64_t>(a + j, b + j) &&
           same_word<std::uint64_t>(a + size - 8, b + size - 8);
  }
  if (size >= 4)
    return same_word<std::uint32_t>(a, b) && same_word<std::uint32_t>(a + size - 4, b + size - 4);
  if (size >= 2)  // "gpu": two overlapping 2-byte loads instead of a byte loop
    return same_word<std::uint16_t>(a, b) && same_word<std::uint16_t>(a + size - 2, b + size - 2);
  return size == 0 || a[0] == b[0];
}

// The label into the slot of the wanted name it has, if any (`candidates`: the wanted,
// not yet found names of its length).
[[gnu::noinline]] void capture_candidate(prom_label_capture& capture, const prom_label& label,
                                         std::uint32_t candidates) noexcept {
  while (candidates != 0) {
    const int k = std::countr_zero(candidates);
    const std::string_view wanted = capture.names->names()[static_cast<std::size_t>(k)];
    if (wanted.size() == label.name.size() &&
        same_bytes(wanted.data(), label.name.data(), wanted.size())) {
      capture.labels[static_cast<std::size_t>(k)] = label;
      capture.found |= std::uint32_t{1} << k;
      return;
    }
    candidates &= candidates - 1;
  }
}

// The first label of each wanted name goes into its slot. Most labels have a length no
// wanted name has (or one already found), and are dismissed by one table lookup, inline.
void capture_label(prom_label_capture* capture, const prom_label& label) noexcept {
  if (capture == nullptr) return;
  const std::uint32_t candidates = capture->names->candidates(label.name.size()) & ~capture->found;
  if (candidates != 0) capture_candidate(*capture, label, candidates);
}

// One `name = "value"` starting at s[i]. Returns the index after the closing quote, or npos
// with `error` set.
// Inlined into both callers (the label set scan and the cursor), which keeps the scan's
// indices in registers across labels.
[[gnu::always_inline]] inline std::size_t scan_label(std::string_view s, std::size_t i,
                                                     prom_label& out,
                                                     std::string_view& error) noexcept {
  if (i >= s.size() || !is_label_start(s[i])) {
    error = "expected a label name";
    return npos;
  }
  const std::size_t name_start = i;
  i = class_run_end(s, i + 1, label_char_class);
  out.name = std::string_view(s.data() + name_start, i - name_start);
  if (i + 1 < s.size() && s[i] == '=' && s[i + 1] == '"') {
    i += 1;  // `name="`, as exporters write it: no blanks to skip
  } else {
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
  }
  const std::size_t value_start = ++i;
  out.escaped = false;
  // An escape (backslash + any character) never ends the value. A backslash that is the
  // line's last byte ends the value there without counting as an escape; the label set is
  // then unterminated, which the caller reports.
  for (;;) {
    i = find_quote_or_backslash(s, i);
    if (i >= s.size()) {
      error = "unterminated label value";
      return npos;
    }
    if (s[i] == '"' || i + 1 >= s.size()) break;
    out.escaped = true;
    i += 2;
  }
  out.raw_value = std::string_view(s.data() + value_start, i - value_start);
  return i + 1;
}

// The label set starting after '{' at s[i]. Returns the index of the closing '}' or npos.
std::size_t scan_labels(std::string_view s, std::size_t i, prom_label_capture* capture,
                        std::string_view& error) noexcept {
  i = skip_blanks(s, i);
  // Declared once: scan_label sets every member of a label it returns, and initialising it
  // per label cost ~6 instructions each.
  prom_label label;
  for (;;) {
    if (i >= s.size()) {
      error = "unterminated label set";
      return npos;
    }
    if (s[i] == '}') return i;  // empty set, or after a trailing comma
    i = scan_label(s, i, label, error);
    if (i == npos) return npos;
    capture_label(capture, label);
    i = skip_blanks_to(s, i, ',');
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

// Decimal digits into a uint64, in one pass: false when `digits` is empty, holds anything but
// digits, or overflows.
bool parse_magnitude(std::string_view digits, std::uint64_t& out) noexcept {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  if (digits.empty()) return false;
  std::uint64_t m = 0;
  for (char c : digits) {
    const auto d = static_cast<std::uint64_t>(static_cast<unsigned char>(c - '0'));
    if (d > 9 || m > (max - d) / 10) return false;
    m = m * 10 + d;
  }
  out = m;
  return true;
}

// The usual value and every usual timestamp: a run of at most 19 digits (so it fits in 64
// bits without an overflow check) that is a whole token, read in the pass that finds its end.
// False for anything else, which takes the general path.
bool whole_digit_token(std::string_view s, std::size_t i, std::uint64_t& value,
                       std::size_t& end) noexcept {
  const std::size_t start = i;
  std::uint64_t m = 0;
  while (i < s.size() && is_digit(s[i])) {
    m = m * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (++i - start > 19) return false;
  }
  if (i == start || (i < s.size() && !is_blank(s[i]))) return false;
  value = m;
  end = i;
  return true;
}

bool parse_number(std::string_view t, prom_number& out) noexcept {
  if (t.empty()) return false;
  const bool has_sign = t[0] == '+' || t[0] == '-';
  const bool negative = t[0] == '-';
  const std::string_view unsigned_part = has_sign ? t.substr(1) : t;
  out = prom_number{};
  if (parse_magnitude(unsigned_part, out.magnitude)) {
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
  if (!parse_magnitude(digits, m)) return false;
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

}  // namespace

std::optional<std::uint64_t> prom_number::as_uint64() const noexcept {
  if (integer) {
    if (negative) return std::nullopt;
    return magnitude;
  }
  constexpr double exact_limit = 9007199254740992.0;  // 2^53
  if (std::isfinite(value) && value >= 0 && value <= exact_limit && std::floor(value) == value)
    return static_cast<std::uint64_t>(value);
  return std::nullopt;
}

std::optional<std::int64_t> prom_number::as_int64() const noexcept {
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (integer) {
    if (!negative) {
      if (magnitude > max) return std::nullopt;
      return static_cast<std::int64_t>(magnitude);
    }
    if (magnitude > max + 1) return std::nullopt;
    return -static_cast<std::int64_t>(magnitude - 1) - 1;
  }
  constexpr double exact_limit = 9007199254740992.0;  // 2^53
  if (std::isfinite(value) && std::fabs(value) <= exact_limit && std::floor(value) == value)
    return static_cast<std::int64_t>(value);
  return std::nullopt;
}

bool prom_label_cursor::next(prom_label& out) noexcept {
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

std::optional<prom_label> prom_sample::label(std::string_view name) const noexcept {
  prom_label_cursor cursor(labels);
  prom_label l;
  while (cursor.next(l))
    if (l.name == name) return l;
  return std::nullopt;
}

std::string_view prometheus_metric_name(std::string_view line) noexcept {
  const std::size_t start = skip_blanks(line, 0);
  if (start >= line.size() || !is_metric_start(line[start])) return {};
  const std::size_t end = class_run_end(line, start + 1, metric_char_class);
  return line.substr(start, end - start);
}

namespace {

// The rest of a sample line after its metric name, line[name_start, name_end) (non-empty;
// '\r' already stripped).
prom_parse_result parse_after_name(std::string_view line, std::size_t name_start,
                                   std::size_t name_end, prom_label_capture* capture) noexcept {
  if (capture != nullptr) capture->found = 0;
  prom_sample s;
  s.metric = line.substr(name_start, name_end - name_start);
  std::size_t i = skip_blanks(line, name_end);

  if (i < line.size() && line[i] == '{') {
    std::string_view error;
    const std::size_t close = scan_labels(line, i + 1, capture, error);
    if (close == npos) return fail(error);
    s.labels = line.substr(i + 1, close - i - 1);
    i = skip_blanks(line, close + 1);
  } else if (i == name_end && i < line.size()) {
    // The name runs straight into something that is neither '{' nor a blank.
    return fail("invalid character in metric name");
  }

  if (i >= line.size()) return fail("missing value");
  std::size_t value_end = 0;
  std::uint64_t digits = 0;
  if (whole_digit_token(line, i, digits, value_end)) {  // what parse_number makes of it
    s.value.integer = true;
    s.value.magnitude = digits;
    s.value.value = static_cast<double>(digits);
  } else {
    value_end = token_end(line, i);
    if (!parse_number(line.substr(i, value_end - i), s.value)) return fail("invalid value");
  }

  i = skip_blanks(line, value_end);
  if (i < line.size()) {
    std::size_t ts_end = 0;
    constexpr auto int64_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (whole_digit_token(line, i, digits, ts_end) && digits <= int64_max) {
      s.timestamp_ms = static_cast<std::int64_t>(digits);  // what parse_timestamp makes of it
    } else {
      ts_end = token_end(line, i);
      if (!parse_timestamp(line.substr(i, ts_end - i), s.timestamp_ms))
        return fail("invalid timestamp");
    }
    s.has_timestamp = true;
    if (skip_blanks(line, ts_end) < line.size()) return fail("trailing text after timestamp");
  }

  prom_parse_result r;
  r.kind = prom_line_kind::sample;
  r.sample = s;
  return r;
}

std::string_view without_carriage_return(std::string_view line) noexcept {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

prom_parse_result parse_line(std::string_view line, prom_label_capture* capture) noexcept {
  if (capture != nullptr) capture->found = 0;  // also when the line is no sample
  line = without_carriage_return(line);
  const std::size_t i = skip_blanks(line, 0);
  if (i >= line.size() || line[i] == '#') {
    prom_parse_result r;
    r.kind = prom_line_kind::not_sample;
    return r;
  }
  const std::string_view metric = prometheus_metric_name(line);
  if (metric.empty()) return fail("expected a metric name");
  return parse_after_name(line, i, i + metric.size(), capture);
}

}  // namespace

prom_parse_result parse_prometheus_line(std::string_view line) noexcept {
  return parse_line(line, nullptr);
}

prom_parse_result parse_prometheus_line(std::string_view line,
                                        prom_label_capture& capture) noexcept {
  return parse_line(line, &capture);
}

prom_parse_result parse_prometheus_line_after_name(std::string_view line, std::size_t metric_size,
                                                   prom_label_capture& capture) noexcept {
  // The name holds no '\r', so stripping one leaves it whole.
  return parse_after_name(without_carriage_return(line), 0, metric_size, &capture);
}

std::optional<std::string_view> unescape_label_value(const prom_label& label,
                                                     std::span<char> buffer) noexcept {
  if (!label.escaped) return label.raw_value;
  const std::string_view raw = label.raw_value;
  std::size_t out = 0;
  auto put = [&](char c) noexcept {
    if (out >= buffer.size()) return false;
    buffer[out++] = c;
    return true;
  };
  for (std::size_t j = 0; j < raw.size(); ++j) {
    if (raw[j] != '\\' || j + 1 >= raw.size()) {
      if (!put(raw[j])) return std::nullopt;
      continue;
    }
    const char c = raw[++j];
    bool ok = true;
    if (c == 'n') {
      ok = put('\n');
    } else if (c == '\\' || c == '"') {
      ok = put(c);
    } else {
      ok = put('\\') && put(c);
    }
    if (!ok) return std::nullopt;
  }
  return std::string_view(buffer.data(), out);
}

namespace {

// Slots of dcgm_identity_label_names.
enum identity_slot : std::uint8_t {
  uuid_upper,
  uuid_lower,
  pci_bus_id,
  gpu_index,
  hostname_upper,
  hostname_lower,
};
static_assert(dcgm_identity_label_names[uuid_upper] == "UUID" &&
              dcgm_identity_label_names[uuid_lower] == "uuid" &&
              dcgm_identity_label_names[pci_bus_id] == "pci_bus_id" &&
              dcgm_identity_label_names[gpu_index] == "gpu" &&
              dcgm_identity_label_names[hostname_upper] == "Hostname" &&
              dcgm_identity_label_names[hostname_lower] == "hostname");

}  // namespace

bool dcgm_gpu_identity(const dcgm_identity_labels& labels, std::span<char> buffer,
                       dcgm_gpu_id& out) noexcept {
  const std::uint32_t found = labels.capture.found;
  auto label = [&](identity_slot slot) -> const prom_label* {
    return (found >> slot) & 1 ? &labels.labels[slot] : nullptr;
  };
  // The first present, non-empty label of `slots`, unescaped into the front of `buffer`
  // (which then moves past it). Empty when none; nullopt when it does not fit.
  auto first_of =
      [&](std::initializer_list<identity_slot> slots) -> std::optional<std::string_view> {
    for (const identity_slot slot : slots) {
      const prom_label* l = label(slot);
      if (l == nullptr || l->raw_value.empty()) continue;
      const auto v = unescape_label_value(*l, buffer);
      if (v && l->escaped) buffer = buffer.subspan(v->size());
      return v;
    }
    return std::string_view{};
  };
  const auto subject = first_of({uuid_upper, uuid_lower, pci_bus_id});
  if (!subject) return false;
  out.subject = *subject;
  if (out.subject.empty()) {
    const prom_label* index = label(gpu_index);
    constexpr std::string_view prefix = "gpu";
    if (index == nullptr || index->raw_value.empty() || index->escaped ||
        prefix.size() + index->raw_value.size() > buffer.size())
      return false;
    prefix.copy(buffer.data(), prefix.size());
    index->raw_value.copy(buffer.data() + prefix.size(), index->raw_value.size());
    out.subject = std::string_view(buffer.data(), prefix.size() + index->raw_value.size());
    buffer = buffer.subspan(out.subject.size());
  }
  const auto host = first_of({hostname_upper, hostname_lower});
  if (!host) return false;
  out.host = *host;
  return true;
}

bool dcgm_gpu_identity(const prom_sample& s, std::span<char> buffer, dcgm_gpu_id& out) noexcept {
  // The same labels a parse would have captured: the first of each name, in one walk.
  dcgm_identity_labels labels;
  labels.capture.found = 0;
  prom_label_cursor cursor(s.labels);
  prom_label l;
  while (cursor.next(l))
    capture_label(&labels.capture, l);
  return dcgm_gpu_identity(labels, buffer, out);
}

bool is_dcgm_blank(const prom_number& v) noexcept {
  return v.integer && !v.negative && v.magnitude >= dcgm_int64_blank &&
         v.magnitude <= dcgm_int64_not_permissioned;
}

}  // namespace detectors
