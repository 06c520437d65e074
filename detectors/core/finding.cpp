// File: finding.cpp
// owned_finding and the JSON form of a finding used by `detect` and the golden files.
#include "detectors/finding.h"

#include <nlohmann/json.hpp>

namespace detectors {

owned_finding::owned_finding(const finding& f)
    : detector(f.detector),
      node(f.node),
      subject(f.subject),
      sev(f.sev),
      kind(f.kind),
      message(f.message),
      first_ns(f.first_ns),
      last_ns(f.last_ns),
      count(f.count),
      recommended(f.recommended) {}

std::string to_json(const owned_finding& f) {
  // nlohmann::ordered_json keeps the key order fixed, so golden files diff cleanly.
  nlohmann::ordered_json j;
  j["detector"] = f.detector;
  j["node"] = f.node;
  j["subject"] = f.subject;
  j["severity"] = to_string(f.sev);
  j["kind"] = f.kind;
  j["message"] = f.message;
  j["first_ns"] = f.first_ns;
  j["last_ns"] = f.last_ns;
  j["count"] = f.count;
  j["action"] = to_string(f.recommended);
  // Invalid UTF-8 from a log line is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace detectors
