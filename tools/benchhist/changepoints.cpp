// File: changepoints.cpp
// E-Divisive means with alpha = 1 (absolute differences). For a segment split at tau into X
// (n values) and Y (m values):
//   E = 2/(nm) sum|x-y| - 1/C(n,2) sum_{i<k}|x_i-x_k| - 1/C(m,2) sum_{j<k}|y_j-y_k|
//   Q = nm/(n+m) * E
// The best split of every current segment is found; the best of those is tested by permuting
// its segment (the split is significant when few permutations reach its Q) and, if
// significant, accepted; repeat. As in Hunter, the right part always extends to the segment end
// (the paper's extra maximization over that end is omitted: it rarely matters for step
// changes and costs a factor of T).
#include "benchhist/changepoints.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace tools {
namespace {

struct split {
  std::size_t tau = 0;  // relative to the segment start
  double q = -1;
};

// Best split of v, in O(T^2): moving tau right by one moves one value from Y to X, and the
// three distance sums are updated from that value's distances alone.
split best_split(const std::vector<double>& v, std::size_t min_segment) {
  const std::size_t t = v.size();
  split best;
  if (t < 2 * min_segment) return best;
  double left = 0, right = 0, cross = 0;
  for (std::size_t i = 0; i < t; ++i)
    for (std::size_t k = i + 1; k < t; ++k)
      right += std::fabs(v[i] - v[k]);
  for (std::size_t tau = 1; tau + min_segment <= t; ++tau) {
    // Move v[tau-1] from Y into X.
    const std::size_t j = tau - 1;
    double to_left = 0, to_right = 0;
    for (std::size_t i = 0; i < j; ++i)
      to_left += std::fabs(v[i] - v[j]);
    for (std::size_t k = j + 1; k < t; ++k)
      to_right += std::fabs(v[j] - v[k]);
    left += to_left;
    right -= to_right;
    cross += to_right - to_left;
    if (tau < min_segment) continue;
    const double n = static_cast<double>(tau), m = static_cast<double>(t - tau);
    const double within_x = n > 1 ? left / (n * (n - 1) / 2) : 0;
    const double within_y = m > 1 ? right / (m * (m - 1) / 2) : 0;
    const double e = 2 * cross / (n * m) - within_x - within_y;
    const double q = n * m / (n + m) * e;
    if (q > best.q) best = {tau, q};
  }
  return best;
}

// Uniform in [0, bound) from the engine's raw output (whose sequence the standard fixes),
// rejecting the biased tail; std::uniform_int_distribution differs between standard libraries.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t r;
  do {
    r = rng();
  } while (r >= limit);
  return r % bound;
}

}  // namespace

std::vector<changepoint> e_divisive(std::span<const double> series, const changepoint_options& o) {
  std::vector<changepoint> found;
  std::vector<std::size_t> bounds = {0, series.size()};  // segment boundaries, sorted
  std::mt19937_64 rng(o.seed);
  for (;;) {
    std::size_t best_seg = 0;
    split best;
    for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
      const std::vector<double> seg(series.begin() + static_cast<std::ptrdiff_t>(bounds[s]),
                                    series.begin() + static_cast<std::ptrdiff_t>(bounds[s + 1]));
      const split c = best_split(seg, o.min_segment);
      if (c.q > best.q) {
        best = c;
        best_seg = s;
      }
    }
    if (best.q <= 0) break;
    std::vector<double> perm(series.begin() + static_cast<std::ptrdiff_t>(bounds[best_seg]),
                             series.begin() + static_cast<std::ptrdiff_t>(bounds[best_seg + 1]));
    std::size_t reached = 0;
    for (std::size_t r = 0; r < o.permutations; ++r) {
      for (std::size_t i = perm.size() - 1; i > 0; --i)
        std::swap(perm[i], perm[uniform_below(rng, i + 1)]);
      if (best_split(perm, o.min_segment).q >= best.q) ++reached;
    }
    const double p = static_cast<double>(reached + 1) / static_cast<double>(o.permutations + 1);
    if (p > o.alpha) break;
    const std::size_t index = bounds[best_seg] + best.tau;
    found.push_back({index, best.q, p});
    bounds.insert(bounds.begin() + static_cast<std::ptrdiff_t>(best_seg) + 1, index);
  }
  std::sort(found.begin(), found.end(),
            [](const changepoint& a, const changepoint& b) { return a.index < b.index; });
  return found;
}

}  // namespace tools
