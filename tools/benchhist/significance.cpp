// File: significance.cpp
#include "benchhist/significance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
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
  while (min_two_sided_p(n, n) >= alpha)
    ++n;
  return n;
}

std::vector<double> u_test_p_by_u(std::size_t n, std::size_t m) {
  const std::size_t nm = n * m;
  std::vector<double> p(nm + 1, 1.0);
  if (n == 0 || m == 0) return p;
  if (n <= 50 && m <= 50) {
    const std::vector<double> counts = exact_u_counts(n, m);
    double total = 0;
    for (double c : counts)
      total += c;
    // The distribution is symmetric: P(U >= u) = P(U <= nm - u).
    double below = 0;  // P(U <= k) * total
    std::vector<double> cumulative(nm + 1);
    for (std::size_t k = 0; k <= nm; ++k)
      cumulative[k] = below += counts[k];
    for (std::size_t u = 0; u <= nm; ++u)
      p[u] = std::min(1.0, 2 * cumulative[std::min(u, nm - u)] / total);
    return p;
  }
  const double dn = static_cast<double>(n), dm = static_cast<double>(m);
  const double mu = dn * dm / 2, var = dn * dm * (dn + dm + 1) / 12;
  for (std::size_t u = 0; u <= nm; ++u) {
    const double z = std::max(0.0, std::fabs(static_cast<double>(u) - mu) - 0.5) / std::sqrt(var);
    p[u] = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  }
  return p;
}

std::string format_p_value(double p, double alpha) {
  if (!std::isfinite(p)) return fmt::format("{}", p);
  for (int digits = 3; digits < 17; ++digits) {
    std::string s = fmt::format("{:.{}g}", p, digits);
    if ((std::strtod(s.c_str(), nullptr) < alpha) == (p < alpha)) return s;
  }
  return fmt::format("{:.17g}", p);
}

double binomial_upper_bound(std::size_t hits, std::size_t trials, double confidence) {
  if (trials == 0 || hits >= trials) return 1;
  // The bound is the p at which P(X <= hits) = 1 - confidence; P(X <= k) falls as p grows.
  // P(X <= k) = 1 - I_p(k + 1, n - k), the regularized incomplete beta function, evaluated by
  // its continued fraction (Lentz), which converges fast on the side where x < (a+1)/(a+b+2).
  const double a = static_cast<double>(hits) + 1, b = static_cast<double>(trials - hits);
  const auto continued_fraction = [](double pa, double pb, double x) {
    const double tiny = 1e-300;
    double c = 1, d = 1 - (pa + pb) * x / (pa + 1);
    if (std::fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < 100000; ++m) {
      const double dm = m, m2 = 2 * dm;
      double aa = dm * (pb - dm) * x / ((pa - 1 + m2) * (pa + m2));
      d = 1 + aa * d;
      if (std::fabs(d) < tiny) d = tiny;
      c = 1 + aa / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
      aa = -(pa + dm) * (pa + pb + dm) * x / ((pa + m2) * (pa + 1 + m2));
      d = 1 + aa * d;
      if (std::fabs(d) < tiny) d = tiny;
      c = 1 + aa / c;
      if (std::fabs(c) < tiny) c = tiny;
      d = 1 / d;
      const double del = d * c;
      h *= del;
      if (std::fabs(del - 1) < 1e-15) break;
    }
    return h;
  };
  const auto incomplete_beta = [&](double x) {
    if (x <= 0) return 0.0;
    if (x >= 1) return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                  a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1) / (a + b + 2)) return front * continued_fraction(a, b, x) / a;
    return 1 - front * continued_fraction(b, a, 1 - x) / b;
  };
  // I_p(a, b) rises with p; find where it reaches `confidence`.
  double lo = static_cast<double>(hits) / static_cast<double>(trials), hi = 1;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = (lo + hi) / 2;
    (incomplete_beta(mid) < confidence ? lo : hi) = mid;
  }
  return hi;
}

u_test_result mann_whitney_u(std::span<const double> x, std::span<const double> y, double alpha) {
  u_test_result r;
  const std::size_t n = x.size(), m = y.size();
  if (n == 0 || m == 0) return r;
  r.enough = min_two_sided_p(n, m) < alpha;  // the gate needs p < alpha

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
    r.p = u_test_p_by_u(n, m)[static_cast<std::size_t>(r.u)];
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

namespace {

// Standard normal values from the engine's raw output (Marsaglia's polar method): the same
// sequence on every standard library, unlike std::normal_distribution, and no trigonometry.
struct seeded_normal {
  std::mt19937_64 rng;
  double spare = 0;
  bool has_spare = false;
  double operator()() {
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    double u, v, s;
    do {
      u = static_cast<double>(rng() >> 11) * 0x1p-52 - 1;  // [-1, 1)
      v = static_cast<double>(rng() >> 11) * 0x1p-52 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double f = std::sqrt(-2 * std::log(s) / s);
    spare = v * f;
    has_spare = true;
    return u * f;
  }
};

double median_in_place(std::vector<double>& v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double upper = v[mid];
  return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)) + upper) / 2;
}

}  // namespace

gate_fpr_estimate gate_false_positive_rate(double threshold, double cv, std::size_t r,
                                           const gate_fpr_options& o) {
  gate_fpr_estimate e;
  e.can_fire = r > 0 && min_two_sided_p(r, r) < o.alpha;
  const double run_cv = std::max(0.0, o.run_cv);
  cv = std::max(0.0, cv);
  if (!e.can_fire || (cv == 0 && run_cv == 0) || o.trials == 0) return e;
  // p of the U test by U of the base sample; continuous noise has no ties. Without noise
  // within a run, each run's repetitions are all equal: the tied test's p, one value.
  const std::vector<double> p_by_u = u_test_p_by_u(r, r);
  const double p_tied =
      mann_whitney_u(std::vector<double>(r, 0.0), std::vector<double>(r, 1.0), o.alpha).p;
  seeded_normal normal{std::mt19937_64(o.seed)};
  std::vector<double> base(r), head(r), scratch(r);
  for (std::size_t t = 0; t < o.trials; ++t) {
    const double base_level = 1 + run_cv * normal();
    for (auto& v : base)
      v = base_level + cv * normal();
    const double head_level = 1 + run_cv * normal();
    for (auto& v : head)
      v = head_level + cv * normal();
    scratch = base;
    const double b = median_in_place(scratch);
    scratch = head;
    const double h = median_in_place(scratch);
    // The gate's rule (compare_samples): a slowdown beyond the threshold, then the test.
    if (!((h - b) / std::fabs(b) > threshold)) continue;
    if (cv == 0) {
      e.hits += p_tied < o.alpha;
      continue;
    }
    std::size_t u = 0;  // pairs (base, head) with base > head
    for (double x : base)
      for (double y : head)
        u += x > y;
    e.hits += p_by_u[u] < o.alpha;
  }
  e.trials = o.trials;
  e.rate = static_cast<double>(e.hits) / static_cast<double>(e.trials);
  e.upper = binomial_upper_bound(e.hits, e.trials, 0.95);
  return e;
}

}  // namespace tools
