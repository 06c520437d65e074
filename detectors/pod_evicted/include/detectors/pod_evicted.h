// File: pod_evicted.h
// The pod_evicted detector: Kubernetes pod evictions, from Event objects and pasted kubectl output.
//
// It reads the Kubernetes events that evict or pre-empt a pod, in every shape they reach a log:
//   - Event objects as JSON lines: items of `kubectl get events -o json` (core/v1, or
//     events.k8s.io/v1 with `regarding`/`note`), and watch events
//     `{"type":"ADDED","object":{...}}` (MODIFIED counts, DELETED is ignored);
//   - `kubectl get events` table rows, with or without the NAMESPACE column;
//   - `kubectl describe pod|node` Events rows, with `kubelet` or older `kubelet, NODE` in the
//     From column; the `Name:`/`Namespace:`/`Node:` lines above them (same envelope node,
//     within describe_context_ns) name the object;
//   - views of the evicted pod itself: its status in `kubectl get pod(s) -o yaml` (reason:
//     Evicted, or the kubelet's DisruptionTarget condition with reason TerminationByKubelet and
//     an eviction message; the message wrapped, quoted or folded), describe's `Reason: Evicted` /
//     `Message:`, `kubectl get pods` rows whose STATUS is Evicted, and the kubelet's
//     eviction_manager.go log ("pod is evicted successfully", "Failed to admit pod" under a
//     node condition, the reclaim that names the resource). One eviction seen in several of
//     these (and as its Event) counts once within the storm window.
// Reasons: `Evicted` (kubelet), `TaintManagerEviction` (NoExecute taint; "Cancelling deletion"
// is not an eviction), `Preempting` (kubelet, to admit a critical pod) / `Preempted` (scheduler),
// and the node event `EvictionThresholdMet`. The kubelet message is decoded in all its
// generations (see eviction_message) into the pressured resource and the offending containers.
//
//   kind                    severity          action      when
//   pod_evicted             info / warning    observe     every eviction or preemption; warning
//                                                         when the pod is a GPU workload
//   eviction_storm          critical          drain_node  >= storm_threshold evictions on one
//                                                         node within storm_window (once per
//                                                         storm; it ends after a quiet window)
//   eviction_threshold_met  info              observe     the kubelet starts reclaiming a resource
//
// The node is the event's source.host, else the kubelet's reportingInstance, else the node a
// preemption names, else the describe output's Node:, else the event envelope's node (events
// are usually collected centrally, so the envelope names the collector). The subject of a pod
// finding is namespace/pod; of a storm or threshold finding, the node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detectors/detector.h"
#include "detectors/event_clock.h"
#include "detectors/short_text.h"

