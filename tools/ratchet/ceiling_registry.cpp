// File: ceiling_registry.cpp
// Parsing and rewriting the allocation-ceiling registry.
#include "ratchet/ceiling_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bench/measurement.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {
namespace {

class line_parser {
 public:
  line_parser(std::string_view text, const std::string& path, int line)
      : text_(text), path_(path), line_(line) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw input_error(fmt::format("{}:{}: {}", path_, line_, what));
  }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
      ++pos_;
  }
  bool at_end() {
    skip_spaces();
    return pos_ >= text_.size();
  }

  std::string_view word() {
    skip_spaces();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ' ' && text_[pos_] != '\t' && text_[pos_] != '=')
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  bool at_quote() {
    skip_spaces();
    return pos_ < text_.size() && text_[pos_] == '"';
  }

  // "quoted value", at a quote; '\\' escapes the next character.
  std::string quoted(const std::string& key) {
    ++pos_;
    std::string value;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        value += text_[pos_++];
      } else if (c == '"') {
        return value;
      } else {
        value += c;
      }
    }
    fail(fmt::format("field '{}': unterminated quoted value", truncate_for_message(key)));
  }

  // key=value or key="quoted value"
  std::pair<std::string, std::string> field() {
    const std::string key(word());
    if (key.empty() || pos_ >= text_.size() || text_[pos_] != '=')
      fail(fmt::format("expected key=value, got '{}'", truncate_for_message(rest_of_token(key))));
    ++pos_;
    std::string value;
    if (pos_ < text_.size() && text_[pos_] == '"') {
      value = quoted(key);
    } else {
      value = std::string(word());
    }
    return {key, value};
  }

  double decimal(const std::string& key, const std::string& value, double max) const {
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v) || v < 0)
      fail(fmt::format("field '{}': expected a non-negative decimal number, got '{}'", key,
                       truncate_for_message(value)));
    if (v > max)
      fail(fmt::format("field '{}': {} is above the largest accepted value {}", key, value, max));
    return v;
  }

  std::int64_t positive_integer(const std::string& key, const std::string& value,
                                std::int64_t max) const {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size() || v <= 0)
      fail(fmt::format("field '{}': expected a positive integer, got '{}'", key,
                       truncate_for_message(value)));
    if (v > max)
      fail(fmt::format("field '{}': {} is above the largest accepted value {}", key, value, max));
    return v;
  }

 private:
  std::string rest_of_token(const std::string& key) const {
    return key.empty() ? std::string(text_.substr(pos_, 20)) : key;
  }
  std::string_view text_;
  const std::string& path_;
  int line_;
  std::size_t pos_ = 0;
};

}  // namespace

