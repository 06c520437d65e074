// File: pod_evicted_text.cpp
// The text side of pod_evicted: Kubernetes quantities, the eviction messages of the kubelet,
// scheduler and taint manager in all their generations, and the kubectl table and describe rows
// users paste. Hand-written scanners: the formats are fixed sentences, and a regex would be
// both slower and harder to keep total (every input must parse or be rejected, never crash).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "detectors/pod_evicted.h"

namespace detectors {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

bool consume(std::string_view& s, std::string_view prefix) noexcept {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Length of the longest prefix of s that is a Kubernetes quantity, 0 if none. A '.' is a
// decimal point only when a digit follows, so "32Gi." and "1073741824." end a sentence.
std::size_t scan_quantity(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < n && is_digit(s[i])) {
    ++i;
    ++digits;
  }
  if (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
    ++i;
    while (i < n && is_digit(s[i])) {
      ++i;
      ++digits;
    }
  }
  if (digits == 0 || i >= n) return digits == 0 ? 0 : i;
  const char c = s[i];
  const bool binary_follows = i + 1 < n && s[i + 1] == 'i';
  switch (c) {
    case 'K':
      return binary_follows ? i + 2 : i;  // a bare K is not a suffix
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return binary_follows ? i + 2 : i + 1;
    case 'E':
      if (binary_follows) return i + 2;
      [[fallthrough]];
    case 'e': {
      std::size_t j = i + 1;
      if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
      std::size_t k = j;
      while (k < n && is_digit(s[k]))
        ++k;
      if (k > j) return k;          // decimal exponent
      return c == 'E' ? i + 1 : i;  // E alone is exa; a lone e is not a suffix
    }
    case 'n':
    case 'u':
    case 'm':
    case 'k':
      return i + 1;
    default:
      return i;
  }
}

// Scans a quantity at the front of s; advances s past it and returns its text.
std::string_view take_quantity(std::string_view& s) noexcept {
  const std::size_t len = scan_quantity(s);
  const std::string_view q = s.substr(0, len);
  s.remove_prefix(len);
  return q;
}

// A Go %q string at the front of s ("1Gi"); advances past it. Unquoted text up to a space is
// accepted too, since quantities never need quoting and some renderings drop the quotes.
std::string take_quoted(std::string_view& s) {
  std::string out;
  if (s.empty() || s.front() != '"') {
    std::size_t end = 0;
    while (end < s.size() && !is_space(s[end]) && s[end] != '"')
      ++end;
    out.assign(s.substr(0, end));
    if (!out.empty() && out.back() == '.') out.pop_back();
    s.remove_prefix(end);
    return out;
  }
  std::size_t i = 1;
  while (i < s.size() && s[i] != '"') {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
    ++i;
  }
  s.remove_prefix(i < s.size() ? i + 1 : i);
  return out;
}

// Text up to the end of the sentence: a '.' followed by a space or the end, or the end itself.
std::string_view take_sentence_rest(std::string_view& s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && !(s[i] == '.' && (i + 1 == s.size() || is_space(s[i + 1]))))
    ++i;
  const std::string_view out = s.substr(0, i);
  s.remove_prefix(i);
  return out;
}

std::string_view take_word(std::string_view& s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && !is_space(s[i]))
    ++i;
  std::string_view w = s.substr(0, i);
  s.remove_prefix(i);
  return w;
}

void parse_containers(std::string_view m, eviction_message& out) {
  static constexpr std::string_view lead = "Container ";
  for (std::size_t p = m.find(lead); p != std::string_view::npos; p = m.find(lead, p + 1)) {
    std::string_view s = m.substr(p + lead.size());
    container_usage c;
    c.name = take_word(s);
    if (c.name.empty()) continue;
    if (consume(s, " was using ")) {
      c.usage_text = take_quantity(s);
      c.usage = parse_k8s_quantity(c.usage_text);
      if (consume(s, ", which exceeds its request of ")) {
        c.kind = container_usage::form::exceeds_request;
        c.request_text = take_quantity(s);
      } else if (consume(s, ", request is ")) {
        c.kind = container_usage::form::larger_consumption;
        c.request_text = take_quantity(s);
        if (consume(s, ", has larger consumption of ")) c.resource = take_sentence_rest(s);
      } else {
        continue;
      }
      c.request = parse_k8s_quantity(c.request_text);
    } else if (consume(s, " exceeded its local ephemeral storage limit ")) {
      c.kind = container_usage::form::ephemeral_limit;
      c.limit_text = take_quoted(s);
      c.limit = parse_k8s_quantity(c.limit_text);
    } else {
      continue;  // "Container image ... already present" and the like
    }
    out.containers.push_back(std::move(c));
  }
}

