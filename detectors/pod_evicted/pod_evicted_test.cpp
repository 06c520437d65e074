// Tests for the pod_evicted detector on literal Kubernetes events: JSON list items and watch
// events, kubectl table and describe rows, every kubelet message generation, quantities, GPU
// workloads, storms at and around their threshold and window, malformed and truncated lines,
// bounded state, and the corpus generator's episodes.
#include "detectors/pod_evicted.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "alloc_hooks/gtest.h"
#include "bench/measurement.h"
#include "detectors/corpus.h"
#include "testing/warm_windows.h"

namespace detectors {
namespace {

constexpr std::int64_t t0 = 1'732'000'000LL * ns_per_second;
constexpr std::int64_t second = ns_per_second;
constexpr std::int64_t minute = 60 * ns_per_second;

// A `kubectl get events -o json` item from a 1.2x kubelet (keys as kubectl sorts them).
constexpr std::string_view classic_item =
    R"({"apiVersion":"v1","count":1,"eventTime":null,"firstTimestamp":"2024-11-19T07:06:40Z",)"
    R"("involvedObject":{"apiVersion":"v1","kind":"Pod","name":"llm-train-7f9c8d6b5-x2k9p",)"
    R"("namespace":"ml-research","resourceVersion":"48213377",)"
    R"("uid":"5f0c1a52-8a1e-4f0e-9d1c-2b7c9e0f4a11"},"kind":"Event",)"
    R"("lastTimestamp":"2024-11-19T07:06:40Z","message":"The node was low on resource: memory. )"
    R"(Threshold quantity: 100Mi, available: 87608Ki. Container trainer was using 61Gi, which )"
    R"(exceeds its request of 32Gi. Container log-agent was using 2Gi, which exceeds its request )"
    R"(of 256Mi. ","metadata":{"creationTimestamp":"2024-11-19T07:06:40Z",)"
    R"("name":"llm-train-7f9c8d6b5-x2k9p.1809a2c4f1e3b2d7","namespace":"ml-research",)"
    R"("resourceVersion":"48213391","uid":"0d6e4b0a-1c3f-4a8b-9e2d-7f5a6c3b1e90"},)"
    R"("reason":"Evicted","reportingComponent":"","reportingInstance":"",)"
    R"("source":{"component":"kubelet","host":"gpu-node-3"},"type":"Warning"})";

// A watch event from a 1.28 kubelet: newer message wording, annotations, reporting fields,
// and the envelope's keys in kubectl's order (type first).
constexpr std::string_view newer_watch =
    R"({"type":"ADDED","object":{"apiVersion":"v1","count":1,"eventTime":null,)"
    R"("firstTimestamp":"2024-11-19T07:10:02Z","involvedObject":{"apiVersion":"v1","kind":"Pod",)"
    R"("name":"web-frontend-6d4cf56db6-9xq2m","namespace":"default","uid":"a1"},"kind":"Event",)"
    R"("lastTimestamp":"2024-11-19T07:10:02Z","message":"The node was low on resource: memory. )"
    R"(Threshold quantity: 100Mi, available: 92344Ki. Container app was using 35505620Ki, )"
    R"(request is 0, has larger consumption of memory. ","metadata":{"annotations":)"
    R"({"offending_containers":"app","offending_containers_usage":"35505620Ki",)"
    R"("starved_resource":"memory"},"name":"web-frontend-6d4cf56db6-9xq2m.180a","namespace":)"
    R"("default","uid":"e-2"},"reason":"Evicted","reportingComponent":"kubelet",)"
    R"("reportingInstance":"cpu-node-9","source":{"component":"kubelet","host":"cpu-node-9"},)"
    R"("type":"Warning"}})";

// An eviction item for `pod` on `node` (source.host) with `message`; uid distinct per pod.
std::string item(std::string_view pod, std::string_view node,
                 std::string_view message = "The node was low on resource: memory. ",
                 std::string_view ns = "default", std::string_view reason = "Evicted") {
  return fmt::format(
      R"({{"apiVersion":"v1","count":1,"involvedObject":{{"kind":"Pod","name":"{}",)"
      R"("namespace":"{}"}},"kind":"Event","message":"{}","metadata":{{"uid":"uid-{}-{}"}},)"
      R"("reason":"{}","source":{{"component":"kubelet","host":"{}"}},"type":"Warning"}})",
      pod, ns, message, pod, node, reason, node);
}

class harness {
 public:
  explicit harness(const pod_evicted_config& c = {}) : d(c) {}

  void feed(std::string_view line, std::int64_t ts_ns, std::string_view node = "collector-0") {
    d.on_event(event{ts_ns, node, source::kubernetes, line}, sink);
  }
  std::vector<owned_finding>& findings() { return sink.findings; }
  std::size_t count(std::string_view kind) const {
    std::size_t n = 0;
    for (const auto& f : sink.findings)
      n += f.kind == kind;
    return n;
  }
  const owned_finding* last(std::string_view kind) const {
    for (auto it = sink.findings.rbegin(); it != sink.findings.rend(); ++it)
      if (it->kind == kind) return &*it;
    return nullptr;
  }

  pod_evicted_detector d;
  collecting_sink sink;
};

// ---- quantities ----

TEST(K8sQuantity, ParsesEverySuffixIntoExactBytes) {
  struct quantity_case {
    std::string_view text;
    std::int64_t value;
  };
  for (const auto& c : std::vector<quantity_case>{
           {"0", 0},
           {"1073741824", 1073741824},
           {"100Mi", 104857600},
           {"87608Ki", 89710592},
           {"35505620Ki", 36357754880},
           {"61Gi", 65498251264},
           {"32Gi", 34359738368},
           {"1Ti", 1099511627776},
           {"2Pi", 2251799813685248},
           {"7Ei", 8070450532247928832},
           {"1k", 1000},
           {"5M", 5000000},
           {"3G", 3000000000},
           {"2T", 2000000000000},
           {"1P", 1000000000000000},
           {"1E", 1000000000000000000},
           {"1.5Gi", 1610612736},
           {".5Ki", 512},
           {"0.25Mi", 262144},
           {"1e3", 1000},
           {"1E3", 1000},
           {"12e+2", 1200},
           {"+1Ki", 1024},
           {"-1Ki", -1024},
           {"1000000000m", 1000000},
           {"1500000u", 2},
       }) {
    EXPECT_EQ(parse_k8s_quantity(c.text), std::optional<std::int64_t>(c.value)) << c.text;
  }
}

TEST(K8sQuantity, RoundsFractionsUpLikeQuantityValue) {
  EXPECT_EQ(parse_k8s_quantity("100m"), 1);
  EXPECT_EQ(parse_k8s_quantity("1500m"), 2);
  EXPECT_EQ(parse_k8s_quantity("12e-1"), 2);
  EXPECT_EQ(parse_k8s_quantity("1n"), 1);
  EXPECT_EQ(parse_k8s_quantity("1e-100"), 1);
  EXPECT_EQ(parse_k8s_quantity("0.1"), 1);
  EXPECT_EQ(parse_k8s_quantity("2000m"), 2);
}