namespace detectors {

struct pod_evicted_config {
  // eviction_storm fires when a node has at least storm_threshold evictions within
  // storm_window_ns (default: >= 5 within 10 minutes).
  std::size_t storm_threshold = 5;
  std::int64_t storm_window_ns = 10 * 60 * ns_per_second;
  // Preemptions make room for higher-priority pods: scheduling policy, not node trouble, so by
  // default they do not count towards a storm (draining a node for them would be wrong).
  bool storm_counts_preemptions = false;
  // A pod whose name contains one of these (case-insensitive) is a GPU workload, as is one whose
  // message or starved resource mentions nvidia.com/gpu.
  std::vector<std::string> gpu_pod_patterns = {"gpu", "train", "nccl", "triton", "cuda", "vllm"};
  // Report EvictionThresholdMet node events (the kubelet starts reclaiming) as info findings.
  bool report_threshold_met = true;
  // Bounds: nodes with evictions in the window (the node with the oldest last eviction is
  // dropped to make room) and evictions kept per node (the oldest are dropped; at least
  // storm_threshold are always kept).
  std::size_t max_nodes = 4096;
  std::size_t max_window_entries = 64;
  // The Name:/Namespace:/Node: lines of a pasted `kubectl describe` name the object of the
  // Events rows that follow them for this long.
  std::int64_t describe_context_ns = 10 * 60 * ns_per_second;
};

// ---- Parsed forms: exposed for the tests, the fuzzer and a later parser that replaces them ----

// Where a k8s_event came from.
enum class k8s_event_origin : std::uint8_t {
  json_item,
  json_watch,
  events_table,
  describe_row,
  // Views of the pod rather than Events: each shows an eviction that an Event (or another view)
  // may show again, so the detector counts one eviction of a pod once however many show it.
  pod_row,      // `kubectl get pods` row with STATUS Evicted
  pod_status,   // the pod's status: `-o yaml` (status.reason: Evicted) or describe's Reason:
  kubelet_log,  // kubelet eviction_manager.go: "pod is evicted successfully", admission reject
};

// The fields of a Kubernetes Event this detector reads (core/v1 names; events.k8s.io/v1 fields
// are mapped onto them). Strings are empty when absent or null.
struct k8s_event {
  k8s_event_origin origin = k8s_event_origin::json_item;
  std::string watch_type;  // ADDED / MODIFIED / DELETED for watch events
  std::string reason;      // Evicted, TaintManagerEviction, Preempting, ...
  std::string type;        // Warning / Normal
  std::string action;      // events.k8s.io action, e.g. Preempting
  std::string object_kind, object_namespace, object_name;  // involvedObject / regarding
  std::string source_component, source_host;               // source / deprecatedSource
  std::string reporting_component, reporting_instance;
  std::string first_timestamp, last_timestamp, event_time;  // as written (not used for logic)
  std::uint64_t count = 0;                                  // 0 when absent
  std::string message;                                      // message / note
  std::string uid;                                          // metadata.uid
  // Annotations the kubelet (1.22+) puts on eviction events.
  std::string starved_resource, offending_containers, offending_containers_usage;
  std::string age;  // table/describe rows: the LAST SEEN / Age column
};
// Back to a default k8s_event, keeping the strings' capacity.
void reset(k8s_event& k) noexcept;

// Why a parse returned nothing.
enum class parse_verdict : std::uint8_t {
  ok,
  not_mine,   // another format (or another kind of JSON): ignore it
  malformed,  // this detector's format, but broken or truncated
};

// One JSON line: a Kubernetes Event object or a watch event wrapping one. Any valid JSON parses
// (key order, escapes, unicode, extra fields). Returns nullopt with *verdict = not_mine for JSON
// that is not an Event (structured logs, watch ERROR/BOOKMARK) and for lines that do not look
// like one, malformed for invalid JSON that does or for an Event with fields of the wrong type.
std::optional<k8s_event> parse_k8s_event(std::string_view line, parse_verdict* verdict = nullptr);

// One `kubectl get events` table row or `kubectl describe` Events row whose reason is one of
// this detector's (Evicted, TaintManagerEviction, Preempting, Preempted, EvictionThresholdMet).
// Header rows and rows of other reasons are not_mine; a row of ours missing columns is
// malformed. Describe rows carry no object: the detector supplies it from the Name: lines.
std::optional<k8s_event> parse_kubectl_event_row(std::string_view line,
                                                 parse_verdict* verdict = nullptr);
// The same into `out` (reset first, its strings keep their capacity: the detector keeps one);
// `out` holds the event only when the verdict is ok.
parse_verdict parse_kubectl_event_row(std::string_view line, k8s_event& out);

// One `kubectl get pods` row (with or without NAMESPACE, `-o wide` or not) whose STATUS is
// Evicted: NAME READY STATUS RESTARTS AGE [IP NODE ...]. Only Evicted is evidence of an
// eviction: since kubelet 1.22 an evicted pod may list as ContainerStatusUnknown or Error, but
// so do pods that failed for any other reason, so those rows are not_mine. A row of ours cut
// before its AGE is malformed.
parse_verdict parse_kubectl_pod_row(std::string_view line, k8s_event& out);

// The kubelet's eviction manager log lines (pkg/kubelet/eviction/eviction_manager.go), in the
// structured klog form ("Eviction manager: pod is evicted successfully" pod="ns/name") and the
// older printf form ("eviction manager: pod name_ns(uid) is evicted successfully"), with any
// syslog/journald and klog header before them.
enum class kubelet_eviction_kind : std::uint8_t {
  evicted,         // "pod is evicted successfully"
  admit_rejected,  // "Failed to admit pod" because of a node condition (the pod is Evicted)
  reclaiming,      // "attempting to reclaim" / "must evict pod(s) to reclaim" <resource>
  housekeeping,    // ranking, waiting for cleanup, cleaned up, no pods to evict...
};
struct kubelet_eviction_line {
  kubelet_eviction_kind kind = kubelet_eviction_kind::housekeeping;
  std::string_view host;  // the syslog/journald host, when the line has that prefix
  std::string_view pod_namespace, pod_name;
  std::string_view resource;    // reclaiming: "memory", "ephemeral-storage", "nodefs"...
  std::string_view conditions;  // admit_rejected: "DiskPressure" or "MemoryPressure DiskPressure"
};
parse_verdict parse_kubelet_eviction_line(std::string_view line, kubelet_eviction_line& out);

// A Kubernetes quantity ("100Mi", "87608Ki", "1.5Gi", "1e3", "100m", "1073741824") as an exact
// integer (bytes for memory and storage), rounded up like resource.Quantity.Value(); nullopt
// when it is not a quantity or does not fit in int64.
std::optional<std::int64_t> parse_k8s_quantity(std::string_view text);

// The resource a node ran short of, or the condition it had.
enum class pressure_resource : std::uint8_t {
  unknown,
  memory,
  ephemeral_storage,
  nodefs,  // old kubelets (<= 1.7) named the filesystems
  imagefs,
  inodes,
  pids,
  disk_pressure,  // "The node had condition: [DiskPressure]."
  memory_pressure,
  pid_pressure,
  compute,  // "The node was low on compute resources." (kubelet 1.3-1.4)
};
std::string_view to_string(pressure_resource r) noexcept;
pressure_resource classify_pressure_resource(std::string_view text) noexcept;

// What the message says happened.
enum class eviction_cause : std::uint8_t {
  unrecognised,
  low_on_resource,      // "The node was low on resource: memory. "
  low_on_compute,       // "The node was low on compute resources."
  had_condition,        // "The node had condition: [DiskPressure]. "
  local_storage_limit,  // only ephemeral-storage limit sentences
  reclaiming,           // EvictionThresholdMet: "Attempting to reclaim memory"
  preempted_critical,   // kubelet: "Preempted in order to admit critical pod"
  preempted_by,         // scheduler: "Preempted by pod <uid> on node <node>"
  taint_marked,         // "Marking for deletion Pod ns/name"
  taint_cancelled,      // "Cancelling deletion of Pod ns/name"
};

struct container_usage {
  enum class form : std::uint8_t {
    exceeds_request,     // "Container X was using 61Gi, which exceeds its request of 32Gi. "
    larger_consumption,  // "Container X was using 35505620Ki, request is 0, has larger ..."
    ephemeral_limit,     // "Container X exceeded its local ephemeral storage limit "1Gi". "
    annotation,          // from the offending_containers(_usage) annotations only
  };
  form kind = form::exceeds_request;
  std::string name;
  std::string usage_text, request_text, limit_text;  // as written
  std::optional<std::int64_t> usage, request, limit;
  std::string resource;  // larger_consumption: the resource named
};

struct empty_dir_usage {
  std::string volume;
  std::string limit_text;
  std::optional<std::int64_t> limit;
};

// A kubelet/scheduler/taint-manager eviction message, decoded. Sentences are found wherever
// they stand ("Pod The node had condition: ..." parses), with or without trailing spaces.
struct eviction_message {
  eviction_cause cause = eviction_cause::unrecognised;
  pressure_resource resource = pressure_resource::unknown;
  std::string resource_text;  // as written: "memory", "[DiskPressure]"
  std::string threshold_text, available_text;
  std::optional<std::int64_t> threshold, available;
  std::vector<container_usage> containers;
  std::string pod_storage_limit_text;  // "Pod ephemeral local storage usage exceeds ..."
  std::optional<std::int64_t> pod_storage_limit;
  std::vector<empty_dir_usage> empty_dirs;
  std::string preemptor;      // preempted_by: the pod (uid or ns/name) that preempted
  std::string node;           // preempted_by: "on node X"
  std::string taint_target;   // taint_*: "ns/name"
  bool mentions_gpu = false;  // the message names nvidia.com/gpu
};
eviction_message parse_eviction_message(std::string_view message);
// The same into `out`, reusing its containers' storage (the detector keeps one).
void parse_eviction_message(std::string_view message, eviction_message& out);

// The container with the largest usage, else the first container; nullptr when there is none.
const container_usage* top_offender(const eviction_message& m) noexcept;

// ---- The detector ----

class k8s_json_parser;  // pod_evicted_json.h: the JSON parser the detector reuses

class pod_evicted_detector final : public detector {
 public:
  pod_evicted_detector() : pod_evicted_detector(pod_evicted_config{}) {}
  explicit pod_evicted_detector(const pod_evicted_config& config);
  ~pod_evicted_detector() override;