void parse_local_storage(std::string_view m, eviction_message& out) {
  static constexpr std::string_view pod_limit =
      "Pod ephemeral local storage usage exceeds the total limit of containers ";
  if (const auto p = m.find(pod_limit); p != std::string_view::npos) {
    std::string_view s = m.substr(p + pod_limit.size());
    out.pod_storage_limit_text = take_quantity(s);
    out.pod_storage_limit = parse_k8s_quantity(out.pod_storage_limit_text);
  }
  static constexpr std::string_view empty_dir = "Usage of EmptyDir volume ";
  for (std::size_t p = m.find(empty_dir); p != std::string_view::npos;
       p = m.find(empty_dir, p + 1)) {
    std::string_view s = m.substr(p + empty_dir.size());
    empty_dir_usage v;
    v.volume = take_quoted(s);
    if (!consume(s, " exceeds the limit ")) continue;
    v.limit_text = take_quoted(s);
    v.limit = parse_k8s_quantity(v.limit_text);
    out.empty_dirs.push_back(std::move(v));
  }
}

// The first condition of "[MemoryPressure DiskPressure]".
pressure_resource classify_condition_list(std::string_view text) noexcept {
  std::string_view s = text;
  while (!s.empty() && (s.front() == '[' || is_space(s.front())))
    s.remove_prefix(1);
  std::size_t end = 0;
  while (end < s.size() && !is_space(s[end]) && s[end] != ']' && s[end] != ',')
    ++end;
  return classify_pressure_resource(s.substr(0, end));
}

}  // namespace

std::optional<std::int64_t> parse_k8s_quantity(std::string_view s) {
  if (s.empty() || scan_quantity(s) != s.size()) return std::nullopt;
  std::size_t i = 0;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';

  // value = mantissa * 10^decimal_exponent * 2^binary_exponent, computed exactly.
  using u128 = unsigned __int128;
  u128 mantissa = 0;
  int significant = 0;
  int decimal_exponent = 0;
  bool fraction = false;
  for (; i < s.size() && (is_digit(s[i]) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      fraction = true;
      continue;
    }
    const int d = s[i] - '0';
    if (fraction) --decimal_exponent;
    if (mantissa == 0 && d == 0) continue;
    if (++significant > 19) return std::nullopt;  // more precision than int64 holds
    mantissa = mantissa * 10 + static_cast<unsigned>(d);
  }

  int binary_exponent = 0;
  const std::string_view suffix = s.substr(i);
  if (suffix.size() == 2 && suffix[1] == 'i') {
    constexpr std::string_view binary = "KMGTPE";
    const std::size_t power = binary.find(suffix[0]);
    if (power == std::string_view::npos) return std::nullopt;
    binary_exponent = 10 * (static_cast<int>(power) + 1);
  } else if (suffix.size() == 1) {
    switch (suffix[0]) {
      case 'n':
        decimal_exponent -= 9;
        break;
      case 'u':
        decimal_exponent -= 6;
        break;
      case 'm':
        decimal_exponent -= 3;
        break;
      case 'k':
        decimal_exponent += 3;
        break;
      case 'M':
        decimal_exponent += 6;
        break;
      case 'G':
        decimal_exponent += 9;
        break;
      case 'T':
        decimal_exponent += 12;
        break;
      case 'P':
        decimal_exponent += 15;
        break;
      case 'E':
        decimal_exponent += 18;
        break;
      default:
        return std::nullopt;
    }
  } else if (!suffix.empty()) {  // e<exponent> / E<exponent>
    std::string_view e = suffix.substr(1);
    bool negative_exponent = false;
    if (e.front() == '+' || e.front() == '-') {
      negative_exponent = e.front() == '-';
      e.remove_prefix(1);
    }
    if (e.size() > 4) return std::nullopt;
    int exponent = 0;
    for (char c : e)
      exponent = exponent * 10 + (c - '0');
    decimal_exponent += negative_exponent ? -exponent : exponent;
  }

  constexpr u128 int64_max = static_cast<u128>(INT64_MAX);
  u128 value = mantissa << binary_exponent;  // < 2^64 * 2^60
  if (value != 0) {
    for (; decimal_exponent > 0; --decimal_exponent) {
      if (value > int64_max) return std::nullopt;
      value *= 10;
    }
    if (decimal_exponent < 0) {
      if (decimal_exponent < -38) {
        value = 1;  // a positive amount smaller than one unit rounds up to one
      } else {
        u128 divisor = 1;
        for (; decimal_exponent < 0; ++decimal_exponent)
          divisor *= 10;
        value = (value + divisor - 1) / divisor;  // round up, as Quantity.Value() does
      }
    }
  }
  if (value > int64_max) return std::nullopt;
  const auto magnitude = static_cast<std::int64_t>(value);
  return negative ? -magnitude : magnitude;
}

