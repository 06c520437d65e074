// File: pod_evicted_gen.cpp
// Format generator for pod_evicted: Kubernetes Events as kubectl prints them. Mostly JSON lines
// (`kubectl get events -o json` items and `--output-watch-events` watch events, core/v1 from
// several kubelet generations and a few events.k8s.io/v1), rarely the `kubectl get events` table
// and `kubectl describe pod` rows users paste; 1 in 12 evictions is seen as a view of the pod
// instead (its status YAML, a `kubectl get pods` row, describe's Reason/Message, the kubelet's
// eviction_manager.go line), sometimes followed by its Event. Faulty episodes evict pods (memory
// and ephemeral-storage pressure in every message generation, DiskPressure, taint-manager
// evictions, preemptions), sometimes enough on one node to make a storm; healthy ones are the
// Scheduled/Pulled/Started chatter every cluster produces.
#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "detectors/corpus.h"

namespace detectors {
namespace {

using json = nlohmann::json;

template <typename T, std::size_t N>
const T& pick(stream_builder& b, const std::array<T, N>& items) {
  return b.pick(std::span<const T>(items));
}

constexpr std::array<std::string_view, 8> gpu_workloads = {
    "llm-train",      "bert-finetune-gpu", "nccl-allreduce-test",   "triton-inference",
    "resnet50-train", "vllm-serve",        "megatron-train-worker", "cuda-sample-gpu"};
constexpr std::array<std::string_view, 8> other_workloads = {
    "web-frontend", "api-gateway", "redis-cache", "log-shipper",
    "etl-batch",    "jupyter-hub", "postgres",    "feature-store"};
constexpr std::array<std::string_view, 6> namespaces = {"ml-research", "inference",  "default",
                                                        "batch",       "monitoring", "team-a"};
constexpr std::array<std::string_view, 6> gpu_containers = {"trainer", "pytorch", "main",
                                                            "triton",  "worker",  "vllm"};
constexpr std::array<std::string_view, 5> side_containers = {"istio-proxy", "log-agent",
                                                             "dcgm-sidecar", "init-data", "app"};

struct pod_ref {
  std::string ns, name, uid;
  bool gpu = false;
};

std::string hex(stream_builder& b, int digits) {
  static constexpr char alphabet[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i)
    s += alphabet[b.next() % 16];
  return s;
}

// Draws are made one statement at a time, never several in one argument list (whose evaluation
// order differs between GCC and Clang).
std::string uuid(stream_builder& b) {
  const std::string node = hex(b, 12);
  const std::string clock_seq = hex(b, 4);
  const std::string time_hi = hex(b, 4);
  const std::string time_mid = hex(b, 4);
  const std::string time_low = hex(b, 8);
  return fmt::format("{}-{}-{}-{}-{}", time_low, time_mid, time_hi, clock_seq, node);
}

// Deployment pods "name-<rs hash>-<5>" and StatefulSet pods "name-<ordinal>".
pod_ref random_pod(stream_builder& b, bool gpu) {
  static constexpr char pod_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  pod_ref p;
  p.gpu = gpu;
  p.ns = gpu ? (b.chance(1, 2) ? "ml-research" : "inference") : std::string(pick(b, namespaces));
  const std::string_view base = gpu ? pick(b, gpu_workloads) : pick(b, other_workloads);
  if (b.chance(1, 3)) {
    p.name = fmt::format("{}-{}", base, b.uniform(0, 31));
  } else {
    std::string suffix;
    for (int i = 0; i < 5; ++i)
      suffix += pod_alphabet[b.next() % (sizeof pod_alphabet - 1)];
    p.name = fmt::format("{}-{}-{}", base, hex(b, 9), suffix);
  }
  p.uid = uuid(b);
  return p;
}

// RFC 3339 in UTC from ns since the epoch (Howard Hinnant's civil_from_days).
std::string rfc3339(std::int64_t ns, bool micros) {
  const std::int64_t secs = ns / ns_per_second;
  std::int64_t days = secs / 86400;
  const std::int64_t sod = secs % 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (micros)
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", y, m, d, sod / 3600,
                       sod / 60 % 60, sod % 60, ns % ns_per_second / 1000);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, sod / 3600, sod / 60 % 60,
                     sod % 60);
}