TEST(K8sQuantity, RejectsNonQuantitiesAndOverflow) {
  for (std::string_view bad :
       {"", "Gi", "1K", "1KB", "1Ki ", " 1Ki", "abc", "1.2.3", "1i", "-", "1e", "8Ei",
        "9223372036854775808", "10E", "1e19", "12345678901234567890123"}) {
    EXPECT_EQ(parse_k8s_quantity(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_k8s_quantity("9223372036854775807"), INT64_MAX);
}

// ---- messages ----

TEST(EvictionMessage, DecodesClassicMemoryMessageWithThresholdAndContainers) {
  const eviction_message m = parse_eviction_message(
      "The node was low on resource: memory. Threshold quantity: 100Mi, available: 87608Ki. "
      "Container trainer was using 61Gi, which exceeds its request of 32Gi. Container log-agent "
      "was using 2Gi, which exceeds its request of 256Mi. ");
  EXPECT_EQ(m.cause, eviction_cause::low_on_resource);
  EXPECT_EQ(m.resource, pressure_resource::memory);
  EXPECT_EQ(m.threshold, 104857600);
  EXPECT_EQ(m.available, 89710592);
  ASSERT_EQ(m.containers.size(), 2u);
  EXPECT_EQ(m.containers[0].name, "trainer");
  EXPECT_EQ(m.containers[0].kind, container_usage::form::exceeds_request);
  EXPECT_EQ(m.containers[0].usage, 65498251264);
  EXPECT_EQ(m.containers[0].request, 34359738368);
  EXPECT_EQ(m.containers[1].name, "log-agent");
  EXPECT_EQ(m.containers[1].request, 268435456);
  EXPECT_EQ(top_offender(m), &m.containers[0]);
  EXPECT_FALSE(m.mentions_gpu);
}

TEST(EvictionMessage, DecodesNewerLargerConsumptionWording) {
  const eviction_message m = parse_eviction_message(
      "The node was low on resource: memory. Threshold quantity: 100Mi, available: 92344Ki. "
      "Container app was using 35505620Ki, request is 0, has larger consumption of memory. ");
  ASSERT_EQ(m.containers.size(), 1u);
  EXPECT_EQ(m.containers[0].kind, container_usage::form::larger_consumption);
  EXPECT_EQ(m.containers[0].usage, 36357754880);
  EXPECT_EQ(m.containers[0].request, 0);
  EXPECT_EQ(m.containers[0].resource, "memory");
  EXPECT_EQ(m.available, 92344 * 1024);
}

TEST(EvictionMessage, DecodesContainerEphemeralStorageLimit) {
  const eviction_message m = parse_eviction_message(
      R"(Container scratch-writer exceeded its local ephemeral storage limit "1Gi". )");
  EXPECT_EQ(m.cause, eviction_cause::local_storage_limit);
  EXPECT_EQ(m.resource, pressure_resource::ephemeral_storage);
  ASSERT_EQ(m.containers.size(), 1u);
  EXPECT_EQ(m.containers[0].kind, container_usage::form::ephemeral_limit);
  EXPECT_EQ(m.containers[0].name, "scratch-writer");
  EXPECT_EQ(m.containers[0].limit, 1073741824);
}

TEST(EvictionMessage, DecodesPodEphemeralStorageLimitInPlainBytes) {
  const eviction_message m = parse_eviction_message(
      "Pod ephemeral local storage usage exceeds the total limit of containers 1073741824. ");
  EXPECT_EQ(m.cause, eviction_cause::local_storage_limit);
  EXPECT_EQ(m.pod_storage_limit_text, "1073741824");
  EXPECT_EQ(m.pod_storage_limit, 1073741824);
}

TEST(EvictionMessage, DecodesEmptyDirLimit) {
  const eviction_message m =
      parse_eviction_message(R"(Usage of EmptyDir volume "dshm" exceeds the limit "64Gi". )");
  EXPECT_EQ(m.cause, eviction_cause::local_storage_limit);
  ASSERT_EQ(m.empty_dirs.size(), 1u);
  EXPECT_EQ(m.empty_dirs[0].volume, "dshm");
  EXPECT_EQ(m.empty_dirs[0].limit, 64LL << 30);
}

TEST(EvictionMessage, DecodesNodeLowOnEphemeralStorageWithRequestOfZero) {
  const eviction_message m = parse_eviction_message(
      "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: "
      "524288Ki. Container trainer was using 312Gi, which exceeds its request of 0. ");
  EXPECT_EQ(m.cause, eviction_cause::low_on_resource);
  EXPECT_EQ(m.resource, pressure_resource::ephemeral_storage);
  ASSERT_EQ(m.containers.size(), 1u);
  EXPECT_EQ(m.containers[0].request, 0);
  EXPECT_EQ(m.containers[0].usage, 312LL << 30);
}

TEST(EvictionMessage, DecodesOldWordings) {
  const eviction_message compute = parse_eviction_message("The node was low on compute resources.");
  EXPECT_EQ(compute.cause, eviction_cause::low_on_compute);
  EXPECT_EQ(compute.resource, pressure_resource::compute);

  const eviction_message disk = parse_eviction_message("The node had condition: [DiskPressure]. ");
  EXPECT_EQ(disk.cause, eviction_cause::had_condition);
  EXPECT_EQ(disk.resource, pressure_resource::disk_pressure);
  EXPECT_EQ(disk.resource_text, "[DiskPressure]");

  const eviction_message two =
      parse_eviction_message("Pod The node had condition: [MemoryPressure DiskPressure]. ");
  EXPECT_EQ(two.resource, pressure_resource::memory_pressure);

  const eviction_message old_disk =
      parse_eviction_message("The node was low on resource: [DiskPressure].");
  EXPECT_EQ(old_disk.cause, eviction_cause::low_on_resource);
  EXPECT_EQ(old_disk.resource, pressure_resource::disk_pressure);
}

TEST(EvictionMessage, ClassifiesFilesystemPidAndInodeResources) {
  EXPECT_EQ(parse_eviction_message("The node was low on resource: nodefs.").resource,
            pressure_resource::nodefs);
  EXPECT_EQ(parse_eviction_message("The node was low on resource: imagefs. ").resource,
            pressure_resource::imagefs);
  EXPECT_EQ(parse_eviction_message("The node was low on resource: inodes. ").resource,
            pressure_resource::inodes);
  EXPECT_EQ(parse_eviction_message("The node was low on resource: nodefsInodes.").resource,
            pressure_resource::inodes);
  const eviction_message pids = parse_eviction_message(
      "The node was low on resource: pids. Threshold quantity: 1000, available: 87. ");
  EXPECT_EQ(pids.resource, pressure_resource::pids);
  EXPECT_EQ(pids.threshold, 1000);
  EXPECT_EQ(pids.available, 87);
  EXPECT_EQ(parse_eviction_message("The node had condition: [PIDPressure]. ").resource,
            pressure_resource::pid_pressure);
  EXPECT_EQ(parse_eviction_message("The node was low on resource: cpu. ").resource,
            pressure_resource::unknown);
}

TEST(EvictionMessage, DecodesPreemptionTaintAndReclaimMessages) {
  const eviction_message critical =
      parse_eviction_message("Preempted in order to admit critical pod");
  EXPECT_EQ(critical.cause, eviction_cause::preempted_critical);

  const eviction_message by = parse_eviction_message(
      "Preempted by pod 8d0b7f4e-2c1a-4c0e-9f3e-1b2a3c4d5e6f on node gpu-node-12");
  EXPECT_EQ(by.cause, eviction_cause::preempted_by);
  EXPECT_EQ(by.preemptor, "8d0b7f4e-2c1a-4c0e-9f3e-1b2a3c4d5e6f");
  EXPECT_EQ(by.node, "gpu-node-12");

  const eviction_message by_old =
      parse_eviction_message("Preempted by ml-research/high-prio-train on node gpu-node-4");
  EXPECT_EQ(by_old.preemptor, "ml-research/high-prio-train");
  EXPECT_EQ(by_old.node, "gpu-node-4");

  EXPECT_EQ(parse_eviction_message("Marking for deletion Pod team-a/etl-batch-3").cause,
            eviction_cause::taint_marked);
  const eviction_message cancel =
      parse_eviction_message("Cancelling deletion of Pod team-a/etl-batch-3");
  EXPECT_EQ(cancel.cause, eviction_cause::taint_cancelled);
  EXPECT_EQ(cancel.taint_target, "team-a/etl-batch-3");

  const eviction_message reclaim =
      parse_eviction_message("Attempting to reclaim ephemeral-storage");
  EXPECT_EQ(reclaim.cause, eviction_cause::reclaiming);
  EXPECT_EQ(reclaim.resource, pressure_resource::ephemeral_storage);
}

TEST(EvictionMessage, ToleratesMissingTrailingSpacesAndNotesGpuMentions) {
  const eviction_message m = parse_eviction_message(
      "The node was low on resource: memory. Container trainer was using 1.5Gi, which exceeds "
      "its request of 1Gi.");
  ASSERT_EQ(m.containers.size(), 1u);
  EXPECT_EQ(m.containers[0].usage, 1610612736);
  EXPECT_EQ(m.containers[0].request_text, "1Gi");
  EXPECT_TRUE(
      parse_eviction_message("The node was low on resource: nvidia.com/gpu. ").mentions_gpu);
}

TEST(EvictionMessage, TopOffenderIsTheLargestUser) {
  const eviction_message m = parse_eviction_message(
      "The node was low on resource: memory. Container small was using 1Gi, which exceeds its "
      "request of 512Mi. Container big was using 40Gi, which exceeds its request of 8Gi. ");
  ASSERT_NE(top_offender(m), nullptr);
  EXPECT_EQ(top_offender(m)->name, "big");
  EXPECT_EQ(top_offender(parse_eviction_message("The node was low on compute resources.")),
            nullptr);
}

// ---- JSON ----

TEST(K8sEventJson, ParsesAListItem) {
  parse_verdict v = parse_verdict::not_mine;
  const auto k = parse_k8s_event(classic_item, &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(v, parse_verdict::ok);
  EXPECT_EQ(k->origin, k8s_event_origin::json_item);
  EXPECT_EQ(k->reason, "Evicted");
  EXPECT_EQ(k->type, "Warning");
  EXPECT_EQ(k->object_kind, "Pod");
  EXPECT_EQ(k->object_namespace, "ml-research");
  EXPECT_EQ(k->object_name, "llm-train-7f9c8d6b5-x2k9p");
  EXPECT_EQ(k->source_component, "kubelet");
  EXPECT_EQ(k->source_host, "gpu-node-3");
  EXPECT_EQ(k->reporting_instance, "");
  EXPECT_EQ(k->first_timestamp, "2024-11-19T07:06:40Z");
  EXPECT_EQ(k->event_time, "");
  EXPECT_EQ(k->count, 1u);
  EXPECT_EQ(k->uid, "0d6e4b0a-1c3f-4a8b-9e2d-7f5a6c3b1e90");
  EXPECT_TRUE(k->message.starts_with("The node was low on resource: memory. "));
}

TEST(K8sEventJson, ParsesAWatchEventInEitherKeyOrder) {
  const auto k = parse_k8s_event(newer_watch);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->origin, k8s_event_origin::json_watch);
  EXPECT_EQ(k->watch_type, "ADDED");
  EXPECT_EQ(k->reporting_component, "kubelet");
  EXPECT_EQ(k->reporting_instance, "cpu-node-9");
  EXPECT_EQ(k->starved_resource, "memory");
  EXPECT_EQ(k->offending_containers, "app");
  EXPECT_EQ(k->offending_containers_usage, "35505620Ki");

  const auto reversed = parse_k8s_event(
      R"({"object":{"kind":"Event","involvedObject":{"kind":"Pod","name":"p","namespace":"n"},)"
      R"("reason":"Evicted","message":"m"},"type":"MODIFIED"})");
  ASSERT_TRUE(reversed.has_value());
  EXPECT_EQ(reversed->watch_type, "MODIFIED");
  EXPECT_EQ(reversed->object_name, "p");
}

TEST(K8sEventJson, AnyValidJsonParsesWithEscapesUnicodeAndExtraFields) {
  // Shuffled keys, whitespace, \u escapes (one a surrogate pair), an escaped quote and slash,
  // raw UTF-8, and fields this detector does not know.
  const std::string_view line =
      "  { \"type\" : \"Warning\", \"series\": {\"count\": 3, \"lastObservedTime\": null},"
      " \"reason\": \"Ev\\u0069cted\", \"message\": \"Usage of EmptyDir volume \\\"sc\\/r\\\" "
      "exceeds the limit \\\"1Gi\\\". caf\xc3\xa9 \\ud83d\\ude80\", \"involvedObject\": {"
      "\"name\": \"tr\\u0061in-\xc3\xa9t\xc3\xa9\", \"namespace\": \"ml\", \"kind\": \"Pod\","
      " \"fieldPath\": \"spec.containers{x}\"}, \"source\": {\"host\": \"gpu-node-1\"},"
      " \"related\": null, \"count\": 2 }  ";
  const auto k = parse_k8s_event(line);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->reason, "Evicted");
  EXPECT_EQ(k->object_name, "train-\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(k->count, 2u);
  EXPECT_EQ(k->source_host, "gpu-node-1");
  EXPECT_TRUE(k->message.ends_with("caf\xc3\xa9 \xf0\x9f\x9a\x80"));
  const eviction_message m = parse_eviction_message(k->message);
  ASSERT_EQ(m.empty_dirs.size(), 1u);
  EXPECT_EQ(m.empty_dirs[0].volume, "sc/r");
}

TEST(K8sEventJson, MapsEventsV1Fields) {
  const auto k = parse_k8s_event(
      R"({"apiVersion":"events.k8s.io/v1","deprecatedCount":4,)"
      R"("deprecatedSource":{"component":"kubelet","host":"gpu-node-8"},"eventTime":null,)"
      R"("kind":"Event","metadata":{"uid":"u1"},"note":"Preempted in order to admit critical )"
      R"(pod","reason":"Preempting","regarding":{"kind":"Pod","name":"vllm-serve-2",)"
      R"("namespace":"inference"},"reportingController":"kubelet","reportingInstance":)"
      R"("gpu-node-8","type":"Warning"})");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->count, 4u);
  EXPECT_EQ(k->source_host, "gpu-node-8");
  EXPECT_EQ(k->message, "Preempted in order to admit critical pod");
  EXPECT_EQ(k->object_name, "vllm-serve-2");
  EXPECT_EQ(k->reporting_component, "kubelet");
}

TEST(K8sEventJson, OtherJsonIsNotMine) {
  for (std::string_view line : {
           R"({"level":"info","ts":1732000000.1,"msg":"serving","port":8080})",
           R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure",)"
           R"("message":"too old resource version","reason":"Expired","code":410}})",
           R"({"type":"BOOKMARK","object":{"kind":"Event","apiVersion":"v1","metadata":)"
           R"({"resourceVersion":"12345"}}})",
           R"({"apiVersion":"v1","items":[],"kind":"List"})",
           "{'loss': 0.4312, 'learning_rate': 2e-05, 'epoch': 1.27}",
           "{}",
           "{ not json at all",
           "[1,2,3]",
       }) {
    parse_verdict v = parse_verdict::ok;
    EXPECT_FALSE(parse_k8s_event(line, &v).has_value()) << line;
    EXPECT_EQ(v, parse_verdict::not_mine) << line;
  }
}

TEST(K8sEventJson, InvalidOrWronglyTypedEventsAreMalformed) {
  const std::string truncated(classic_item.substr(0, classic_item.size() / 2));
  for (std::string_view line : std::vector<std::string_view>{
           truncated,
           R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"}} trailing)",
           R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"},"message":"\x"})",
           R"({"kind":"Event","reason":5,"involvedObject":{"name":"p"}})",
           R"({"kind":"Event","reason":"Evicted","involvedObject":"p"})",
           R"({"kind":"Event","reason":"Evicted"})",
           R"({"kind":"Event","involvedObject":{"name":"p"}})",
           R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"},"count":-1})",
           R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"},"count":1.5})",
           R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"},"source":[]})",
           R"({"type":"ADDED","object":{"reason":"Evicted","involvedObject":{"name":7}}})",
       }) {
    parse_verdict v = parse_verdict::ok;
    EXPECT_FALSE(parse_k8s_event(line, &v).has_value()) << line;
    EXPECT_EQ(v, parse_verdict::malformed) << line;
  }
}