std::string_view to_string(pressure_resource r) noexcept {
  switch (r) {
    case pressure_resource::unknown:
      return "unknown";
    case pressure_resource::memory:
      return "memory";
    case pressure_resource::ephemeral_storage:
      return "ephemeral-storage";
    case pressure_resource::nodefs:
      return "nodefs";
    case pressure_resource::imagefs:
      return "imagefs";
    case pressure_resource::inodes:
      return "inodes";
    case pressure_resource::pids:
      return "pids";
    case pressure_resource::disk_pressure:
      return "DiskPressure";
    case pressure_resource::memory_pressure:
      return "MemoryPressure";
    case pressure_resource::pid_pressure:
      return "PIDPressure";
    case pressure_resource::compute:
      return "compute resources";
  }
  return "unknown";
}

pressure_resource classify_pressure_resource(std::string_view text) noexcept {
  struct entry {
    std::string_view text;
    pressure_resource resource;
  };
  // The kubelet's resource names across versions, and the node conditions.
  static constexpr std::array<entry, 14> names = {{
      {"memory", pressure_resource::memory},
      {"ephemeral-storage", pressure_resource::ephemeral_storage},
      {"nodefs", pressure_resource::nodefs},
      {"imagefs", pressure_resource::imagefs},
      {"inodes", pressure_resource::inodes},
      {"nodefsInodes", pressure_resource::inodes},
      {"imagefsInodes", pressure_resource::inodes},
      {"pids", pressure_resource::pids},
      {"pid", pressure_resource::pids},
      {"DiskPressure", pressure_resource::disk_pressure},
      {"MemoryPressure", pressure_resource::memory_pressure},
      {"PIDPressure", pressure_resource::pid_pressure},
      {"compute resources", pressure_resource::compute},
      {"compute", pressure_resource::compute},
  }};
  text = trim(text);
  if (!text.empty() && text.front() == '[') return classify_condition_list(text);
  for (const auto& e : names)
    if (e.text == text) return e.resource;
  return pressure_resource::unknown;
}

eviction_message parse_eviction_message(std::string_view message) {
  eviction_message out;
  parse_eviction_message(message, out);
  return out;
}

