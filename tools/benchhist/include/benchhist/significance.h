// File: significance.h
// Is a timing difference real? The Mann–Whitney U test on the repetitions of two runs, as
// benchstat and Google Benchmark's compare.py use, and the false-positive rate of the timing
// gate's rule at a given noise level, which decides whether a soft gate may become hard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tools {

inline constexpr double default_alpha = 0.05;

struct u_test_result {
  double u = 0;         // U of the first sample: pairs (x, y) with x > y, ties counting 1/2
  double p = 1;         // two-sided p-value
  bool exact = false;   // exact distribution (small samples, no ties) or normal approximation
  bool enough = false;  // can p fall below alpha at all with these sample sizes?
};

// Two-sided Mann–Whitney U test. Exact distribution when both samples have at most 50 values
// and there are no ties; otherwise the normal approximation with tie correction and continuity
// correction. With an empty sample, p = 1 and enough = false.
u_test_result mann_whitney_u(std::span<const double> x, std::span<const double> y,
                             double alpha = default_alpha);

// The smallest two-sided p-value the exact test can give for sizes n and m: 2 / C(n+m, n)
// (complete separation). A gate needs p < alpha, so sizes with min_two_sided_p >= alpha can
// never be significant: 3 and 3 give 0.1, 4 and 4 give 0.029, 2 and 19 give 0.0095.
double min_two_sided_p(std::size_t n, std::size_t m);

// The smallest equal sample size n with min_two_sided_p(n, n) < alpha (4 for 0.05).
std::size_t min_samples_per_side(double alpha = default_alpha);

// Two-sided p-values of the test without ties for sizes n and m, indexed by U (0..n*m): exact
// for sizes up to 50, else the normal approximation with continuity correction, as
// mann_whitney_u computes them.
std::vector<double> u_test_p_by_u(std::size_t n, std::size_t m);

// Standard normal CDF.
double normal_cdf(double z);

// "0.0498", "0.029", "1", "2.9e-05": three significant digits, more when rounding to three
// would put p on the other side of alpha (0.04996 is "0.04996", never "0.05" beside a
// significant verdict; 0.05 stays "0.05").
std::string format_p_value(double p, double alpha = default_alpha);

// One-sided upper confidence bound (Clopper-Pearson, exact) of a binomial proportion after
// `hits` successes in `trials`, at the given confidence (e.g. 0.95).
double binomial_upper_bound(std::size_t hits, std::size_t trials, double confidence);

struct gate_fpr_estimate {
  bool can_fire = false;  // r repetitions per side can reach p < alpha at all
  double rate = 0;        // simulated false-positive rate (hits / trials)
  double upper = 0;       // its 95 % upper confidence bound: what graduation is judged on
  std::size_t hits = 0, trials = 0;
};

struct gate_fpr_options {
  double alpha = default_alpha;
  // Run-to-run coefficient of variation (a fraction): each simulated run is shifted as a whole
  // by a normal offset of this size on top of the per-repetition noise. Repetitions of one run
  // then move together, which the U test (assuming independent repetitions) cannot see, so a
  // machine whose runs differ fires the gate more often than the same total noise spread over
  // repetitions would.
  double run_cv = 0;
  // 50,000 trials: r = 10 takes under 0.1 s; near the 0.1 % graduation bar (50 hits) the
  // upper bound is about 25 % above the rate, so the estimate errs on the side of soft.
  std::size_t trials = 50000;
  std::uint64_t seed = 0xf9;  // fixed: the same noise always gives the same estimate
};

// False-positive rate of the timing gate's own rule between two runs of r repetitions each when
// nothing changed: each repetition is 1 + run offset + normal noise with coefficient of
// variation cv (the run offset: options.run_cv). The fraction of seeded simulated pairs where
// the head's median exceeds the base's by more than `threshold` (relative, a fraction) AND the
// two-sided U test gives p < alpha. Simulated, because the normal formula for a difference of
// two means, 1 - Phi(T / (CV * sqrt(2/r))), is no bound for this rule: medians are noisier
// than means and the relative difference of two means has variance (1 + (1+T)^2) / r * CV^2,
// not 2/r * CV^2 (r = 5, CV = 5 %, T = 10 %: the formula says 0.078 %, the rule fires 0.18 % of
// the time). 0 (and can_fire false) when r repetitions can never reach significance; 0 when
// there is no noise.
gate_fpr_estimate gate_false_positive_rate(double threshold, double cv, std::size_t r,
                                           const gate_fpr_options& options = {});

}  // namespace tools