// ---- kubectl rows ----

TEST(KubectlRow, ParsesAGetEventsRowWithoutNamespace) {
  parse_verdict v = parse_verdict::not_mine;
  const auto k = parse_kubectl_event_row(
      "12m         Warning   Evicted   pod/train-7f9c   The node was low on resource: memory. "
      "Container trainer was using 61Gi, which exceeds its request of 32Gi.",
      &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(v, parse_verdict::ok);
  EXPECT_EQ(k->origin, k8s_event_origin::events_table);
  EXPECT_EQ(k->age, "12m");
  EXPECT_EQ(k->type, "Warning");
  EXPECT_EQ(k->reason, "Evicted");
  EXPECT_EQ(k->object_kind, "Pod");
  EXPECT_EQ(k->object_name, "train-7f9c");
  EXPECT_EQ(k->object_namespace, "");
  EXPECT_TRUE(k->message.starts_with("The node was low on resource: memory."));
  EXPECT_TRUE(k->message.ends_with("32Gi."));
}

TEST(KubectlRow, ParsesAGetEventsRowWithNamespaceAndRepeatNote) {
  const auto k = parse_kubectl_event_row(
      "ml-research   3m2s (x2 over 9m)   Normal    TaintManagerEviction   "
      "pod/nccl-allreduce-test-4   Marking for deletion Pod ml-research/nccl-allreduce-test-4");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->object_namespace, "ml-research");
  EXPECT_EQ(k->age, "3m2s");
  EXPECT_EQ(k->reason, "TaintManagerEviction");
  EXPECT_EQ(k->object_name, "nccl-allreduce-test-4");
  EXPECT_EQ(k->message, "Marking for deletion Pod ml-research/nccl-allreduce-test-4");

  const auto node = parse_kubectl_event_row(
      "kube-system   45s   Warning   EvictionThresholdMet   node/gpu-node-3   Attempting to "
      "reclaim memory");
  ASSERT_TRUE(node.has_value());
  EXPECT_EQ(node->object_kind, "Node");
  EXPECT_EQ(node->object_name, "gpu-node-3");
}

TEST(KubectlRow, ParsesDescribeRowsOfBothKubectlGenerations) {
  const auto modern = parse_kubectl_event_row(
      "  Warning  Evicted    6m5s   kubelet  The node was low on resource: memory. Threshold "
      "quantity: 100Mi, available: 87608Ki. ");
  ASSERT_TRUE(modern.has_value());
  EXPECT_EQ(modern->origin, k8s_event_origin::describe_row);
  EXPECT_EQ(modern->age, "6m5s");
  EXPECT_EQ(modern->source_component, "kubelet");
  EXPECT_EQ(modern->source_host, "");
  EXPECT_TRUE(modern->message.starts_with("The node was low on resource: memory."));

  const auto old = parse_kubectl_event_row(
      "  Warning  Evicted  2m (x3 over 10m)  kubelet, gpu-node-3  The node had condition: "
      "[DiskPressure].");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->source_component, "kubelet");
  EXPECT_EQ(old->source_host, "gpu-node-3");
  EXPECT_EQ(old->message, "The node had condition: [DiskPressure].");
}

TEST(KubectlRow, HeadersAndOtherReasonsAreNotMine) {
  for (std::string_view line : {
           "LAST SEEN   TYPE      REASON    OBJECT          MESSAGE",
           "NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT          MESSAGE",
           "  Type     Reason     Age    From     Message",
           "  ----     ------     ----   ----     -------",
           "Events:",
           "5m          Normal    Scheduled   pod/web-1   Successfully assigned default/web-1",
           "  Normal   Pulled     2m     kubelet  Container image \"nginx\" already present",
           "I1122 10:01:12.123456 1234 eviction_manager.go:366] \"Eviction manager: attempting to "
           "reclaim\" resourceName=\"memory\"",
       }) {
    parse_verdict v = parse_verdict::ok;
    EXPECT_FALSE(parse_kubectl_event_row(line, &v).has_value()) << line;
    EXPECT_EQ(v, parse_verdict::not_mine) << line;
  }
}

TEST(KubectlRow, RowsOfOursMissingColumnsAreMalformed) {
  for (std::string_view line : {
           "12m         Warning   Evicted",
           "12m         Warning   Evicted   train-7f9c   no kind/name object",
           "12m         Warning   Evicted   pod/",
           "  Warning  Evicted",
           "  Warning  Evicted    6m5s",
           "  Warning  Evicted    soon   kubelet  msg",
           "  Warning  Evicted    6m5s   kubelet,",
           "  Warning  Evicted  2m (x3 over",
       }) {
    parse_verdict v = parse_verdict::ok;
    EXPECT_FALSE(parse_kubectl_event_row(line, &v).has_value()) << line;
    EXPECT_EQ(v, parse_verdict::malformed) << line;
  }
}

// ---- the detector ----

TEST(PodEvicted, JsonEvictionIsReportedWithResourceAndTopOffender) {
  harness h;
  h.feed(classic_item, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.detector, "pod_evicted");
  EXPECT_EQ(f.node, "gpu-node-3");  // source.host, not the collector in the envelope
  EXPECT_EQ(f.subject, "ml-research/llm-train-7f9c8d6b5-x2k9p");
  EXPECT_EQ(f.kind, "pod_evicted");
  EXPECT_EQ(f.sev, severity::warning);  // "train": a GPU workload
  EXPECT_EQ(f.first_ns, t0);
  EXPECT_EQ(f.last_ns, t0);
  EXPECT_EQ(f.count, 1u);
  EXPECT_EQ(f.recommended, action::observe);
  EXPECT_EQ(f.message,
            "pod ml-research/llm-train-7f9c8d6b5-x2k9p evicted on node gpu-node-3 (Evicted): "
            "node low on memory (threshold 100Mi, available 87608Ki); top offender container "
            "trainer using 61Gi vs request 32Gi (1.9x) (+1 more); GPU workload");
  EXPECT_EQ(h.d.stats().events, 1u);
  EXPECT_EQ(h.d.stats().recognised, 1u);
  EXPECT_EQ(h.d.stats().findings, 1u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
}

// Times at the end of int64 (detect --input envelope takes any non-negative ts_ns): the
// storm is still found and nothing overflows (the sanitizer build traps on a signed overflow,
// as the next sweep's time computed as now + half a window did).
TEST(PodEvicted, EvictionsAtTheEndOfTimeStillMakeAStorm) {
  harness h;
  constexpr std::int64_t end = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 6; ++i)
    h.feed(item(fmt::format("p{}", i), "n1"), end - 5 + i);
  ASSERT_GE(h.count("eviction_storm"), 1u);
  for (const auto& f : h.findings())
    EXPECT_LE(f.first_ns, f.last_ns) << f.kind;
}

TEST(PodEvicted, NonGpuWatchEvictionIsInfoWithNewerWording) {
  harness h;
  h.feed(newer_watch, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.sev, severity::info);
  EXPECT_EQ(f.node, "cpu-node-9");
  EXPECT_EQ(f.subject, "default/web-frontend-6d4cf56db6-9xq2m");
  EXPECT_EQ(f.message,
            "pod default/web-frontend-6d4cf56db6-9xq2m evicted on node cpu-node-9 (Evicted): node "
            "low on memory (threshold 100Mi, available 92344Ki); top offender container app using "
            "35505620Ki vs request 0");
}

TEST(PodEvicted, GpuResourceMentionMakesAWarning) {
  harness h;
  h.feed(item("web-1", "n1",
              "The node was low on resource: memory. Container app was using 3Gi, which exceeds "
              "its request of 1Gi. nvidia.com/gpu requested"),
         t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].sev, severity::warning);
}

TEST(PodEvicted, GpuPodPatternsAreConfigurableAndCaseInsensitive) {
  pod_evicted_config c;
  c.gpu_pod_patterns = {"Diffusion"};
  harness h(c);
  h.feed(item("stable-diffusion-xl-0", "n1"), t0);
  h.feed(item("llm-train-0", "n1"), t0 + second);  // a default pattern, not configured here
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].sev, severity::warning);
  EXPECT_EQ(h.findings()[1].sev, severity::info);
}

TEST(PodEvicted, AnnotationsFillInWhatATruncatedMessageLacks) {
  harness h;
  h.feed(R"({"kind":"Event","reason":"Evicted","involvedObject":{"kind":"Pod","name":"api-1",)"
         R"("namespace":"default"},"message":"The node was low on resou","metadata":)"
         R"({"annotations":{"offending_containers":"app,sidecar","offending_containers_usage":)"
         R"("3Gi,9Gi","starved_resource":"memory"}},"source":{"host":"n2"}})",
         t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].message,
            "pod default/api-1 evicted on node n2 (Evicted): starved of memory; top offender "
            "container sidecar using 9Gi (+1 more)");
}

TEST(PodEvicted, EphemeralStorageFormsAreNamedInTheMessage) {
  harness h;
  h.feed(item("etl-batch-1", "n1",
              R"(Container writer exceeded its local ephemeral storage limit \"1Gi\". )"),
         t0);
  h.feed(item("etl-batch-2", "n1",
              "Pod ephemeral local storage usage exceeds the total limit of containers "
              "1073741824. "),
         t0 + second);
  h.feed(item("etl-batch-3", "n1", R"(Usage of EmptyDir volume \"v\" exceeds the limit \"1Gi\". )"),
         t0 + 2 * second);
  ASSERT_EQ(h.findings().size(), 3u);
  EXPECT_EQ(h.findings()[0].message,
            "pod default/etl-batch-1 evicted on node n1 (Evicted): ephemeral-storage limit "
            "exceeded; container writer over its ephemeral-storage limit 1Gi");
  EXPECT_EQ(h.findings()[1].message,
            "pod default/etl-batch-2 evicted on node n1 (Evicted): ephemeral-storage limit "
            "exceeded; pod over its containers' total ephemeral-storage limit 1073741824");
  EXPECT_EQ(h.findings()[2].message,
            "pod default/etl-batch-3 evicted on node n1 (Evicted): ephemeral-storage limit "
            "exceeded; emptyDir volume v over its limit 1Gi");
}

TEST(PodEvicted, OldWordingsAreReported) {
  harness h;
  h.feed(item("a", "n1", "The node was low on compute resources."), t0);
  h.feed(item("b", "n1", "The node had condition: [DiskPressure]. "), t0 + second);
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_NE(h.findings()[0].message.find("node low on compute resources"), std::string::npos);
  EXPECT_NE(h.findings()[1].message.find("node had condition DiskPressure"), std::string::npos);
}

TEST(PodEvicted, UnrecognisedMessageIsQuotedOnOneLine) {
  harness h;
  h.feed(item("c", "n1", R"(pod evicted by sigs.k8s.io/descheduler\nsecond line)"), t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].message,
            "pod default/c evicted on node n1 (Evicted): message \"pod evicted by "
            "sigs.k8s.io/descheduler second line\"");
}

TEST(PodEvicted, DeletedWatchEventsAndOtherReasonsAreRecognisedWithoutFindings) {
  harness h;
  h.feed(fmt::format(R"({{"type":"DELETED","object":{}}})", classic_item), t0);
  h.feed(R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"web-1.17a","namespace":)"
         R"("default"},"involvedObject":{"kind":"Pod","name":"web-1"},"reason":"Scheduled",)"
         R"("message":"Successfully assigned default/web-1 to node-3","type":"Normal","count":1})",
         t0);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 2u);
}

