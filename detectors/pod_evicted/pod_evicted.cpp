// File: pod_evicted.cpp
// The pod_evicted detector: turns eviction events (JSON, kubectl table, kubectl describe) into
// pod_evicted findings, counts them per node in a sliding window for eviction_storm, and
// reports the kubelet's EvictionThresholdMet. Parsing lives in pod_evicted_parse.cpp (JSON)
// and pod_evicted_text.cpp (messages, quantities, kubectl rows).
#include "detectors/pod_evicted.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <limits>
#include <span>
#include <stdexcept>

#include "detectors/phase.h"
#include "internal/pod_evicted_json.h"

namespace detectors {
namespace {

enum class reason_class : std::uint8_t { eviction, taint, preemption, threshold, other };

reason_class classify_reason(const k8s_event& k) noexcept {
  if (k.reason == "Evicted") return reason_class::eviction;
  if (k.reason == "TaintManagerEviction") return reason_class::taint;
  if (k.reason == "Preempting" || k.reason == "Preempted" || k.action == "Preempting")
    return reason_class::preemption;
  if (k.reason == "EvictionThresholdMet") return reason_class::threshold;
  return reason_class::other;
}

bool contains_ci(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.empty()) return false;
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != haystack.end();
}

// Findings are one line: control characters from a hostile or wrapped message become spaces.
void sanitize(std::string& s) noexcept {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
}

std::string_view strip_brackets(std::string_view s) noexcept {
  if (!s.empty() && s.front() == '[') s.remove_prefix(1);
  if (!s.empty() && s.back() == ']') s.remove_suffix(1);
  return s;
}

// Offending containers from the kubelet's annotations ("a,b" / "61Gi,1Gi") when the message
// named none (a message truncated by a log shipper still has them).
void containers_from_annotations(const k8s_event& k, eviction_message& m) {
  std::string_view names = k.offending_containers;
  std::string_view usages = k.offending_containers_usage;
  while (!names.empty()) {
    const std::size_t comma = names.find(',');
    const std::size_t ucomma = usages.find(',');
    container_usage c;
    c.kind = container_usage::form::annotation;
    c.name = names.substr(0, comma);
    c.usage_text = usages.substr(0, ucomma);
    c.usage = parse_k8s_quantity(c.usage_text);
    if (!c.name.empty()) m.containers.push_back(std::move(c));
    names = comma == std::string_view::npos ? std::string_view{} : names.substr(comma + 1);
    usages = ucomma == std::string_view::npos ? std::string_view{} : usages.substr(ucomma + 1);
  }
}

// "?" for a field the message left out. A view: `s.empty() ? "?" : s` on a std::string is a
// std::string, a copy (and an allocation past 15 characters: a preemptor's uid has 36).
std::string_view or_unknown(std::string_view s) noexcept {
  return s.empty() ? std::string_view("?") : s;
}

void append_cause(std::string& out, const eviction_message& m, std::string_view raw_message) {
  auto it = std::back_inserter(out);
  switch (m.cause) {
    case eviction_cause::low_on_resource:
      fmt::format_to(it, "node low on {}", strip_brackets(m.resource_text));
      if (!m.threshold_text.empty())
        fmt::format_to(it, " (threshold {}, available {})", m.threshold_text,
                       or_unknown(m.available_text));
      break;
    case eviction_cause::low_on_compute:
      out += "node low on compute resources";
      break;
    case eviction_cause::had_condition:
      fmt::format_to(it, "node had condition {}", strip_brackets(m.resource_text));
      break;
    case eviction_cause::local_storage_limit:
      out += "ephemeral-storage limit exceeded";
      break;
    case eviction_cause::reclaiming:
      fmt::format_to(it, "kubelet reclaiming {}", m.resource_text);
      break;
    case eviction_cause::preempted_critical:
      out += "preempted to admit a critical pod";
      break;
    case eviction_cause::preempted_by:
      fmt::format_to(it, "preempted by pod {}", or_unknown(m.preemptor));
      break;
    case eviction_cause::taint_marked:
      out += "deleted by the taint manager (NoExecute taint on the node)";
      break;
    case eviction_cause::taint_cancelled:
      out += "taint-manager deletion cancelled";
      break;
    case eviction_cause::unrecognised:
      if (m.resource != pressure_resource::unknown) {
        fmt::format_to(it, "starved of {}", m.resource_text);
      } else if (raw_message.empty()) {
        out += "no message";
      } else {
        constexpr std::size_t excerpt = 120;
        fmt::format_to(it, "message \"{}{}\"", raw_message.substr(0, excerpt),
                       raw_message.size() > excerpt ? "..." : "");
      }
      break;
  }
}

void append_offenders(std::string& out, const eviction_message& m) {
  auto it = std::back_inserter(out);
  if (const container_usage* top = top_offender(m)) {
    if (top->kind == container_usage::form::ephemeral_limit) {
      fmt::format_to(it, "; container {} over its ephemeral-storage limit {}", top->name,
                     top->limit_text);
    } else {
      fmt::format_to(it, "; top offender container {} using {}", top->name,
                     or_unknown(top->usage_text));
      if (!top->request_text.empty()) fmt::format_to(it, " vs request {}", top->request_text);
      if (top->usage && top->request && *top->request > 0)
        fmt::format_to(it, " ({:.1f}x)",
                       static_cast<double>(*top->usage) / static_cast<double>(*top->request));
    }
    if (m.containers.size() > 1) fmt::format_to(it, " (+{} more)", m.containers.size() - 1);
  }
  if (!m.pod_storage_limit_text.empty())
    fmt::format_to(it, "; pod over its containers' total ephemeral-storage limit {}",
                   m.pod_storage_limit_text);
  if (!m.empty_dirs.empty()) {
    fmt::format_to(it, "; emptyDir volume {} over its limit {}", m.empty_dirs.front().volume,
                   m.empty_dirs.front().limit_text);
    if (m.empty_dirs.size() > 1) fmt::format_to(it, " (+{} more)", m.empty_dirs.size() - 1);
  }
}

// What an eviction is counted as in a storm's message.
std::string_view storm_label(const eviction_message& m) noexcept {
  if (m.resource != pressure_resource::unknown) return to_string(m.resource);
  switch (m.cause) {
    case eviction_cause::taint_marked:
      return "NoExecute taint";
    case eviction_cause::preempted_by:
    case eviction_cause::preempted_critical:
      return "preemption";
    default:
      return "unknown cause";
  }
}

std::string_view trim_view(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// A line whose last non-blank byte is ':' may open a YAML mapping ("metadata:", "status:").
bool ends_with_key(std::string_view line) noexcept {
  std::size_t n = line.size();
  while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
    --n;
  return n > 0 && line[n - 1] == ':';
}

// "key: value" or "key:" of a YAML block mapping; false for any other line.
bool yaml_entry(std::string_view content, std::string_view& key, std::string_view& value) noexcept {
  std::size_t i = 0;
  while (i < content.size()) {
    const char c = content[i];
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.' || c == '/';
    if (!word) break;
    ++i;
  }
  if (i == 0 || i >= content.size() || content[i] != ':') return false;
  if (i + 1 < content.size() && content[i + 1] != ' ') return false;
  key = content.substr(0, i);
  value = trim_view(content.substr(i + 1));
  return true;
}

std::string_view unquote(std::string_view v) noexcept {
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}

// The kubelet's eviction messages are short; a hostile paste is cut here.
constexpr std::size_t max_yaml_message = 4096;

// Appends one line's piece of a quoted YAML scalar (the opening quote already removed);
// returns true when the closing quote was in it.
bool append_quoted(std::string& out, std::string_view piece, char quote) {
  for (std::size_t i = 0; i < piece.size(); ++i) {
    const char c = piece[i];
    if (c == quote) {
      if (quote == '\'' && i + 1 < piece.size() && piece[i + 1] == '\'') {
        out += '\'';
        ++i;
        continue;
      }
      return true;
    }
    if (quote == '"' && c == '\\' && i + 1 < piece.size()) {
      const char e = piece[++i];
      out += e == 'n' || e == 't' ? ' ' : e;
      continue;
    }
    if (out.size() < max_yaml_message) out += c;
  }
  return false;
}

std::string format_duration(std::int64_t ns) {
  const std::int64_t s = ns / ns_per_second;
  if (s >= 60 && s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

}  // namespace

pod_evicted_detector::pod_evicted_detector(const pod_evicted_config& config)
    : config_(config), clock_(config.storm_window_ns), json_(std::make_unique<k8s_json_parser>()) {
  config_.storm_threshold = std::max<std::size_t>(config_.storm_threshold, 1);
  config_.storm_window_ns = std::max<std::int64_t>(config_.storm_window_ns, 1);
  config_.max_nodes = std::max<std::size_t>(config_.max_nodes, 1);
  config_.max_window_entries = std::max(config_.max_window_entries, config_.storm_threshold);
}

pod_evicted_detector::~pod_evicted_detector() = default;

std::size_t pod_evicted_detector::state_size() const noexcept {
  return nodes_.size() + entries_ + (describe_.live ? 1 : 0) + (yaml_.active ? 1 : 0) +
         (describe_status_.pending ? 1 : 0);
}

void pod_evicted_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  if (ev.ts_ns >= next_sweep_ns_) {
    DETECTORS_PHASE(state);
    sweep(ev.ts_ns);
    DETECTORS_PHASE(reject);
  }

  const std::string_view line = ev.line;
  std::size_t first = 0;
  while (first < line.size() && (line[first] == ' ' || line[first] == '\t'))
    ++first;
  const char lead = first < line.size() ? line[first] : '\0';
  // A pod's YAML: read from its "metadata:" or "status:" line on, alongside (never instead of)
  // the other forms. Any other line costs a compare or two here.
  if (yaml_.active ? yaml_.stream == ev.node : (lead == 'm' || lead == 's') && ends_with_key(line))
    on_yaml_line(ev, sink);
  if (describe_status_.pending && describe_status_.stream == ev.node) {
    // The line under describe's "Reason:  Evicted".
    if (line.starts_with("Message:")) {
      on_describe_status(ev, trim_view(line.substr(8)), sink);
      return;
    }
    on_describe_status(ev, {}, sink);
  }
  if (first == line.size()) return;
  if (lead == '{') {
    on_json(ev, sink);
  } else if (first == 0 && lead == 'N' && line.size() >= 5 && (line[2] == 'm' || line[2] == 'd') &&
             on_describe_header(ev)) {
    // "Name:", "Namespace:", "Node:" (not "Nov 19 ..." syslog lines)
    return;
  } else if (line.find("vict") != std::string_view::npos ||
             line.find("Preempt") != std::string_view::npos) {
    // "Evict", "eviction manager", "eviction_manager.go" (kubelet lines)
    on_row(ev, sink);
  }
}

void pod_evicted_detector::finish(finding_sink& sink) {
  yaml_flush(sink);
  if (describe_status_.pending) {
    const event ev{describe_status_.ts_ns, describe_status_.stream, source::kubernetes, {}};
    on_describe_status(ev, {}, sink);
  }
}

void pod_evicted_detector::on_json(const event& ev, finding_sink& sink) {
  // Only the parse tells an Event (and which reason) from other JSON.
  DETECTORS_PHASE(parse);
  const parse_verdict verdict = json_->parse(ev.line, event_);
  if (verdict != parse_verdict::ok) {
    if (verdict == parse_verdict::malformed) ++stats_.malformed;
    return;
  }
  handle(event_, ev, sink);
}

void pod_evicted_detector::on_row(const event& ev, finding_sink& sink) {
  DETECTORS_PHASE(parse);
  k8s_event& k = event_;
  parse_verdict verdict = parse_kubectl_event_row(ev.line, k);
  if (verdict == parse_verdict::not_mine) {
    // describe pod's "Reason:  Evicted" (container states' Reason: lines are indented).
    if (ev.line.starts_with("Reason:") && trim_view(ev.line.substr(7)) == "Evicted") {
      describe_status_.pending = true;
      describe_status_.stream.assign(ev.node);
      describe_status_.ts_ns = ev.ts_ns;
      return;
    }
    verdict = parse_kubectl_pod_row(ev.line, k);
    if (verdict == parse_verdict::not_mine) {
      kubelet_eviction_line l;
      verdict = parse_kubelet_eviction_line(ev.line, l);
      if (verdict == parse_verdict::ok) {
        on_kubelet(ev, l, sink);
        return;
      }
    }
  }
  if (verdict != parse_verdict::ok) {
    if (verdict == parse_verdict::malformed) ++stats_.malformed;
    return;
  }
  if (k.origin == k8s_event_origin::describe_row && describe_.live && describe_.stream == ev.node &&
      ev.ts_ns - describe_.ts_ns <= config_.describe_context_ns) {
    // A describe of a Pod has a Namespace: line; one of a Node does not.
    k.object_name = describe_.name;
    k.object_namespace = describe_.ns;
    k.object_kind = describe_.ns.empty() ? "Node" : "Pod";
    if (k.source_host.empty()) k.source_host = describe_.node;
  }
  handle(k, ev, sink);
}

// The Name:/Namespace:/Node: lines at the top of `kubectl describe` output.
bool pod_evicted_detector::on_describe_header(const event& ev) {
  std::string_view line = ev.line;
  std::string* field = nullptr;
  std::size_t prefix = 0;
  if (line.starts_with("Name:")) {
    prefix = 5;
    field = &describe_.name;
  } else if (line.starts_with("Namespace:")) {
    prefix = 10;
    field = &describe_.ns;
  } else if (line.starts_with("Node:")) {
    prefix = 5;
    field = &describe_.node;
  } else {
    return false;
  }
  DETECTORS_PHASE(state);  // the describe context the Events rows below it read
  line.remove_prefix(prefix);
  if (field == &describe_.name) {
    describe_.live = true;
    describe_.stream = ev.node;
    describe_.ns.clear();
    describe_.node.clear();
  }
  // A Namespace: or Node: without a Name: before it in the same stream names nothing.
  if (!describe_.live || describe_.stream != ev.node) return true;
  const std::size_t b = line.find_first_not_of(" \t");
  line = b == std::string_view::npos ? std::string_view{} : line.substr(b);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
    line.remove_suffix(1);
  if (field == &describe_.node) {
    line = line.substr(0, line.find('/'));  // "gpu-node-3/10.0.0.3"
    if (line == "<none>") line = {};
  }
  field->assign(line);
  describe_.ts_ns = ev.ts_ns;
  return true;
}

void pod_evicted_detector::on_kubelet(const event& ev, const kubelet_eviction_line& l,
                                      finding_sink& sink) {
  // The syslog host is the node whose kubelet wrote the line; the envelope may name a collector.
  const std::string_view node = !l.host.empty() ? l.host : ev.node;
  if (l.kind == kubelet_eviction_kind::housekeeping) {
    ++stats_.recognised;
    return;
  }
  if (l.kind == kubelet_eviction_kind::reclaiming) {
    ++stats_.recognised;
    DETECTORS_PHASE(state);
    reclaim_.node.assign(node);
    reclaim_.resource.assign(l.resource);
    reclaim_.ts_ns = ev.ts_ns;
    return;
  }
  k8s_event& k = event_;
  reset(k);
  k.origin = k8s_event_origin::kubelet_log;
  k.reason.assign("Evicted");
  k.object_kind.assign("Pod");
  k.object_namespace.assign(l.pod_namespace);
  k.object_name.assign(l.pod_name);
  k.source_component.assign("kubelet");
  k.source_host.assign(node);
  if (l.kind == kubelet_eviction_kind::admit_rejected) {
    // The message the kubelet puts on the rejected pod (nodeConditionMessageFmt), from the
    // logged list: `["MemoryPressure","DiskPressure"]` or `[DiskPressure]`.
    k.message.assign("The node had condition: [");
    for (char c : l.conditions) {
      if (c == '"') continue;
      k.message += c == ',' ? ' ' : c;
    }
    k.message += "]. ";
  } else if (reclaim_.ts_ns != no_time && reclaim_.node == node && ev.ts_ns >= reclaim_.ts_ns &&
             ev.ts_ns - reclaim_.ts_ns <= kubelet_reclaim_ns_) {
    // "must evict pod(s) to reclaim" just before names the resource (nodeLowMessageFmt).
    k.message.assign("The node was low on resource: ");
    k.message += reclaim_.resource;
    k.message += ". ";
  }
  handle(k, ev, sink);
}

void pod_evicted_detector::on_describe_status(const event& ev, std::string_view message,
                                              finding_sink& sink) {
  describe_status_.pending = false;
  k8s_event& k = event_;
  reset(k);
  k.origin = k8s_event_origin::pod_status;
  k.reason.assign("Evicted");
  k.object_kind.assign("Pod");
  if (describe_.live && describe_.stream == describe_status_.stream) {
    k.object_name.assign(describe_.name);
    k.object_namespace.assign(describe_.ns);
    k.source_host.assign(describe_.node);
  }
  k.message.assign(message);
  // handle() counts the "Reason:" line; the "Message:" line is ours too.
  if (!message.empty()) ++stats_.recognised;
  const event at{describe_status_.ts_ns, ev.node, ev.src, ev.line};
  handle(k, at, sink);
}

void pod_evicted_detector::on_yaml_line(const event& ev, finding_sink& sink) {
  DETECTORS_PHASE(parse);
  yaml_pod& y = yaml_;
  std::string_view line = ev.line;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t'))
    line.remove_suffix(1);
  const std::size_t lead = line.find_first_not_of(' ');
  const int raw_indent = lead == std::string_view::npos ? 0 : static_cast<int>(lead);
  std::string_view content =
      lead == std::string_view::npos ? std::string_view{} : line.substr(lead);

  if (y.active) {
    y.ts_ns = ev.ts_ns;
    if (y.msg == yaml_pod::message_state::open) {
      const bool quoted = y.message_style == '\'' || y.message_style == '"';
      if (quoted && !y.message_closed) {
        if (!content.empty() && !y.message.empty() && y.message.size() < max_yaml_message)
          y.message += ' ';
        y.message_closed = append_quoted(y.message, content, y.message_style);
        ++y.message_lines;
        if (y.message_closed) {
          y.msg = yaml_pod::message_state::done;
          if (y.evicted && !y.emitted) yaml_emit(sink);
        }
        return;
      }
      if (!quoted && (content.empty() || raw_indent > y.message_indent)) {
        if (!content.empty()) {
          if (!y.message.empty() && y.message.size() < max_yaml_message) y.message += ' ';
          if (y.message.size() < max_yaml_message)
            y.message.append(content.substr(0, max_yaml_message - y.message.size()));
          ++y.message_lines;
        }
        return;
      }
      y.msg = yaml_pod::message_state::done;
      if (y.evicted && !y.emitted) yaml_emit(sink);
    }
    if (content.empty()) return;
    if (raw_indent < y.object_indent) {
      yaml_flush(sink);  // the object ended (a list's next item, or another kind of line)
    }
  }

  bool item = false;
  int indent = raw_indent;
  if (content.starts_with("- ")) {
    item = true;
    content.remove_prefix(2);
    indent += 2;
  }
  std::string_view key, value;
  const bool entry = yaml_entry(content, key, value);
  if (!y.active) {
    // Opening lines: "metadata:" (a whole object) or "status:" (a pasted status block).
    if (!entry || !value.empty() || item || (key != "metadata" && key != "status")) return;
    y.active = true;
    y.stream.assign(ev.node);
    y.object_indent = indent;
    y.child_indent = -1;
    y.sec = key == "metadata" ? yaml_pod::section::metadata : yaml_pod::section::status;
    y.name.clear();
    y.ns.clear();
    y.node.clear();
    y.evicted = y.emitted = false;
    y.in_conditions = y.cond_open = y.cond_message = false;
    y.msg = yaml_pod::message_state::none;
    y.message.clear();
    y.message_lines = 0;
    y.ts_ns = ev.ts_ns;
    return;
  }
  if (!entry) {
    if (raw_indent <= y.object_indent) yaml_flush(sink);  // not YAML: the paste ended
    return;
  }
  if (indent == y.object_indent && !item) {
    if (key == "metadata" && (y.sec != yaml_pod::section::other || !y.name.empty())) {
      // A second object at the same level: finish the first, start again.
      yaml_flush(sink);
      on_yaml_line(ev, sink);
      return;
    }
    yaml_close_condition(sink);
    y.in_conditions = false;
    y.sec = key == "metadata" ? yaml_pod::section::metadata
            : key == "spec"   ? yaml_pod::section::spec
            : key == "status" ? yaml_pod::section::status
                              : yaml_pod::section::other;
    y.child_indent = -1;
    return;
  }
  if (indent <= y.object_indent) {
    yaml_flush(sink);
    return;
  }
  if (y.child_indent < 0) y.child_indent = indent;
  if (y.sec == yaml_pod::section::status && y.in_conditions && raw_indent >= y.child_indent &&
      (item || indent > y.child_indent)) {
    // Inside status.conditions: "- " opens a condition; its keys follow at one indent.
    if (item) {
      yaml_close_condition(sink);
      y.cond_open = true;
      y.cond_indent = indent;
    }
    if (y.cond_open && indent == y.cond_indent) yaml_condition_key(key, value, indent);
    return;
  }
  if (indent != y.child_indent || item) return;  // nested deeper: labels, container states
  if (y.sec == yaml_pod::section::status) {
    yaml_close_condition(sink);
    y.in_conditions = key == "conditions" && value.empty();
  }
  switch (y.sec) {
    case yaml_pod::section::metadata:
      if (key == "name") y.name.assign(unquote(value));
      if (key == "namespace") y.ns.assign(unquote(value));
      break;
    case yaml_pod::section::spec:
      if (key == "nodeName") y.node.assign(unquote(value));
      break;
    case yaml_pod::section::status:
      if (key == "message" && y.msg == yaml_pod::message_state::none) {
        yaml_start_message(indent, value);
      } else if (key == "reason" && unquote(value) == "Evicted") {
        y.evicted = true;
        if (y.msg == yaml_pod::message_state::done && !y.emitted) yaml_emit(sink);
      }
      break;
    default:
      break;
  }
}

void pod_evicted_detector::yaml_start_message(int indent, std::string_view value) {
  yaml_pod& y = yaml_;
  y.msg = yaml_pod::message_state::open;
  y.message_indent = indent;
  y.message_lines = 1;
  y.message.clear();
  y.message_closed = false;
  y.message_style = value.empty() ? ' ' : value.front();
  if (y.message_style == '\'' || y.message_style == '"') {
    y.message_closed = append_quoted(y.message, value.substr(1), y.message_style);
    if (y.message_closed) y.msg = yaml_pod::message_state::done;
  } else if (y.message_style == '>' || y.message_style == '|') {
    // A block scalar: its lines follow, more indented.
  } else {
    y.message_style = ' ';
    y.message.assign(value.substr(0, max_yaml_message));
  }
}

void pod_evicted_detector::yaml_condition_key(std::string_view key, std::string_view value,
                                              int indent) {
  yaml_pod& y = yaml_;
  if (key == "message" && y.msg == yaml_pod::message_state::none) {
    yaml_start_message(indent, value);
    y.cond_message = true;
  } else if (key == "type") {
    y.cond_disruption = unquote(value) == "DisruptionTarget";
  } else if (key == "reason") {
    y.cond_by_kubelet = unquote(value) == "TerminationByKubelet";
  }
}

// A condition ended: the kubelet's DisruptionTarget with an eviction message is an eviction
// (TerminationByKubelet is also the graceful node shutdown's reason: its message is no eviction
// sentence). Any other condition's message is not the pod's: it is dropped.
void pod_evicted_detector::yaml_close_condition(finding_sink& sink) {
  yaml_pod& y = yaml_;
  if (!y.cond_open) return;
  y.cond_open = false;
  if (!y.cond_message) return;
  y.cond_message = false;
  bool eviction = false;
  if (y.cond_disruption && y.cond_by_kubelet) {
    parse_eviction_message(y.message, message_parsed_);
    const eviction_cause c = message_parsed_.cause;
    eviction = c == eviction_cause::low_on_resource || c == eviction_cause::had_condition ||
               c == eviction_cause::local_storage_limit || c == eviction_cause::low_on_compute;
  }
  if (!eviction) {
    y.msg = yaml_pod::message_state::none;
    y.message.clear();
    y.message_lines = 0;
    return;
  }
  y.evicted = true;
  if (y.msg == yaml_pod::message_state::done && !y.emitted) yaml_emit(sink);
}

void pod_evicted_detector::yaml_flush(finding_sink& sink) {
  if (!yaml_.active) return;
  yaml_close_condition(sink);
  if (yaml_.evicted && !yaml_.emitted) yaml_emit(sink);
  yaml_.active = false;
}

void pod_evicted_detector::yaml_emit(finding_sink& sink) {
  yaml_pod& y = yaml_;
  y.emitted = true;
  k8s_event& k = event_;
  reset(k);
  k.origin = k8s_event_origin::pod_status;
  k.reason.assign("Evicted");
  k.object_kind.assign("Pod");
  k.object_name.assign(y.name);
  k.object_namespace.assign(y.ns);
  k.source_host.assign(y.node);
  // A message still open at the end (the paste was cut) is used as far as it goes.
  if (y.msg != yaml_pod::message_state::none) k.message.assign(y.message);
  // handle() counts the "reason: Evicted" line; the message's lines are ours too.
  stats_.recognised += y.msg != yaml_pod::message_state::none ? y.message_lines : 0;
  const event at{y.ts_ns, y.stream, source::kubernetes, {}};
  handle(k, at, sink);
}

void pod_evicted_detector::handle(k8s_event& k, const event& ev, finding_sink& sink) {
  ++stats_.recognised;
  const reason_class rc = classify_reason(k);
  if (rc == reason_class::other || k.watch_type == "DELETED") return;

  eviction_message& m = message_parsed_;
  parse_eviction_message(k.message, m);
  if (m.resource == pressure_resource::unknown && !k.starved_resource.empty()) {
    m.resource = classify_pressure_resource(k.starved_resource);
    if (m.resource != pressure_resource::unknown) m.resource_text = k.starved_resource;
  }
  if (m.containers.empty() && !k.offending_containers.empty()) containers_from_annotations(k, m);
  if (rc == reason_class::taint && m.cause == eviction_cause::taint_cancelled) return;

  std::string_view node = ev.node;
  if (!k.source_host.empty()) {
    node = k.source_host;
  } else if (!k.reporting_instance.empty() &&
             (k.reporting_component == "kubelet" || k.source_component == "kubelet")) {
    node = k.reporting_instance;  // other components' instances are not nodes
  } else if (rc == reason_class::threshold && k.object_kind == "Node" && !k.object_name.empty()) {
    node = k.object_name;
  } else if (!m.node.empty()) {
    node = m.node;
  }

  const bool late = clock_.late(node, ev);
  if (late) ++stats_.late;
  if (rc == reason_class::threshold) {
    if (!late) on_threshold_met(k, m, node, ev, sink);
    return;
  }

  DETECTORS_PHASE(state);
  const bool counts = rc != reason_class::preemption || config_.storm_counts_preemptions;
  node_window& w = node_state(node, ev.ts_ns);
  while (!w.entries.empty() && ev.ts_ns - pool_[w.entries.head].ts_ns > config_.storm_window_ns) {
    pool_.pop_front(w.entries);
    --entries_;
  }
  if (!k.uid.empty()) {
    for (std::uint32_t i = w.entries.head; i != entry_pool::none; i = pool_[i].next) {
      const window_entry& e = pool_[i];
      if (e.uid.view() == k.uid && e.count >= k.count) return;  // the same Event, listed again
    }
  }
  subject_.clear();
  if (!k.object_namespace.empty()) {
    subject_ += k.object_namespace;
    subject_ += '/';
  }
  subject_ += !k.object_name.empty()    ? std::string_view(k.object_name)
              : !m.taint_target.empty() ? std::string_view(m.taint_target)
                                        : std::string_view("unknown");
  // A pod view repeats an eviction already counted in the window (from any form), and an Event
  // repeats one a pod view counted; Events among themselves are told apart by uid as before.
  const bool pod_view = k.origin == k8s_event_origin::pod_row ||
                        k.origin == k8s_event_origin::pod_status ||
                        k.origin == k8s_event_origin::kubelet_log;
  for (std::uint32_t i = w.entries.head; i != entry_pool::none; i = pool_[i].next) {
    const window_entry& e = pool_[i];
    if ((pod_view || e.pod_view) && e.subject.view() == subject_) return;
  }

  // The pod_evicted finding.
  DETECTORS_PHASE(emit);
  const bool gpu = is_gpu_workload(k, m);
  message_.clear();
  fmt::format_to(std::back_inserter(message_), "pod {} {} on node {} ({}): ", subject_,
                 rc == reason_class::preemption ? "preempted" : "evicted", node, k.reason);
  append_cause(message_, m, k.message);
  append_offenders(message_, m);
  if (gpu) message_ += "; GPU workload";
  emit(sink, node, gpu ? severity::warning : severity::info, "pod_evicted", ev.ts_ns, ev.ts_ns,
       std::max<std::uint64_t>(k.count, 1), action::observe);

  // The storm window: only evictions that count make or keep a storm.
  if (late) return;
  DETECTORS_PHASE(state);
  const auto counted = [this, &w] {
    std::size_t n = 0;
    for (std::uint32_t i = w.entries.head; i != entry_pool::none; i = pool_[i].next)
      n += pool_[i].counts ? 1 : 0;
    return n;
  };
  if (counted() == 0) w.storm_active = false;  // a quiet window ended the last storm
  window_entry& added = pool_.push_back(w.entries);
  added.ts_ns = ev.ts_ns;
  added.uid.assign(k.uid);  // the slot's buffer: inline, or a longer uid's heap buffer kept
  added.count = k.count;
  added.cause = storm_label(m);
  added.counts = counts;
  added.subject.assign(subject_);
  added.pod_view = pod_view;
  ++entries_;
  if (w.entries.size > config_.max_window_entries) {
    // Drop the oldest non-counting entry first, so the storm count stays exact.
    std::uint32_t before_victim = entry_pool::none;
    std::uint32_t victim = w.entries.head;
    while (victim != entry_pool::none && pool_[victim].counts) {
      before_victim = victim;
      victim = pool_[victim].next;
    }
    pool_.erase_after(w.entries, victim != entry_pool::none ? before_victim : entry_pool::none);
    --entries_;
  }
  if (counts && !w.storm_active && counted() >= config_.storm_threshold) {
    w.storm_active = true;
    DETECTORS_PHASE(emit);
    emit_storm(node, w, ev, sink);
  }
}

void pod_evicted_detector::on_threshold_met(const k8s_event& k, const eviction_message& m,
                                            std::string_view node, const event& ev,
                                            finding_sink& sink) {
  if (!config_.report_threshold_met) return;
  DETECTORS_PHASE(state);
  node_window& w = node_state(node, ev.ts_ns);
  // The kubelet repeats the event every few seconds while the pressure lasts: report it once
  // per window.
  if (w.threshold_ns != no_time && ev.ts_ns - w.threshold_ns <= config_.storm_window_ns &&
      ev.ts_ns >= w.threshold_ns)
    return;
  w.threshold_ns = ev.ts_ns;

  DETECTORS_PHASE(emit);
  subject_ = node;
  message_.clear();
  fmt::format_to(std::back_inserter(message_),
                 "node {} met an eviction threshold ({}): kubelet attempting to reclaim {}", node,
                 k.reason, or_unknown(m.resource_text));
  emit(sink, node, severity::info, "eviction_threshold_met", ev.ts_ns, ev.ts_ns,
       std::max<std::uint64_t>(k.count, 1), action::observe);
}

// Every finding goes out the same way: message_ and subject_ (already formatted) made one-line
// safe, then handed to the sink.
void pod_evicted_detector::emit(finding_sink& sink, std::string_view node, severity sev,
                                std::string_view kind, std::int64_t first_ns, std::int64_t last_ns,
                                std::uint64_t count, action recommended) {
  sanitize(message_);
  sanitize(subject_);
  finding f;
  f.detector = name();
  f.node = node;
  f.subject = subject_;
  f.sev = sev;
  f.kind = kind;
  f.message = message_;
  f.first_ns = first_ns;
  f.last_ns = last_ns;
  f.count = count;
  f.recommended = recommended;
  ++stats_.findings;
  sink.on_finding(f);
}

void pod_evicted_detector::emit_storm(std::string_view node, const node_window& w, const event& ev,
                                      finding_sink& sink) {
  // Causes in the window, most frequent first (ties in order of first appearance). The causes
  // are storm_label's fixed labels (a pressure_resource or one of three others, 13 at most), so
  // a fixed array holds them all.
  struct tally {
    std::string_view cause;
    std::size_t n = 0;
  };
  std::array<tally, 32> tallies{};
  std::size_t distinct = 0;
  std::size_t total = 0;
  std::int64_t first_ns = ev.ts_ns;
  std::int64_t last_ns = ev.ts_ns;  // entries are in arrival order, not always time order
  for (std::uint32_t i = w.entries.head; i != entry_pool::none; i = pool_[i].next) {
    const window_entry& e = pool_[i];
    if (!e.counts) continue;
    ++total;
    first_ns = std::min(first_ns, e.ts_ns);
    last_ns = std::max(last_ns, e.ts_ns);
    auto it = std::find_if(tallies.begin(), tallies.begin() + static_cast<std::ptrdiff_t>(distinct),
                           [&](const tally& t) { return t.cause == e.cause; });
    if (it != tallies.begin() + static_cast<std::ptrdiff_t>(distinct)) {
      ++it->n;
    } else if (distinct < tallies.size()) {
      tallies[distinct++] = tally{e.cause, 1};
    }
  }
  // A stable insertion sort (std::stable_sort allocates a buffer).
  for (std::size_t i = 1; i < distinct; ++i)
    for (std::size_t j = i; j > 0 && tallies[j - 1].n < tallies[j].n; --j)
      std::swap(tallies[j - 1], tallies[j]);
  const std::span<const tally> causes(tallies.data(), distinct);
  subject_ = node;
  message_.clear();
  auto out = std::back_inserter(message_);
  fmt::format_to(out, "{} pod evictions on node {} within {}:", total, node,
                 format_duration(config_.storm_window_ns));
  for (std::size_t i = 0; i < causes.size(); ++i)
    fmt::format_to(out, "{} {} x{}", i == 0 ? "" : ",", causes[i].cause, causes[i].n);
  message_ += "; drain the node and find what exhausts it";
  emit(sink, node, severity::critical, "eviction_storm", first_ns, last_ns, total,
       action::drain_node);
}

bool pod_evicted_detector::is_gpu_workload(const k8s_event& k, const eviction_message& m) const {
  if (m.mentions_gpu || k.starved_resource.find("nvidia.com/gpu") != std::string::npos) return true;
  const std::string_view pod =
      !k.object_name.empty() ? std::string_view(k.object_name) : std::string_view(m.taint_target);
  for (const std::string& pattern : config_.gpu_pod_patterns)
    if (contains_ci(pod, pattern)) return true;
  return false;
}

void pod_evicted_detector::sweep(std::int64_t now_ns) {
  const std::int64_t window = config_.storm_window_ns;
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    node_window& w = it->second;
    while (!w.entries.empty() && now_ns - pool_[w.entries.head].ts_ns > window) {
      pool_.pop_front(w.entries);
      --entries_;
    }
    const bool threshold_stale = w.threshold_ns == no_time || now_ns - w.threshold_ns > window;
    if (w.entries.empty() && threshold_stale) {
      const auto next = std::next(it);
      retire(it);
      it = next;
    } else {
      ++it;
    }
  }
  if (describe_.live && now_ns - describe_.ts_ns > config_.describe_context_ns) {
    describe_ = describe_context{};
  }
  // Saturated: an event stamped near the end of int64 time (an envelope's ts_ns may be any
  // non-negative value) must not wrap the next sweep into the past.
  const std::int64_t step = std::min(window, config_.describe_context_ns) / 2 + 1;
  if (__builtin_add_overflow(now_ns, step, &next_sweep_ns_))
    next_sweep_ns_ = std::numeric_limits<std::int64_t>::max();
}

pod_evicted_detector::node_window& pod_evicted_detector::node_state(std::string_view node,
                                                                    std::int64_t now_ns) {
  if (const auto it = nodes_.find(node); it != nodes_.end()) return it->second;
  if (nodes_.size() >= config_.max_nodes) sweep(now_ns);
  if (nodes_.size() >= config_.max_nodes) {
    // Make room by forgetting the node whose last eviction is oldest.
    auto last_seen = [this](const node_window& w) {
      std::int64_t t = w.threshold_ns;
      if (!w.entries.empty()) t = std::max(t, pool_[w.entries.tail].ts_ns);
      return t;
    };
    auto stalest = nodes_.begin();
    for (auto it = nodes_.begin(); it != nodes_.end(); ++it)
      if (last_seen(it->second) < last_seen(stalest->second)) stalest = it;
    entries_ -= stalest->second.entries.size;
    pool_.release(stalest->second.entries);
    retire(stalest);
  }
  if (spare_nodes_.empty()) return nodes_.try_emplace(std::string(node)).first->second;
  // A retired node's storage, renamed: inserting a node handle places it exactly where
  // operator[] would have, so the map's iteration order (and the stalest choice) is unchanged.
  node_map::node_type spare = std::move(spare_nodes_.back());
  spare_nodes_.pop_back();
  spare.key().assign(node);  // within the spare key's capacity: no allocation
  node_window& w = spare.mapped();
  w.entries = entry_pool::list{};  // released when the node was retired
  w.storm_active = false;
  w.threshold_ns = no_time;
  return nodes_.insert(std::move(spare)).position->second;
}

void pod_evicted_detector::retire(node_map::iterator it) {
  // The node's map entry (key, window and the window's storage) waits for the next new node;
  // there are never more spare nodes than nodes once held at the same time.
  spare_nodes_.push_back(nodes_.extract(it));
}

pod_evicted_detector::window_entry& pod_evicted_detector::entry_pool::push_back(list& l) {
  if (free_ == none) {
    // No free slot: grow. Moving the entries moves their uid buffers (inline, or a long uid's
    // heap buffer); the new slots go to the free list, first slot first.
    const std::size_t old_size = slots_.size();
    const std::size_t new_size = std::max<std::size_t>(2 * old_size, 8);
    if (new_size >= none) throw std::length_error("pod_evicted: too many window entries");
    slots_.resize(new_size);
    for (std::size_t i = new_size; i-- > old_size;) {
      slots_[i].next = free_;
      free_ = static_cast<std::uint32_t>(i);
    }
  }
  const std::uint32_t slot = free_;
  window_entry& e = slots_[slot];
  free_ = e.next;
  e.next = none;
  if (l.tail == none) {
    l.head = slot;
  } else {
    slots_[l.tail].next = slot;
  }
  l.tail = slot;
  ++l.size;
  return e;
}

void pod_evicted_detector::entry_pool::pop_front(list& l) noexcept {
  erase_after(l, none);
}

void pod_evicted_detector::entry_pool::erase_after(list& l, std::uint32_t prev) noexcept {
  std::uint32_t& link = prev == none ? l.head : slots_[prev].next;
  const std::uint32_t slot = link;
  link = slots_[slot].next;
  if (l.tail == slot) l.tail = prev;
  --l.size;
  slots_[slot].next = free_;
  free_ = slot;
}

void pod_evicted_detector::entry_pool::release(list& l) noexcept {
  if (l.empty()) return;
  slots_[l.tail].next = free_;
  free_ = l.head;
  l = list{};
}

std::unique_ptr<detector> make_pod_evicted_detector() {
  return make_pod_evicted_detector(pod_evicted_config{});
}

std::unique_ptr<detector> make_pod_evicted_detector(const pod_evicted_config& config) {
  return std::make_unique<pod_evicted_detector>(config);
}

}  // namespace detectors
