// File: pod_evicted_parse.cpp
// parse_k8s_event: one JSON line (a Kubernetes Event, or a watch event wrapping one) into the
// fields pod_evicted reads. simdjson's DOM parser, kept by the detector and reused, reads the
// line without allocating; nlohmann::json, the earlier implementation, stays as the judge of
// the few lines simdjson reads differently (see invalid_for_both and count_read).
#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

#include "internal/pod_evicted_json.h"

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

// The nlohmann::json implementation: kept for the rare lines simdjson judges differently
// (numbers nlohmann accepts and simdjson rejects, -0, nesting deeper than simdjson's limit).
std::optional<k8s_event> parse_with_nlohmann(std::string_view line, parse_verdict& v) {
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

// ---- simdjson: the same reading, on simdjson's DOM (which validates the whole line) ----

using element = simdjson::dom::element;
using object = simdjson::dom::object;

// A member, or nullptr when absent. Like nlohmann::json (a std::map), the last of duplicate
// keys wins.
bool find(object obj, std::string_view key, element& out) {
  bool found = false;
  for (const auto field : obj) {
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  }
  return found;
}

bool sj_read_string(object obj, std::string_view key, std::string& out) {
  element e;
  if (!find(obj, key, e) || e.is_null()) return true;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}

bool sj_read_object(object obj, std::string_view key, object& out, bool& found) {
  element e;
  if (!find(obj, key, e) || e.is_null()) return true;
  if (e.get_object().get(out) != simdjson::SUCCESS) return false;
  found = true;
  return true;
}

// What reading a count found: nlohmann calls -0 a signed integer (so not a count) where
// simdjson reads 0, so a 0 on a line that has "-0" somewhere is left to nlohmann.
enum class count_read : std::uint8_t { ok, wrong_type, ambiguous };

// The members of an Event (or of a watch event wrapping one) that parse() reads, found in one
// pass over the object rather than one pass per member (an Event has about a dozen). Like
// find(), the last of duplicate keys wins.
enum member : std::uint8_t {
  m_object,
  m_type,
  m_kind,
  m_involved_object,
  m_regarding,
  m_reason,
  m_metadata,
  m_source,
  m_deprecated_source,
  m_count,
  m_deprecated_count,
  m_message,
  m_note,
  m_action,
  m_reporting_component,
  m_reporting_controller,
  m_reporting_instance,
  m_first_timestamp,
  m_deprecated_first_timestamp,
  m_last_timestamp,
  m_deprecated_last_timestamp,
  m_event_time,
  member_count
};

// The member a key names, or member_count: one switch on the length, then a compare or two.
member member_of(std::string_view k) noexcept {
  const auto is = [&](std::string_view name, member m) { return k == name ? m : member_count; };
  switch (k.size()) {
    case 4:
      return k == "type" ? m_type : k == "kind" ? m_kind : is("note", m_note);
    case 5:
      return is("count", m_count);
    case 6:
      return k == "object"   ? m_object
             : k == "reason" ? m_reason
             : k == "source" ? m_source
                             : is("action", m_action);
    case 7:
      return is("message", m_message);
    case 8:
      return is("metadata", m_metadata);
    case 9:
      return k == "regarding" ? m_regarding : is("eventTime", m_event_time);
    case 13:
      return is("lastTimestamp", m_last_timestamp);
    case 14:
      return k == "involvedObject" ? m_involved_object : is("firstTimestamp", m_first_timestamp);
    case 15:
      return is("deprecatedCount", m_deprecated_count);
    case 16:
      return is("deprecatedSource", m_deprecated_source);
    case 17:
      return is("reportingInstance", m_reporting_instance);
    case 18:
      return is("reportingComponent", m_reporting_component);
    case 19:
      return is("reportingController", m_reporting_controller);
    case 23:
      return is("deprecatedLastTimestamp", m_deprecated_last_timestamp);
    case 24:
      return is("deprecatedFirstTimestamp", m_deprecated_first_timestamp);
    default:
      return member_count;
  }
}

struct members {
  std::array<element, member_count> value;
  std::uint32_t present = 0;  // bit per member

  explicit members(object obj) {
    for (const auto field : obj) {
      const member m = member_of(field.key);
      if (m == member_count) continue;
      value[m] = field.value;
      present |= 1U << m;
    }
  }
  bool get(member m, element& out) const noexcept {
    if ((present >> m & 1U) == 0) return false;
    out = value[m];
    return true;
  }
  bool has(member m) const noexcept { return (present >> m & 1U) != 0; }
};

bool sj_read_string(const members& obj, member m, std::string& out) {
  element e;
  if (!obj.get(m, e) || e.is_null()) return true;
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  out.assign(s);
  return true;
}

bool sj_read_object(const members& obj, member m, object& out, bool& found) {
  element e;
  if (!obj.get(m, e) || e.is_null()) return true;
  if (e.get_object().get(out) != simdjson::SUCCESS) return false;
  found = true;
  return true;
}

count_read sj_read_count(const members& obj, member m, std::string_view line, std::uint64_t& out) {
  element e;
  if (!obj.get(m, e) || e.is_null()) return count_read::ok;
  std::uint64_t n = 0;
  if (e.get_uint64().get(n) != simdjson::SUCCESS) return count_read::wrong_type;
  if (n == 0 && line.find("-0") != std::string_view::npos) return count_read::ambiguous;
  out = n;
  return count_read::ok;
}

bool sj_read_string_either(const members& obj, member m, member alt, std::string& out) {
  return sj_read_string(obj, m, out) && (!out.empty() || sj_read_string(obj, alt, out));
}

bool sj_read_source(const members& obj, member m, k8s_event& k) {
  object src;
  bool found = false;
  if (!sj_read_object(obj, m, src, found)) return false;
  if (!found) return true;
  return sj_read_string(src, "component", k.source_component) &&
         sj_read_string(src, "host", k.source_host);
}

enum class read_result : std::uint8_t { ok, malformed, ambiguous };

read_result sj_read_event(const members& obj, std::string_view line, k8s_event& k) {
  object involved;
  bool has_involved = false;
  if (!sj_read_object(obj, m_involved_object, involved, has_involved))
    return read_result::malformed;
  if (!has_involved && !sj_read_object(obj, m_regarding, involved, has_involved))
    return read_result::malformed;
  if (!has_involved) return read_result::malformed;  // every Event names its object
  if (!sj_read_string(involved, "kind", k.object_kind) ||
      !sj_read_string(involved, "namespace", k.object_namespace) ||
      !sj_read_string(involved, "name", k.object_name))
    return read_result::malformed;

  element reason;
  std::string_view reason_text;
  if (!obj.get(m_reason, reason) || reason.get_string().get(reason_text) != simdjson::SUCCESS)
    return read_result::malformed;
  k.reason.assign(reason_text);

  object metadata;
  bool has_metadata = false;
  if (!sj_read_object(obj, m_metadata, metadata, has_metadata)) return read_result::malformed;
  if (has_metadata) {
    object annotations;
    bool has_annotations = false;
    if (!sj_read_string(metadata, "uid", k.uid) ||
        !sj_read_object(metadata, "annotations", annotations, has_annotations))
      return read_result::malformed;
    if (has_annotations &&
        (!sj_read_string(annotations, "starved_resource", k.starved_resource) ||
         !sj_read_string(annotations, "offending_containers", k.offending_containers) ||
         !sj_read_string(annotations, "offending_containers_usage", k.offending_containers_usage)))
      return read_result::malformed;
  }

  if (!sj_read_source(obj, m_source, k)) return read_result::malformed;
  if (k.source_component.empty() && k.source_host.empty() &&
      !sj_read_source(obj, m_deprecated_source, k))
    return read_result::malformed;

  count_read c = sj_read_count(obj, m_count, line, k.count);
  if (c == count_read::ok && k.count == 0)
    c = sj_read_count(obj, m_deprecated_count, line, k.count);
  if (c == count_read::ambiguous) return read_result::ambiguous;
  if (c == count_read::wrong_type) return read_result::malformed;

  const bool ok =
      sj_read_string_either(obj, m_message, m_note, k.message) &&
      sj_read_string(obj, m_type, k.type) && sj_read_string(obj, m_action, k.action) &&
      sj_read_string_either(obj, m_reporting_component, m_reporting_controller,
                            k.reporting_component) &&
      sj_read_string(obj, m_reporting_instance, k.reporting_instance) &&
      sj_read_string_either(obj, m_first_timestamp, m_deprecated_first_timestamp,
                            k.first_timestamp) &&
      sj_read_string_either(obj, m_last_timestamp, m_deprecated_last_timestamp, k.last_timestamp) &&
      sj_read_string(obj, m_event_time, k.event_time);
  return ok ? read_result::ok : read_result::malformed;
}

bool sj_is_event_object(const members& obj) {
  if (obj.has(m_involved_object) || obj.has(m_regarding)) return true;
  element kind;
  std::string_view text;
  return obj.get(m_kind, kind) && kind.get_string().get(text) == simdjson::SUCCESS &&
         text == "Event";
}

// simdjson errors that mean the line is not JSON for nlohmann either. Any other error (a
// number simdjson cannot hold, nesting past its depth limit, ...) is left to nlohmann.
bool invalid_for_both(simdjson::error_code e) {
  switch (e) {
    case simdjson::TAPE_ERROR:
    case simdjson::STRING_ERROR:
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
    case simdjson::UTF8_ERROR:
    case simdjson::UNESCAPED_CHARS:
    case simdjson::UNCLOSED_STRING:
    case simdjson::EMPTY:
      return true;
    default:
      return false;
  }
}

// A line that opens a JSON object with a string key (or is {}): the only lines parsed.
bool opens_json_object(std::string_view line) {
  const std::size_t open = line.find_first_not_of(" \t");
  if (open == std::string_view::npos || line[open] != '{') return false;
  const std::size_t key = line.find_first_not_of(" \t\r\n", open + 1);
  // not a JSON object (a Python dict, a brace in prose)
  return key != std::string_view::npos && (line[key] == '"' || line[key] == '}');
}

}  // namespace