TEST(PodEvicted, TheSameEventListedAgainIsReportedOnce) {
  harness h;
  h.feed(classic_item, t0);
  h.feed(fmt::format(R"({{"type":"MODIFIED","object":{}}})", classic_item), t0 + second);
  EXPECT_EQ(h.count("pod_evicted"), 1u);
  // A higher count is another occurrence.
  std::string again(classic_item);
  again.replace(again.find(R"("count":1)"), 9, R"("count":2)");
  h.feed(again, t0 + 2 * second);
  EXPECT_EQ(h.count("pod_evicted"), 2u);
  EXPECT_EQ(h.findings().back().count, 2u);
}

TEST(PodEvicted, NodeIsSourceHostThenKubeletReportingInstanceThenEnvelope) {
  harness h;
  h.feed(R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"a","namespace":"n"},)"
         R"("reportingComponent":"kubelet","reportingInstance":"gpu-node-5"})",
         t0, "collector");
  h.feed(R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"b","namespace":"n"},)"
         R"("reportingComponent":"some-controller","reportingInstance":"controller-0"})",
         t0, "collector");
  h.feed(R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"c","namespace":"n"}})", t0,
         "gpu-node-6");
  ASSERT_EQ(h.findings().size(), 3u);
  EXPECT_EQ(h.findings()[0].node, "gpu-node-5");
  EXPECT_EQ(h.findings()[1].node, "collector");
  EXPECT_EQ(h.findings()[2].node, "gpu-node-6");
}

TEST(PodEvicted, TableRowsAreReportedAndHeadersIgnored) {
  harness h;
  h.feed("NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT          MESSAGE", t0, "gpu-node-2");
  h.feed(
      "ml          12m         Warning   Evicted   pod/train-7f9c   The node was low on "
      "resource: memory. Container trainer was using 61Gi, which exceeds its request of 32Gi.",
      t0, "gpu-node-2");
  h.feed("LAST SEEN   TYPE      REASON    OBJECT          MESSAGE", t0, "gpu-node-2");
  h.feed(
      "45s         Warning   Evicted   pod/redis-cache-0   The node had condition: "
      "[DiskPressure].",
      t0, "gpu-node-2");
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].subject, "ml/train-7f9c");
  EXPECT_EQ(h.findings()[0].node, "gpu-node-2");
  EXPECT_EQ(h.findings()[0].sev, severity::warning);
  EXPECT_EQ(h.findings()[1].subject, "redis-cache-0");
  EXPECT_EQ(h.findings()[1].sev, severity::info);
  EXPECT_EQ(h.d.stats().recognised, 2u);
}

TEST(PodEvicted, DescribeRowsTakeTheirPodFromTheNameLines) {
  harness h;
  for (std::string_view line : {
           "Name:             triton-inference-5c7d9-abcde",
           "Namespace:        inference",
           "Priority:         0",
           "Node:             gpu-node-11/10.0.4.17",
           "Status:           Failed",
           "Reason:           Evicted",
           "Events:",
           "  Type     Reason     Age    From     Message",
           "  ----     ------     ----   ----     -------",
           "  Warning  Evicted    6m5s   kubelet  The node was low on resource: memory. Container "
           "triton was using 70Gi, which exceeds its request of 48Gi. ",
       })
    h.feed(line, t0, "laptop");
  // The status's "Reason: Evicted" is the eviction; the Events row below repeats it (the same
  // pod), so it is recognised and counted once.
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "inference/triton-inference-5c7d9-abcde");
  EXPECT_EQ(h.findings()[0].node, "gpu-node-11");
  EXPECT_EQ(h.findings()[0].sev, severity::warning);
  EXPECT_EQ(h.d.stats().recognised, 2u);
  EXPECT_EQ(h.d.state_size(), 3u);  // the node, its eviction, the describe context
}

TEST(PodEvicted, OldDescribeRowNamesTheNodeInTheFromColumn) {
  harness h;
  h.feed(
      "  Warning  Evicted  2m (x3 over 10m)  kubelet, gpu-node-3  The node had condition: "
      "[DiskPressure].",
      t0, "laptop");
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].node, "gpu-node-3");
  EXPECT_EQ(h.findings()[0].subject, "unknown");  // no Name: line came before it
}

TEST(PodEvicted, DescribeContextExpires) {
  pod_evicted_config c;
  c.describe_context_ns = minute;
  harness h(c);
  h.feed("Name:             triton-0", t0);
  h.feed("Namespace:        inference", t0);
  h.feed("  Warning  Evicted    6m5s   kubelet  The node was low on compute resources.",
         t0 + 2 * minute);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "unknown");
}

TEST(PodEvicted, TaintManagerMarkingIsAnEvictionCancellingIsNot) {
  harness h;
  h.feed(R"({"kind":"Event","reason":"TaintManagerEviction","type":"Normal","involvedObject":)"
         R"({"kind":"Pod","name":"etl-batch-3","namespace":"team-a"},"message":"Marking for )"
         R"(deletion Pod team-a/etl-batch-3","source":{"component":"taint-controller"}})",
         t0, "node-4");
  h.feed(R"({"kind":"Event","reason":"TaintManagerEviction","type":"Normal","involvedObject":)"
         R"({"kind":"Pod","name":"etl-batch-4","namespace":"team-a"},"message":"Cancelling )"
         R"(deletion of Pod team-a/etl-batch-4","source":{"component":"taint-controller"}})",
         t0, "node-4");
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "team-a/etl-batch-3");
  EXPECT_EQ(h.findings()[0].node, "node-4");
  EXPECT_EQ(h.findings()[0].message,
            "pod team-a/etl-batch-3 evicted on node node-4 (TaintManagerEviction): deleted by the "
            "taint manager (NoExecute taint on the node)");
  EXPECT_EQ(h.d.stats().recognised, 2u);
}

TEST(PodEvicted, PreemptionsAreReportedWithTheirNode) {
  harness h;
  h.feed(R"({"kind":"Event","reason":"Preempting","type":"Warning","involvedObject":{"kind":)"
         R"("Pod","name":"web-2","namespace":"default"},"message":"Preempted in order to admit )"
         R"(critical pod","source":{"component":"kubelet","host":"gpu-node-7"}})",
         t0);
  h.feed(R"({"kind":"Event","reason":"Preempted","action":"Preempting","type":"Normal",)"
         R"("involvedObject":{"kind":"Pod","name":"llm-train-3","namespace":"ml"},"message":)"
         R"("Preempted by pod 8d0b7f4e-2c1a on node gpu-node-12","reportingComponent":)"
         R"("default-scheduler","reportingInstance":"default-scheduler-cp-1"})",
         t0);
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].node, "gpu-node-7");
  EXPECT_EQ(h.findings()[0].message,
            "pod default/web-2 preempted on node gpu-node-7 (Preempting): preempted to admit a "
            "critical pod");
  EXPECT_EQ(h.findings()[1].node, "gpu-node-12");
  EXPECT_EQ(h.findings()[1].sev, severity::warning);
  EXPECT_EQ(h.findings()[1].message,
            "pod ml/llm-train-3 preempted on node gpu-node-12 (Preempted): preempted by pod "
            "8d0b7f4e-2c1a; GPU workload");
}

TEST(PodEvicted, EvictionThresholdMetIsReportedOncePerWindow) {
  harness h;
  const std::string line =
      R"({"kind":"Event","reason":"EvictionThresholdMet","type":"Warning","involvedObject":)"
      R"({"kind":"Node","name":"gpu-node-3","uid":"gpu-node-3"},"message":"Attempting to )"
      R"(reclaim memory","source":{"component":"kubelet","host":"gpu-node-3"},"count":1})";
  h.feed(line, t0);
  h.feed(line, t0 + minute);
  h.feed(
      "kube-system   45s   Warning   EvictionThresholdMet   node/gpu-node-3   Attempting to "
      "reclaim memory",
      t0 + 2 * minute, "gpu-node-3");
  ASSERT_EQ(h.count("eviction_threshold_met"), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.subject, "gpu-node-3");
  EXPECT_EQ(f.sev, severity::info);
  EXPECT_EQ(f.message,
            "node gpu-node-3 met an eviction threshold (EvictionThresholdMet): kubelet attempting "
            "to reclaim memory");
  h.feed(line, t0 + 12 * minute);
  EXPECT_EQ(h.count("eviction_threshold_met"), 2u);
  EXPECT_EQ(h.count("eviction_storm"), 0u);
}

TEST(PodEvicted, ThresholdMetCanBeSwitchedOff) {
  pod_evicted_config c;
  c.report_threshold_met = false;
  harness h(c);
  h.feed("45s   Warning   EvictionThresholdMet   node/gpu-node-3   Attempting to reclaim memory",
         t0);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 1u);
}

// ---- storms ----

void evict_n(harness& h, std::string_view node, int n, std::int64_t start, std::int64_t step,
             std::string_view prefix = "web") {
  for (int i = 0; i < n; ++i)
    h.feed(item(fmt::format("{}-{}-{}", prefix, start / second, i), node), start + i * step);
}

TEST(PodEvicted, StormFiresAtExactlyTheThreshold) {
  harness h;
  evict_n(h, "gpu-node-3", 5, t0, 30 * second);
  ASSERT_EQ(h.count("eviction_storm"), 1u);
  const owned_finding* f = h.last("eviction_storm");
  EXPECT_EQ(f->detector, "pod_evicted");
  EXPECT_EQ(f->node, "gpu-node-3");
  EXPECT_EQ(f->subject, "gpu-node-3");
  EXPECT_EQ(f->sev, severity::critical);
  EXPECT_EQ(f->recommended, action::drain_node);
  EXPECT_EQ(f->first_ns, t0);
  EXPECT_EQ(f->last_ns, t0 + 4 * 30 * second);
  EXPECT_EQ(f->count, 5u);
  EXPECT_EQ(f->message,
            "5 pod evictions on node gpu-node-3 within 10m: memory x5; drain the node and find "
            "what exhausts it");
  // The storm follows the fifth pod_evicted.
  EXPECT_EQ(h.findings().back().kind, "eviction_storm");
  EXPECT_EQ(h.count("pod_evicted"), 5u);
}

TEST(PodEvicted, OneBelowTheThresholdIsNoStorm) {
  harness h;
  evict_n(h, "gpu-node-3", 4, t0, 30 * second);
  EXPECT_EQ(h.count("eviction_storm"), 0u);
  EXPECT_EQ(h.count("pod_evicted"), 4u);
}

TEST(PodEvicted, WindowEdgeIsInclusiveAndOneNanosecondBeyondIsOutside) {
  harness at_edge;
  evict_n(at_edge, "n1", 5, t0, 150 * second);  // spans exactly 10 minutes
  EXPECT_EQ(at_edge.count("eviction_storm"), 1u);

  harness beyond;
  evict_n(beyond, "n1", 4, t0, 150 * second);
  beyond.feed(item("late", "n1"), t0 + 10 * minute + 1);
  EXPECT_EQ(beyond.count("eviction_storm"), 0u);
}

TEST(PodEvicted, StormFiresOncePerStormAndAgainAfterAQuietWindow) {
  harness h;
  evict_n(h, "n1", 12, t0, 20 * second);
  EXPECT_EQ(h.count("eviction_storm"), 1u);
  // Evictions keep trickling in under 10 minutes apart: still the same storm.
  evict_n(h, "n1", 3, t0 + 12 * minute, 9 * minute, "trickle");
  EXPECT_EQ(h.count("eviction_storm"), 1u);
  // Quiet for more than a window, then a new burst: a new storm.
  evict_n(h, "n1", 5, t0 + 60 * minute, 10 * second, "again");
  EXPECT_EQ(h.count("eviction_storm"), 2u);
  EXPECT_EQ(h.last("eviction_storm")->count, 5u);
}

