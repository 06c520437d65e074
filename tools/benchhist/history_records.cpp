// File: history_records.cpp
// Run records: writing them (from an ingest or from the store), reading them back, and finding
// them in artifact directories. See history_records.h for the format.
#include "benchhist/history_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "benchhist/history_ingest.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/gbench_results.h"

namespace tools {
namespace {

using nlohmann::json;

using ordered = nlohmann::ordered_json;

// Fields in the order a reader expects them (format first), not sorted.
std::string record_text(const run_info& i, const json& results) {
  const ordered doc{{"format", record_format},
                    {"version", record_version},
                    {"run", ordered{{"commit", i.commit},
                                    {"parent", i.parent},
                                    {"merge_base", i.merge_base},
                                    {"branch", i.branch},
                                    {"platform", i.platform},
                                    {"allocator", i.allocator},
                                    {"ingested", i.timestamp},
                                    {"bench_date", i.bench_date},
                                    {"source", i.source},
                                    {"content_hash", i.content_hash}}},
                    {"results", ordered::parse(results.dump())}};
  return doc.dump(1) + "\n";
}

// "FILE:LINE" of byte `offset` in `text`.
std::string at_line(const std::string& path, const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n');
  return fmt::format("{}:{}", path, line);
}

// A key twice in one object is refused: JSON parsers disagree on which one counts, and a
// record that names two commits (or two values of one counter) says nothing reliable.
json parse_json(const std::string& text, const std::string& path) {
  check_json_depth(text, path);
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  const json::parser_callback_t note_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      open_objects.pop_back();
    } else if (event == json::parse_event_t::key && !open_objects.empty() &&
               !open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(sanitize_gbench_json(text), note_keys);
  } catch (const json::parse_error& e) {
    throw input_error(fmt::format("{}: not valid JSON (truncated or corrupt?): {}",
                                  at_line(path, text, e.byte == 0 ? 0 : e.byte - 1),
                                  truncate_for_message(e.what(), 200)));
  }
  if (!duplicate.empty())
    throw input_error(fmt::format("{}: field '{}' appears twice in one object", path,
                                  truncate_for_message(duplicate, 80)));
  return doc;
}

// run.<name> as a string; `required` ones must be present and not empty.
std::string run_field(const json& run, const char* name, bool required, const std::string& path) {
  if (!run.contains(name)) {
    if (!required) return {};
    throw input_error(fmt::format("{}: field 'run.{}' is missing", path, name));
  }
  const json& v = run[name];
  if (!v.is_string())
    throw input_error(fmt::format("{}: field 'run.{}' is not a string", path, name));
  std::string s = v.get<std::string>();
  // No commit, branch, platform or time holds one, and a newline would break every table.
  if (std::any_of(s.begin(), s.end(), [](char c) { return c >= 0 && c < 0x20; }))
    throw input_error(fmt::format("{}: field 'run.{}' contains a control character", path, name));
  if (required && s.empty())
    throw input_error(fmt::format("{}: field 'run.{}' is empty", path, name));
  return s;
}

}  // namespace

std::string make_record(const run_info& info, const std::string& results_json) {
  return record_text(info, parse_json(results_json, info.source));
}

std::string make_record(const run_record& run) {
  json benchmarks = json::array();
  for (const auto& [bench, metrics] : run.samples) {
    std::size_t reps = 0;
    for (const auto& [metric, values] : metrics)
      reps = std::max(reps, values.size());
    for (std::size_t r = 0; r < reps; ++r) {
      json e{{"name", bench},       {"run_name", bench},     {"run_type", "iteration"},
             {"repetitions", reps}, {"repetition_index", r}, {"threads", 1},
             {"iterations", 0},     {"real_time", 0.0},      {"cpu_time", 0.0},
             {"time_unit", "ns"}};
      for (const auto& [metric, values] : metrics) {
        if (r >= values.size()) continue;
        const char* field = metric == "real_time_ns"  ? "real_time"
                            : metric == "cpu_time_ns" ? "cpu_time"
                                                      : metric.c_str();
        e[field] = values[r];
      }
      benchmarks.push_back(std::move(e));
    }
  }
  json context = json::object();
  if (!run.info.machine.empty()) {
    try {
      context = json::parse(run.info.machine);
    } catch (const json::exception&) {
      context = json{{"machine", run.info.machine}};
    }
  }
  return record_text(run.info, json{{"context", context}, {"benchmarks", benchmarks}});
}