// kubectl's short ages: "45s", "6m5s", "12m", "3h".
std::string age(stream_builder& b) {
  switch (b.uniform(0, 3)) {
    case 0:
      return fmt::format("{}s", b.uniform(1, 59));
    case 1: {
      const auto seconds = b.uniform(0, 59);
      return fmt::format("{}m{}s", b.uniform(1, 9), seconds);
    }
    case 2:
      return fmt::format("{}m", b.uniform(10, 59));
    default:
      return fmt::format("{}h", b.uniform(1, 23));
  }
}

// An event about to be rendered in one of the shapes.
struct event_spec {
  std::string reason, type, message;
  std::string object_kind = "Pod";
  pod_ref pod;  // for a Node object: name = node, ns empty
  std::string component = "kubelet";
  std::string host;                // source.host (kubelet events)
  std::string reporting_instance;  // non-kubelet reporters
  std::string action;              // events.k8s.io action
  std::vector<std::pair<std::string, std::string>> annotations;
  std::uint64_t count = 1;
};

std::string render_json(stream_builder& b, const event_spec& e, bool modern) {
  const std::string ts = rfc3339(b.now(), false);
  const std::string event_name = fmt::format("{}.{}", e.pod.name, hex(b, 16));
  json obj;
  json involved = {{"kind", e.object_kind}, {"name", e.pod.name}, {"uid", e.pod.uid}};
  if (!e.pod.ns.empty()) involved["namespace"] = e.pod.ns;
  if (e.object_kind == "Pod") {
    involved["apiVersion"] = "v1";
    involved["resourceVersion"] = std::to_string(b.uniform(100000, 99999999));
  }
  json metadata = {{"creationTimestamp", ts},
                   {"name", event_name},
                   {"namespace", e.pod.ns.empty() ? "default" : e.pod.ns},
                   {"resourceVersion", std::to_string(b.uniform(100000, 99999999))},
                   {"uid", uuid(b)}};
  if (!e.annotations.empty()) {
    json annotations = json::object();
    for (const auto& [k, v] : e.annotations)
      annotations[k] = v;
    metadata["annotations"] = annotations;
  }
  const std::string reporter = e.host.empty() ? e.reporting_instance : e.host;
  if (b.chance(1, 12)) {
    // events.k8s.io/v1, as `kubectl get events.v1.events.k8s.io -o json` prints it.
    obj = {{"apiVersion", "events.k8s.io/v1"},
           {"deprecatedCount", e.count},
           {"deprecatedFirstTimestamp", ts},
           {"deprecatedLastTimestamp", ts},
           {"eventTime", nullptr},
           {"kind", "Event"},
           {"metadata", metadata},
           {"note", e.message},
           {"reason", e.reason},
           {"regarding", involved},
           {"reportingController", e.component},
           {"reportingInstance", reporter},
           {"type", e.type}};
    if (!e.host.empty()) obj["deprecatedSource"] = {{"component", e.component}, {"host", e.host}};
    if (!e.action.empty()) obj["action"] = e.action;
  } else {
    obj = {{"apiVersion", "v1"},
           {"count", e.count},
           {"eventTime", nullptr},
           {"firstTimestamp", ts},
           {"involvedObject", involved},
           {"kind", "Event"},
           {"lastTimestamp", ts},
           {"message", e.message},
           {"metadata", metadata},
           {"reason", e.reason},
           {"reportingComponent", modern ? e.component : ""},
           {"reportingInstance", modern ? reporter : ""},
           {"source", e.host.empty() ? json{{"component", e.component}}
                                     : json{{"component", e.component}, {"host", e.host}}},
           {"type", e.type}};
    if (!e.action.empty()) {
      // The scheduler's events.k8s.io recorder: no legacy timestamps, a micro-time instead.
      obj["action"] = e.action;
      obj["eventTime"] = rfc3339(b.now(), true);
      obj["firstTimestamp"] = nullptr;
      obj["lastTimestamp"] = nullptr;
    }
  }
  // kubectl sorts keys (nlohmann::json does too); watch events wrap the object.
  if (b.chance(2, 5)) return fmt::format(R"({{"type":"ADDED","object":{}}})", obj.dump());
  return obj.dump();
}

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  out.append(s.size() + 3 > width ? 3 : width - s.size(), ' ');
  return out;
}