  std::string_view name() const noexcept override { return "pod_evicted"; }
  void on_event(const event& ev, finding_sink& sink) override;
  // Reports a pod status whose YAML or describe output ended with the stream.
  void finish(finding_sink& sink) override;
  // Nodes with evictions in the window, plus the evictions they hold, plus one for a live
  // describe context.
  std::size_t state_size() const noexcept override;

 private:
  static constexpr std::int64_t no_time = std::numeric_limits<std::int64_t>::min();
  struct window_entry {
    std::int64_t ts_ns = 0;
    // The Event's metadata.uid (list and watch output repeat events): a Kubernetes UID is 36
    // characters, held inline; a longer one spills to the heap (and the slot keeps it).
    short_text<36> uid;
    std::uint64_t count = 0;
    // The finding's subject ("ns/name"), so that a pod's eviction seen in several views (its
    // status, `get pods`, the kubelet log, its Event) counts once.
    short_text<64> subject;
    bool pod_view = false;   // from a pod view (pod_row, pod_status, kubelet_log), not an Event
    std::string_view cause;  // a static label for the storm message: "memory", "NoExecute taint"
    bool counts = true;      // towards a storm (preemptions may not)
    std::uint32_t next = std::numeric_limits<std::uint32_t>::max();  // entry_pool's link
  };
  // Every node's window entries, in one pool of slots that outlive the entries in them: each
  // node's entries are a list linked through the slots, oldest first, and a dropped entry's slot
  // goes to a free list for the next entry of any node. The pool allocates only when more
  // entries are alive at once than ever before (std::deque per node freed its blocks as a window
  // drained and allocated them again as it filled, and a node dropped by the sweep took its
  // storage with it).
  class entry_pool {
   public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    struct list {
      std::uint32_t head = none;  // oldest
      std::uint32_t tail = none;  // newest
      std::size_t size = 0;
      bool empty() const noexcept { return size == 0; }
    };
    window_entry& operator[](std::uint32_t slot) noexcept { return slots_[slot]; }
    const window_entry& operator[](std::uint32_t slot) const noexcept { return slots_[slot]; }
    // A new newest entry of `l`: the slot still holds its previous occupant's values.
    window_entry& push_back(list& l);
    void pop_front(list& l) noexcept;
    // Removes the entry after `prev` (the oldest when prev is none).
    void erase_after(list& l, std::uint32_t prev) noexcept;
    // Every entry of `l` to the free list.
    void release(list& l) noexcept;

