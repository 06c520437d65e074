// File: instr_report.cpp
// The results JSON and the by-function tables declared in instr_report.h.
#include "instr/instr_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bench/measurement.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/table.h"

#ifndef ALLOCGATE_SOURCE_DIR
#define ALLOCGATE_SOURCE_DIR ""
#endif

namespace instr {

using tools::input_error;
namespace fs = std::filesystem;

const callgrind_profile* profile_set::find(const std::string& benchmark) const {
  for (const auto& p : profiles)
    if (p.benchmark() == benchmark) return &p;
  return nullptr;
}

namespace {

// A count of the trigger ("windows=16 window=1024 events=16384"): a whole number above 0, or
// a one-line error. A missing or zero windows would make instr/op, the counter the gate reads,
// 0: a pass.
std::uint64_t trigger_count(const callgrind_profile& p, const char* key) {
  const auto it = p.facts.find(key);
  const std::string value = it == p.facts.end() ? std::string() : it->second;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (it == p.facts.end() || ec != std::errc() || end != value.data() + value.size() || v == 0)
    throw input_error(fmt::format(
        "{}: trigger field '{}': expected a whole number above 0, got '{}' (trigger '{}')", p.path,
        key, it == p.facts.end() ? "(none)" : tools::truncate_for_message(value),
        tools::truncate_for_message(p.trigger)));
  return v;
}

// callgrind.out.N in dump order (N numerically), the final exit dump (no suffix) left out.
std::vector<std::string> dump_files(const std::string& folder) {
  std::vector<std::pair<long, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    constexpr std::string_view prefix = "callgrind.out.";
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string suffix = name.substr(prefix.size());
    long n = 0;
    const auto [end, parsed] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), n);
    if (suffix.empty() || parsed != std::errc() || end != suffix.data() + suffix.size()) continue;
    found.emplace_back(n, entry.path().string());
  }
  if (ec)
    throw input_error(fmt::format("{}: cannot read the profile folder: {}", folder, ec.message()));
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found)
    out.push_back(std::move(f.second));
  return out;
}

}  // namespace

profile_set load_profile_set(const std::string& folder) {
  profile_set set;
  set.folder = folder;
  const std::string runner = (fs::path(folder) / "runner.txt").string();
  std::error_code ec;
  if (!fs::is_regular_file(runner, ec))
    throw input_error(fmt::format("{}: no such file (the runner's output; did it run?)", runner));
  std::istringstream in(tools::read_file(runner));
  std::string line;
  std::vector<std::string> announced;  // "benchmark BM_X ...": each dump the runner made
  while (std::getline(in, line)) {
    if (line.rfind("platform ", 0) == 0) set.platform = line.substr(9);
    if (line.rfind("benchmark ", 0) == 0)
      announced.push_back(line.substr(10, line.find(' ', 10) - 10));
  }
  if (set.platform.empty())
    throw input_error(
        fmt::format("{}: no 'platform ...' line (not the instruction runner's output?)", runner));
  std::string valgrind;
  for (const std::string& file : dump_files(folder)) {
    callgrind_profile p = load_callgrind(file);
    const std::string name = p.benchmark();
    if (name.rfind(bench::benchmark_prefix, 0) != 0) continue;
    // The gate reads instr/op (per window) and divides by the window: the three counts must
    // be there and agree, or instr/event would not be the instructions per event.
    const std::uint64_t windows = trigger_count(p, "windows"), window = trigger_count(p, "window"),
                        events = trigger_count(p, "events");
    std::uint64_t product = 0;
    if (__builtin_mul_overflow(windows, window, &product) || product != events)
      throw input_error(
          fmt::format("{}: trigger field 'events': {} windows of {} events are not events={}", file,
                      windows, window, events));
    if (const callgrind_profile* other = set.find(name))
      throw input_error(
          fmt::format("{}: a second profile of '{}' (the first is {}); one run per folder", file,
                      name, other->path));
    if (!valgrind.empty() && p.valgrind_version() != valgrind)
      throw input_error(
          fmt::format("{}: written by {}, the others by callgrind-{}", file, p.creator, valgrind));
    valgrind = p.valgrind_version();
    set.profiles.push_back(std::move(p));
  }
  if (set.profiles.empty())
    throw input_error(fmt::format(
        "{}: no benchmark profile (callgrind.out.N naming a BM_ benchmark); did the runner run "
        "under valgrind --tool=callgrind?",
        folder));
  // A dump the runner announced but callgrind did not write (a full disk, a stale folder)
  // would otherwise surface later as a missing measurement with no hint why.
  for (const std::string& name : announced)
    if (set.find(name) == nullptr)
      throw input_error(fmt::format(
          "{}: the runner dumped '{}' but the folder holds no profile of it", runner, name));
  set.platform += " valgrind=" + (valgrind.empty() ? std::string("unknown") : valgrind);
  return set;
}

