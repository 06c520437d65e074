// File: gbench_results.cpp
#include "common/gbench_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"

namespace tools {
namespace {

double to_ns(double value, const std::string& unit) {
  if (unit == "ns") return value;
  if (unit == "us") return value * 1e3;
  if (unit == "ms") return value * 1e6;
  if (unit == "s") return value * 1e9;
  return value;
}

// Fields of an entry that are not counters.
bool is_standard_field(const std::string& k) {
  static const char* const fields[] = {"name",
                                       "family_index",
                                       "per_family_instance_index",
                                       "run_name",
                                       "run_type",
                                       "repetitions",
                                       "repetition_index",
                                       "threads",
                                       "iterations",
                                       "real_time",
                                       "cpu_time",
                                       "time_unit",
                                       "aggregate_name",
                                       "aggregate_unit",
                                       "label",
                                       "error_occurred",
                                       "error_message"};
  for (const char* f : fields)
    if (k == f) return true;
  return false;
}

// Google Benchmark 1.7.1 writes non-finite doubles as bare NaN / inf / -inf (for example
// the "cv" aggregate of a counter whose mean is 0), which is not JSON. Outside strings, such
// tokens become null; the counters they stood for are then simply absent.
std::string replace_non_finite_literals(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (std::string_view token :
         {"-nan", "-NaN", "NaN", "nan", "-inf", "inf", "-Infinity", "Infinity"}) {
      if (text.compare(i, token.size(), token) == 0) {
        out += "null";
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

// The line of the `n`-th object key (0-based) of a JSON text that parsed: a key is a string
// followed by ':'.
std::size_t line_of_key(const std::string& text, std::size_t n) {
  std::size_t line = 1, keys = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') ++line;
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        const std::size_t next = text.find_first_not_of(" \t\r\n", i + 1);
        if (next != std::string::npos && text[next] == ':' && keys++ == n) return line;
      }
    } else if (c == '"') {
      in_string = true;
    }
  }
  return line;
}

// Parses strictly: a key given twice in one object is an error, because the library would
// keep the last value and a results file could override a counter the gate reads.
nlohmann::json parse_without_duplicate_keys(const std::string& text, const std::string& path) {
  std::vector<std::set<std::string>> open_objects;
  std::size_t keys_seen = 0;
  const nlohmann::json::parser_callback_t reject_duplicates =
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using ev = nlohmann::json::parse_event_t;
        if (event == ev::object_start) {
          open_objects.emplace_back();
        } else if (event == ev::object_end) {
          open_objects.pop_back();
        } else if (event == ev::key) {
          const std::string& key = parsed.get_ref<const std::string&>();
          if (!open_objects.back().insert(key).second)
            throw input_error(fmt::format(
                "{}:{}: key '{}' appears twice in one object (a later value would silently "
                "override the first); fix the file or re-run the benchmark",
                path, line_of_key(text, keys_seen), truncate_for_message(key)));
          ++keys_seen;
        }
        return true;
      };
  return nlohmann::json::parse(text, reject_duplicates);
}

}  // namespace