std::string render_table_row(stream_builder& b, const event_spec& e, bool with_namespace) {
  const std::string object =
      fmt::format("{}/{}", e.object_kind == "Pod" ? "pod" : "node", e.pod.name);
  std::string row;
  if (with_namespace) row += pad(e.pod.ns.empty() ? "default" : e.pod.ns, 12);
  row += pad(age(b), 12);
  row += pad(e.type, 10);
  row += pad(e.reason, 10);
  row += pad(object, 40);
  row += e.message;
  while (!row.empty() && row.back() == ' ')
    row.pop_back();  // kubectl's tabwriter does not pad the last column
  return row;
}

std::string render_describe_row(stream_builder& b, const event_spec& e, bool old_kubectl) {
  const std::string from =
      old_kubectl && !e.host.empty() ? fmt::format("{}, {}", e.component, e.host) : e.component;
  std::string row = "  ";
  row += pad(e.type, 9);
  row += pad(e.reason, 11);
  row += pad(age(b), 7);
  row += pad(from, 9);
  row += e.message;
  while (!row.empty() && row.back() == ' ')
    row.pop_back();
  return row;
}

// Word-wraps `text` as go-yaml does for `kubectl get -o yaml` (about 80 columns): the first
// piece after `first`, the rest on lines indented by `indent`.
void emit_wrapped(stream_builder& b, std::string_view node, std::string first,
                  std::string_view text, std::size_t indent) {
  std::string line = std::move(first);
  std::size_t start = 0;
  bool first_word = true;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (!first_word && line.size() + 1 + word.size() > 80) {
      b.emit(node, source::kubernetes, std::move(line));
      line.assign(indent, ' ');
      first_word = true;
    }
    if (!first_word) line += ' ';
    line += word;
    first_word = false;
    start = end + 1;
  }
  b.emit(node, source::kubernetes, std::move(line));
}

// The evicted pod as `kubectl get pod -o yaml` shows it (keys sorted; only the parts around
// metadata.name, spec.nodeName and status; the message single-quoted and wrapped, or folded).
void emit_pod_yaml(stream_builder& b, std::string_view node, const event_spec& e) {
  b.emit(node, source::kubernetes, "apiVersion: v1");
  b.emit(node, source::kubernetes, "kind: Pod");
  b.emit(node, source::kubernetes, "metadata:");
  b.emit(node, source::kubernetes, "  labels:");
  b.emit(node, source::kubernetes,
         fmt::format("    app: {}", std::string_view(e.pod.name).substr(0, e.pod.name.find('-'))));
  b.emit(node, source::kubernetes, fmt::format("  name: {}", e.pod.name));
  b.emit(node, source::kubernetes, fmt::format("  namespace: {}", e.pod.ns));
  b.emit(node, source::kubernetes, fmt::format("  uid: {}", e.pod.uid));
  b.emit(node, source::kubernetes, "spec:");
  b.emit(node, source::kubernetes, fmt::format("  nodeName: {}", node));
  b.emit(node, source::kubernetes, "status:");
  std::string message = e.message;
  while (!message.empty() && message.back() == ' ')
    message.pop_back();
  if (b.chance(1, 5)) {
    b.emit(node, source::kubernetes, "  message: >-");
    emit_wrapped(b, node, "   ", message, 4);
  } else {
    std::string quoted;
    for (char c : e.message)
      quoted += c == '\'' ? std::string("''") : std::string(1, c);
    emit_wrapped(b, node, "  message: '", quoted + "'", 4);
  }
  b.emit(node, source::kubernetes, "  phase: Failed");
  b.emit(node, source::kubernetes, "  qosClass: Burstable");
  b.emit(node, source::kubernetes, "  reason: Evicted");
  b.emit(node, source::kubernetes,
         fmt::format("  startTime: \"{}\"", rfc3339(b.now() - 3600 * ns_per_second, false)));
}

