// File: explain.cpp
// `ratchet explain`: runs the attribution bench binary for one benchmark, reads the site table
// it writes (alloc_hooks/attribution_file.h), symbolizes the frames with addr2line and names,
// per site, the first frame in project code and the library call it went through.
#include "ratchet/explain.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include "alloc_hooks/attribution.h"
#include "bench/measurement.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/table.h"

namespace tools {
namespace {

namespace af = alloc_hooks::attribution_file;

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
    const std::vector<af::site>& sites) {
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

// " (its last output: ...)" from a run's console log, or "" when it printed nothing.
std::string last_line_of(std::string_view log) {
  while (!log.empty() && (log.back() == '\n' || log.back() == '\r'))
    log.remove_suffix(1);
  if (log.empty()) return "";
  const std::size_t nl = log.rfind('\n');
  return fmt::format(" (its last output: {})",
                     nl == std::string_view::npos ? log : log.substr(nl + 1));
}

}  // namespace

std::string short_function(const std::string& demangled) {
  // "(anonymous namespace)" holds a space and parentheses, which mean something below.
  std::string f = demangled;
  for (const std::string anon : {"(anonymous namespace)::"}) {
    for (std::size_t at; (at = f.find(anon)) != std::string::npos;)
      f.erase(at, anon.size());
  }
  std::string out;
  int angle = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    // "operator<", "operator<<" and "operator->" are names, not template brackets; a '<'
    // after another operator character ("operator+=<std::string_view>") opens template
    // arguments.
    if (angle == 0 && f.compare(i, 8, "operator") == 0) {
      std::size_t j = i + 8;
      while (j < f.size() &&
             std::string_view("<>=-!+*/%&|^[]()~,").find(f[j]) != std::string_view::npos &&
             !(f[j] == '(' && j > i + 8 && f[j - 1] != '(') &&
             !(f[j] == '<' && j > i + 8 && f[j - 1] != '<'))
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

static_assert(std::string_view(bench::attribution_out_env) ==
                  std::string_view(alloc_hooks::attribution_out_env),
              "the gate and the hook name the attribution variable alike");

code_roots code_roots::of_build() {
  return code_roots{{ALLOCGATE_SOURCE_DIR}, ALLOCGATE_HOOK_FOLDER, {}};
}

std::optional<std::string> code_roots::cmake_source_dir_of(const std::string& binary) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = fs::absolute(binary, ec).parent_path();
  for (int depth = 0; !ec && !dir.empty() && depth < 32; ++depth) {
    std::ifstream cache(dir / "CMakeCache.txt");
    std::string line;
    constexpr std::string_view key = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    while (cache && std::getline(cache, line))
      if (line.rfind(key, 0) == 0) return line.substr(key.size());
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

std::string exact_benchmark_filter(const std::string& benchmark) {
  std::string out = "^";
  for (const char c : benchmark) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out + "(/|$)";
}

namespace {

// `file` relative to `root` when it lies under it.
std::optional<std::filesystem::path> under(const std::filesystem::path& file,
                                           const std::filesystem::path& root) {
  if (!file.is_absolute() || root.empty()) return std::nullopt;
  const std::filesystem::path rel =
      file.lexically_normal().lexically_relative(root.lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return std::nullopt;
  return rel;
}

}  // namespace

std::optional<std::string> code_roots::project_relative(const std::string& file) const {
  std::optional<std::filesystem::path> best;
  for (const std::string& root : roots) {
    const auto rel = under(file, root);
    // The most specific root wins when roots nest.
    if (rel && (!best || std::distance(rel->begin(), rel->end()) <
                             std::distance(best->begin(), best->end())))
      best = rel;
  }
  if (best) return best->generic_string();
  for (const std::string& library : expanded) {
    const std::filesystem::path root = std::filesystem::path(library).lexically_normal();
    if (const auto rel = under(file, root))
      return ((root.has_filename() ? root.filename() : root.parent_path().filename()) / *rel)
          .generic_string();
  }
  return std::nullopt;
}

bool code_roots::is_hook(const std::string& file) const {
  if (hook_folder.empty()) return false;
  for (const std::string& root : roots)
    if (under(file, std::filesystem::path(root) / hook_folder)) return true;
  return false;
}

explanation explain_attribution(const af::contents& contents, const std::string& benchmark, int top,
                                const code_roots& roots) {
  explanation e;
  e.benchmark = benchmark;
  e.events = contents.events;
  const auto symbols = symbolize(contents.sites);
  std::map<std::pair<std::string, std::string>, allocation_site> merged;
  for (const auto& s : contents.sites) {
    e.allocs += s.allocs;
    allocation_site site;
    std::string via;
    for (const auto& f : s.frames) {
      auto it = symbols.find({f.object, f.offset});
      if (it == symbols.end()) continue;
      for (const symbol& sym : it->second) {  // inlined frames, innermost first
        // The hook's own frames, wherever its sources lie (a vendored copy inside the project).
        if (roots.is_hook(sym.file) || sym.function.rfind("operator new", 0) == 0 ||
            sym.function.rfind("alloc_hooks::", 0) == 0)
          continue;
        const std::optional<std::string> rel = roots.project_relative(sym.file);
        if (!rel) {
          if (sym.file != "??") via = short_function(sym.function);
          continue;
        }
        site.function = short_function(sym.function);
        site.location = fmt::format("{}:{}", *rel, sym.line);
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

namespace {

// std::system's result is a wait status: "exit status 256" means exit code 1.
std::string describe_wait_status(int status) {
  if (status == -1) return fmt::format("could not start: {}", std::strerror(errno));
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return fmt::format("wait status {}", status);
}

}  // namespace

explanation explain_benchmark(const std::string& bench_binary, const std::string& benchmark,
                              const explain_options& options) {
  if (::access(bench_binary.c_str(), X_OK) != 0)
    throw input_error(
        fmt::format("{}: attribution bench binary not found or not executable (a benchmark "
                    "linked with allocgate::alloc_hooks_attribution: allocgate_add_benchmark "
                    "makes <name>_attribution)",
                    bench_binary));
  char tmpl[] = "/tmp/allocgate-attribution-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw input_error("explain: cannot create a temporary file");
  ::close(fd);
  // The benchmark's own console output is kept apart and shown only if the run fails.
  const std::string log = std::string(tmpl) + ".log";
  const std::string cmd =
      fmt::format("{}={} {} --benchmark_filter={} --benchmark_repetitions=1 >{} 2>&1",
                  bench::attribution_out_env, shell_quote(tmpl), shell_quote(bench_binary),
                  shell_quote(exact_benchmark_filter(benchmark)), shell_quote(log));
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
  if (status != 0)
    throw input_error(
        fmt::format("explain: {} did not run benchmark '{}' with attribution "
                    "({}); is the name right?{}",
                    bench_binary, benchmark, describe_wait_status(status), last_line_of(run_log)));
  if (text.empty())
    throw input_error(fmt::format(
        "explain: {} wrote no attribution for benchmark '{}': is the name right, is the binary "
        "linked with allocgate::alloc_hooks_attribution, and does the benchmark measure with "
        "alloc_hooks::measure (alloc_hooks/benchmark.h)?{}",
        bench_binary, benchmark, last_line_of(run_log)));
  af::contents contents;
  try {
    contents = af::read(text, fmt::format("attribution file of {}", benchmark));
  } catch (const af::format_error& error) {
    throw input_error(error.what());
  }
  code_roots roots = code_roots::of_build();
  if (!options.source_roots.empty()) {
    roots.roots = options.source_roots;
  } else if (const auto built_from = code_roots::cmake_source_dir_of(bench_binary)) {
    roots.roots = {*built_from};
  }
  roots.expanded = options.expand;
  explanation e = explain_attribution(contents, benchmark, options.top, roots);
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