   private:
    std::vector<window_entry> slots_;
    std::uint32_t free_ = none;  // linked through window_entry::next
  };
  struct node_window {
    entry_pool::list entries;  // evictions within the storm window, oldest first
    bool storm_active = false;
    std::int64_t threshold_ns = no_time;  // last EvictionThresholdMet reported
  };
  struct describe_context {
    std::string name, ns, node;
    std::string stream;  // the envelope node of the Name: line: a paste belongs to one stream
    std::int64_t ts_ns = 0;
    bool live = false;
  };

  // The pod's status as `kubectl get pod(s) -o yaml` prints it: a small line-by-line reader of
  // the object's metadata.name/namespace, spec.nodeName and status.reason/message (message
  // wrapped over lines, quoted or as a block scalar `>-`). One object of one stream at a time.
  struct yaml_pod {
    bool active = false;
    std::string stream;
    int object_indent = 0;  // indent of metadata:/spec:/status:
    int child_indent = -1;  // indent of the current section's keys, once seen
    enum class section : std::uint8_t { other, metadata, spec, status } sec = section::other;
    std::string name, ns, node;
    bool evicted = false, emitted = false;
    std::size_t reason_lines = 0;
    // status.message: none, being read, or read.
    enum class message_state : std::uint8_t { none, open, done } msg = message_state::none;
    int message_indent = 0;
    char message_style = ' ';  // ' plain, '\'' single, '"' double, '>' folded, '|' literal
    bool message_closed = false;
    std::string message;
    std::size_t message_lines = 0;
    // status.conditions: the kubelet's DisruptionTarget condition (reason TerminationByKubelet)
    // carries the eviction message, and is there even when status.reason is not.
    bool in_conditions = false, cond_open = false, cond_message = false;
    bool cond_disruption = false, cond_by_kubelet = false;
    int cond_indent = -1;
    std::int64_t ts_ns = 0;
  };
  // describe's "Reason:  Evicted" waits for the "Message:" line under it.
  struct describe_status {
    bool pending = false;
    std::string stream;
    std::int64_t ts_ns = 0;
  };
  // The resource the kubelet last said it must reclaim, for its next "evicted successfully".
  struct kubelet_reclaim {
    std::string node;
    std::string resource;
    std::int64_t ts_ns = no_time;
  };

