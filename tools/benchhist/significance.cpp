// File: significance.cpp
#include "benchhist/significance.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tools {
namespace {

// Number of orderings of n x-values and m y-values (no ties) with U_x = u, for every u in
// [0, n*m]: f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u) — the last value is either an x (larger
// than all j y's) or a y. Sums of positive terms only, so doubles stay accurate.
std::vector<double> exact_u_counts(std::size_t n, std::size_t m) {
  // prev[j] = f(i-1, j, .), cur[j] = f(i, j, .)
  std::vector<std::vector<double>> prev(m + 1, std::vector<double>{1.0});
  for (std::size_t i = 1; i <= n; ++i) {
    std::vector<std::vector<double>> cur(m + 1);
    cur[0] = {1.0};
    for (std::size_t j = 1; j <= m; ++j) {
      std::vector<double> f(i * j + 1, 0.0);
      for (std::size_t u = 0; u < prev[j].size(); ++u)
        f[u + j] += prev[j][u];
      for (std::size_t u = 0; u < cur[j - 1].size(); ++u)
        f[u] += cur[j - 1][u];
      cur[j] = std::move(f);
    }
    prev = std::move(cur);
  }
  return prev[m];
}

}  // namespace

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double min_two_sided_p(std::size_t n, std::size_t m) {
  if (n == 0 || m == 0) return 1;
  // 1 / C(n+m, n), computed as a running product to stay in range.
  double inv = 1;
  for (std::size_t k = 1; k <= n; ++k)
    inv *= static_cast<double>(k) / static_cast<double>(m + k);
  return std::min(1.0, 2 * inv);
}

std::size_t min_samples_per_side(double alpha) {
  std::size_t n = 1;
  while (min_two_sided_p(n, n) > alpha)
    ++n;
  return n;
}

u_test_result mann_whitney_u(std::span<const double> x, std::span<const double> y, double alpha) {
  u_test_result r;
  const std::size_t n = x.size(), m = y.size();
  if (n == 0 || m == 0) return r;
  r.enough = min_two_sided_p(n, m) <= alpha;

  // Ranks of the pooled sample (ties get the mean rank) and the tie groups.
  struct item {
    double v;
    bool from_x;
  };
  std::vector<item> pooled;
  for (double v : x)
    pooled.push_back({v, true});
  for (double v : y)
    pooled.push_back({v, false});
  std::sort(pooled.begin(), pooled.end(), [](const item& a, const item& b) { return a.v < b.v; });
  const double big_n = static_cast<double>(n + m);
  double rank_sum_x = 0, tie_term = 0;
  bool ties = false;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].v == pooled[i].v)
      ++j;
    const double t = static_cast<double>(j - i);
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (pooled[k].from_x) rank_sum_x += mid_rank;
    if (t > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    i = j;
  }
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  r.u = rank_sum_x - dn * (dn + 1) / 2;
  const double nm = dn * dm;

  if (!ties && n <= 50 && m <= 50) {
    r.exact = true;
    const std::vector<double> counts = exact_u_counts(n, m);
    double total = 0, below = 0;
    const auto u = static_cast<std::size_t>(r.u);
    // The distribution is symmetric: P(U >= u) = P(U <= nm - u).
    const std::size_t lower_tail_end = std::min(u, static_cast<std::size_t>(nm) - u);
    for (std::size_t k = 0; k < counts.size(); ++k) {
      total += counts[k];
      if (k <= lower_tail_end) below += counts[k];
    }
    r.p = std::min(1.0, 2 * below / total);
    return r;
  }

  const double mu = nm / 2;
  const double var = nm / 12 * ((big_n + 1) - tie_term / (big_n * (big_n - 1)));
  if (var <= 0) {  // every value equal: no evidence of any difference
    r.p = 1;
    return r;
  }
  const double z = std::max(0.0, std::fabs(r.u - mu) - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return r;
}

double gate_false_positive_rate(double threshold, double cv, std::size_t r) {
  if (cv <= 0 || r == 0) return 0;
  return 1 - normal_cdf(threshold / (cv * std::sqrt(2.0 / static_cast<double>(r))));
}

}  // namespace tools
