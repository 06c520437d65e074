// File: callgrind_profile.cpp
// The callgrind format reader declared in callgrind_profile.h. The format: header lines
// ("key: value"), then blocks of specification lines ("fn=(id) name", "calls=N target") and
// cost lines ("position cost cost..."); names are compressed as "(id) name" on first use and
// "(id)" afterwards, with one id space for objects, one for files and one for functions. The
// cost line after a "calls=" line is the inclusive cost of that call, not self cost.
#include "instr/callgrind_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "common/atomic_file.h"
#include "common/error.h"

namespace instr {
namespace {

using tools::input_error;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

class reader {
 public:
  explicit reader(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw input_error(fmt::format("{}:{}: {}", path_, line, what));
  }

  // "(id) name" defines id, "(id)" refers to it, a plain name has no id.
  std::string name(std::unordered_map<std::string, std::string>& table, std::string_view value,
                   int line) const {
    value = trim(value);
    if (value.empty() || value.front() != '(') return std::string(value);
    const std::size_t close = value.find(')');
    if (close == std::string_view::npos) fail(line, "unterminated name id '(...'");
    const std::string id(value.substr(1, close - 1));
    const std::string_view rest = trim(value.substr(close + 1));
    if (!rest.empty()) {
      table[id] = std::string(rest);
      return std::string(rest);
    }
    const auto it = table.find(id);
    if (it == table.end())
      fail(line,
           fmt::format("name id ({}) used before it was defined", tools::truncate_for_message(id)));
    return it->second;
  }

  // a + b, or a one-line error: a sum that wraps would be a small, passing count.
  std::uint64_t add(std::uint64_t a, std::uint64_t b, int line) const {
    std::uint64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) fail(line, "cost sum overflows 64 bits");
    return sum;
  }

  std::uint64_t number(std::string_view token, int line, std::string_view what) const {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc() || end != token.data() + token.size())
      fail(line, fmt::format("{}: expected a whole number, got '{}'", what,
                             tools::truncate_for_message(token)));
    return v;
  }

 private:
  const std::string& path_;
};

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
      ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t')
      ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string callgrind_profile::benchmark() const {
  constexpr std::string_view prefix = "Client Request: ";
  if (trigger.rfind(prefix, 0) != 0) return "";
  const std::string rest = trigger.substr(prefix.size());
  return rest.substr(0, rest.find(' '));
}