std::string results_json(const profile_set& set) {
  nlohmann::ordered_json doc;
  doc["context"] = {{"executable", "detector_instr_count (valgrind --tool=callgrind)"},
                    {"instr_platform", set.platform},
                    {"instr_profiles", set.folder}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const callgrind_profile& p : set.profiles) {
    const std::string name = p.benchmark();
    const std::uint64_t windows = trigger_count(p, "windows");
    const std::uint64_t events = trigger_count(p, "events");
    nlohmann::ordered_json e;
    e["name"] = name;
    e["run_name"] = name;
    e["run_type"] = "iteration";
    e["repetitions"] = 1;
    e["repetition_index"] = 0;
    e["threads"] = 1;
    e["iterations"] = windows;
    e["real_time"] = 0;
    e["cpu_time"] = 0;
    e["time_unit"] = "ns";
    e[std::string(bench::counter::window)] = trigger_count(p, "window");
    // The reference (memchr over the windows' text) publishes no instr/op, the counter the
    // gate reads: like its allocation counterpart it is measured, never gated.
    const auto parsed = bench::parse_benchmark_name(name);
    if (!parsed || parsed->kind != bench::family::memchr_scan)
      e[std::string(bench::counter::instr_per_op)] =
          static_cast<double>(p.total) / static_cast<double>(windows);
    e[std::string(bench::counter::instr_per_event)] =
        static_cast<double>(p.total) / static_cast<double>(events);
    e["instr"] = p.total;
    e["events"] = events;
    list.push_back(std::move(e));
  }
  doc["benchmarks"] = std::move(list);
  // A name or platform that is not UTF-8 is written with U+FFFD, not thrown as a JSON error.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

source_roots source_roots::of_build() {
  source_roots r;
  if (std::string(ALLOCGATE_SOURCE_DIR).size() > 0) r.roots.push_back(ALLOCGATE_SOURCE_DIR);
  return r;
}

std::optional<std::string> source_roots::project_relative(const std::string& file) const {
  const std::string normal = fs::path(file).lexically_normal().string();
  for (const std::string& root : roots) {
    std::string r = fs::path(root).lexically_normal().string();
    if (!r.empty() && r.back() != '/') r += '/';
    if (normal.rfind(r, 0) == 0) return normal.substr(r.size());
  }
  return std::nullopt;
}

std::optional<std::string> source_roots::project_file(const function_cost& f) const {
  if (auto rel = project_relative(f.file)) return rel;
  for (const std::string& file : f.files)
    if (auto rel = project_relative(file)) return rel;
  return std::nullopt;
}

bool source_roots::is_harness(const function_cost& f) const {
  const auto rel = project_relative(f.file);
  return rel && !harness.empty() && rel->rfind(harness, 0) == 0;
}

std::string short_name(const std::string& demangled) {
  // "(anonymous namespace)" is a name, not a parameter list: hidden while the rest is cut.
  constexpr std::string_view anonymous = "(anonymous namespace)";
  constexpr std::string_view placeholder = "{anonymous}";
  std::string s = demangled;
  for (std::size_t at; (at = s.find(anonymous)) != std::string::npos;)
    s.replace(at, anonymous.size(), placeholder);
  if (const auto clone = s.find(" [clone"); clone != std::string::npos) s.erase(clone);
  // The parameter list: the last top-level "(...)" (an operator() keeps its own name).
  int depth = 0;
  for (std::size_t i = s.size(); i-- > 0;) {
    const char c = s[i];
    if (c == ')') ++depth;
    if (c == '(' && --depth == 0) {
      if (i >= 8 && s.compare(i - 8, 8, "operator") == 0) continue;
      s.erase(i);
      break;
    }
  }
  std::string out;
  depth = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    // "operator<" / "operator<<" are names, not template brackets.
    if (depth == 0 && c == '<' && i >= 8 && s.compare(i - 8, 8, "operator") == 0) {
      out += c;
      continue;
    }
    if (c == '<') ++depth;
    if (depth == 0) out += c;
    if (c == '>' && depth > 0) --depth;
  }
  // A return type in front ("void ns::f"): keep the last space-separated word at depth 0.
  if (const auto space = out.rfind(' ');
      space != std::string::npos && out.find("operator") == std::string::npos)
    out = out.substr(space + 1);
  for (std::size_t at; (at = out.find(placeholder)) != std::string::npos;)
    out.replace(at, placeholder.size(), anonymous);
  return out.empty() ? demangled : out;
}

