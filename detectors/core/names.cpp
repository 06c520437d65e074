// File: names.cpp
// Printable names of the event-model enums (stable: they appear in JSON output and goldens).
#include "detectors/event.h"
#include "detectors/finding.h"

namespace detectors {

std::string_view to_string(source s) noexcept {
  switch (s) {
    case source::kernel:
      return "kernel";
    case source::kubernetes:
      return "kubernetes";
    case source::dcgm:
      return "dcgm";
    case source::workload:
      return "workload";
    case source::nvidia_smi:
      return "nvidia_smi";
  }
  return "unknown";
}

std::string_view to_string(severity s) noexcept {
  switch (s) {
    case severity::info:
      return "info";
    case severity::warning:
      return "warning";
    case severity::critical:
      return "critical";
  }
  return "unknown";
}

std::string_view to_string(action a) noexcept {
  switch (a) {
    case action::observe:
      return "observe";
    case action::check_network:
      return "check_network";
    case action::drain_node:
      return "drain_node";
    case action::reset_gpu:
      return "reset_gpu";
    case action::replace_gpu:
      return "replace_gpu";
  }
  return "unknown";
}

}  // namespace detectors
