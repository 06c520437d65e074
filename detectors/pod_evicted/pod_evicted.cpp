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
  return nodes_.size() + entries_ + (describe_.live ? 1 : 0);
}

void pod_evicted_detector::on_event(const event& ev, finding_sink& sink) {
  ++stats_.events;
  if (ev.ts_ns >= next_sweep_ns_) {
    DETECTORS_PHASE(state);
    sweep(ev.ts_ns);
    DETECTORS_PHASE(reject);
  }

  const std::string_view line = ev.line;
  const std::size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return;
  if (line[first] == '{') {
    on_json(ev, sink);
  } else if (first == 0 && line[0] == 'N' && on_describe_header(ev)) {
    return;
  } else if (line.find("Evict") != std::string_view::npos ||
             line.find("Preempt") != std::string_view::npos) {
    on_row(ev, sink);
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
  const parse_verdict verdict = parse_kubectl_event_row(ev.line, k);
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

  // The pod_evicted finding.
  DETECTORS_PHASE(emit);
  subject_.clear();
  if (!k.object_namespace.empty()) {
    subject_ += k.object_namespace;
    subject_ += '/';
  }
  subject_ += !k.object_name.empty()    ? std::string_view(k.object_name)
              : !m.taint_target.empty() ? std::string_view(m.taint_target)
                                        : std::string_view("unknown");
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
  next_sweep_ns_ = now_ns + std::min(window, config_.describe_context_ns) / 2 + 1;
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
