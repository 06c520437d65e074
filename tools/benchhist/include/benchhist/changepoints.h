// File: changepoints.h
// Where did the level of a metric shift? E-Divisive means (Matteson & James, "A Nonparametric
// Approach for Multiple Change Point Analysis of Multivariate Data", JASA 2014) with a
// permutation significance test, the method Hunter/Otava (DataStax) and MongoDB's performance
// CI use on benchmark history. A regression that crept in is attributed to the run (commit) at
// which the level shifted, not to whichever run first crossed a threshold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tools {

struct changepoint_options {
  std::size_t permutations = 199;  // p-value resolution 1/200
  double alpha = 0.05;
  std::size_t min_segment = 3;  // values on each side of a change point
  std::uint64_t seed = 0x5eed;  // fixed: the same history always gives the same answer
};

struct changepoint {
  std::size_t index = 0;  // first value of the new level
  double q = 0;           // the divergence statistic Q at the split
  double p = 1;           // permutation p-value
};

// Change points of `series`, sorted by index. Deterministic for a given seed.
std::vector<changepoint> e_divisive(std::span<const double> series,
                                    const changepoint_options& options = {});

}  // namespace tools