TEST(PodEvicted, StormsAreCountedPerNode) {
  harness h;
  for (int i = 0; i < 4; ++i) {
    h.feed(item(fmt::format("a-{}", i), "n1"), t0 + i * second);
    h.feed(item(fmt::format("b-{}", i), "n2"), t0 + i * second);
  }
  EXPECT_EQ(h.count("eviction_storm"), 0u);
  h.feed(item("b-4", "n2"), t0 + 10 * second);
  ASSERT_EQ(h.count("eviction_storm"), 1u);
  EXPECT_EQ(h.last("eviction_storm")->node, "n2");
}

TEST(PodEvicted, StormMessageCountsResources) {
  harness h;
  evict_n(h, "n1", 3, t0, second);
  h.feed(item("d1", "n1", "The node had condition: [DiskPressure]. "), t0 + 5 * second);
  h.feed(item("d2", "n1", "The node was low on compute resources."), t0 + 6 * second);
  ASSERT_EQ(h.count("eviction_storm"), 1u);
  EXPECT_EQ(h.last("eviction_storm")->message,
            "5 pod evictions on node n1 within 10m: memory x3, DiskPressure x1, compute resources "
            "x1; drain the node and find what exhausts it");
}

TEST(PodEvicted, PreemptionsDoNotMakeAStormUnlessConfigured) {
  const auto preempt = [](int i) {
    return fmt::format(
        R"({{"kind":"Event","reason":"Preempting","involvedObject":{{"name":"p{}","namespace":)"
        R"("n"}},"message":"Preempted in order to admit critical pod","source":{{"host":"n1"}}}})",
        i);
  };
  harness h;
  for (int i = 0; i < 8; ++i)
    h.feed(preempt(i), t0 + i * second);
  EXPECT_EQ(h.count("pod_evicted"), 8u);
  EXPECT_EQ(h.count("eviction_storm"), 0u);

  pod_evicted_config c;
  c.storm_counts_preemptions = true;
  harness counted(c);
  for (int i = 0; i < 5; ++i)
    counted.feed(preempt(i), t0 + i * second);
  EXPECT_EQ(counted.count("eviction_storm"), 1u);
}

TEST(PodEvicted, DuplicateEventsDoNotInflateAStorm) {
  harness h;
  for (int i = 0; i < 10; ++i)
    h.feed(item("same-pod", "n1"), t0 + i * second);
  EXPECT_EQ(h.count("pod_evicted"), 1u);
  EXPECT_EQ(h.count("eviction_storm"), 0u);
}

TEST(PodEvicted, ConfiguredThresholdAndWindowApply) {
  pod_evicted_config c;
  c.storm_threshold = 3;
  c.storm_window_ns = minute;
  harness h(c);
  evict_n(h, "n1", 3, t0, 30 * second);  // spans exactly one minute
  EXPECT_EQ(h.count("eviction_storm"), 1u);
  EXPECT_NE(h.last("eviction_storm")->message.find("within 1m"), std::string::npos);
  harness slow(c);
  evict_n(slow, "n1", 3, t0, 31 * second);
  EXPECT_EQ(slow.count("eviction_storm"), 0u);
}

// ---- robustness and bounds ----

TEST(PodEvicted, MalformedAndTruncatedLinesAreCountedWithoutFindings) {
  harness h;
  std::uint64_t fed = 0;
  for (std::size_t len = 1; len < classic_item.size(); ++len, ++fed)
    h.feed(classic_item.substr(0, len), t0);
  EXPECT_TRUE(h.findings().empty());
  // Only the shortest prefixes carry no Event key and are not recognisable as events.
  EXPECT_GE(h.d.stats().malformed, classic_item.size() - 20);
  EXPECT_LE(h.d.stats().malformed, fed);
  EXPECT_EQ(h.d.stats().recognised, 0u);

  harness rows;
  rows.feed("12m         Warning   Evicted", t0);
  rows.feed("  Warning  Evicted    6m5s", t0);
  rows.feed(R"({"kind":"Event","reason":"Evicted","involvedObject":{"name":"p"},"count":"1"})", t0);
  EXPECT_EQ(rows.d.stats().malformed, 3u);
  EXPECT_TRUE(rows.findings().empty());
}

TEST(PodEvicted, TruncatedRowsNeverCrash) {
  harness h;
  const std::string_view row =
      "ml   2m (x3 over 10m)   Warning   Evicted   pod/train-7f9c   The node was low on "
      "resource: memory. Threshold quantity: 1.5Gi, available: 87608Ki. Container trainer was "
      "using 61Gi, which exceeds its request of 32Gi.";
  for (std::size_t len = 0; len <= row.size(); ++len)
    h.feed(row.substr(0, len), t0 + static_cast<std::int64_t>(len));
  EXPECT_EQ(h.d.stats().events, row.size() + 1);
  EXPECT_GT(h.d.stats().recognised, 0u);
  EXPECT_GT(h.d.stats().malformed, 0u);
}

TEST(PodEvicted, OtherDetectorsLinesAreIgnored) {
  harness h;
  for (std::string_view line : {
           "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python3, GPU has fallen off the bus.",
           "[31543.449443] pcieport 0000:00:03.1: AER: Corrected error received: 0000:3b:00.0",
           R"(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{gpu="0",UUID="GPU-5fd4e1b2",Hostname="node-7"} 1)",
           R"(DCGM_FI_DEV_CLOCK_THROTTLE_REASONS{gpu="0",UUID="GPU-1"} 64)",
           "[rank3]:[E ProcessGroupNCCL.cpp:616] [Rank 3] Watchdog caught collective operation "
           "timeout: WorkNCCL(SeqNum=2048, OpType=ALLREDUCE, Timeout(ms)=600000) ran for 600047 "
           "milliseconds before timing out.",
           "gpu-node-3:1234:5678 [0] NCCL WARN NET/IB : Got completion from peer 10.0.0.2<3456> "
           "with error 12, opcode 0, len 0, vendor err 129",
           "{'loss': 0.4312, 'learning_rate': 2e-05, 'epoch': 1.27}",
           R"({"level":"info","ts":"2024-11-19T07:06:40Z","msg":"evicting nothing"})",
           // A kubelet line about a pod, not an eviction (AKS memory-pressure walkthrough;
           // see KubeletEvictionManagerLinesFromAPublicSyslog).
           "Oct 12 19:34:45 aks-nodepool1-24207654-vmss000002 kubelet[2480]: I1012 "
           "19:34:45.357018    2480 kubelet.go:2231] \"SyncLoop (PLEG): event for pod\" "
           "pod=\"default/nginx\"",
           "Dec  2 11:38:47 host kernel: [  219.470994] Memory cgroup out of memory: Killed "
           "process 4242 (python3)",
           "",
       }) {
    h.feed(line, t0);
  }
  EXPECT_EQ(h.d.stats().events, 11u);
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.state_size(), 0u);
}