namespace {

std::string where(const function_cost& f, const source_roots& roots) {
  if (auto rel = roots.project_file(f)) return *rel;
  if (f.file != "???" && !f.file.empty()) return fs::path(f.file).filename().string();
  return fs::path(f.object).filename().string();
}

double per_event(std::uint64_t n, std::uint64_t events) {
  return events ? static_cast<double>(n) / static_cast<double>(events) : 0.0;
}

std::string fixed(double v) {
  return fmt::format("{:.2f}", v);
}

std::string code(const std::string& s, bool markdown) {
  return markdown ? "`" + s + "`" : s;
}

}  // namespace

std::string render_explanation(const callgrind_profile& head, const explain_options& o) {
  const std::uint64_t events = head.events();
  std::vector<const function_cost*> project, other;
  for (const auto& f : head.functions)
    if (!o.roots.is_harness(f)) (o.roots.project_file(f) ? project : other).push_back(&f);
  const auto take = [&](std::vector<const function_cost*>& v) {
    if (v.size() > static_cast<std::size_t>(o.top)) v.resize(static_cast<std::size_t>(o.top));
  };
  take(project);
  take(other);
  tools::table t({"incl/event", "self/event", "self %", "code", "function", "where"},
                 {tools::align::right, tools::align::right, tools::align::right, tools::align::left,
                  tools::align::left, tools::align::left});
  const auto add = [&](const function_cost* f, const char* kind) {
    t.add_row({fixed(per_event(f->inclusive, events)), fixed(per_event(f->self, events)),
               fmt::format("{:.1f}%", head.total ? 100.0 * static_cast<double>(f->self) /
                                                       static_cast<double>(head.total)
                                                 : 0.0),
               kind, code(short_name(f->name), o.markdown), where(*f, o.roots)});
  };
  for (const auto* f : project)
    add(f, "project");
  for (const auto* f : other)
    add(f, "library");
  const std::string title = fmt::format(
      "{}: {:.2f} instr/event over {} events ({}) - by function, project code first (top {} "
      "of each):",
      head.benchmark(), per_event(head.total, events), events, head.creator, o.top);
  if (o.markdown) return "\n**" + title + "**\n\n" + t.render_markdown();
  return "\n" + title + "\n" + t.render_text();
}

