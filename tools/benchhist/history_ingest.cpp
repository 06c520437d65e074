// File: history_ingest.cpp
#include "benchhist/history_ingest.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "benchhist/history_compare.h"
#include "common/error.h"

namespace tools {
namespace {

// First line of a command's output, empty when it fails (not a repository, no such ref).
std::string command_line(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return {};
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p) != nullptr)
    out += buf;
  const int status = ::pclose(p);
  if (status != 0) return {};
  if (auto nl = out.find('\n'); nl != std::string::npos) out.resize(nl);
  return out;
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

// parse_gbench_results tolerates Google Benchmark's bare NaN / inf; the context is parsed here
// a second time (to keep it whole), so the same tokens are nulled first.
std::string sanitize_gbench_json(const std::string& text) {
  static const char* const tokens[] = {"-Infinity", "Infinity", "-inf", "inf",
                                       "-nan",      "nan",      "-NaN", "NaN"};
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      ++i;
      continue;
    }
    bool replaced = false;
    for (const char* t : tokens) {
      const std::size_t n = std::char_traits<char>::length(t);
      if (text.compare(i, n, t) == 0) {
        out += "null";
        i += n;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

std::string detect_platform() {
#if defined(__linux__)
  const char* os = "linux";
#elif defined(__APPLE__)
  const char* os = "macos";
#else
  const char* os = "unknown";
#endif
#if defined(__x86_64__)
  const char* arch = "amd64";
#elif defined(__aarch64__)
  const char* arch = "arm64";
#else
  const char* arch = "unknown";
#endif
#if defined(__clang__)
  const std::string compiler = fmt::format("clang{}", __clang_major__);
#elif defined(__GNUC__)
  const std::string compiler = fmt::format("gcc{}", __GNUC__);
#else
  const std::string compiler = "unknown";
#endif
#if defined(_LIBCPP_VERSION)
  const char* stdlib = "libc++";
#elif defined(__GLIBCXX__)
  const char* stdlib = "libstdc++";
#else
  const char* stdlib = "unknown";
#endif
  return fmt::format("{}-{}-{}-{}", os, arch, compiler, stdlib);
}

metric_samples samples_from_results(const gbench_results& results) {
  metric_samples out;
  for (const auto& e : results.entries) {
    if (e.aggregate) continue;
    auto& m = out[e.key];
    const double scale = e.time_unit == "us"   ? 1e3
                         : e.time_unit == "ms" ? 1e6
                         : e.time_unit == "s"  ? 1e9
                                               : 1.0;
    m["real_time_ns"].push_back(e.real_time * scale);
    m["cpu_time_ns"].push_back(e.cpu_time * scale);
    for (const auto& [name, value] : e.counters)
      m[name].push_back(value);
  }
  return out;
}

std::string content_hash(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

void fill_from_git(ingest_options& o) {
  if (command_line("git rev-parse --is-inside-work-tree") != "true") return;
  const bool at_head = o.commit.empty();
  if (at_head) o.commit = command_line("git rev-parse HEAD");
  // Parent, merge-base and branch describe HEAD; only derive them for the commit given.
  const std::string rev = at_head ? "HEAD" : o.commit;
  if (o.parent.empty()) o.parent = command_line(fmt::format("git rev-parse {}^", rev));
  if (o.merge_base.empty()) {
    for (const char* main : {"origin/main", "main"}) {
      o.merge_base = command_line(fmt::format("git merge-base {} {}", rev, main));
      if (!o.merge_base.empty()) break;
    }
  }
  if (o.branch.empty() && at_head) {
    o.branch = command_line("git rev-parse --abbrev-ref HEAD");
    if (o.branch == "HEAD") o.branch.clear();  // detached
  }
}

void check_json_depth(const std::string& text, const std::string& path) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_json_depth)
        throw input_error(
            fmt::format("{}: JSON nested deeper than {} levels (at byte {}): not benchmark output",
                        path, max_json_depth, i));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

run_record make_run(const std::string& raw, const std::string& path, ingest_options o) {
  check_json_depth(raw, path);
  const std::string text = sanitize_gbench_json(raw);
  const gbench_results results = parse_gbench_results(text, path);
  run_record run;
  run.samples = samples_from_results(results);
  if (run.samples.empty())
    throw input_error(fmt::format("{}: no benchmark repetitions (only aggregates, or none)", path));
  // A count (allocations, instructions) below 0 came from no measurement; stored, it would
  // read as a win in compare and a level in cv and changes.
  for (const auto& [bench, metrics] : run.samples)
    for (const auto& [metric, values] : metrics)
      if (is_exact_metric(metric))
        for (double v : values)
          if (v < 0)
            throw input_error(
                fmt::format("{}: benchmark '{}' field '{}': a count cannot be negative, got {}",
                            path, bench, metric, v));
  if (o.commit.empty())
    throw input_error(
        fmt::format("{}: no commit known: pass --commit SHA (not inside a git repository)", path));
  const nlohmann::json doc = nlohmann::json::parse(text);
  run.info.commit = o.commit;
  run.info.parent = o.parent;
  run.info.merge_base = o.merge_base;
  run.info.branch = o.branch;
  run.info.allocator = o.allocator;
  run.info.platform = o.platform.empty() ? detect_platform() : o.platform;
  run.info.timestamp = o.timestamp.empty() ? utc_now() : o.timestamp;
  run.info.bench_date = doc["context"].value("date", "");
  run.info.machine = doc["context"].dump();
  // The benchmarks array re-serialized: the same results hash the same however they are
  // formatted.
  run.info.content_hash = content_hash(doc["benchmarks"].dump());
  run.info.source = path;
  return run;
}

}  // namespace tools