TEST(PodEvicted, StateStaysBoundedOverAMillionEvents) {
  pod_evicted_config c;
  c.max_nodes = 100;
  c.max_window_entries = 8;
  harness h(c);
  counting_sink sink;
  std::size_t peak = 0;
  std::string line;
  constexpr std::string_view foreign =
      R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-5fd4e1b2",Hostname="node-7"} 61)";
  std::vector<std::string> nodes;
  for (int n = 0; n < 5000; ++n)
    nodes.push_back(fmt::format("node-{}", n));
  for (std::int64_t i = 0; i < 1'000'000; ++i) {
    // As on a real stream most lines are other detectors'; one in 8 is an eviction, in bursts
    // of 7 per node over 5000 nodes (far more than max_nodes), 1 ms apart.
    const std::string& node_name = nodes[static_cast<std::size_t>(i / 56 % 5000)];
    if (i % 8 != 0) {
      line = foreign;
    } else if (i % 64 == 0) {
      line = item(fmt::format("p{}", i), node_name);
    } else {
      line = fmt::format(
          "1s   Warning   Evicted   pod/p{}   The node was low on resource: "
          "memory. Container c was using 2Gi, which exceeds its request of 1Gi.",
          i);
    }
    h.d.on_event(event{t0 + i * 1'000'000, node_name, source::kubernetes, line}, sink);
    peak = std::max(peak, h.d.state_size());
  }
  EXPECT_EQ(h.d.stats().events, 1'000'000u);
  EXPECT_EQ(h.d.stats().recognised, 125'000u);
  EXPECT_GT(sink.by_severity[2], 1000u);  // storms happened on many nodes
  EXPECT_LE(peak, c.max_nodes * (1 + c.max_window_entries));
  // Long after, everything has aged out but the one new eviction.
  h.d.on_event(event{t0 + 3600 * second + 1'000 * second, "node-x", source::kubernetes,
                     item("late", "node-x")},
               sink);
  EXPECT_EQ(h.d.state_size(), 2u);
}

TEST(PodEvicted, NodeCapForgetsTheNodeWithTheOldestEviction) {
  pod_evicted_config c;
  c.max_nodes = 2;
  c.storm_threshold = 2;
  harness h(c);
  h.feed(item("a-1", "n1"), t0);
  h.feed(item("b-1", "n2"), t0 + second);
  h.feed(item("c-1", "n3"), t0 + 2 * second);  // n1 is forgotten to make room
  EXPECT_EQ(h.d.state_size(), 4u);             // two nodes, one eviction each
  h.feed(item("a-2", "n1"), t0 + 3 * second);  // n1 starts over: no storm (n2 is dropped)
  EXPECT_EQ(h.count("eviction_storm"), 0u);
  h.feed(item("c-2", "n3"), t0 + 4 * second);  // n3 kept its first eviction: a storm
  ASSERT_EQ(h.count("eviction_storm"), 1u);
  EXPECT_EQ(h.last("eviction_storm")->node, "n3");
}

// --- pod views: status YAML, describe status, `get pods` rows, kubelet log -----------------

// A pod's status as `kubectl get pod -o yaml` prints it (keys sorted), the message wrapped in
// single quotes over two lines (amygdala-labs/cosmos-operator issue #185), with the metadata
// and spec lines around it reduced to the ones that matter.
constexpr std::array<std::string_view, 16> cosmos_pod_yaml = {
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  labels:",
    "    app.kubernetes.io/name: cosmoshub",
    "  name: cosmoshub-mainnet-fullnode-0",
    "  namespace: cosmos",
    "spec:",
    "  nodeName: gke-cosmos-pool-1-7f3d",
    "status:",
    "  message: 'The node was low on resource: memory. Container node was using 35505620Ki,",
    "    which exceeds its request of 12Gi. '",
    "  phase: Failed",
    "  podIP: 10.7.0.103",
    "  qosClass: Burstable",
    "  reason: Evicted",
};

// kubernetes/kubernetes issue #48632: a status with the 1.6 kubelet's "Pod " typo.
constexpr std::array<std::string_view, 5> k8s_48632_status = {
    "status:",
    "  message: 'Pod The node was low on resource: [MemoryPressure].'",
    "  phase: Failed",
    "  reason: Evicted",
    "  startTime: '2017-07-07T19:36:11Z'",
};

// The same status folded with `>-` and in another key order (hand-edited or another printer):
// the reason comes before the message.
constexpr std::array<std::string_view, 7> folded_status = {
    "status:",
    "  phase: Failed",
    "  reason: Evicted",
    "  message: >-",
    "    The node was low on resource: ephemeral-storage. Container trainer was using",
    "    48Gi, which exceeds its request of 0.",
    "  startTime: \"2024-11-19T07:00:00Z\"",
};

// kubectl describe pod: Status/Reason/Message (derailed/k9s issue #174).
constexpr std::array<std::string_view, 6> k9s_describe = {
    "Name:               proprietary-crawler-preemptive-79f7cbc6cf-rzck9",
    "Namespace:          proprietary",
    "Node:               gke-general-preemptible-40c94gb-pool-35dd7b4d-mv7w/",
    "Status:             Failed",
    "Reason:             Evicted",
    "Message:            The node was low on resource: memory. Container proprietary-crawler "
    "was using 9402820Ki, which exceeds its request of 7G. ",
};

// `kubectl get pods -A` on a node in an eviction loop (the blog post "Conquering Eviction Manager
// in Kubernetes", 2023; names as published there, the same pod name on several rows).
constexpr std::array<std::string_view, 5> get_pods_rows = {
    "NAMESPACE     NAME         READY   STATUS    RESTARTS   AGE",
    "default       myapp        0/1     Evicted   0          17m",
    "default       myapp        0/1     Error     1          19m",
    "default       myapp        0/1     Pending   0          2m2s",
    "default       myapp        0/1     Evicted   0          9m42s",
};

// The kubelet's eviction of default/nginx in syslog (an AKS memory-pressure walkthrough,
// quoted with its `kubectl describe` in a public notes repository).
constexpr std::array<std::string_view, 3> aks_kubelet = {
    "Oct 12 19:34:44 aks-nodepool1-24207654-vmss000002 kubelet[2480]: I1012 19:34:44.999261    "
    "2480 eviction_manager.go:374] \"Eviction manager: pods ranked for eviction\" "
    "pods=\"[default/nginx kube-system/kube-proxy-5thr6 kube-system/ama-logs-6h992]\"",
    "Oct 12 19:34:45 aks-nodepool1-24207654-vmss000002 kubelet[2480]: I1012 19:34:45.000152    "
    "2480 kuberuntime_container.go:709] \"Killing container with a grace period\" "
    "pod=\"default/nginx\" containerName=\"nginx\" gracePeriod=30",
    "Oct 12 19:34:45 aks-nodepool1-24207654-vmss000002 kubelet[2480]: I1012 19:34:45.445172    "
    "2480 eviction_manager.go:595] \"Eviction manager: pod is evicted successfully\" "
    "pod=\"default/nginx\"",
};

// The blog post above: a reclaim that must evict, then the eviction (klog headers cut to "...").
constexpr std::array<std::string_view, 5> blog_kubelet = {
    "... eviction_manager.go:339] \"Eviction manager: attempting to reclaim\" "
    "resourceName=\"ephemeral-storage\"",
    "... eviction_manager.go:350] \"Eviction manager: must evict pod(s) to reclaim\" "
    "resourceName=\"ephemeral-storage\"",
    "... eviction_manager.go:368] \"Eviction manager: pods ranked for eviction\" "
    "pods=[default/mysql default/postgres default/myapp]",
    "... eviction_manager.go:575] \"Eviction manager: pod is evicted successfully\" "
    "pod=\"default/mysql\"",
    "... eviction_manager.go:199] \"Eviction manager: pods evicted, waiting for pod to be cleaned "
    "up\" pods=[default/mysql]",
};

// Admission refused under DiskPressure: the structured form (a fluentd Kubernetes parser's
// test, "kubelet with some array in context") and the printf form (a rook-ceph node's journal
// quoted in a public troubleshooting note).
constexpr std::string_view admit_structured =
    "I0527 09:00:05.110852    1025 eviction_manager.go:167] \"Failed to admit pod to node\" "
    "pod=\"monitoring/prometheus-k8s-0\" nodeCondition=[DiskPressure]";
constexpr std::string_view admit_printf =
    "Mar 22 15:27:33 node3 kubelet[7481]: W0322 15:27:33.420424    7481 eviction_manager.go:156] "
    "Failed to admit pod rook-ceph-osd-2-759b67cc7c-7t94k_rook-ceph("
    "038e4ad3-4cb7-11e9-921d-0a341618daf2) - node has conditions: [DiskPressure]";

template <std::size_t N>
void feed_all(harness& h, const std::array<std::string_view, N>& lines, std::int64_t ts,
              std::string_view node = "collector-0") {
  for (std::string_view l : lines)
    h.feed(l, ts, node);
}

TEST(PodEvictedViews, PodYamlStatusWithAWrappedMessageIsAnEviction) {
  harness h;
  feed_all(h, cosmos_pod_yaml, t0);
  ASSERT_EQ(h.findings().size(), 1u);  // at the reason line: the message was complete
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.subject, "cosmos/cosmoshub-mainnet-fullnode-0");
  EXPECT_EQ(f.node, "gke-cosmos-pool-1-7f3d");
  EXPECT_EQ(f.message,
            "pod cosmos/cosmoshub-mainnet-fullnode-0 evicted on node gke-cosmos-pool-1-7f3d "
            "(Evicted): node low on memory; top offender container node using 35505620Ki vs "
            "request 12Gi (2.8x)");
  // The reason line and the two message lines.
  EXPECT_EQ(h.d.stats().recognised, 3u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  h.d.finish(h.sink);
  EXPECT_EQ(h.findings().size(), 1u);
}

TEST(PodEvictedViews, StatusBlockAloneAndTheOldTypo) {
  harness h;
  feed_all(h, k8s_48632_status, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "unknown");
  EXPECT_NE(h.findings()[0].message.find("node low on MemoryPressure"), std::string::npos)
      << h.findings()[0].message;
}

TEST(PodEvictedViews, FoldedMessageAfterTheReasonIsReadToItsEnd) {
  harness h;
  feed_all(h, folded_status, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_NE(h.findings()[0].message.find("node low on ephemeral-storage; top offender container "
                                         "trainer using 48Gi vs request 0"),
            std::string::npos)
      << h.findings()[0].message;
  EXPECT_EQ(h.d.stats().recognised, 4u);  // reason, "message: >-" and its two lines
}

TEST(PodEvictedViews, EveryTruncationOfTheYamlReportsOnlyWhatItShows) {
  // Cut after each line: an eviction only once "reason: Evicted" was seen; the message as far
  // as it goes. Ended by finish() (the stream ended) or by a foreign line.
  for (std::size_t cut = 0; cut <= cosmos_pod_yaml.size(); ++cut) {
    for (const bool foreign_end : {false, true}) {
      harness h;
      for (std::size_t i = 0; i < cut; ++i)
        h.feed(cosmos_pod_yaml[i], t0);
      if (foreign_end) h.feed("[  12.345678] eth0: link up", t0);
      h.d.finish(h.sink);
      EXPECT_EQ(h.findings().size(), cut == cosmos_pod_yaml.size() ? 1u : 0u) << cut;
      EXPECT_EQ(h.d.stats().malformed, 0u);
    }
  }
  // Cut inside the quoted message: the pod status ends there; what was read is used.
  harness h;
  for (std::string_view l : {"status:", "  reason: Evicted",
                             "  message: 'The node was low on resource: memory. Container node"})
    h.feed(l, t0);
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_NE(h.findings()[0].message.find("node low on memory"), std::string::npos);
  // Every byte prefix of every line never crashes.
  harness p;
  for (std::string_view l : cosmos_pod_yaml)
    for (std::size_t n = 0; n <= l.size(); ++n)
      p.feed(l.substr(0, n), t0);
  p.d.finish(p.sink);
  EXPECT_LE(p.d.stats().recognised + p.d.stats().malformed, p.d.stats().events);
}

TEST(PodEvictedViews, AMessageOfAnyLengthIsHeldWithinItsBound) {
  // A hostile paste: a folded message of 100k lines, then the reason.
  harness h;
  h.feed("status:", t0);
  h.feed("  message: >-", t0);
  const std::string piece(40, 'x');
  for (int i = 0; i < 100'000; ++i)
    h.feed("    " + piece, t0);
  h.feed("  reason: Evicted", t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_LT(h.findings()[0].message.size(), 512u);  // the finding quotes an excerpt
  EXPECT_EQ(h.d.stats().recognised, 100'002u);      // reason, "message: >-", its lines
}

TEST(PodEvictedViews, YamlOfOtherPodsAndOtherReasonsIsNotAnEviction) {
  harness h;
  for (std::string_view l : {
           "metadata:", "  name: web-0", "  namespace: default", "status:", "  conditions:",
           // The kubelet's DisruptionTarget for a graceful node shutdown, and one for an API
           // eviction (a drain): neither is a node-pressure eviction.
           "  - lastProbeTime: null",
           "    message: Pod was terminated in response to imminent node shutdown.",
           "    reason: TerminationByKubelet", "    type: DisruptionTarget",
           "  - message: 'Eviction API: evicting'", "    reason: EvictionByEvictionAPI",
           "    type: DisruptionTarget", "  - lastProbeTime: null", "    status: \"True\"",
           "    type: Ready", "  phase: Failed", "  reason: OutOfmemory",
           "    lastState:", "      terminated:", "        reason: Evicted",  // nested deeper
       })
    h.feed(l, t0);
  h.d.finish(h.sink);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().recognised, 0u);
  EXPECT_EQ(h.d.state_size(), 0u);
}

// kubernetes/kubernetes issue #105467 (2025 comment): the status has no reason, but the
// kubelet's DisruptionTarget condition carries the eviction message.
constexpr std::array<std::string_view, 17> k8s_105467_status = {
    "metadata:",
    "  name: istiod-b7c9f6f6d-q8zdb",
    "  namespace: istio-system",
    "status:",
    "  conditions:",
    "  - lastProbeTime: null",
    "    lastTransitionTime: \"2025-05-29T07:30:02Z\"",
    "    message: 'The node was low on resource: ephemeral-storage. Threshold quantity:",
    "      1Gi, available: 898240Ki. Container discovery was using 4Ki, request is 0, has",
    "      larger consumption of ephemeral-storage. '",
    "    reason: TerminationByKubelet",
    "    status: \"True\"",
    "    type: DisruptionTarget",
    "  - lastProbeTime: null",
    "    lastTransitionTime: \"2025-05-29T07:30:02Z\"",
    "    status: \"False\"",
    "    type: PodReadyToStartContainers",
};

TEST(PodEvictedViews, TheKubeletsDisruptionTargetConditionIsAnEviction) {
  harness h;
  feed_all(h, k8s_105467_status, t0);
  // Reported when the condition ends (the next condition's "- " line).
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.subject, "istio-system/istiod-b7c9f6f6d-q8zdb");
  EXPECT_NE(f.message.find("node low on ephemeral-storage (threshold 1Gi, available 898240Ki); "
                           "top offender container discovery using 4Ki"),
            std::string::npos)
      << f.message;
  EXPECT_EQ(h.d.stats().recognised, 4u);  // the condition's reason and three message lines
  // With status.reason: Evicted as well (the usual case), still one eviction.
  harness both;
  feed_all(both, k8s_105467_status, t0);
  both.feed("  phase: Failed", t0);
  both.feed("  reason: Evicted", t0);
  both.d.finish(both.sink);
  EXPECT_EQ(both.findings().size(), 1u);
  // Cut inside the condition's message: nothing yet said it was an eviction... until the
  // condition's reason and type, which close it at the end of the stream.
  for (std::size_t cut = 0; cut <= k8s_105467_status.size(); ++cut) {
    harness c;
    for (std::size_t i = 0; i < cut; ++i)
      c.feed(k8s_105467_status[i], t0);
    c.d.finish(c.sink);
    EXPECT_EQ(c.findings().size(), cut >= 13 ? 1u : 0u) << cut;
  }
}

TEST(PodEvictedViews, YamlListItemsAreSeparatePods) {
  harness h;
  for (std::string_view l : {
           "apiVersion: v1",
           "items:",
           "- apiVersion: v1",
           "  kind: Pod",
           "  metadata:",
           "    name: a-0",
           "    namespace: ns",
           "  status:",
           "    message: The node had",
           "      condition: [DiskPressure].",
           "    phase: Failed",
           "    reason: Evicted",
           "- apiVersion: v1",
           "  kind: Pod",
           "  metadata:",
           "    name: b-0",
           "    namespace: ns",
           "  status:",
           "    phase: Running",
           "- apiVersion: v1",
           "  kind: Pod",
           "  metadata:",
           "    name: c-0",
           "  status:",
           "    reason: Evicted",
           "kind: List",
       })
    h.feed(l, t0);
  h.d.finish(h.sink);
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].subject, "ns/a-0");
  EXPECT_NE(h.findings()[0].message.find("node had condition DiskPressure"), std::string::npos)
      << h.findings()[0].message;
  EXPECT_EQ(h.findings()[1].subject, "c-0");
  EXPECT_NE(h.findings()[1].message.find("no message"), std::string::npos);
}

TEST(PodEvictedViews, DescribeStatusReasonAndMessage) {
  harness h;
  feed_all(h, k9s_describe, t0, "laptop");
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.subject, "proprietary/proprietary-crawler-preemptive-79f7cbc6cf-rzck9");
  EXPECT_EQ(f.node, "gke-general-preemptible-40c94gb-pool-35dd7b4d-mv7w");
  EXPECT_NE(f.message.find("top offender container proprietary-crawler using 9402820Ki vs "
                           "request 7G"),
            std::string::npos)
      << f.message;
  EXPECT_EQ(h.d.stats().recognised, 2u);
  // A container state's indented Reason is not the pod's.
  harness c;
  c.feed("      Reason:       ContainerStatusUnknown", t0);
  c.feed("    State:          Terminated", t0);
  c.feed("      Reason:       Evicted", t0);
  c.d.finish(c.sink);
  EXPECT_TRUE(c.findings().empty());
}

