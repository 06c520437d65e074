// File: stats.cpp
#include "common/stats.h"

#include <algorithm>
#include <cassert>
#include <cmath>
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

double mean(std::span<const double> values) {
  assert(!values.empty());
  double sum = 0;
  for (double v : values)
    sum += v;
  return sum / static_cast<double>(values.size());
}

double sample_stdev(std::span<const double> values) {
  if (values.size() < 2) return 0;
  const double m = mean(values);
  double ss = 0;
  for (double v : values)
    ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

double cv_percent(std::span<const double> values) {
  const double m = mean(values);
  return m == 0 ? 0 : 100.0 * sample_stdev(values) / std::fabs(m);
}

}  // namespace tools
