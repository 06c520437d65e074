// File: changepoints.cpp
// E-Divisive means with alpha = 1 (absolute differences). For a segment split at tau into X
// (n values) and Y (m values):
//   E = 2/(nm) sum|x-y| - 1/C(n,2) sum_{i<k}|x_i-x_k| - 1/C(m,2) sum_{j<k}|y_j-y_k|
//   Q = nm/(n+m) * E
// (a within-sum of one value is 0). Each round finds the best split of every current segment
// and takes the largest Q. Its significance follows Matteson & James (and apache/otava): every
// permutation shuffles the values within each current segment, recomputes the largest Q over
// all segments the same way, and the candidate is significant when few permutations reach its
// Q. Permuting only the candidate's segment would compare a maximum over several segments with
// the maximum of one, so extra change points would be accepted about twice as often as alpha
// says. As in Hunter, the right part always extends to the segment end (the paper's extra
// maximization over that end is omitted: it rarely matters for step changes and costs a factor
// of T).
//
// Splits leave min_segment values on each side. A shift in the newest value alone is no split
// (with one value after it, a change cannot be told from an outlier); it is reported as not
// located yet when the newest value is beyond every other value of the current level and that
// is unlikely by chance: under exchangeability each of the L values of the level is equally
// likely to be the strict maximum or minimum, so p = 2/L. Letting the newest value alone form
// a segment in the search instead would let any outlier, shuffled to the end by a
// permutation, inflate the null distribution and hide real shifts elsewhere.
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
split best_split(std::span<const double> v, std::size_t min_segment) {
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

// The best split over every segment of `v` delimited by `bounds` (sorted, first 0, last
// v.size()); `segment` receives the index of the segment it is in.
split best_split_of_segments(std::span<const double> v, const std::vector<std::size_t>& bounds,
                             std::size_t min_segment, std::size_t& segment) {
  split best;
  for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
    const split c = best_split(v.subspan(bounds[s], bounds[s + 1] - bounds[s]), min_segment);
    if (c.q > best.q) {
      best = c;
      segment = s;
    }
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
  const std::size_t min_segment = std::max<std::size_t>(o.min_segment, 1);
  std::mt19937_64 rng(o.seed);
  std::vector<double> perm;
  for (;;) {
    std::size_t best_seg = 0;
    const split best = best_split_of_segments(series, bounds, min_segment, best_seg);
    if (best.q <= 0) break;
    std::size_t reached = 0;
    for (std::size_t r = 0; r < o.permutations; ++r) {
      perm.assign(series.begin(), series.end());
      for (std::size_t s = 0; s + 1 < bounds.size(); ++s)
        for (std::size_t i = bounds[s + 1] - 1; i > bounds[s]; --i)
          std::swap(perm[i], perm[bounds[s] + uniform_below(rng, i - bounds[s] + 1)]);
      std::size_t ignored = 0;
      if (best_split_of_segments(perm, bounds, min_segment, ignored).q >= best.q) ++reached;
    }
    const double p = static_cast<double>(reached + 1) / static_cast<double>(o.permutations + 1);
    if (p > o.alpha) break;
    const std::size_t index = bounds[best_seg] + best.tau;
    found.push_back({index, best.q, p, true});
    bounds.insert(bounds.begin() + static_cast<std::ptrdiff_t>(best_seg) + 1, index);
  }
  // The newest value against the rest of its level (see the top of the file).
  const std::size_t level_start = bounds[bounds.size() - 2];
  const std::size_t level = series.size() - level_start;
  if (level > 1) {
    const double newest = series.back();
    const auto rest = series.subspan(level_start, level - 1);
    const bool above = std::all_of(rest.begin(), rest.end(), [&](double x) { return newest > x; });
    const bool below = std::all_of(rest.begin(), rest.end(), [&](double x) { return newest < x; });
    const double p = 2.0 / static_cast<double>(level);
    if ((above || below) && p <= o.alpha) found.push_back({series.size() - 1, 0, p, false});
  }
  std::sort(found.begin(), found.end(),
            [](const changepoint& a, const changepoint& b) { return a.index < b.index; });
  return found;
}

}  // namespace tools
