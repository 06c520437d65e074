// File: pod_evicted_parse.cpp
// parse_k8s_event: one JSON line (a Kubernetes Event, or a watch event wrapping one) into the
// fields pod_evicted reads. Kept apart, behind one function, so a faster parser can replace
// nlohmann::json's DOM without touching the detector.
#include <nlohmann/json.hpp>

#include "detectors/pod_evicted.h"

namespace detectors {
namespace {

using json = nlohmann::json;

// Each reader accepts an absent or null member (leaving `out` as it was) and fails only on a
// member of the wrong type: the API server never sends one, so it means the line is broken.
bool read_string(const json& obj, const char* key, std::string& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get_ref<const std::string&>();
  return true;
}

bool read_object(const json& obj, const char* key, const json*& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_object()) return false;
  out = &*it;
  return true;
}

bool read_count(const json& obj, const char* key, std::uint64_t& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_number_unsigned()) return false;  // negative, fractional or not a number
  out = it->get<std::uint64_t>();
  return true;
}

// Reads the first present of two spellings (core/v1 name, events.k8s.io/v1 name).
bool read_string_either(const json& obj, const char* key, const char* alt, std::string& out) {
  return read_string(obj, key, out) && (!out.empty() || read_string(obj, alt, out));
}

bool read_source(const json& obj, const char* key, k8s_event& k) {
  const json* src = nullptr;
  if (!read_object(obj, key, src)) return false;
  if (src == nullptr) return true;
  return read_string(*src, "component", k.source_component) &&
         read_string(*src, "host", k.source_host);
}

bool read_event(const json& obj, k8s_event& k) {
  const json* involved = nullptr;
  if (!read_object(obj, "involvedObject", involved)) return false;
  if (involved == nullptr && !read_object(obj, "regarding", involved)) return false;
  if (involved == nullptr) return false;  // every Event names its object
  if (!read_string(*involved, "kind", k.object_kind) ||
      !read_string(*involved, "namespace", k.object_namespace) ||
      !read_string(*involved, "name", k.object_name))
    return false;

  const auto reason = obj.find("reason");
  if (reason == obj.end() || !reason->is_string()) return false;
  k.reason = reason->get_ref<const std::string&>();

  const json* metadata = nullptr;
  const json* annotations = nullptr;
  if (!read_object(obj, "metadata", metadata)) return false;
  if (metadata != nullptr) {
    if (!read_string(*metadata, "uid", k.uid) ||
        !read_object(*metadata, "annotations", annotations))
      return false;
    if (annotations != nullptr &&
        (!read_string(*annotations, "starved_resource", k.starved_resource) ||
         !read_string(*annotations, "offending_containers", k.offending_containers) ||
         !read_string(*annotations, "offending_containers_usage", k.offending_containers_usage)))
      return false;
  }

  if (!read_source(obj, "source", k)) return false;
  if (k.source_component.empty() && k.source_host.empty() &&
      !read_source(obj, "deprecatedSource", k))
    return false;

  if (!read_count(obj, "count", k.count)) return false;
  if (k.count == 0 && !read_count(obj, "deprecatedCount", k.count)) return false;

  return read_string_either(obj, "message", "note", k.message) &&
         read_string(obj, "type", k.type) && read_string(obj, "action", k.action) &&
         read_string_either(obj, "reportingComponent", "reportingController",
                            k.reporting_component) &&
         read_string(obj, "reportingInstance", k.reporting_instance) &&
         read_string_either(obj, "firstTimestamp", "deprecatedFirstTimestamp", k.first_timestamp) &&
         read_string_either(obj, "lastTimestamp", "deprecatedLastTimestamp", k.last_timestamp) &&
         read_string(obj, "eventTime", k.event_time);
}

bool is_event_object(const json& obj) {
  if (obj.contains("involvedObject") || obj.contains("regarding")) return true;
  const auto kind = obj.find("kind");
  return kind != obj.end() && kind->is_string() && kind->get_ref<const std::string&>() == "Event";
}

// Whether a line that failed to parse was (most likely) an Event: it opens a JSON object with a
// string key and carries a key an Event or a watch event has. Workloads also print JSON-ish
// lines (structured logs; Python dicts such as HF Trainer's {'loss': ...}), which are not ours.
bool looks_like_event(std::string_view line) {
  static constexpr std::string_view markers[] = {
      R"("involvedObject")", R"("regarding")",       R"("reason")",
      R"("kind":"Event")",   R"("apiVersion":"v1")", R"("apiVersion":"events.k8s.io)",
      R"("type":"ADDED")",   R"("type":"MODIFIED")", R"("type":"DELETED")"};
  for (std::string_view m : markers)
    if (line.find(m) != std::string_view::npos) return true;
  return false;
}

}  // namespace

std::optional<k8s_event> parse_k8s_event(std::string_view line, parse_verdict* verdict) {
  parse_verdict scratch = parse_verdict::not_mine;
  parse_verdict& v = verdict != nullptr ? *verdict : scratch;
  v = parse_verdict::not_mine;

  const std::size_t open = line.find_first_not_of(" \t");
  if (open == std::string_view::npos || line[open] != '{') return std::nullopt;
  const std::size_t key = line.find_first_not_of(" \t\r\n", open + 1);
  if (key == std::string_view::npos || (line[key] != '"' && line[key] != '}'))
    return std::nullopt;  // not a JSON object (a Python dict, a brace in prose)

  const json root = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    if (looks_like_event(line)) v = parse_verdict::malformed;
    return std::nullopt;
  }
  if (!root.is_object()) return std::nullopt;

  k8s_event k;
  const json* obj = &root;
  const auto object = root.find("object");
  const auto type = root.find("type");
  if (object != root.end() && object->is_object() && type != root.end() && type->is_string() &&
      !is_event_object(root)) {
    // A watch event. ERROR carries a Status and BOOKMARK a bare resourceVersion: not events.
    const std::string& t = type->get_ref<const std::string&>();
    if (t != "ADDED" && t != "MODIFIED" && t != "DELETED") return std::nullopt;
    k.origin = k8s_event_origin::json_watch;
    k.watch_type = t;
    obj = &*object;
  }
  if (!is_event_object(*obj)) return std::nullopt;
  if (!read_event(*obj, k)) {
    v = parse_verdict::malformed;
    return std::nullopt;
  }
  v = parse_verdict::ok;
  return k;
}

}  // namespace detectors
