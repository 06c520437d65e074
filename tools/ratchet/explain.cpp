// File: explain.cpp
#include "ratchet/explain.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string_view>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/table.h"

namespace tools {
namespace {

struct raw_frame {
  std::string object;
  std::uint64_t offset = 0;
};
struct raw_site {
  std::uint64_t allocs = 0, bytes = 0;
  std::vector<raw_frame> frames;  // innermost first
};
struct symbol {
  std::string function, file;
  int line = 0;
};

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Symbolizes every (object, offset) with one addr2line call per object. -i expands inlined
// frames, so a std:: container inlined into a detector function still shows the function.
std::map<std::pair<std::string, std::uint64_t>, std::vector<symbol>> symbolize(
    const std::vector<raw_site>& sites) {
  std::map<std::string, std::vector<std::uint64_t>> by_object;
  for (const auto& s : sites)
    for (const auto& f : s.frames)
      if (f.object != "?") by_object[f.object].push_back(f.offset);
  std::map<std::pair<std::string, std::uint64_t>, std::vector<symbol>> out;
  for (auto& [object, offsets] : by_object) {
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    // Addresses go through a file: the list can be long.
    char tmpl[] = "/tmp/allocgate-addrs-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) throw input_error("explain: cannot create a temporary file");
    std::string addrs;
    for (auto o : offsets)
      addrs += fmt::format("0x{:x}\n", o);
    if (::write(fd, addrs.data(), addrs.size()) != static_cast<ssize_t>(addrs.size())) {
      ::close(fd);
      throw input_error("explain: cannot write a temporary file");
    }
    ::close(fd);
    // --addresses prints each address before its (possibly inlined) frames.
    const std::string cmd = fmt::format("addr2line --addresses -f -C -i -e {} < {}",
                                        shell_quote(object), shell_quote(tmpl));
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) throw input_error("explain: cannot run addr2line (install binutils)");
    char buf[4096];
    std::uint64_t current = 0;
    std::string pending_function;
    bool expect_location = false;
    while (std::fgets(buf, sizeof buf, p) != nullptr) {
      std::string l(buf);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
        l.pop_back();
      if (!expect_location && l.rfind("0x", 0) == 0) {
        current = std::stoull(l, nullptr, 16);
        continue;
      }
      if (!expect_location) {
        pending_function = l;
        expect_location = true;
        continue;
      }
      symbol s;
      s.function = pending_function;
      const std::size_t colon = l.rfind(':');
      s.file = colon == std::string::npos ? l : l.substr(0, colon);
      if (colon != std::string::npos) s.line = std::atoi(l.c_str() + colon + 1);
      const std::size_t disc = s.file.find(" (discriminator");
      if (disc != std::string::npos) s.file.resize(disc);
      out[{object, current}].push_back(s);
      expect_location = false;
    }
    pclose(p);
    std::remove(tmpl);
  }
  return out;
}

bool is_hook_or_library(const symbol& s) {
  return s.file == "??" || s.file.rfind("/usr/", 0) == 0 ||
         s.file.find("/alloc_hooks/") != std::string::npos ||
         s.function.rfind("operator new", 0) == 0;
}

// "/work/main/detectors/include/detectors/x.h" -> "detectors/include/detectors/x.h": cut at
// the first module folder of the repository.
std::string project_relative(const std::string& file) {
  std::size_t first = std::string::npos;
  for (const char* root : {"/detectors/", "/bench/", "/tools/"})
    first = std::min(first, file.find(root));
  return first == std::string::npos ? file : file.substr(first + 1);
}

// A readable name from a demangled one: template arguments, the argument list, the return
// type and ABI tags dropped. "std::pair<..> std::unordered_map<..>::emplace<..>(..)" ->
// "std::unordered_map::emplace".
std::string short_function(const std::string& f) {
  std::string out;
  int angle = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    // "operator<", "operator<<" and "operator->" are names, not template brackets.
    if (angle == 0 && f.compare(i, 8, "operator") == 0) {
      std::size_t j = i + 8;
      while (j < f.size() &&
             std::string_view("<>=-!+*/%&|^[]()~,").find(f[j]) != std::string_view::npos &&
             !(f[j] == '(' && j > i + 8 && f[j - 1] != '('))
        ++j;
      out.append(f, i, j - i);
      i = j - 1;
      continue;
    }
    if (c == '<') {
      ++angle;
    } else if (c == '>') {
      if (angle > 0) --angle;
    } else if (angle == 0) {
      if (c == '(') break;  // the argument list
      if (c == ' ') {
        out.clear();  // everything so far was the return type
        continue;
      }
      out += c;
    }
  }
  for (const std::string tag : {"json_abi_v3_11_2::", "__cxx11::", "__detail::"}) {
    for (std::size_t at; (at = out.find(tag)) != std::string::npos;)
      out.erase(at, tag.size());
  }
  return out.empty() ? f : out;
}

}  // namespace

std::string benchmark_name_for(const std::string& name) {
  if (name.rfind("BM_", 0) == 0) return name;
  std::string out = "BM_";
  bool upper = true;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out + "Detector";
}