void reset(k8s_event& k) noexcept {
  k.origin = k8s_event_origin::json_item;
  for (std::string* s : {&k.watch_type,
                         &k.reason,
                         &k.type,
                         &k.action,
                         &k.object_kind,
                         &k.object_namespace,
                         &k.object_name,
                         &k.source_component,
                         &k.source_host,
                         &k.reporting_component,
                         &k.reporting_instance,
                         &k.first_timestamp,
                         &k.last_timestamp,
                         &k.event_time,
                         &k.message,
                         &k.uid,
                         &k.starved_resource,
                         &k.offending_containers,
                         &k.offending_containers_usage,
                         &k.age})
    s->clear();
  k.count = 0;
}

// The parser starts with room for lines of this size; a longer line grows it once.
constexpr std::size_t initial_capacity = 4096;

k8s_json_parser::k8s_json_parser()
    : buffer_(new char[initial_capacity + simdjson::SIMDJSON_PADDING]),
      buffer_size_(initial_capacity) {
  // On failure parse() tries again, for the line it is given.
  const simdjson::error_code reserved = parser_.allocate(initial_capacity);
  static_cast<void>(reserved);
  // The parser's document (its tape and strings) is sized separately, to each longest line
  // so far: a line a few bytes longer than any before allocated again in steady state. One
  // parse of a document of the full capacity ("{}" and blanks) sizes it once, up front.
  std::memset(buffer_.get(), ' ', initial_capacity + simdjson::SIMDJSON_PADDING);
  buffer_[0] = '{';
  buffer_[1] = '}';
  simdjson::dom::element ignored;
  const simdjson::error_code sized =
      parser_.parse(buffer_.get(), initial_capacity, false).get(ignored);
  static_cast<void>(sized);
}