  void on_json(const event& ev, finding_sink& sink);
  void on_kubelet(const event& ev, const kubelet_eviction_line& l, finding_sink& sink);
  void on_yaml_line(const event& ev, finding_sink& sink);
  void yaml_flush(finding_sink& sink);
  void yaml_start_message(int indent, std::string_view value);
  void yaml_condition_key(std::string_view key, std::string_view value, int indent);
  void yaml_close_condition(finding_sink& sink);
  void yaml_emit(finding_sink& sink);
  void on_describe_status(const event& ev, std::string_view message, finding_sink& sink);
  void on_row(const event& ev, finding_sink& sink);
  bool on_describe_header(const event& ev);
  void handle(k8s_event& k, const event& ev, finding_sink& sink);
  void on_threshold_met(const k8s_event& k, const eviction_message& m, std::string_view node,
                        const event& ev, finding_sink& sink);
  void emit_storm(std::string_view node, const node_window& w, const event& ev, finding_sink& sink);
  void emit(finding_sink& sink, std::string_view node, severity sev, std::string_view kind,
            std::int64_t first_ns, std::int64_t last_ns, std::uint64_t count, action recommended);
  bool is_gpu_workload(const k8s_event& k, const eviction_message& m) const;
  // The node's window, created if needed (dropping the stalest node at the cap).
  node_window& node_state(std::string_view node, std::int64_t now_ns);
  void sweep(std::int64_t now_ns);

  pod_evicted_config config_;
  // Late evictions (event_clock.h) are reported one by one but join no storm window.
  event_clock clock_;
  std::unique_ptr<k8s_json_parser> json_;
  k8s_event event_;  // the line's event (JSON or kubectl row): reused, so its strings keep
                     // their capacity
  eviction_message message_parsed_;  // handle()'s decoded message: reused likewise
  // Looked up by string_view (a node name is a view into the event: no copy). The hash is
  // std::hash<std::string>'s, so buckets and iteration order are what they were; its operator()
  // is deliberately not noexcept, which keeps hash codes cached in the nodes as they were.
  struct node_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using node_map = std::unordered_map<std::string, node_window, node_hash, std::equal_to<>>;
  node_map nodes_;
  // Map entries of nodes that sweep or the node cap dropped, for new nodes to reuse (a node
  // that comes back after a quiet window would otherwise cost a map node, and a key past 15
  // characters its string).
  std::vector<node_map::node_type> spare_nodes_;
  void retire(node_map::iterator it);
  entry_pool pool_;          // the nodes' window entries
  std::size_t entries_ = 0;  // window entries over all nodes
  describe_context describe_;
  yaml_pod yaml_;
  describe_status describe_status_;
  kubelet_reclaim reclaim_;
  std::int64_t kubelet_reclaim_ns_ = 60 * ns_per_second;  // how long a reclaim names the cause
  std::int64_t next_sweep_ns_ = 0;
  std::string subject_;  // the current finding's subject and message (findings borrow them)
  std::string message_;
};

// The detector with its default configuration (the registry's factory, declared from the list).
std::unique_ptr<detector> make_pod_evicted_detector();
std::unique_ptr<detector> make_pod_evicted_detector(const pod_evicted_config& config);

}  // namespace detectors
