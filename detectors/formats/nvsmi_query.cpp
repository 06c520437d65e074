// File: nvsmi_query.cpp
// The `nvidia-smi -q` reader (nvsmi_query.h): per-line classification against the context of
// the GPU header and section above, with keys compared without regard to case (pastes retype
// them: "Retired pages").
#include "detectors/nvsmi_query.h"

#include <algorithm>
#include <charconv>

namespace detectors {
namespace {

// Groups inside a section.
enum group : std::uint8_t {
  no_group,
  volatile_group,
  aggregate_group,
  single_bit_group,
  double_bit_group,
  sram_sources_group,
  bank_histogram_group,
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

constexpr char lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` equals `lowercase_literal` ignoring the case of `s`.
bool is(std::string_view s, std::string_view lowercase_literal) noexcept {
  if (s.size() != lowercase_literal.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (lower(s[i]) != lowercase_literal[i]) return false;
  return true;
}

nvsmi_section section_named(std::string_view key) noexcept {
  if (key.empty()) return nvsmi_section::none;
  switch (lower(key[0])) {
    case 'e':
      if (is(key, "ecc errors")) return nvsmi_section::ecc_errors;
      break;
    case 'r':
      if (is(key, "retired pages")) return nvsmi_section::retired_pages;
      if (is(key, "remapped rows")) return nvsmi_section::remapped_rows;
      break;
    case 'c':
      if (is(key, "clocks event reasons") || is(key, "clocks throttle reasons"))
        return nvsmi_section::clocks_event_reasons;
      if (is(key, "clocks event reasons counters"))
        return nvsmi_section::clocks_event_reasons_counters;
      break;
    case 't':
      if (is(key, "temperature")) return nvsmi_section::temperature;
      break;
    default:
      break;
  }
  return nvsmi_section::none;
}

std::uint8_t group_named(nvsmi_section section, std::string_view key) noexcept {
  if (section == nvsmi_section::ecc_errors) {
    if (is(key, "volatile")) return volatile_group;
    if (is(key, "aggregate")) return aggregate_group;
    if (is(key, "single bit")) return single_bit_group;
    if (is(key, "double bit")) return double_bit_group;
    if (is(key, "aggregate uncorrectable sram sources")) return sram_sources_group;
  } else if (section == nvsmi_section::remapped_rows) {
    if (is(key, "bank remap availability histogram")) return bank_histogram_group;
  }
  return no_group;
}

// NVML's clocks-event bits by the names nvidia-smi prints (0 for a name it may add later).
std::uint64_t reason_bit(std::string_view key) noexcept {
  static constexpr std::pair<std::string_view, std::uint64_t> reasons[] = {
      {"idle", 0x1},
      {"applications clocks setting", 0x2},
      {"sw power cap", 0x4},
      {"hw slowdown", 0x8},
      {"sync boost", 0x10},
      {"sw thermal slowdown", 0x20},
      {"hw thermal slowdown", 0x40},
      {"hw power brake slowdown", 0x80},
      {"display clock setting", 0x100},
  };
  for (const auto& [name, bit] : reasons)
    if (is(key, name)) return bit;
  return 0;
}

// The reasons nvidia-smi keeps a time counter of, by the names it prints them under in
// Clocks Event Reasons Counters (0 for a name it may add later).
std::uint64_t counter_bit(std::string_view key) noexcept {
  static constexpr std::pair<std::string_view, std::uint64_t> counters[] = {
      {"sw power capping", 0x4},     {"sync boost", 0x10},       {"sw thermal slowdown", 0x20},
      {"hw thermal slowdown", 0x40}, {"hw power braking", 0x80},
  };
  for (const auto& [name, bit] : counters)
    if (is(key, name)) return bit;
  return 0;
}

// How a field's value must read.
enum class value_rule : std::uint8_t {
  any,          // fields nobody acts on: any non-empty text
  flag,         // Yes / No / N/A
  activity,     // Active / Not Active / N/A
  count,        // digits / N/A
  temperature,  // [-]digits C / N/A
  duration,     // digits us / N/A
};

// Reads `text` (non-empty, trimmed) under `rule`; false when the rule is broken (cut short).
bool read_value(std::string_view text, value_rule rule, nvsmi_line& out) noexcept {
  if (is(text, "n/a")) {
    out.value = nvsmi_value::not_available;
    return true;
  }
  const bool yes_no = is(text, "yes") || is(text, "no");
  const bool active = is(text, "active") || is(text, "not active");
  if (yes_no || active) {
    out.value = is(text, "yes") || is(text, "active") ? nvsmi_value::yes : nvsmi_value::no;
    if (rule == value_rule::flag) return yes_no;
    if (rule == value_rule::activity) return active;
    return rule == value_rule::any;
  }
  std::int64_t n = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec == std::errc() && (p == end || *p == ' ')) {
    const std::string_view unit = trim(std::string_view(p, static_cast<std::size_t>(end - p)));
    out.value = nvsmi_value::number;
    out.number = n;
    switch (rule) {
      case value_rule::count:
        return unit.empty() && n >= 0;
      case value_rule::temperature:
        return unit == "C";
      case value_rule::duration:
        return unit == "us" && n >= 0;
      case value_rule::any:
        return true;
      default:
        return false;
    }
  }
  out.value = nvsmi_value::text;
  return rule == value_rule::any;
}

// The field `key` names in `section` under groups g1 > g2, and the rule its value follows.
nvsmi_field field_named(nvsmi_section section, std::uint8_t g1, std::uint8_t g2,
                        std::string_view key, value_rule& rule, std::uint64_t& bit) noexcept {
  rule = value_rule::any;
  switch (section) {
    case nvsmi_section::ecc_errors:
      if (g1 != volatile_group) return nvsmi_field::other;
      if (g2 == no_group) {
        rule = value_rule::count;
        if (is(key, "dram uncorrectable")) return nvsmi_field::volatile_dram_uncorrectable;
        if (is(key, "sram uncorrectable")) return nvsmi_field::volatile_sram_uncorrectable;
        if (is(key, "sram uncorrectable parity"))
          return nvsmi_field::volatile_sram_uncorrectable_parity;
        if (is(key, "sram uncorrectable sec-ded"))
          return nvsmi_field::volatile_sram_uncorrectable_secded;
      } else if (g2 == double_bit_group && is(key, "total")) {
        rule = value_rule::count;
        return nvsmi_field::volatile_double_bit_total;
      }
      rule = value_rule::any;
      return nvsmi_field::other;
    case nvsmi_section::retired_pages:
      rule = value_rule::count;
      if (is(key, "single bit ecc")) return nvsmi_field::retired_single_bit;
      if (is(key, "double bit ecc")) return nvsmi_field::retired_double_bit;
      rule = value_rule::flag;
      if (is(key, "pending page blacklist") || is(key, "pending"))
        return nvsmi_field::retired_pending;
      rule = value_rule::any;
      return nvsmi_field::other;
    case nvsmi_section::remapped_rows:
      if (g1 != no_group) return nvsmi_field::other;
      rule = value_rule::count;
      if (is(key, "correctable error")) return nvsmi_field::remapped_correctable;
      if (is(key, "uncorrectable error")) return nvsmi_field::remapped_uncorrectable;
      rule = value_rule::flag;
      if (is(key, "pending")) return nvsmi_field::remap_pending;
      if (is(key, "remapping failure occurred")) return nvsmi_field::remap_failure;
      rule = value_rule::any;
      return nvsmi_field::other;
    case nvsmi_section::clocks_event_reasons:
      bit = reason_bit(key);
      if (bit != 0) {
        rule = value_rule::activity;
        return nvsmi_field::clocks_event_reason;
      }
      return nvsmi_field::other;
    case nvsmi_section::clocks_event_reasons_counters:
      bit = counter_bit(key);
      if (bit != 0) {
        rule = value_rule::duration;
        return nvsmi_field::clocks_event_counter;
      }
      return nvsmi_field::other;
    case nvsmi_section::temperature:
      rule = value_rule::temperature;
      // Drivers before R450 print "Gpu : 29 C".
      if (is(key, "gpu current temp") || is(key, "gpu")) return nvsmi_field::gpu_current_temp;
      if (is(key, "memory current temp")) return nvsmi_field::memory_current_temp;
      rule = value_rule::any;
      return nvsmi_field::other;
    case nvsmi_section::none:
      break;
  }
  return nvsmi_field::other;
}

// "GPU 00000000:75:00.0": the bus id, or empty. `cut` is set when the text after "GPU " has
// a bus id's characters but stops before its function number.
std::string_view gpu_bus_id(std::string_view line, bool& cut) noexcept {
  cut = false;
  if (line.size() < 4 || line.substr(0, 4) != "GPU ") return {};
  const std::string_view id = trim(line.substr(4));
  if (id.empty() || id.size() > 32) return {};
  bool colon = false;
  for (const char c : id) {
    const bool hex = (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
    if (c == ':') colon = true;
    if (!hex && c != ':' && c != '.') return {};
  }
  if (!colon) return {};
  const std::size_t dot = id.rfind('.');
  if (dot == std::string_view::npos || dot + 2 != id.size() || id.back() < '0' || id.back() > '7') {
    cut = true;
    return {};
  }
  return id;
}

// A hash of a node's name, so that a context is found by comparing two words, not names.
std::uint64_t node_hash(std::string_view node) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : node) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

nvsmi_query_reader::nvsmi_query_reader(std::size_t max_nodes)
    : contexts_(std::max<std::size_t>(max_nodes, 1)) {}

void nvsmi_query_reader::context::reset() noexcept {
  gpu_size = 0;
  in_gpu = false;
  section = nvsmi_section::none;
  group1 = group2 = no_group;
}

bool nvsmi_query_reader::select(std::string_view node, std::string_view line,
                                nvsmi_line& out) noexcept {
  const std::size_t prefix = std::min(node.size(), node_prefix);
  const auto named = [&](const context& c, std::uint64_t hash) {
    return c.used && c.node_size == node.size() && c.node_hash == hash &&
           std::string_view(c.node.data(), prefix) == node.substr(0, prefix);
  };
  ++uses_;
  context& last = contexts_[current_];
  // Most lines are of the node of the line before: its context is checked by name first.
  if (last.used && last.node_size == node.size() && node.size() <= node_prefix &&
      std::string_view(last.node.data(), node.size()) == node) {
    last.last_use = uses_;
    return true;
  }
  const std::uint64_t hash = node_hash(node);
  std::size_t victim = 0;
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (named(contexts_[i], hash)) {
      current_ = i;
      contexts_[i].last_use = uses_;
      return true;
    }
    // The unused context, else the one seen least recently.
    const context& v = contexts_[victim];
    const context& c = contexts_[i];
    if (v.used && (!c.used || c.last_use < v.last_use)) victim = i;
  }
  // A node without a context whose line cannot open a block: in a fresh context the line would
  // be not_ours and change nothing, so it takes none. Otherwise the lines of many nodes that
  // only pass by (metrics, kernel logs) while a report is open would take its context.
  if (!may_open_block(line)) return false;
  // A new node: its context is a free one or the least recently seen node's, whose open block
  // ends here.
  context& c = contexts_[victim];
  if (c.in_block()) {
    out.ends_block = true;
    --open_blocks_;
  }
  c.reset();
  c.used = true;
  std::copy_n(node.data(), prefix, c.node.data());
  c.node_size = node.size();
  c.node_hash = hash;
  c.last_use = uses_;
  current_ = victim;
  return true;
}

nvsmi_line nvsmi_query_reader::read(std::string_view node, std::string_view line) noexcept {
  nvsmi_line out;
  without_context_ = !select(node, line, out);
  if (without_context_) return out;
  out.context = static_cast<std::uint16_t>(current_);
  context& c = contexts_[current_];
  const bool was_open = c.in_block();
  out = read_line(c, line, out);
  const bool open = c.in_block();
  if (open != was_open) open ? ++open_blocks_ : --open_blocks_;
  // A section pasted without its GPU header is a block of its own, which any line at its
  // section level that opens no known section ends.
  if (was_open && !open) out.ends_block = true;
  return out;
}

nvsmi_line nvsmi_query_reader::read_line(context& c, std::string_view line,
                                         nvsmi_line out) noexcept {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  std::size_t indent = 0;
  while (indent < line.size() && (line[indent] == ' ' || line[indent] == '\t'))
    ++indent;
  const std::string_view text = line.substr(indent);

  if (indent == 0) {
    // Unindented: a GPU header, the log header, or the end of any block.
    out.ends_block = out.ends_block || c.in_block();
    c.reset();
    if (text.empty()) return out;
    if (text[0] == '=') {
      if (text.find("NVSMI LOG") != std::string_view::npos) out.kind = nvsmi_line_kind::log_header;
      return out;
    }
    if (text[0] != 'G') return out;
    bool cut = false;
    const std::string_view id = gpu_bus_id(text, cut);
    if (cut) out.kind = nvsmi_line_kind::malformed;
    if (id.empty()) return out;
    std::copy(id.begin(), id.end(), c.gpu.begin());
    c.gpu_size = id.size();
    c.in_gpu = true;
    out.kind = nvsmi_line_kind::gpu;
    return out;
  }

  if (c.section != nvsmi_section::none && indent > c.section_indent) {
    nvsmi_line in = read_in_section(c, indent, text);
    in.ends_block = out.ends_block;
    in.context = out.context;
    return in;
  }

  // An indented line at section level: a known section's header, or another section's line
  // (which closes the one open).
  c.section = nvsmi_section::none;
  c.group1 = c.group2 = no_group;
  const std::size_t colon = text.find(':');
  const std::string_view key = trim(text.substr(0, colon));
  const nvsmi_section section = section_named(key);
  if (section == nvsmi_section::none) return out;
  out.kind = nvsmi_line_kind::section;
  out.section = section;
  if (colon != std::string_view::npos) {
    // "Clocks Throttle Reasons : N/A": a section the GPU does not report, on one line.
    const std::string_view value = trim(text.substr(colon + 1));
    if (!is(value, "n/a")) out.kind = nvsmi_line_kind::malformed;
    out.value = nvsmi_value::not_available;
    return out;
  }
  c.section = section;
  c.section_indent = indent;
  return out;
}

nvsmi_line nvsmi_query_reader::read_in_section(context& c, std::size_t indent,
                                               std::string_view text) noexcept {
  nvsmi_line out;
  out.section = c.section;
  if (c.group2 != no_group && indent <= c.group2_indent) c.group2 = no_group;
  if (c.group1 != no_group && indent <= c.group1_indent) c.group1 = c.group2 = no_group;

  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    const std::uint8_t g = group_named(c.section, text);
    if (g == no_group) {
      out.kind = nvsmi_line_kind::malformed;  // a field cut before its colon
      return out;
    }
    if (c.group1 == no_group) {
      c.group1 = g;
      c.group1_indent = indent;
    } else {
      c.group2 = g;
      c.group2_indent = indent;
    }
    out.kind = nvsmi_line_kind::section;
    return out;
  }
  const std::string_view key = trim(text.substr(0, colon));
  const std::string_view value = trim(text.substr(colon + 1));
  if (key.empty() || value.empty()) {
    out.kind = nvsmi_line_kind::malformed;  // cut after the colon
    return out;
  }
  value_rule rule = value_rule::any;
  out.field = field_named(c.section, c.group1, c.group2, key, rule, out.reason_bit);
  out.kind = read_value(value, rule, out) ? nvsmi_line_kind::field : nvsmi_line_kind::malformed;
  return out;
}

}  // namespace detectors