std::uint64_t callgrind_profile::events() const {
  const auto it = facts.find("events");
  if (it == facts.end()) return 0;
  std::uint64_t v = 0;
  const auto [end, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return ec == std::errc() && end == it->second.data() + it->second.size() ? v : 0;
}

std::string callgrind_profile::valgrind_version() const {
  constexpr std::string_view prefix = "callgrind-";
  return creator.rfind(prefix, 0) == 0 ? creator.substr(prefix.size()) : "";
}

callgrind_profile parse_callgrind(const std::string& text, const std::string& path) {
  const reader r(path);
  callgrind_profile p;
  p.path = path;
  std::unordered_map<std::string, std::string> objects, files, functions;
  std::unordered_map<std::string, std::size_t> index;  // function name -> p.functions
  std::size_t positions = 1;
  bool have_events = false, pending_call = false;
  // "totals:" closes the file (callgrind writes it last), so a truncated profile has none;
  // "summary:" in the header must agree with it.
  std::optional<std::uint64_t> totals, summary;
  int summary_line = 0;
  std::uint64_t self_sum = 0;
  std::string object, file, cost_file, callee;
  function_cost* current = nullptr;

  std::istringstream in(text);
  std::string raw;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const std::string_view l = trim(raw);
    if (l.empty() || l.front() == '#') continue;
    const char c = l.front();
    if ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*') {
      if (!have_events) r.fail(line, "cost line before the 'events:' header");
      if (current == nullptr) r.fail(line, "cost line before any 'fn='");
      const auto w = words(l);
      if (w.size() < positions) r.fail(line, "cost line without its position");
      const std::uint64_t cost =
          w.size() > positions ? r.number(w[positions], line, "first event's cost") : 0;
      if (std::find(current->files.begin(), current->files.end(), cost_file) ==
          current->files.end())
        current->files.push_back(cost_file);
      if (pending_call) {
        if (callee != current->name) current->inclusive = r.add(current->inclusive, cost, line);
        pending_call = false;
      } else {
        current->self = r.add(current->self, cost, line);
        current->inclusive = r.add(current->inclusive, cost, line);
        self_sum = r.add(self_sum, cost, line);
      }
      continue;
    }
    const std::size_t eq = l.find('=');
    const std::size_t colon = l.find(':');
    if (eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon)) {
      const std::string_view key = l.substr(0, eq);
      const std::string_view value = l.substr(eq + 1);
      if (key == "ob") {
        object = r.name(objects, value, line);
      } else if (key == "cob") {
        r.name(objects, value, line);
      } else if (key == "fl") {
        file = r.name(files, value, line);
        cost_file = file;
      } else if (key == "fi" || key == "fe") {
        cost_file = r.name(files, value, line);
      } else if (key == "cfi" || key == "cfl") {
        r.name(files, value, line);
      } else if (key == "fn") {
        const std::string fn = r.name(functions, value, line);
        if (fn.empty()) r.fail(line, "'fn=' names no function");
        auto [it, added] = index.emplace(fn, p.functions.size());
        if (added) p.functions.push_back({fn, file.empty() ? "???" : file, object, {}, 0, 0});
        current = &p.functions[it->second];
        pending_call = false;
      } else if (key == "cfn") {
        callee = r.name(functions, value, line);
        if (callee.empty()) r.fail(line, "'cfn=' names no function");
      } else if (key == "calls") {
        pending_call = true;
      } else if (key != "jump" && key != "jcnd") {
        r.fail(line, fmt::format("unknown specification '{}='", tools::truncate_for_message(key)));
      }
      continue;
    }
    if (colon == std::string_view::npos)
      r.fail(line, fmt::format("not a callgrind line: '{}'", tools::truncate_for_message(l)));
    const std::string_view key = l.substr(0, colon);
    const std::string_view value = trim(l.substr(colon + 1));
    if (key == "creator") {
      p.creator = std::string(value);
    } else if (key == "positions") {
      positions = words(value).size();
      if (positions == 0) r.fail(line, "'positions:' names no position");
    } else if (key == "events") {
      const auto w = words(value);
      if (w.empty()) r.fail(line, "'events:' names no event");
      p.event = std::string(w.front());
      have_events = true;
    } else if (key == "totals" || key == "summary") {
      const auto w = words(value);
      if (w.empty()) r.fail(line, fmt::format("'{}:' holds no value", key));
      auto& field = key == "totals" ? totals : summary;
      if (field) r.fail(line, fmt::format("a second '{}:' line", key));
      field = r.number(w.front(), line, key);
      if (key == "summary") summary_line = line;
    } else if (key == "desc") {
      constexpr std::string_view trigger = "Trigger:";
      if (value.rfind(trigger, 0) == 0) p.trigger = std::string(trim(value.substr(trigger.size())));
    }
    // Other header lines (version, pid, cmd, part, event) say nothing the gate uses.
  }
  if (!have_events)
    throw input_error(fmt::format(
        "{}: not a callgrind output (no 'events:' line); expected valgrind --tool=callgrind's "
        "callgrind.out file",
        path));
  if (!totals)
    throw input_error(fmt::format(
        "{}:{}: no 'totals:' line (callgrind writes it last: a truncated profile?)", path, line));
  if (summary && *summary != *totals)
    r.fail(summary_line,
           fmt::format("'summary: {}' disagrees with 'totals: {}'", *summary, *totals));
  // The tables and the gate must see the same instructions: the functions' own costs are
  // the total in every profile callgrind writes.
  if (self_sum != *totals)
    throw input_error(fmt::format(
        "{}: the functions' costs add up to {} but 'totals:' says {} (an edited or damaged "
        "profile?)",
        path, self_sum, *totals));
  p.total = *totals;

  const auto w = words(p.trigger);
  for (std::size_t i = 3; i < w.size(); ++i) {  // "Client Request: BM_X key=value..."
    const std::size_t eq = w[i].find('=');
    if (eq != std::string_view::npos)
      p.facts[std::string(w[i].substr(0, eq))] = std::string(w[i].substr(eq + 1));
  }
  std::sort(p.functions.begin(), p.functions.end(),
            [](const function_cost& a, const function_cost& b) {
              if (a.inclusive != b.inclusive) return a.inclusive > b.inclusive;
              if (a.self != b.self) return a.self > b.self;
              return a.name < b.name;
            });
  return p;
}

callgrind_profile load_callgrind(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw input_error(fmt::format("{}: cannot open the callgrind profile (no such file)", path));
  return parse_callgrind(tools::read_file(path), path);
}

}  // namespace instr
