// File: registry.cpp
// The built-in detectors by name. Adding a detector: add its name here (and to
// ALLOCGATE_DETECTORS in detectors/CMakeLists.txt), its generator to corpus_mixer.cpp.
#include <array>

#include "detectors/detector.h"
#include "detectors/hbm_ecc.h"
#include "detectors/nccl_hang.h"
#include "detectors/pcie_aer.h"
#include "detectors/pod_evicted.h"
#include "detectors/thermal_throttle.h"
#include "detectors/xid_correlation.h"

namespace detectors {

namespace {
constexpr std::array<std::string_view, 6> names = {"pod_evicted", "xid_correlation",  "hbm_ecc",
                                                   "nccl_hang",   "thermal_throttle", "pcie_aer"};
}  // namespace

std::span<const std::string_view> detector_names() noexcept {
  return names;
}

std::unique_ptr<detector> make_detector(std::string_view name) {
  if (name == "pod_evicted") return make_pod_evicted_detector();
  if (name == "xid_correlation") return make_xid_correlation_detector();
  if (name == "hbm_ecc") return make_hbm_ecc_detector();
  if (name == "nccl_hang") return make_nccl_hang_detector();
  if (name == "thermal_throttle") return make_thermal_throttle_detector();
  if (name == "pcie_aer") return make_pcie_aer_detector();
  return nullptr;
}

}  // namespace detectors