std::string render_diff(const callgrind_profile& base, const callgrind_profile& head,
                        const explain_options& o) {
  const std::uint64_t head_events = head.events();
  const std::uint64_t base_events = base.events() ? base.events() : head_events;
  // Functions are paired by short name, so a signature change still pairs; the overloads and
  // instantiations a short name covers are summed (self exactly; inclusive may count a call
  // between two of them twice, on both sides alike).
  struct side {
    std::uint64_t self = 0, inclusive = 0;
  };
  struct pair {
    side base, head;
    const function_cost* any = nullptr;  // for the "where" column: head's first, else base's
  };
  std::map<std::string, pair> by_name;
  const auto add = [&](const callgrind_profile& p, side pair::*which) {
    for (const auto& f : p.functions) {
      if (o.roots.is_harness(f)) continue;
      pair& entry = by_name[short_name(f.name)];
      (entry.*which).self += f.self;
      (entry.*which).inclusive += f.inclusive;
      if (entry.any == nullptr) entry.any = &f;  // head is added first
    }
  };
  add(head, &pair::head);
  add(base, &pair::base);
  struct row {
    std::string name;
    const function_cost* any;
    double base_self, head_self, base_incl, head_incl;
  };
  std::vector<row> rows;
  for (const auto& [name, p] : by_name) {
    row r{name,
          p.any,
          per_event(p.base.self, base_events),
          per_event(p.head.self, head_events),
          per_event(p.base.inclusive, base_events),
          per_event(p.head.inclusive, head_events)};
    if (r.base_self != r.head_self || r.base_incl != r.head_incl) rows.push_back(r);
  }
  std::sort(rows.begin(), rows.end(), [](const row& a, const row& b) {
    const double da = std::abs(a.head_self - a.base_self), db = std::abs(b.head_self - b.base_self);
    if (da != db) return da > db;
    const double ia = std::abs(a.head_incl - a.base_incl), ib = std::abs(b.head_incl - b.base_incl);
    if (ia != ib) return ia > ib;
    return a.name < b.name;
  });
  if (rows.size() > static_cast<std::size_t>(o.top)) rows.resize(static_cast<std::size_t>(o.top));
  tools::table t(
      {"self base", "self head", "Δself/event", "incl base", "incl head", "Δincl/event", "function",
       "where"},
      {tools::align::right, tools::align::right, tools::align::right, tools::align::right,
       tools::align::right, tools::align::right, tools::align::left, tools::align::left});
  for (const row& r : rows)
    t.add_row({fixed(r.base_self), fixed(r.head_self),
               fmt::format("{:+.2f}", r.head_self - r.base_self), fixed(r.base_incl),
               fixed(r.head_incl), fmt::format("{:+.2f}", r.head_incl - r.base_incl),
               code(r.name, o.markdown), where(*r.any, o.roots)});
  const double b = per_event(base.total, base_events), h = per_event(head.total, head_events);
  const std::string title = fmt::format(
      "{}: {:.2f} -> {:.2f} instr/event ({:+.2f}%) against base {} - top {} functions by change "
      "of self instr/event:",
      head.benchmark(), b, h, b > 0 ? (h - b) / b * 100.0 : 0.0, base.path, o.top);
  const std::string body =
      rows.empty() ? "no function changed\n" : (o.markdown ? t.render_markdown() : t.render_text());
  if (o.markdown) return "\n**" + title + "**\n\n" + body;
  return "\n" + title + "\n" + body;
}

std::string resolve_benchmark(const std::string& name) {
  if (name.rfind(bench::benchmark_prefix, 0) == 0) return name;
  return bench::benchmark_name(name, bench::family::warm);
}

callgrind_profile load_base(const std::string& file_or_folder, const std::string& benchmark) {
  std::error_code ec;
  if (fs::is_directory(file_or_folder, ec)) {
    for (const std::string& file : dump_files(file_or_folder)) {
      callgrind_profile p = load_callgrind(file);
      if (p.benchmark() == benchmark) return p;
    }
    throw input_error(
        fmt::format("{}: no profile of '{}' in the base folder", file_or_folder, benchmark));
  }
  callgrind_profile p = load_callgrind(file_or_folder);
  if (p.benchmark() != benchmark)
    throw input_error(fmt::format("{}: a profile of '{}', not of '{}'", file_or_folder,
                                  p.benchmark().empty() ? p.trigger : p.benchmark(), benchmark));
  return p;
}

}  // namespace instr
