// File: significance.h
// Is a timing difference real? The Mann–Whitney U test on the repetitions of two runs, as
// benchstat and Google Benchmark's compare.py use, and the false-positive rate of a gate at a
// given noise level.
#pragma once

#include <cstddef>
#include <span>

namespace tools {

inline constexpr double default_alpha = 0.05;

struct u_test_result {
  double u = 0;         // U of the first sample: pairs (x, y) with x > y, ties counting 1/2
  double p = 1;         // two-sided p-value
  bool exact = false;   // exact distribution (small samples, no ties) or normal approximation
  bool enough = false;  // can p reach alpha at all with these sample sizes?
};

// Two-sided Mann–Whitney U test. Exact distribution when both samples have at most 50 values
// and there are no ties; otherwise the normal approximation with tie correction and continuity
// correction. With an empty sample, p = 1 and enough = false.
u_test_result mann_whitney_u(std::span<const double> x, std::span<const double> y,
                             double alpha = default_alpha);

// The smallest two-sided p-value the exact test can give for sizes n and m: 2 / C(n+m, n).
double min_two_sided_p(std::size_t n, std::size_t m);

// The smallest equal sample size n with min_two_sided_p(n, n) <= alpha (4 for 0.05).
std::size_t min_samples_per_side(double alpha = default_alpha);

// Standard normal CDF.
double normal_cdf(double z);

// Expected false-positive rate of a one-sided gate "relative slowdown > threshold" between two
// runs of r repetitions each, when there is no real change and each repetition has coefficient
// of variation cv (both as fractions): the relative difference of two means has standard
// deviation cv * sqrt(2 / r), so FPR ~= 1 - Phi(threshold / (cv * sqrt(2 / r))). 0 when cv = 0.
double gate_false_positive_rate(double threshold, double cv, std::size_t r);

}  // namespace tools
