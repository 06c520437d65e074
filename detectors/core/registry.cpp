// File: registry.cpp
// The built-in detectors by name, expanded from detectors/detector_list.inc: the list is the
// only place that names them.
#include <array>

#include "detectors/detector.h"

namespace detectors {

// Each detector's folder defines its factory; declared here, from the list, so that no header
// has to name every detector.
#define ALLOCGATE_DETECTOR(name, summary) std::unique_ptr<detector> make_##name##_detector();
#include "detectors/detector_list.inc"

namespace {

struct registered_detector {
  detector_info info;
  std::unique_ptr<detector> (*make)();
};

constexpr registered_detector registered[] = {
#define ALLOCGATE_DETECTOR(name, summary) {{#name, summary}, make_##name##_detector},
#include "detectors/detector_list.inc"
};

constexpr std::size_t count = std::size(registered);

constexpr std::array<detector_info, count> catalog = [] {
  std::array<detector_info, count> out{};
  for (std::size_t i = 0; i < count; ++i)
    out[i] = registered[i].info;
  return out;
}();

constexpr std::array<std::string_view, count> names = [] {
  std::array<std::string_view, count> out{};
  for (std::size_t i = 0; i < count; ++i)
    out[i] = registered[i].info.name;
  return out;
}();

}  // namespace

std::span<const detector_info> detector_catalog() noexcept {
  return catalog;
}

std::span<const std::string_view> detector_names() noexcept {
  return names;
}

std::unique_ptr<detector> make_detector(std::string_view name) {
  for (const registered_detector& r : registered)
    if (r.info.name == name) return r.make();
  return nullptr;
}

}  // namespace detectors