// The kubelet's own log line for the eviction, as journald shows it: the structured klog form
// or (1 in 4) the older printf one. A DiskPressure condition is an admission refusal.
void emit_kubelet_line(stream_builder& b, std::string_view node, const event_spec& e) {
  const bool printf_form = b.chance(1, 4);
  const auto pid = b.uniform(900, 99999);
  const std::string header =
      fmt::format("{} {} kubelet[{}]: {}{} {}    {} eviction_manager.go:{}] ", "Nov 19 07:06:40",
                  node, pid, e.message.find("condition") != std::string::npos ? 'W' : 'I', "1119",
                  "07:06:40.123456", pid, b.uniform(140, 620));
  if (e.message.find("The node had condition:") != std::string::npos) {
    if (printf_form)
      b.emit(node, source::kernel,
             fmt::format("{}Failed to admit pod {}_{}({}) - node has conditions: [DiskPressure]",
                         header, e.pod.name, e.pod.ns, e.pod.uid));
    else
      b.emit(node, source::kernel,
             fmt::format("{}\"Failed to admit pod to node\" pod=\"{}/{}\" "
                         "nodeCondition=[\"DiskPressure\"]",
                         header, e.pod.ns, e.pod.name));
    return;
  }
  if (printf_form) {
    b.emit(node, source::kernel,
           fmt::format("{}eviction manager: pod {}_{}({}) is evicted successfully", header,
                       e.pod.name, e.pod.ns, e.pod.uid));
  } else {
    b.emit(node, source::kernel,
           fmt::format("{}\"Eviction manager: pod is evicted successfully\" pod=\"{}/{}\"", header,
                       e.pod.ns, e.pod.name));
  }
}

// Emits one event in a shape drawn from realistic proportions.
void emit_event(stream_builder& b, std::string_view node, const event_spec& e) {
  if (e.reason == "Evicted" && b.chance(1, 12)) {
    // A view of the evicted pod instead of its Event (the Event sometimes follows: one
    // eviction, counted once).
    const auto view = b.uniform(0, 99);
    if (view < 25) {
      emit_pod_yaml(b, node, e);
    } else if (view < 55) {
      if (b.chance(1, 3))
        b.emit(node, source::kubernetes,
               "NAMESPACE     NAME                              READY   STATUS    RESTARTS   AGE");
      b.emit(node, source::kubernetes,
             fmt::format("{:<13} {:<33} 0/1     Evicted   0          {}", e.pod.ns, e.pod.name,
                         age(b)));
    } else if (view < 85) {
      emit_kubelet_line(b, node, e);
    } else {
      b.emit(node, source::kubernetes, fmt::format("Name:             {}", e.pod.name));
      b.emit(node, source::kubernetes, fmt::format("Namespace:        {}", e.pod.ns));
      b.emit(node, source::kubernetes, fmt::format("Node:             {}/10.0.0.1", node));
      b.emit(node, source::kubernetes, "Status:           Failed");
      b.emit(node, source::kubernetes, "Reason:           Evicted");
      b.emit(node, source::kubernetes, fmt::format("Message:          {}", e.message));
    }
    if (!b.chance(1, 4)) return;
    b.advance(b.uniform(1, 500) * 1'000'000);
  }
  const auto roll = b.uniform(0, 99);
  if (roll < 90) {
    const bool modern = b.chance(1, 2);
    std::string line = render_json(b, e, modern);
    b.emit(node, source::kubernetes, line);
    if (b.chance(1, 20)) {
      // The same Event seen again by a watch after a list.
      b.advance(b.uniform(1, 500) * 1'000'000);
      if (line.starts_with(R"({"type":"ADDED","object":)"))
        line.replace(9, 5, "MODIFIED");
      else
        line = fmt::format(R"({{"type":"MODIFIED","object":{}}})", line);
      b.emit(node, source::kubernetes, std::move(line));
    }
  } else if (roll < 95) {
    const bool with_namespace = b.chance(1, 2);
    if (b.chance(1, 4))
      b.emit(node, source::kubernetes,
             with_namespace ? "NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT          MESSAGE"
                            : "LAST SEEN   TYPE      REASON    OBJECT          MESSAGE");
    b.emit(node, source::kubernetes, render_table_row(b, e, with_namespace));
  } else {
    if (b.chance(1, 2)) {
      b.emit(node, source::kubernetes, fmt::format("Name:             {}", e.pod.name));
      if (!e.pod.ns.empty()) {
        b.emit(node, source::kubernetes, fmt::format("Namespace:        {}", e.pod.ns));
        const auto host = b.uniform(1, 254);
        const auto subnet = b.uniform(0, 255);
        const auto site = b.uniform(0, 255);
        b.emit(node, source::kubernetes,
               fmt::format("Node:             {}/10.{}.{}.{}", node, site, subnet, host));
      }
      b.emit(node, source::kubernetes, "Events:");
      b.emit(node, source::kubernetes, "  Type     Reason     Age    From     Message");
      b.emit(node, source::kubernetes, "  ----     ------     ----   ----     -------");
    }
    b.emit(node, source::kubernetes, render_describe_row(b, e, b.chance(1, 3)));
  }
}