TEST(PodEvictedViews, GetPodsRowsWithStatusEvictedOnly) {
  harness h;
  feed_all(h, get_pods_rows, t0);
  // Two Evicted rows of one pod name: one eviction within the window. Error and Pending rows are
  // not evidence of an eviction.
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "default/myapp");
  EXPECT_EQ(h.d.stats().recognised, 2u);
  k8s_event k;
  EXPECT_EQ(parse_kubectl_pod_row(get_pods_rows[1], k), parse_verdict::ok);
  EXPECT_EQ(k.object_namespace, "default");
  EXPECT_EQ(k.age, "17m");
  EXPECT_EQ(parse_kubectl_pod_row(get_pods_rows[2], k), parse_verdict::not_mine);
  EXPECT_EQ(parse_kubectl_pod_row(get_pods_rows[0], k), parse_verdict::not_mine);
  // Without NAMESPACE, and -o wide with the node; a newer RESTARTS column.
  EXPECT_EQ(parse_kubectl_pod_row("llm-train-7f9c8d6b5-x2k9p   0/1     Evicted   0          3h", k),
            parse_verdict::ok);
  EXPECT_TRUE(k.object_namespace.empty());
  EXPECT_EQ(parse_kubectl_pod_row("llm-train-0   0/1   Evicted   2 (3h ago)   5h   <none>   "
                                  "gpu-node-3   <none>   <none>",
                                  k),
            parse_verdict::ok);
  EXPECT_EQ(k.source_host, "gpu-node-3");
  EXPECT_EQ(parse_kubectl_pod_row("default  myapp  0/1  ContainerStatusUnknown  1  5m", k),
            parse_verdict::not_mine);
  // Cut before AGE: ours, broken.
  EXPECT_EQ(parse_kubectl_pod_row("default       myapp        0/1     Evicted   0", k),
            parse_verdict::malformed);
  EXPECT_EQ(parse_kubectl_pod_row("default       myapp        0/1     Evicted", k),
            parse_verdict::malformed);
}

TEST(PodEvictedViews, KubeletEvictionManagerLinesFromAPublicSyslog) {
  harness h;
  feed_all(h, aks_kubelet, t0, "");
  ASSERT_EQ(h.findings().size(), 1u);
  const owned_finding& f = h.findings()[0];
  EXPECT_EQ(f.subject, "default/nginx");
  EXPECT_EQ(f.node, "aks-nodepool1-24207654-vmss000002");  // the syslog host
  // The ranking and the eviction are the kubelet's; the container kill is not ours.
  EXPECT_EQ(h.d.stats().recognised, 2u);
  // The pod's Event arriving afterwards is the same eviction.
  h.feed(item("nginx", "aks-nodepool1-24207654-vmss000002"), t0 + second);
  EXPECT_EQ(h.findings().size(), 1u);
}

TEST(PodEvictedViews, KubeletReclaimNamesTheResourceOfTheNextEviction) {
  harness h;
  feed_all(h, blog_kubelet, t0);
  ASSERT_EQ(h.findings().size(), 1u);
  EXPECT_EQ(h.findings()[0].subject, "default/mysql");
  EXPECT_NE(h.findings()[0].message.find("node low on ephemeral-storage"), std::string::npos)
      << h.findings()[0].message;
  EXPECT_EQ(h.d.stats().recognised, blog_kubelet.size());
  // The line the older test treated as foreign is a reclaim: recognised, no finding.
  harness r;
  r.feed(
      "kubelet[2211]: I1122 10:01:12.123456 2211 eviction_manager.go:366] \"Eviction "
      "manager: attempting to reclaim\" resourceName=\"memory\"",
      t0);
  EXPECT_TRUE(r.findings().empty());
  EXPECT_EQ(r.d.stats().recognised, 1u);
  // A reclaim on another node, or long before, names nothing.
  harness o;
  o.feed(blog_kubelet[1], t0, "node-a");
  o.feed(blog_kubelet[3], t0 + 5 * minute, "node-a");
  ASSERT_EQ(o.findings().size(), 1u);
  EXPECT_NE(o.findings()[0].message.find("no message"), std::string::npos);
}

TEST(PodEvictedViews, AdmissionRefusedUnderDiskPressureIsAnEviction) {
  harness h;
  h.feed(admit_structured, t0, "node-9");
  h.feed(admit_printf, t0 + second, "node-9");
  ASSERT_EQ(h.findings().size(), 2u);
  EXPECT_EQ(h.findings()[0].subject, "monitoring/prometheus-k8s-0");
  EXPECT_EQ(h.findings()[0].node, "node-9");
  EXPECT_NE(h.findings()[0].message.find("node had condition DiskPressure"), std::string::npos)
      << h.findings()[0].message;
  EXPECT_EQ(h.findings()[1].subject, "rook-ceph/rook-ceph-osd-2-759b67cc7c-7t94k");
  EXPECT_EQ(h.findings()[1].node, "node3");
  kubelet_eviction_line l;
  EXPECT_EQ(parse_kubelet_eviction_line("\"Failed to admit pod to node\" pod=\"a/b\" "
                                        "nodeCondition=[\"MemoryPressure\",\"DiskPressure\"]",
                                        l),
            parse_verdict::ok);
  EXPECT_EQ(l.conditions, "\"MemoryPressure\",\"DiskPressure\"");
  // Cut before the conditions: ours, broken. Another admit handler's refusal: not ours.
  EXPECT_EQ(parse_kubelet_eviction_line(admit_structured.substr(0, 100), l),
            parse_verdict::malformed);
  EXPECT_EQ(parse_kubelet_eviction_line(admit_printf.substr(0, 150), l), parse_verdict::malformed);
  EXPECT_EQ(parse_kubelet_eviction_line("eviction_manager.go:1] Failed to admit pod x_y(z) - "
                                        "Unexpected error",
                                        l),
            parse_verdict::not_mine);
  // The printf-era eviction line.
  EXPECT_EQ(parse_kubelet_eviction_line("eviction_manager.go:156] eviction manager: pod "
                                        "web-6d4cf_default(a1b2) is evicted successfully",
                                        l),
            parse_verdict::ok);
  EXPECT_EQ(l.kind, kubelet_eviction_kind::evicted);
  EXPECT_EQ(l.pod_namespace, "default");
  EXPECT_EQ(l.pod_name, "web-6d4cf");
  // Truncations of every kubelet line never crash and are never findings on their own.
  harness t;
  for (std::string_view line : {admit_structured, admit_printf, aks_kubelet[2], blog_kubelet[1]})
    for (std::size_t n = 0; n + 1 < line.size(); ++n)
      t.feed(line.substr(0, n), t0);
  EXPECT_LE(t.findings().size(), 2u);  // only a cut that still holds a whole pod and condition
}

TEST(PodEvictedViews, ViewsOfOneEvictionCountOnceTowardsAStorm) {
  // Five pods, each seen as a get-pods row, a status and an Event: five evictions, one storm.
  harness h;
  for (int i = 0; i < 5; ++i) {
    const std::string pod = fmt::format("etl-batch-{}", i);
    const std::string row = fmt::format("default   {}   0/1   Evicted   0   1m", pod);
    h.feed(row, t0 + i * second, "gpu-node-3");
    h.feed(item(pod, "gpu-node-3"), t0 + i * second + 1);
  }
  EXPECT_EQ(h.count("pod_evicted"), 5u);
  EXPECT_EQ(h.count("eviction_storm"), 1u);
}

// --- the real-line sample (testdata/real_lines, sources in its SOURCES.md) --------------------

TEST(PodEvictedRealLines, EachPublishedExcerptIsReadAsExpected) {
  struct expectation {
    std::string_view file;
    std::uint64_t recognised;
    std::vector<std::string_view> subjects;  // of the pod_evicted findings, in order
  };
  const std::vector<expectation> cases = {
      // Six admission refusals under DiskPressure, in both kubelet log forms.
      {"admit_disk_pressure.log",
       6,
       {"monitoring/prometheus-k8s-0", "rook-ceph/rook-ceph-osd-2-759b67cc7c-7t94k",
        "rook-ceph/rook-ceph-osd-2-759b67cc7c-vblsb", "kube-system/weave-net-3svfg",
        "kube-system/kube-proxy-d9lk0", "kube-system/nvidia-device-plugin-daemonset-88sm6"}},
      // Seven eviction-manager lines and two Evicted rows of one pod name (Error and Pending
      // rows are not evictions).
      {"eviction_manager_blog.log", 9, {"default/mysql", "default/myapp"}},
      // The pod status of that report has no reason (the bug it reports), but the kubelet's
      // DisruptionTarget condition carries the eviction (the excerpt has no metadata); and the
      // kubelet's cleanup line.
      {"kubernetes_105467.log", 5, {"unknown"}},
      // The excerpt starts inside the status block, without its "status:" line.
      {"cosmos_operator_185.yaml", 0, {}},
      {"kubernetes_48632.yaml", 2, {"unknown"}},
      // describe without its Name: lines (status + the Events row of the same pod, one
      // eviction), then the kubelet's own line naming the pod.
      {"aks_memory_pressure.txt", 5, {"unknown", "default/nginx"}},
      {"k9s_174_describe.txt", 2, {"proprietary/proprietary-crawler-preemptive-79f7cbc6cf-rzck9"}},
  };
  for (const auto& c : cases) {
    harness h;
    std::ifstream in(std::string(ALLOCGATE_DETECTORS_SOURCE_DIR) +
                     "/pod_evicted/testdata/real_lines/" + std::string(c.file));
    ASSERT_TRUE(in.good()) << c.file;
    std::int64_t ts = t0;
    for (std::string line; std::getline(in, line);) {
      h.feed(line, ts);
      ts += second;
    }
    h.d.finish(h.sink);
    EXPECT_EQ(h.d.stats().recognised, c.recognised) << c.file;
    EXPECT_EQ(h.d.stats().malformed, 0u) << c.file;
    std::vector<std::string_view> subjects;
    for (const auto& f : h.findings())
      if (f.kind == "pod_evicted") subjects.push_back(f.subject);
    EXPECT_EQ(subjects, c.subjects) << c.file;
  }
}