void parse_eviction_message(std::string_view m, eviction_message& out) {
  // Start from an empty message, keeping the containers' storage for reuse (a moved-from
  // SSO string leaves the target's buffer in place; the vectors are put back).
  std::vector<container_usage> containers = std::move(out.containers);
  std::vector<empty_dir_usage> empty_dirs = std::move(out.empty_dirs);
  containers.clear();
  empty_dirs.clear();
  out = eviction_message{};
  out.containers = std::move(containers);
  out.empty_dirs = std::move(empty_dirs);
  std::string_view s;
  // Points s just past `phrase` in m; false when m does not contain it.
  auto after = [&](std::string_view phrase) {
    const std::size_t p = m.find(phrase);
    if (p == std::string_view::npos) return false;
    s = m.substr(p + phrase.size());
    return true;
  };
  auto strip_period = [](std::string_view w) {
    if (!w.empty() && w.back() == '.') w.remove_suffix(1);
    return w;
  };

  if (after("The node was low on resource: ")) {
    out.cause = eviction_cause::low_on_resource;
    out.resource_text = trim(take_sentence_rest(s));
    out.resource = classify_pressure_resource(out.resource_text);
  } else if (after("The node was low on compute resources")) {
    out.cause = eviction_cause::low_on_compute;
    out.resource_text = "compute resources";
    out.resource = pressure_resource::compute;
  } else if (after("The node had condition: ")) {
    out.cause = eviction_cause::had_condition;
    out.resource_text = trim(take_sentence_rest(s));
    out.resource = classify_condition_list(out.resource_text);
  } else if (after("Attempting to reclaim ")) {
    out.cause = eviction_cause::reclaiming;
    out.resource_text = strip_period(take_word(s));
    out.resource = classify_pressure_resource(out.resource_text);
  } else if (after("Preempted in order to admit critical pod")) {
    out.cause = eviction_cause::preempted_critical;
  } else if (after("Preempted by ")) {
    out.cause = eviction_cause::preempted_by;
    constexpr std::string_view on_node = " on node ";
    const std::size_t on = s.find(on_node);
    std::string_view who = s.substr(0, on);
    consume(who, "pod ");
    out.preemptor = trim(who);
    if (on != std::string_view::npos) {
      s.remove_prefix(on + on_node.size());
      out.node = strip_period(take_word(s));
    }
  } else if (after("Marking for deletion Pod ")) {
    out.cause = eviction_cause::taint_marked;
    out.taint_target = take_word(s);
  } else if (after("Cancelling deletion of Pod ")) {
    out.cause = eviction_cause::taint_cancelled;
    out.taint_target = take_word(s);
  }

  if (after("Threshold quantity: ")) {
    out.threshold_text = take_quantity(s);
    out.threshold = parse_k8s_quantity(out.threshold_text);
    if (consume(s, ", available: ")) {
      out.available_text = take_quantity(s);
      out.available = parse_k8s_quantity(out.available_text);
    }
  }
  parse_containers(m, out);
  parse_local_storage(m, out);

  const bool storage_limit =
      !out.empty_dirs.empty() || !out.pod_storage_limit_text.empty() ||
      (!out.containers.empty() &&
       out.containers.front().kind == container_usage::form::ephemeral_limit);
  if (out.cause == eviction_cause::unrecognised && storage_limit) {
    out.cause = eviction_cause::local_storage_limit;
    out.resource = pressure_resource::ephemeral_storage;
    out.resource_text = "ephemeral-storage";
  }
  out.mentions_gpu = m.find("nvidia.com/gpu") != std::string_view::npos;
}

const container_usage* top_offender(const eviction_message& m) noexcept {
  const container_usage* top = nullptr;
  for (const auto& c : m.containers) {
    if (top == nullptr) {
      top = &c;
    } else if (c.usage && (!top->usage || *c.usage > *top->usage)) {
      top = &c;
    }
  }
  return top;
}

// ---- kubectl rows ----
namespace {

bool is_event_type(std::string_view t) noexcept {
  return t == "Warning" || t == "Normal";
}

bool is_our_reason(std::string_view r) noexcept {
  return r == "Evicted" || r == "TaintManagerEviction" || r == "Preempting" || r == "Preempted" ||
         r == "EvictionThresholdMet";
}

// kubectl's ages: "12m", "6m5s", "2d3h", "0s", "<unknown>", "<invalid>".
bool is_age(std::string_view t) noexcept {
  if (t == "<unknown>" || t == "<invalid>") return true;
  if (t.empty() || !is_digit(t.front())) return false;
  bool unit_seen = false;
  for (std::size_t i = 0; i < t.size();) {
    if (!is_digit(t[i])) return false;
    while (i < t.size() && is_digit(t[i]))
      ++i;
    if (i == t.size()) return false;
    const char u = t[i++];
    if (u != 's' && u != 'm' && u != 'h' && u != 'd' && u != 'y') return false;
    unit_seen = true;
  }
  return unit_seen;
}

struct token {
  std::string_view text;
  std::size_t end = 0;  // offset just past the token in the line
};

// Up to `max` whitespace-separated tokens with their positions.
std::size_t tokenize(std::string_view line, token* out, std::size_t max) noexcept {
  std::size_t n = 0;
  std::size_t i = 0;
  while (n < max) {
    while (i < line.size() && is_space(line[i]))
      ++i;
    if (i >= line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && !is_space(line[i]))
      ++i;
    out[n++] = token{line.substr(start, i - start), i};
  }
  return n;
}

// Skips an optional "(x3 over 20m)" repeat note after an age; false if one starts but is cut.
bool skip_repeat_note(const token* tok, std::size_t n, std::size_t& i) noexcept {
  if (i >= n || tok[i].text.substr(0, 2) != "(x") return true;
  for (std::size_t j = i; j < n && j < i + 3; ++j) {
    if (tok[j].text.back() == ')') {
      i = j + 1;
      return true;
    }
  }
  return false;
}

std::string_view rest_after(std::string_view line, const token& t) noexcept {
  return trim(line.substr(t.end));
}

}  // namespace