std::string memory_quantity(stream_builder& b, std::int64_t gib) {
  switch (b.uniform(0, 2)) {
    case 0:
      return fmt::format("{}Gi", gib);
    case 1:
      return fmt::format("{}Ki", gib * 1024 * 1024 + b.uniform(0, 1048575));
    default:
      return fmt::format("{}Mi", gib * 1024 + b.uniform(0, 1023));
  }
}

// "The node was low on resource: memory. ..." in the classic or the newer (1.27+) wording.
void memory_message(stream_builder& b, event_spec& e, bool newer) {
  e.message = "The node was low on resource: memory. ";
  if (newer || b.chance(1, 2)) {
    const auto available_ki = b.uniform(10000, 99999);
    const auto threshold = pick(b, std::array<std::string_view, 3>{"100Mi", "500Mi", "1Gi"});
    e.message += fmt::format("Threshold quantity: {}, available: {}Ki. ", threshold, available_ki);
  }
  const std::size_t containers = b.chance(1, 4) ? 2 : 1;
  std::string names, usages;
  for (std::size_t i = 0; i < containers; ++i) {
    const std::string_view name =
        i == 0 && e.pod.gpu ? pick(b, gpu_containers) : pick(b, side_containers);
    const std::int64_t request = i == 0 ? b.uniform(4, 64) : b.uniform(0, 2);
    const std::int64_t usage = request + b.uniform(1, 64);
    const std::string usage_text = memory_quantity(b, usage);
    if (newer)
      e.message += fmt::format(
          "Container {} was using {}, request is {}, has larger consumption "
          "of memory. ",
          name, usage_text, request == 0 ? "0" : fmt::format("{}Gi", request));
    else
      e.message += fmt::format("Container {} was using {}, which exceeds its request of {}. ", name,
                               usage_text, request == 0 ? "0" : fmt::format("{}Gi", request));
    names += fmt::format("{}{}", i == 0 ? "" : ",", name);
    usages += fmt::format("{}{}", i == 0 ? "" : ",", usage_text);
  }
  if (newer)
    e.annotations = {{"offending_containers", names},
                     {"offending_containers_usage", usages},
                     {"starved_resource", "memory"}};
}