TEST(PodEvicted, FactoryMakesADefaultDetector) {
  const auto d = make_pod_evicted_detector();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name(), "pod_evicted");
  EXPECT_EQ(d->state_size(), 0u);
}

// ---- the corpus generator ----

std::vector<stream_builder::line_record> generate(std::uint64_t seed, std::size_t lines,
                                                  bool with_faults) {
  stream_builder b(seed, 12, t0);
  std::size_t episodes = 0;
  while (b.lines().size() < lines) {
    // Alternate quiet and faulty periods of 40 episodes.
    b.set_faulty(with_faults && (episodes++ / 40) % 2 == 1);
    generate_pod_evicted_episode(b);
    b.advance(b.uniform(1, 100) * 1'000'000);
  }
  return std::move(b.lines());
}

TEST(PodEvictedGenerator, EpisodesWithFaultsProduceEveryFindingAndParseCleanly) {
  const auto lines = generate(7, 20'000, true);
  harness h;
  std::size_t json = 0, rows = 0, watch = 0, yaml = 0, pod_rows = 0, kubelet = 0;
  for (const auto& r : lines) {
    // The envelope names the node the line was generated for, as the corpus mixer does; every
    // finding must land on that node (source.host, preemption message, describe Node: line).
    const std::string node = fmt::format("node-{:03}", r.node_index);
    const std::size_t before = h.findings().size();
    h.feed(r.line, r.ts_ns, node);
    for (std::size_t i = before; i < h.findings().size(); ++i)
      EXPECT_EQ(h.findings()[i].node, node) << h.findings()[i].message;
    json += r.line.starts_with('{');
    watch += r.line.starts_with(R"({"type":)");
    rows += !r.line.starts_with('{');
    yaml += r.line == "  reason: Evicted";
    pod_rows += r.line.find(" Evicted   0 ") != std::string::npos;
    kubelet += r.line.find("eviction_manager.go:") != std::string::npos;
  }
  // The pod views of an eviction (status YAML, get-pods rows, kubelet lines) are each present.
  EXPECT_GT(yaml, 5u);
  EXPECT_GT(pod_rows, 5u);
  EXPECT_GT(kubelet, 5u);
  EXPECT_GT(h.count("pod_evicted"), 100u);
  EXPECT_GT(h.count("eviction_storm"), 0u);
  EXPECT_GT(h.count("eviction_threshold_met"), 0u);
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_EQ(h.d.stats().events, lines.size());
  EXPECT_GT(h.d.stats().recognised, lines.size() * 3 / 4);
  // Mostly Event JSON; a pod's status YAML takes about 16 lines, hence two thirds.
  EXPECT_GT(json, lines.size() * 2 / 3);
  EXPECT_GT(watch, lines.size() / 5);
  EXPECT_GT(rows, 50u);
}

TEST(PodEvictedGenerator, HealthyEpisodesProduceNoFindings) {
  const auto lines = generate(11, 3'000, false);
  harness h;
  for (const auto& r : lines)
    h.feed(r.line, r.ts_ns);
  EXPECT_TRUE(h.findings().empty());
  EXPECT_EQ(h.d.stats().malformed, 0u);
  EXPECT_GT(h.d.stats().recognised, lines.size() * 3 / 4);
}

TEST(PodEvictedGenerator, SameSeedGivesIdenticalLines) {
  const auto a = generate(3, 2'000, true);
  const auto b = generate(3, 2'000, true);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].line, b[i].line);
    EXPECT_EQ(a[i].ts_ns, b[i].ts_ns);
  }
  EXPECT_NE(generate(4, 2'000, true)[0].line + generate(4, 2'000, true)[1].line,
            a[0].line + a[1].line);
}

// The JSON reader's corner cases, as nlohmann::json (the earlier reader) decided them.
TEST(PodEvictedJsonEdges, NumbersAsTheEarlierReaderRead) {
  const std::string base =
      R"({"kind":"Event","reason":"Evicted","involvedObject":{"kind":"Pod","name":"p"},)";
  parse_verdict v = parse_verdict::ok;
  // -0 is a signed integer, not a count.
  EXPECT_FALSE(parse_k8s_event(base + R"("count":-0})", &v).has_value());
  EXPECT_EQ(v, parse_verdict::malformed);
  // -0 elsewhere on the line does not spoil a count of 0.
  auto k = parse_k8s_event(base + R"("count":0,"x":-0})", &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->count, 0u);
  // An integer too big for 64 bits is still JSON (a float): fine in an extra field...
  k = parse_k8s_event(base + R"("x":123456789012345678901234567890,"count":2})", &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->count, 2u);
  // ...and not a count.
  EXPECT_FALSE(parse_k8s_event(base + R"("count":18446744073709551616})", &v).has_value());
  EXPECT_EQ(v, parse_verdict::malformed);
  k = parse_k8s_event(base + R"("count":18446744073709551615})", &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->count, 18446744073709551615u);
  for (const char* bad : {R"("count":1.0})", R"("count":1e2})", R"("count":-1})", R"("count":"1"})",
                          R"("count":01})", R"("count":1e400})"}) {
    EXPECT_FALSE(parse_k8s_event(base + bad, &v).has_value()) << bad;
    EXPECT_EQ(v, parse_verdict::malformed) << bad;
  }
}

TEST(PodEvictedJsonEdges, DuplicateKeysNestingAndEscapes) {
  parse_verdict v = parse_verdict::not_mine;
  // The last of duplicate keys wins.
  auto k = parse_k8s_event(
      R"({"kind":"Event","reason":"Pulled","reason":"Evicted","involvedObject":{"name":"a"},)"
      R"("involvedObject":{"kind":"Pod","name":"b"}})",
      &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->reason, "Evicted");
  EXPECT_EQ(k->object_name, "b");
  // Escapes: \uXXXX, a surrogate pair, \u0000, and raw UTF-8.
  k = parse_k8s_event(
      R"({"reason":"\u0045victed","involvedObject":{"name":"p\ud83d\ude00\u00e9\"\\\/\b\f\n\r\t",)"
      R"("namespace":"n\u0000s"},"message":"héllo ✓"})",
      &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->reason, "Evicted");
  EXPECT_EQ(k->object_name, "p\xF0\x9F\x98\x80\xC3\xA9\"\\/\b\f\n\r\t");
  EXPECT_EQ(k->object_namespace, std::string("n\0s", 3));
  EXPECT_EQ(k->message, "héllo ✓");
  // Lone surrogates and bad escapes are not JSON.
  for (const char* bad : {R"({"reason":"Evicted","involvedObject":{"name":"\ud800"}})",
                          R"({"reason":"Evicted","involvedObject":{"name":"\udc00x"}})",
                          R"({"reason":"Evicted","involvedObject":{"name":"\x"}})",
                          "{\"reason\":\"Evicted\",\"involvedObject\":{\"name\":\"\xff\"}}",
                          "{\"reason\":\"Evicted\",\"involvedObject\":{\"name\":\"a\tb\"}}",
                          R"({"reason":"Evicted","involvedObject":{}} x)",
                          R"({"reason":"Evicted","involvedObject":{},})"}) {
    EXPECT_FALSE(parse_k8s_event(bad, &v).has_value()) << bad;
    EXPECT_EQ(v, parse_verdict::malformed) << bad;
  }
  // Deep nesting in a field the detector does not read is still JSON.
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  k = parse_k8s_event(R"({"reason":"Evicted","involvedObject":{"name":"p"},"x":)" + deep + "}", &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->object_name, "p");
  // Lines longer than the parser's first buffer, then short ones again.
  const std::string long_message(100'000, 'm');
  k = parse_k8s_event(
      R"({"reason":"Evicted","involvedObject":{"name":"p"},"message":")" + long_message + "\"}",
      &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->message, long_message);
  k = parse_k8s_event(R"({"reason":"Evicted","involvedObject":{"name":"q"}})", &v);
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->object_name, "q");
  EXPECT_TRUE(k->message.empty());
}

// Reading Kubernetes events allocates nothing once warm: after a warm-up on a healthy stream
// (Scheduled/Pulled/Started/... JSON items and watch events), later windows of it are parsed
// and recognised without a heap allocation. (nlohmann::json made ~20 per line.) Eviction
// lines are covered by PodEvictedAllocs.WarmWindowsAllocateNothing.
TEST(PodEvictedDetector, SteadyStateJsonParsingAllocatesNothing) {
  const auto lines = generate(11, 8'000, false);
  std::vector<event> events;
  for (const auto& r : lines)
    if (!r.line.empty() && r.line.front() == '{')
      events.push_back(event{r.ts_ns, "collector-0", source::kubernetes, r.line});
  ASSERT_GT(events.size(), 4'000u);
  pod_evicted_detector d;
  counting_sink sink;
  for (std::size_t i = 0; i < 2'000; ++i)
    d.on_event(events[i], sink);
  const std::uint64_t recognised = d.stats().recognised;
  constexpr std::size_t window = bench::window_events;
  for (std::size_t w = 2'000; w + window <= events.size(); w += window) {
    SCOPED_TRACE(::testing::Message() << "window at event " << w);
    EXPECT_ALLOCS_LE(0, {
      for (std::size_t i = w; i < w + window; ++i)
        d.on_event(events[i], sink);
    });
  }
  EXPECT_GT(d.stats().recognised, recognised + 2'000);
  EXPECT_EQ(d.stats().malformed, 0u);
}

// The whole steady state allocates nothing: after one pass over the benchmark's focused
// corpus (evictions of every kind in JSON, table and describe form, storms, threshold events,
// nodes dropped by the sweep and coming back), later passes over the same stream moved forward
// in time process each window of the measurement contract without allocating.
TEST(PodEvictedAllocs, WarmWindowsAllocateNothing) {
  pod_evicted_detector d;
  testing::expect_warm_windows_allocate_nothing("pod_evicted", d);
}

// Real node names are often longer than a std::string's inline buffer (EKS names them like
// ip-10-0-1-17.us-west-2.compute.internal; the corpus's are short): nodes evicting again after
// the sweep dropped them must not allocate either.
TEST(PodEvictedAllocs, LongNodeNamesComingBackAllocateNothing) {
  pod_evicted_detector d;
  counting_sink sink;
  std::vector<std::string> nodes;
  for (int n = 0; n < 8; ++n)
    nodes.push_back(fmt::format("ip-10-0-{}-17.us-west-2.compute.internal", n));
  std::vector<std::string> rows;
  for (int p = 0; p < 3; ++p)
    rows.push_back(fmt::format(
        "1s   Warning   Evicted   pod/train-{}   The node was low on resource: memory. ", p));
  // One round: three evictions on every node; an hour later the sweep has dropped them all.
  const auto round = [&](std::int64_t r) {
    std::int64_t ts = t0 + r * 60 * minute;
    for (const std::string& node : nodes)
      for (const std::string& row : rows)
        d.on_event(event{ts += second, node, source::kubernetes, row}, sink);
  };
  round(0);
  round(1);
  for (std::int64_t r = 2; r < 5; ++r) {
    SCOPED_TRACE(fmt::format("round {}", r));
    EXPECT_ALLOCS_LE(0, round(r));
  }
  EXPECT_EQ(sink.total(), 5u * 8 * 3);
}

}  // namespace
}  // namespace detectors