bool valid_benchmark_name(const std::string& name) {
  if (name.empty() || name.size() > max_name_bytes) return false;
  for (const char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

bool bare_benchmark_name(const std::string& name) {
  if (name.empty() || name.front() == '#') return false;
  for (const char c : name)
    if (c <= ' ' || c > '~' || c == '"' || c == '=' || c == '\\') return false;
  return true;
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

}  // namespace

std::string registry_name(const std::string& name) {
  // A bare "platform" would read back as a registry's platform stamp.
  return bare_benchmark_name(name) && name != "platform" ? name : quote(name);
}

namespace {

ceiling parse_ceiling_line(std::string_view text, const std::string& path, int line,
                           const std::string& value_key) {
  line_parser p(text, path, line);
  ceiling c;
  c.line = line;
  const bool quoted = p.at_quote();
  c.benchmark = quoted ? p.quoted("benchmark") : std::string(p.word());
  if (!valid_benchmark_name(c.benchmark))
    p.fail(
        fmt::format("field 'benchmark': '{}' is not a benchmark name (empty, control "
                    "characters, or longer than {} bytes)",
                    truncate_for_message(c.benchmark), max_name_bytes));
  if (!quoted && !bare_benchmark_name(c.benchmark))
    p.fail(fmt::format("field 'benchmark': '{}' must be quoted (\"...\")",
                       truncate_for_message(c.benchmark)));
  bool has_window = false, has_allocs = false, has_bytes = false, has_reason = false;
  // Only allocations have a second ceiling: a bytes_per_event on another metric's line would
  // read as gated and never be checked.
  const bool bytes_field = value_key == "allocs_per_event";
  while (!p.at_end()) {
    const auto [key, value] = p.field();
    bool* seen = key == "window"            ? &has_window
                 : key == value_key         ? &has_allocs
                 : key == "bytes_per_event" ? &has_bytes
                 : key == "reason"          ? &has_reason
                                            : nullptr;
    // A field given twice would make the diff show a value that is not the one gated.
    if (seen != nullptr && *seen)
      p.fail(fmt::format("field '{}' is given twice", truncate_for_message(key)));
    if (key == "window") {
      c.window = p.positive_integer(key, value, max_window);
      has_window = true;
    } else if (key == value_key) {
      c.allocs_per_event = p.decimal(key, value, max_allocs_per_event);
      has_allocs = true;
    } else if (key == "bytes_per_event" && bytes_field) {
      c.bytes_per_event = p.decimal(key, value, max_bytes_per_event);
      has_bytes = true;
    } else if (key == "reason") {
      c.reason = value;
      has_reason = true;
    } else {
      p.fail(fmt::format("unknown field '{}' (expected window, {}{}, reason)",
                         truncate_for_message(key), value_key,
                         bytes_field ? ", bytes_per_event" : ""));
    }
  }
  if (!has_window) p.fail("missing field 'window'");
  if (!has_allocs) p.fail(fmt::format("missing field '{}'", value_key));
  return c;
}

// "platform key=value key=\"quoted value\"...": the stamp of a registry whose counts depend on
// the platform.
ceiling_registry::stamp parse_platform_line(std::string_view text, const std::string& path,
                                            int line) {
  line_parser p(text, path, line);
  p.word();  // "platform"
  ceiling_registry::stamp s;
  while (!p.at_end()) {
    auto field = p.field();
    // A stamp is printable text; a control character (a stray CR in an LF file) would not
    // survive a rewrite unchanged.
    for (const std::string* text : {&field.first, &field.second})
      for (const char c : *text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          p.fail(fmt::format("platform field '{}': control character in the stamp",
                             truncate_for_message(field.first)));
    for (const auto& [k, v] : s)
      if (k == field.first)
        p.fail(fmt::format("platform field '{}' is given twice", truncate_for_message(k)));
    s.push_back(std::move(field));
  }
  if (s.empty()) p.fail("field 'platform': expected key=value fields");
  return s;
}

bool needs_quotes(const std::string& s) {
  return s.empty() || s.find_first_of(" \t\"\\=") != std::string::npos;
}

}  // namespace

// The epsilon keeps a value already at 6 decimals (up to binary noise) where it is; max()
// turns ceil(-epsilon) = -0.0 into 0.0.
double round_up_6(double value) {
  return std::max(0.0, std::ceil(value * 1e6 - 1e-6) / 1e6);
}

std::string format_ceiling(double value) {
  return fmt::format("{:.6f}", value);
}

ceiling_registry ceiling_registry::load(const std::string& path, const std::string& value_key) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw input_error(fmt::format("{}: cannot open the ceiling registry (no such file)", path));
  if (!std::filesystem::is_regular_file(path, ec))
    throw input_error(
        fmt::format("{}: cannot open the ceiling registry (not a regular file)", path));
  return parse(read_file(path), path, value_key);
}

ceiling_registry ceiling_registry::parse(const std::string& text, const std::string& path,
                                         const std::string& value_key) {
  ceiling_registry r;
  r.value_key_ = value_key;
  // A UTF-8 byte order mark (some editors add one) is kept on rewrite, not read as text.
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  const bool has_bom = text.compare(0, bom.size(), bom) == 0;
  if (has_bom) r.bom_ = bom;
  std::istringstream in(has_bom ? text.substr(bom.size()) : text);
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string_view whole = raw;
    const bool ends_in_cr = !whole.empty() && whole.back() == '\r';
    if (line == 1 && ends_in_cr) r.newline_ = "\r\n";
    std::string_view view = whole;
    if (ends_in_cr) view.remove_suffix(1);
    const std::size_t first = view.find_first_not_of(" \t");
    if (first == std::string_view::npos || view[first] == '#') {
      // In a CRLF file the CR is the line ending's, which render() writes back; in an LF file
      // it is the line's own text, kept as it is (so a rewrite never eats it).
      r.lines_.push_back({std::string(r.newline_ == "\r\n" ? view : whole), -1});
      continue;
    }
    const std::string_view rest = view.substr(first);
    if (rest.rfind("platform", 0) == 0 && (rest.size() == 8 || rest[8] == ' ' || rest[8] == '\t')) {
      if (r.platform_line_ != 0)
        throw input_error(
            fmt::format("{}:{}: field 'platform': the registry is already stamped at "
                        "line {}",
                        path, line, r.platform_line_));
      r.platform_ = parse_platform_line(view, path, line);
      r.platform_line_ = line;
      r.lines_.push_back({"", platform_index});
      continue;
    }
    ceiling c = parse_ceiling_line(view, path, line, value_key);
    if (const ceiling* previous = r.find(c.benchmark))
      throw input_error(fmt::format("{}:{}: field 'benchmark': '{}' is already listed at line {}",
                                    path, line, truncate_for_message(c.benchmark), previous->line));
    r.lines_.push_back({"", static_cast<int>(r.ceilings_.size())});
    r.ceilings_.push_back(std::move(c));
  }
  return r;
}

ceiling* ceiling_registry::find(const std::string& benchmark) {
  for (auto& c : ceilings_)
    if (c.benchmark == benchmark) return &c;
  return nullptr;
}

const ceiling* ceiling_registry::find(const std::string& benchmark) const {
  for (const auto& c : ceilings_)
    if (c.benchmark == benchmark) return &c;
  return nullptr;
}

ceiling& ceiling_registry::add(ceiling c) {
  lines_.push_back({"", static_cast<int>(ceilings_.size())});
  c.line = static_cast<int>(lines_.size());
  ceilings_.push_back(std::move(c));
  return ceilings_.back();
}

std::string ceiling_registry::render() const {
  // Benchmark names are padded to a common width so the values line up in the file.
  std::size_t width = 0;
  for (const auto& c : ceilings_)
    width = std::max(width, registry_name(c.benchmark).size());
  std::string out = bom_;
  for (const auto& l : lines_) {
    if (l.ceiling_index == platform_index) {
      out += "platform";
      for (const auto& [k, v] : platform_)
        out += " " + k + "=" + (needs_quotes(v) ? quote(v) : v);
    } else if (l.ceiling_index < 0) {
      out += l.verbatim;
    } else {
      const ceiling& c = ceilings_[static_cast<std::size_t>(l.ceiling_index)];
      out += fmt::format("{:<{}} window={} {}={}", registry_name(c.benchmark), width, c.window,
                         value_key_, format_ceiling(c.allocs_per_event));
      if (c.bytes_per_event) out += " bytes_per_event=" + format_ceiling(*c.bytes_per_event);
      if (!c.reason.empty()) out += " reason=" + quote(c.reason);
    }
    out += newline_;
  }
  return out;
}

void ceiling_registry::set_platform(stamp s) {
  platform_ = std::move(s);
  if (platform_line_ != 0) return;
  // After the leading comment block, before the first ceiling.
  std::size_t at = 0;
  while (at < lines_.size() && lines_[at].ceiling_index == -1 &&
         lines_[at].verbatim.find_first_not_of(" \t\r") != std::string::npos)
    ++at;
  lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(at), {"", platform_index});
  platform_line_ = static_cast<int>(at) + 1;
}

void ceiling_registry::save(const std::string& path) const {
  write_file_atomically(path, render());
}

}  // namespace tools