parse_verdict parse_kubectl_event_row(std::string_view line, k8s_event& k) {
  reset(k);
  constexpr std::size_t max_tokens = 10;
  std::array<token, max_tokens> tok{};
  const std::size_t n = tokenize(line, tok.data(), max_tokens);
  if (n < 2) return parse_verdict::not_mine;

  if (is_event_type(tok[0].text)) {
    // describe: TYPE REASON AGE FROM MESSAGE
    if (!is_our_reason(tok[1].text)) return parse_verdict::not_mine;
    k.origin = k8s_event_origin::describe_row;
    k.type.assign(tok[0].text);
    k.reason.assign(tok[1].text);
    std::size_t i = 2;
    if (i >= n || !is_age(tok[i].text)) return parse_verdict::malformed;
    k.age.assign(tok[i++].text);
    if (!skip_repeat_note(tok.data(), n, i) || i >= n) return parse_verdict::malformed;
    std::string_view from = tok[i++].text;
    if (from.back() == ',') {  // older kubectl: "kubelet, gpu-node-3"
      if (i >= n) return parse_verdict::malformed;
      from.remove_suffix(1);
      k.source_host.assign(tok[i++].text);
    }
    k.source_component.assign(from);
    k.message.assign(rest_after(line, tok[i - 1]));
    return parse_verdict::ok;
  }

  // table: [NAMESPACE] LAST-SEEN [(xN over D)] TYPE REASON OBJECT MESSAGE
  std::size_t i = 0;
  std::string_view ns;
  std::string_view age;
  auto type_after_age = [&](std::size_t at) {
    std::size_t j = at;
    if (j >= n || !is_age(tok[j].text)) return std::size_t{0};
    ++j;
    if (!skip_repeat_note(tok.data(), n, j) || j >= n || !is_event_type(tok[j].text))
      return std::size_t{0};
    return j;
  };
  if (std::size_t t = type_after_age(0); t != 0) {
    i = t;
    age = tok[0].text;
  } else if (t = type_after_age(1); t != 0) {
    i = t;
    ns = tok[0].text;
    age = tok[1].text;
  } else {
    return parse_verdict::not_mine;
  }
  if (i + 1 >= n || !is_our_reason(tok[i + 1].text)) return parse_verdict::not_mine;
  k.origin = k8s_event_origin::events_table;
  k.age.assign(age);
  k.type.assign(tok[i].text);
  k.reason.assign(tok[i + 1].text);
  if (i + 2 >= n) return parse_verdict::malformed;
  const std::string_view object = tok[i + 2].text;
  const std::size_t slash = object.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == object.size())
    return parse_verdict::malformed;
  // kubectl prints the kind lower-case ("pod/x", "node/y").
  const std::string_view kind = object.substr(0, slash);
  k.object_kind.assign(kind == "pod"    ? std::string_view("Pod")
                       : kind == "node" ? std::string_view("Node")
                                        : kind);
  k.object_name.assign(object.substr(slash + 1));
  k.object_namespace.assign(ns);
  k.message.assign(rest_after(line, tok[i + 2]));
  return parse_verdict::ok;
}

namespace {

// kubectl's READY column: "0/1", "2/3".
bool is_ready_column(std::string_view t) noexcept {
  const std::size_t slash = t.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == t.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (i != slash && !is_digit(t[i])) return false;
  return true;
}

bool all_digits(std::string_view t) noexcept {
  if (t.empty()) return false;
  for (char c : t)
    if (!is_digit(c)) return false;
  return true;
}

}  // namespace

