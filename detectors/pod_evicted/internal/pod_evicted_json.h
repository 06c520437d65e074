// File: pod_evicted_json.h
// The JSON parser pod_evicted keeps between events: simdjson's DOM parser and a padded copy of
// the line, both grown once and then reused, so that parsing a line allocates nothing.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <memory>
#include <string_view>

#include "detectors/pod_evicted.h"

namespace detectors {

class k8s_json_parser {
 public:
  k8s_json_parser();

  // parse_k8s_event into `k` (reset first, its strings keep their capacity). Returns the
  // verdict; `k` holds the event only when it is ok.
  parse_verdict parse(std::string_view line, k8s_event& k);

 private:
  simdjson::dom::parser parser_;
  std::unique_ptr<char[]> buffer_;  // the line, then SIMDJSON_PADDING bytes
  std::size_t buffer_size_ = 0;
};

}  // namespace detectors