void storage_message(stream_builder& b, event_spec& e) {
  const std::string_view container = e.pod.gpu ? pick(b, gpu_containers) : pick(b, side_containers);
  switch (b.uniform(0, 3)) {
    case 0:
      e.message = fmt::format("Container {} exceeded its local ephemeral storage limit \"{}Gi\". ",
                              container, b.uniform(1, 20));
      break;
    case 1:
      e.message = fmt::format(
          "Pod ephemeral local storage usage exceeds the total limit of containers {}. ",
          b.chance(1, 2) ? fmt::format("{}", b.uniform(1, 20) * 1073741824LL)
                         : fmt::format("{}Gi", b.uniform(1, 20)));
      break;
    case 2: {
      const auto limit_gi = b.uniform(1, 64);
      const auto volume =
          pick(b, std::array<std::string_view, 4>{"scratch", "dshm", "cache", "model-cache"});
      e.message = fmt::format("Usage of EmptyDir volume \"{}\" exceeds the limit \"{}Gi\". ",
                              volume, limit_gi);
      break;
    }
    default: {
      const auto usage_gi = b.uniform(10, 400);
      const auto available_ki = b.uniform(100000, 999999);
      const auto threshold_gi = b.uniform(5, 20);
      e.message = fmt::format(
          "The node was low on resource: ephemeral-storage. Threshold quantity: {}Gi, available: "
          "{}Ki. Container {} was using {}Gi, which exceeds its request of 0. ",
          threshold_gi, available_ki, container, usage_gi);
      if (b.chance(1, 2))
        e.annotations = {{"offending_containers", std::string(container)},
                         {"starved_resource", "ephemeral-storage"}};
      break;
    }
  }
}

void legacy_message(stream_builder& b, event_spec& e) {
  switch (b.uniform(0, 4)) {
    case 0:
      e.message = "The node was low on compute resources.";
      break;
    case 1:
      e.message = "The node had condition: [DiskPressure]. ";
      break;
    case 2:
      e.message = "The node was low on resource: nodefs.";
      break;
    case 3:
      e.message = "The node was low on resource: imagefs.";
      break;
    default: {
      const auto available = b.uniform(0, 400);
      const auto threshold = b.uniform(500, 2000);
      e.message = fmt::format(
          "The node was low on resource: pids. Threshold quantity: {}, "
          "available: {}. ",
          threshold, available);
      break;
    }
  }
}

event_spec eviction(stream_builder& b, std::string_view node, bool gpu) {
  event_spec e;
  e.reason = "Evicted";
  e.type = "Warning";
  e.pod = random_pod(b, gpu);
  e.host = node;
  return e;
}

void faulty_episode(stream_builder& b, std::string_view node) {
  const auto scenario = b.uniform(0, 99);
  if (scenario < 45) {
    // Memory pressure: the kubelet reclaims, then evicts one pod after another.
    const bool newer = b.chance(1, 2);
    if (b.chance(1, 2)) {
      event_spec t;
      t.reason = "EvictionThresholdMet";
      t.type = "Warning";
      t.object_kind = "Node";
      t.pod.name = node;
      t.pod.uid = uuid(b);
      t.host = node;
      t.message = "Attempting to reclaim memory";
      emit_event(b, node, t);
      b.advance(b.uniform(1, 20) * ns_per_second);
    }
    const auto pods = b.uniform(1, 7);
    for (std::int64_t i = 0; i < pods; ++i) {
      event_spec e = eviction(b, node, b.chance(2, 3));
      memory_message(b, e, newer);
      emit_event(b, node, e);
      b.advance(b.uniform(2, 60) * ns_per_second);
    }
  } else if (scenario < 65) {
    event_spec e = eviction(b, node, b.chance(1, 2));
    storage_message(b, e);
    emit_event(b, node, e);
  } else if (scenario < 72) {
    const auto pods = b.uniform(1, 6);
    for (std::int64_t i = 0; i < pods; ++i) {
      event_spec e = eviction(b, node, b.chance(1, 2));
      legacy_message(b, e);
      emit_event(b, node, e);
      b.advance(b.uniform(2, 60) * ns_per_second);
    }
  } else if (scenario < 85) {
    // The node went NotReady: the taint manager deletes its pods (and sometimes relents).
    const auto pods = b.uniform(1, 6);
    for (std::int64_t i = 0; i < pods; ++i) {
      event_spec e;
      e.reason = "TaintManagerEviction";
      e.type = "Normal";
      e.pod = random_pod(b, b.chance(1, 2));
      e.component = b.chance(1, 2) ? "taint-controller" : "taint-eviction-controller";
      e.reporting_instance = "";
      const bool cancel = b.chance(1, 8);
      e.message =
          fmt::format("{} Pod {}/{}", cancel ? "Cancelling deletion of" : "Marking for deletion",
                      e.pod.ns, e.pod.name);
      emit_event(b, node, e);
      b.advance(b.uniform(1, 30) * ns_per_second);
    }
  } else {
    event_spec e;
    e.pod = random_pod(b, b.chance(1, 2));
    if (b.chance(1, 3)) {
      e.reason = "Preempting";
      e.type = "Warning";
      e.host = node;
      e.message = "Preempted in order to admit critical pod";
    } else {
      e.reason = "Preempted";
      e.type = "Normal";
      e.component = "default-scheduler";
      e.reporting_instance = fmt::format("default-scheduler-cp-{}", b.uniform(1, 3));
      e.action = "Preempting";
      e.message = fmt::format("Preempted by pod {} on node {}", uuid(b), node);
    }
    emit_event(b, node, e);
  }
}