parse_verdict parse_kubectl_pod_row(std::string_view line, k8s_event& k) {
  reset(k);
  constexpr std::size_t max_tokens = 12;
  std::array<token, max_tokens> tok{};
  const std::size_t n = tokenize(line, tok.data(), max_tokens);
  // [NAMESPACE] NAME READY STATUS ...: READY is the second or third column.
  std::size_t r = 0;
  if (n >= 3 && is_ready_column(tok[1].text)) {
    r = 1;
  } else if (n >= 4 && is_ready_column(tok[2].text)) {
    r = 2;
  } else {
    return parse_verdict::not_mine;
  }
  if (tok[r + 1].text != "Evicted") return parse_verdict::not_mine;
  k.origin = k8s_event_origin::pod_row;
  k.reason.assign("Evicted");
  k.object_kind.assign("Pod");
  k.object_name.assign(tok[r - 1].text);
  if (r == 2) k.object_namespace.assign(tok[0].text);
  // RESTARTS ["(5m ago)"] AGE
  std::size_t i = r + 2;
  if (i >= n || !all_digits(tok[i].text)) return parse_verdict::malformed;
  ++i;
  if (i < n && tok[i].text.starts_with('(')) {
    while (i < n && !tok[i].text.ends_with(')'))
      ++i;
    if (i >= n) return parse_verdict::malformed;
    ++i;
  }
  if (i >= n || !is_age(tok[i].text)) return parse_verdict::malformed;
  k.age.assign(tok[i].text);
  ++i;
  // -o wide: IP NODE NOMINATED-NODE READINESS-GATES (an evicted pod's IP may be <none>).
  if (i + 1 < n && tok[i + 1].text != "<none>") k.source_host.assign(tok[i + 1].text);
  return parse_verdict::ok;
}

namespace {

// "Dec  2 11:38:47 host kubelet[123]: " -> host (journalctl short and syslog); empty otherwise.
std::string_view syslog_host(std::string_view s) noexcept {
  if (s.size() < 17 || s[3] != ' ' || s[15] != ' ' || s[9] != ':' || s[12] != ':') return {};
  const std::size_t end = s.find(' ', 16);
  if (end == std::string_view::npos || end == 16) return {};
  return s.substr(16, end - 16);
}

// `key="value"` or `key=value` after the message, as klog's structured form prints it.
std::string_view klog_value(std::string_view s, std::string_view key) noexcept {
  std::size_t at = 0;
  while ((at = s.find(key, at)) != std::string_view::npos) {
    const bool starts = at == 0 || s[at - 1] == ' ';
    if (starts && at + key.size() < s.size() && s[at + key.size()] == '=') break;
    at += key.size();
  }
  if (at == std::string_view::npos) return {};
  std::string_view v = s.substr(at + key.size() + 1);
  if (!v.empty() && v.front() == '"') {
    const std::size_t close = v.find('"', 1);
    if (close == std::string_view::npos) return {};
    return v.substr(1, close - 1);
  }
  if (!v.empty() && v.front() == '[') {
    const std::size_t close = v.find(']');
    if (close == std::string_view::npos) return {};
    return v.substr(0, close + 1);
  }
  return v.substr(0, v.find(' '));
}

// klog.KObj: "ns/name".
bool kobj(std::string_view v, kubelet_eviction_line& out) noexcept {
  const std::size_t slash = v.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == v.size()) return false;
  out.pod_namespace = v.substr(0, slash);
  out.pod_name = v.substr(slash + 1);
  return true;
}

// format.Pod: "name_ns(uid)" (a pod name has no '_': the last one separates the namespace).
bool format_pod(std::string_view v, kubelet_eviction_line& out) noexcept {
  const std::size_t paren = v.find('(');
  const std::string_view name_ns = v.substr(0, paren);
  const std::size_t us = name_ns.rfind('_');
  if (us == 0 || us == std::string_view::npos || us + 1 == name_ns.size()) return false;
  out.pod_name = name_ns.substr(0, us);
  out.pod_namespace = name_ns.substr(us + 1);
  return true;
}

// "[DiskPressure]", `["DiskPressure"]`, `["MemoryPressure","DiskPressure"]` -> the names.
std::string_view condition_list(std::string_view v) noexcept {
  v = trim(v);
  if (v.size() < 3 || v.front() != '[' || v.back() != ']') return {};
  return v.substr(1, v.size() - 2);
}

}  // namespace