explanation parse_attribution(const std::string& text, const std::string& benchmark, int top) {
  explanation e;
  e.benchmark = benchmark;
  std::vector<raw_site> sites;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string kind;
    ls >> kind;
    if (kind == "events") {
      ls >> e.events;
    } else if (kind == "dropped") {
      continue;
    } else if (kind == "site") {
      raw_site s;
      ls >> s.allocs >> s.bytes;
      sites.push_back(s);
    } else if (kind == "frame" && !sites.empty()) {
      raw_frame f;
      std::string hex;
      ls >> hex;
      f.offset = std::stoull(hex, nullptr, 16);
      std::getline(ls >> std::ws, f.object);
      sites.back().frames.push_back(f);
    } else {
      throw input_error(fmt::format("attribution file:{}: unexpected line '{}'", number, line));
    }
  }
  const auto symbols = symbolize(sites);
  std::map<std::pair<std::string, std::string>, allocation_site> merged;
  for (const auto& s : sites) {
    e.allocs += s.allocs;
    allocation_site site;
    std::string via;
    for (const auto& f : s.frames) {
      auto it = symbols.find({f.object, f.offset});
      if (it == symbols.end()) continue;
      for (const symbol& sym : it->second) {  // inlined frames, innermost first
        if (is_hook_or_library(sym)) {
          if (sym.file != "??" && sym.function.rfind("operator new", 0) != 0 &&
              sym.file.find("/alloc_hooks/") == std::string::npos)
            via = short_function(sym.function);
          continue;
        }
        site.function = short_function(sym.function);
        site.location = fmt::format("{}:{}", project_relative(sym.file), sym.line);
        break;
      }
      if (!site.function.empty()) break;
    }
    if (site.function.empty()) site.function = "(outside project code)";
    site.via = via;
    auto& m = merged[{site.function, site.location}];
    if (m.function.empty()) m = site;
    m.allocs += s.allocs;
    m.bytes += s.bytes;
  }
  for (auto& [k, v] : merged)
    e.sites.push_back(v);
  std::sort(e.sites.begin(), e.sites.end(),
            [](const auto& a, const auto& b) { return a.allocs > b.allocs; });
  if (top > 0 && e.sites.size() > static_cast<std::size_t>(top))
    e.sites.resize(static_cast<std::size_t>(top));
  return e;
}

explanation explain_benchmark(const std::string& bench_binary, const std::string& name, int top) {
  const std::string benchmark = benchmark_name_for(name);
  if (::access(bench_binary.c_str(), X_OK) != 0)
    throw input_error(
        fmt::format("{}: attribution bench binary not found or not executable "
                    "(build target detector_bench_attribution)",
                    bench_binary));
  char tmpl[] = "/tmp/allocgate-attribution-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw input_error("explain: cannot create a temporary file");
  ::close(fd);
  // The benchmark's own console output is kept apart and shown only if the run fails.
  const std::string log = std::string(tmpl) + ".log";
  const std::string cmd = fmt::format(
      "ALLOCGATE_ATTRIBUTION_OUT={} {} --benchmark_filter={} --benchmark_repetitions=1 "
      ">{} 2>&1",
      shell_quote(tmpl), shell_quote(bench_binary), shell_quote("^" + benchmark + "(/|$)"),
      shell_quote(log));
  const int status = std::system(cmd.c_str());
  std::string run_log;
  try {
    run_log = read_file(log);
  } catch (const input_error&) {
  }
  std::remove(log.c_str());
  std::string text;
  try {
    text = read_file(tmpl);
  } catch (const input_error&) {
  }
  std::remove(tmpl);
  if (status != 0 || text.find("events") == std::string::npos)
    throw input_error(
        fmt::format("explain: {} did not run benchmark '{}' with attribution "
                    "(exit status {}); is the name right?",
                    bench_binary, benchmark, status));
  explanation e = parse_attribution(text, benchmark, top);
  if (e.events == 0)
    throw input_error(
        fmt::format("explain: {} ran no window of '{}' (unknown benchmark or "
                    "detector name?)",
                    bench_binary, benchmark));
  return e;
}

std::string render_explanation_text(const explanation& e, double ceiling) {
  std::string out = fmt::format("\n{}: {:.4f} allocs/event over {} events", e.benchmark,
                                e.per_event(e.allocs), e.events);
  if (ceiling >= 0) out += fmt::format(" (ceiling {:.4f})", ceiling);
  out += " — where they come from:\n";
  table t({"allocs/event", "bytes/event", "site", "location", "via"},
          {align::right, align::right, align::left, align::left, align::left});
  for (const auto& s : e.sites)
    t.add_row({fmt::format("{:.4f}", e.per_event(s.allocs)),
               fmt::format("{:.1f}", e.per_event(s.bytes)), s.function, s.location, s.via});
  return out + t.render_text();
}

std::string render_explanation_markdown(const explanation& e, double ceiling) {
  std::string out =
      fmt::format("\n#### `{}`: {:.4f} allocs/event", e.benchmark, e.per_event(e.allocs));
  if (ceiling >= 0) out += fmt::format(" (ceiling {:.4f})", ceiling);
  out += "\n\n";
  table t({"allocs/event", "bytes/event", "site", "location", "via"},
          {align::right, align::right, align::left, align::left, align::left});
  for (const auto& s : e.sites)
    t.add_row({fmt::format("{:.4f}", e.per_event(s.allocs)),
               fmt::format("{:.1f}", e.per_event(s.bytes)), "`" + s.function + "`",
               "`" + s.location + "`", s.via.empty() ? "" : "`" + s.via + "`"});
  return out + t.render_markdown();
}

}  // namespace tools