std::string registry_image(stream_builder& b, std::string_view pod_name) {
  const auto minor = b.uniform(0, 30);
  const auto major = b.uniform(1, 9);
  return fmt::format("registry.local/{}:v{}.{}", pod_name.substr(0, pod_name.find('-')), major,
                     minor);
}

void healthy_episode(stream_builder& b, std::string_view node) {
  const pod_ref pod = random_pod(b, b.chance(1, 2));
  const std::string image =
      pod.gpu ? fmt::format("nvcr.io/nvidia/pytorch:24.{:02}-py3", b.uniform(1, 12))
              : registry_image(b, pod.name);
  const auto pull_ms = b.uniform(100, 999);
  const auto pull_s = b.uniform(1, 90);
  const std::array<std::pair<std::string_view, std::string>, 5> steps = {{
      {"Scheduled", fmt::format("Successfully assigned {}/{} to {}", pod.ns, pod.name, node)},
      {"Pulling", fmt::format("Pulling image \"{}\"", image)},
      {"Pulled", fmt::format("Successfully pulled image \"{}\" in {}.{}s", image, pull_s, pull_ms)},
      {"Created", fmt::format("Created container {}", pick(b, gpu_containers))},
      {"Started", fmt::format("Started container {}", pick(b, gpu_containers))},
  }};
  const auto first = b.uniform(0, 4);
  const auto last = std::min<std::int64_t>(4, first + b.uniform(0, 2));
  for (auto i = first; i <= last; ++i) {
    event_spec e;
    e.reason = steps[static_cast<std::size_t>(i)].first;
    e.type = "Normal";
    e.pod = pod;
    e.message = steps[static_cast<std::size_t>(i)].second;
    if (i == 0) {
      e.component = "default-scheduler";
      e.reporting_instance = "default-scheduler-cp-1";
      e.action = "Binding";
    } else {
      e.host = node;
    }
    emit_event(b, node, e);
    b.advance(b.uniform(100, 3000) * 1'000'000);
  }
  if (b.chance(1, 25)) {
    // `kubectl get pods` rows that are not evictions: a failed container is not evidence of one.
    const std::string_view status = pick(
        b,
        std::array<std::string_view, 4>{"Running", "Completed", "Error", "ContainerStatusUnknown"});
    b.emit(
        node, source::kubernetes,
        fmt::format("{:<13} {:<33} 0/1     {}   1          {}", pod.ns, pod.name, status, age(b)));
  }
}

}  // namespace

void generate_pod_evicted_episode(stream_builder& b) {
  const std::string_view node = b.random_node();
  if (b.faulty() && b.chance(1, 2)) {
    faulty_episode(b, node);
  } else {
    healthy_episode(b, node);
  }
}

}  // namespace detectors