gbench_results parse_gbench_results(const std::string& raw_text, const std::string& path) {
  if (raw_text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw input_error(
        fmt::format("{}: is empty (did the benchmark run, or match no filter?)", path));
  // JSON text never holds a NUL; a reader that stopped at one would gate only the prefix.
  if (const std::size_t nul = raw_text.find('\0'); nul != std::string::npos)
    throw input_error(fmt::format("{}:{}: a NUL byte at offset {} (binary or corrupt file?)", path,
                                  1 + std::count(raw_text.begin(), raw_text.begin() + nul, '\n'),
                                  nul));
  const std::string text = replace_non_finite_literals(raw_text);
  nlohmann::json doc;
  try {
    doc = parse_without_duplicate_keys(text, path);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the offset of the error; turn it into a line number for the message.
    std::size_t line = 1;
    for (std::size_t i = 0; i < e.byte && i < text.size(); ++i)
      line += text[i] == '\n';
    throw input_error(fmt::format("{}:{}: not valid JSON (truncated or corrupt?): {}", path, line,
                                  truncate_for_message(e.what(), 200)));
  } catch (const nlohmann::json::exception& e) {
    // A number too large for a double (out_of_range 406) echoes the whole token.
    throw input_error(
        fmt::format("{}: not usable JSON: {}", path, truncate_for_message(e.what(), 200)));
  }
  if (!doc.is_object() || !doc.contains("context") || !doc["context"].is_object() ||
      !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw input_error(fmt::format(
        "{}: not Google Benchmark JSON (expected a \"context\" object and a \"benchmarks\" array; "
        "run the benchmark with --benchmark_format=json or --benchmark_out=FILE)",
        path));

  gbench_results r;
  r.path = path;
  for (const auto& [k, v] : doc["context"].items())
    if (v.is_string()) r.context[k] = v.get<std::string>();

  std::size_t index = 0;
  for (const auto& b : doc["benchmarks"]) {
    ++index;
    const auto field = [&](const char* name) -> const nlohmann::json& {
      if (!b.is_object() || !b.contains(name))
        throw input_error(
            fmt::format("{}: benchmarks[{}]: field '{}' is missing", path, index - 1, name));
      return b[name];
    };
    benchmark_entry e;
    try {
      e.name = field("name").get<std::string>();
      e.run_name = b.value("run_name", e.name);
      e.key = benchmark_key(e.run_name);
      // Without run_type (hand-edited or older output), an aggregate_name still marks an
      // aggregate: a stddev entry must not be read as a repetition.
      e.aggregate = b.contains("run_type") ? b.value("run_type", "") == "aggregate"
                                           : b.contains("aggregate_name");
      e.aggregate_name = b.value("aggregate_name", "");
      e.repetition_index = b.value("repetition_index", std::int64_t{0});
      e.iterations = b.value("iterations", std::int64_t{0});
      if (b.value("error_occurred", false))
        throw input_error(fmt::format("{}: benchmark '{}' reported an error: {}", path, e.name,
                                      b.value("error_message", "")));
      e.real_time = field("real_time").get<double>();
      e.cpu_time = field("cpu_time").get<double>();
      e.time_unit = field("time_unit").get<std::string>();
      for (const auto& [k, v] : b.items()) {
        if (is_standard_field(k)) continue;
        if (v.is_number()) {
          e.counters[k] = v.get<double>();
        } else {
          e.invalid_counters[k] = v.dump();  // null stands for NaN/inf (see above)
        }
      }
    } catch (const nlohmann::json::type_error& err) {
      throw input_error(fmt::format("{}: benchmarks[{}] ('{}'): a field has the wrong type: {}",
                                    path, index - 1, e.name, err.what()));
    }
    r.entries.push_back(std::move(e));
  }
  return r;
}

std::string benchmark_key(const std::string& run_name) {
  std::string key;
  std::size_t start = 0;
  while (start <= run_name.size()) {
    std::size_t end = run_name.find('/', start);
    if (end == std::string::npos) end = run_name.size();
    const std::string part = run_name.substr(start, end - start);
    const bool added_by_library =
        part.rfind("iterations:", 0) == 0 || part.rfind("repeats:", 0) == 0 ||
        part.rfind("threads:", 0) == 0 || part.rfind("min_time:", 0) == 0 ||
        part.rfind("min_warmup_time:", 0) == 0 || part == "real_time" || part == "manual_time" ||
        part == "process_time";
    if (!added_by_library && (start == 0 || !part.empty())) {
      if (!key.empty()) key += '/';
      key += part;
    }
    start = end + 1;
  }
  return key;
}

gbench_results load_gbench_results(const std::string& path) {
  return parse_gbench_results(read_file(path), path);
}

std::vector<double> gbench_results::repetitions(const std::string& key,
                                                const std::string& counter) const {
  std::vector<double> out;
  for (const auto& e : entries) {
    if (e.aggregate || e.key != key) continue;
    if (auto it = e.counters.find(counter); it != e.counters.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<double> gbench_results::real_time_ns(const std::string& key) const {
  std::vector<double> out;
  for (const auto& e : entries)
    if (!e.aggregate && e.key == key) out.push_back(to_ns(e.real_time, e.time_unit));
  return out;
}

std::vector<std::string> gbench_results::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    bool seen = false;
    for (const auto& k : out)
      seen = seen || k == e.key;
    if (!seen) out.push_back(e.key);
  }
  return out;
}

}  // namespace tools