std::string record_file_name(const run_info& i) {
  std::string name = fmt::format("{}-{}-{}-{}", i.commit, i.platform, i.allocator, i.content_hash);
  for (char& c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  return name + ".json";
}

namespace {

run_record record_from_json(const json& doc, const std::string& path) {
  if (!doc.is_object() || doc.value("format", json()) != record_format)
    throw input_error(fmt::format("{}: field 'format': not \"{}\": not a benchhist run record",
                                  path, record_format));
  if (!doc.contains("version") || !doc["version"].is_number_integer())
    throw input_error(fmt::format("{}: field 'version' is missing or not an integer", path));
  const auto version = doc["version"].get<std::int64_t>();
  if (version > record_version)
    throw input_error(fmt::format(
        "{}: record version {} is newer than this benchhist reads ({}); upgrade benchhist", path,
        version, record_version));
  if (version < 1)
    throw input_error(
        fmt::format("{}: field 'version': {} is not a record version", path, version));
  if (!doc.contains("run") || !doc["run"].is_object())
    throw input_error(fmt::format("{}: field 'run' is missing or not an object", path));
  if (!doc.contains("results") || !doc["results"].is_object())
    throw input_error(fmt::format("{}: field 'results' is missing or not an object", path));
  const json& run = doc["run"];
  const json& results = doc["results"];
  run_record r;
  r.info.commit = run_field(run, "commit", true, path);
  r.info.platform = run_field(run, "platform", true, path);
  r.info.allocator = run_field(run, "allocator", true, path);
  r.info.content_hash = run_field(run, "content_hash", true, path);
  r.info.timestamp = run_field(run, "ingested", true, path);
  r.info.parent = run_field(run, "parent", false, path);
  r.info.merge_base = run_field(run, "merge_base", false, path);
  r.info.branch = run_field(run, "branch", false, path);
  r.info.bench_date = run_field(run, "bench_date", false, path);
  r.info.source = run_field(run, "source", false, path);
  const std::string where = path + ": field 'results'";
  r.samples = samples_from_results(parse_gbench_results(results.dump(), where));
  if (r.samples.empty()) throw input_error(fmt::format("{}: no benchmark repetitions", where));
  r.info.machine = results["context"].dump();
  return r;
}

}  // namespace

run_record read_record(const std::string& text, const std::string& path) {
  return record_from_json(parse_json(text, path), path);
}

std::optional<run_record> read_run_file(const std::string& text, const std::string& path,
                                        const ingest_options& options) {
  const json doc = parse_json(text, path);
  if (!doc.is_object()) return std::nullopt;
  if (doc.contains("format")) {
    // Anything that says it is a record is read as one (and refused if it is not a good one).
    if (doc["format"] != record_format) return std::nullopt;
    return record_from_json(doc, path);
  }
  if (!doc.contains("context") || !doc.contains("benchmarks")) return std::nullopt;
  if (options.commit.empty())
    throw input_error(fmt::format(
        "{}: Google Benchmark results without a record: pass --commit (and --allocator, "
        "--platform, --date) to import them",
        path));
  return make_run(text, path, options);
}

std::string write_record_file(const std::string& dir, const std::string& name,
                              const std::string& content) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw input_error(fmt::format("{}: cannot create directory: {}", dir, ec.message()));
  const std::string path = (std::filesystem::path(dir) / name).string();
  write_file_atomically(path, content);
  return path;
}

std::vector<std::string> json_files_under(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(p, ec);
    if (ec || !std::filesystem::exists(status))
      throw input_error(fmt::format("{}: no such file or directory", p));
    if (!std::filesystem::is_directory(status)) {
      out.push_back(p);
      continue;
    }
    // Every step with an error code: a link that loops or a directory that cannot be entered
    // is named, not reported as a bare filesystem error.
    std::vector<std::string> found;
    std::filesystem::recursive_directory_iterator it(p, ec);
    if (ec) throw input_error(fmt::format("{}: cannot read directory: {}", p, ec.message()));
    std::string here = p;  // the last entry: a step that fails was entering it
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      here = it->path().string();
      const bool regular = it->is_regular_file(ec);
      if (ec) throw input_error(fmt::format("{}: {}", here, ec.message()));
      if (regular && it->path().extension() == ".json") found.push_back(here);
    }
    if (ec) throw input_error(fmt::format("{}: cannot read directory: {}", here, ec.message()));
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace tools