parse_verdict parse_kubelet_eviction_line(std::string_view line, kubelet_eviction_line& out) {
  out = kubelet_eviction_line{};
  out.host = syslog_host(line);
  constexpr std::string_view manager = "viction manager: ";
  const std::size_t m = line.find(manager);
  if (m != std::string_view::npos && m > 0 && (line[m - 1] == 'E' || line[m - 1] == 'e')) {
    std::string_view msg = line.substr(m + manager.size());
    const std::string_view kv = msg.substr(std::min(msg.find('"'), msg.size()));
    // Structured: "Eviction manager: pod is evicted successfully" pod="ns/name"
    if (msg.starts_with("pod is evicted successfully\"")) {
      out.kind = kubelet_eviction_kind::evicted;
      return kobj(klog_value(kv, "pod"), out) ? parse_verdict::ok : parse_verdict::malformed;
    }
    // printf: "eviction manager: pod name_ns(uid) is evicted successfully"
    if (msg.starts_with("pod ")) {
      const std::size_t tail = msg.find(" is evicted successfully");
      if (tail != std::string_view::npos) {
        out.kind = kubelet_eviction_kind::evicted;
        return format_pod(msg.substr(4, tail - 4), out) ? parse_verdict::ok
                                                        : parse_verdict::malformed;
      }
    }
    for (std::string_view p : {std::string_view("must evict pod(s) to reclaim"),
                               std::string_view("attempting to reclaim")}) {
      if (!msg.starts_with(p)) continue;
      out.kind = kubelet_eviction_kind::reclaiming;
      msg.remove_prefix(p.size());
      out.resource = msg.starts_with('"') ? klog_value(kv, "resourceName") : trim(msg);
      return out.resource.empty() ? parse_verdict::malformed : parse_verdict::ok;
    }
    for (std::string_view p :
         {std::string_view("pods ranked for eviction"), std::string_view("pods evicted, waiting"),
          std::string_view("pods successfully cleaned up"),
          std::string_view("timed out waiting for pods"),
          std::string_view("able to reduce resource pressure without evicting"),
          std::string_view("eviction thresholds have been met, but no pods are active"),
          std::string_view("unable to evict any pods"), std::string_view("cannot evict a critical"),
          std::string_view("pod failed to evict")}) {
      if (msg.starts_with(p)) {
        out.kind = kubelet_eviction_kind::housekeeping;
        return parse_verdict::ok;
      }
    }
  }
  constexpr std::string_view admit = "Failed to admit pod ";
  const std::size_t a = line.find(admit);
  if (a == std::string_view::npos) return parse_verdict::not_mine;
  std::string_view rest = line.substr(a + admit.size());
  out.kind = kubelet_eviction_kind::admit_rejected;
  if (rest.starts_with("to node\"")) {
    // "Failed to admit pod to node" pod="ns/name" nodeCondition=["DiskPressure"]
    out.conditions = condition_list(klog_value(rest, "nodeCondition"));
    return kobj(klog_value(rest, "pod"), out) && !out.conditions.empty() ? parse_verdict::ok
                                                                         : parse_verdict::malformed;
  }
  // "Failed to admit pod name_ns(uid) - node has conditions: [DiskPressure]"
  constexpr std::string_view has = " - node has conditions: ";
  const std::size_t h = rest.find(has);
  if (h == std::string_view::npos) {
    // Another admit handler's refusal ("Failed to admit pod ... - Unexpected error") is not an
    // eviction; one cut before its conditions is ours, broken.
    return rest.find(" - ") == std::string_view::npos ? parse_verdict::malformed
                                                      : parse_verdict::not_mine;
  }
  out.conditions = condition_list(rest.substr(h + has.size()));
  return format_pod(rest.substr(0, h), out) && !out.conditions.empty() ? parse_verdict::ok
                                                                       : parse_verdict::malformed;
}

std::optional<k8s_event> parse_kubectl_event_row(std::string_view line, parse_verdict* verdict) {
  k8s_event k;
  const parse_verdict v = parse_kubectl_event_row(line, k);
  if (verdict != nullptr) *verdict = v;
  if (v != parse_verdict::ok) return std::nullopt;
  return k;
}

}  // namespace detectors
