// File: stats.cpp
#include "tools/stats.h"

#include <algorithm>
#include <cassert>
#include <vector>

namespace tools {

double median(std::span<const double> values) {
  assert(!values.empty());
  std::vector<double> v(values.begin(), values.end());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

}  // namespace tools