parse_verdict k8s_json_parser::parse(std::string_view line, k8s_event& k) {
  reset(k);
  if (!opens_json_object(line)) return parse_verdict::not_mine;

  if (line.size() > buffer_size_) {
    const std::size_t size = std::max(line.size(), 2 * buffer_size_);
    buffer_.reset(new char[size + simdjson::SIMDJSON_PADDING]);
    buffer_size_ = size;
  }
  std::memcpy(buffer_.get(), line.data(), line.size());
  std::memset(buffer_.get() + line.size(), 0, simdjson::SIMDJSON_PADDING);

  const auto fallback = [&] {
    parse_verdict v = parse_verdict::not_mine;
    std::optional<k8s_event> parsed = parse_with_nlohmann(line, v);
    if (parsed) k = std::move(*parsed);
    return v;
  };

  element root;
  const simdjson::error_code error =
      parser_.parse(buffer_.get(), line.size(), /*realloc_if_needed=*/false).get(root);
  if (error != simdjson::SUCCESS) {
    if (!invalid_for_both(error)) return fallback();
    return looks_like_event(line) ? parse_verdict::malformed : parse_verdict::not_mine;
  }
  object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return parse_verdict::not_mine;

  members top(obj);
  element wrapped;
  element type;
  object inner;
  std::string_view type_text;
  if (top.get(m_object, wrapped) && wrapped.get_object().get(inner) == simdjson::SUCCESS &&
      top.get(m_type, type) && type.get_string().get(type_text) == simdjson::SUCCESS &&
      !sj_is_event_object(top)) {
    // A watch event. ERROR carries a Status and BOOKMARK a bare resourceVersion: not events.
    if (type_text != "ADDED" && type_text != "MODIFIED" && type_text != "DELETED")
      return parse_verdict::not_mine;
    k.origin = k8s_event_origin::json_watch;
    k.watch_type.assign(type_text);
    top = members(inner);
  }
  if (!sj_is_event_object(top)) return parse_verdict::not_mine;
  switch (sj_read_event(top, line, k)) {
    case read_result::ok:
      return parse_verdict::ok;
    case read_result::malformed:
      return parse_verdict::malformed;
    case read_result::ambiguous:
      return fallback();
  }
  return parse_verdict::malformed;
}

std::optional<k8s_event> parse_k8s_event(std::string_view line, parse_verdict* verdict) {
  parse_verdict scratch = parse_verdict::not_mine;
  parse_verdict& v = verdict != nullptr ? *verdict : scratch;
  v = parse_verdict::not_mine;
  if (!opens_json_object(line)) return std::nullopt;
  thread_local k8s_json_parser parser;
  k8s_event k;
  v = parser.parse(line, k);
  if (v != parse_verdict::ok) return std::nullopt;
  return k;
}

}  // namespace detectors
