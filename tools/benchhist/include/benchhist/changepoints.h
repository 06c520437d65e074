// File: changepoints.h
// Where did the level of a metric shift? E-Divisive means (Matteson & James, "A Nonparametric
// Approach for Multiple Change Point Analysis of Multivariate Data", JASA 2014) with a
// permutation significance test, the method Hunter/Otava (DataStax, now Apache) and MongoDB's
// performance CI use on benchmark history. A regression that crept in is attributed to the run
// (commit) at which the level shifted, not to whichever run first crossed a threshold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tools {

struct changepoint_options {
  std::size_t permutations = 199;  // p-value resolution 1/200
  double alpha = 0.05;
  // Values on each side of a located change point: two, so each side has a spread of its own
  // (with one value a level and an outlier look the same). A shift in the last two runs is
  // located at the first of them, as the reference implementations do.
  std::size_t min_segment = 2;
  std::uint64_t seed = 0x5eed;  // fixed: the same history always gives the same answer
};

struct changepoint {
  std::size_t index = 0;  // first value of the new level
  double q = 0;           // the divergence statistic Q at the split
  double p = 1;           // permutation p-value
  // False when only the newest value differs from its level: beyond every other value of it,
  // with p = 2 / (values in the level) <= alpha. With one value after it, a change cannot be
  // told from an outlier, so it is reported as not located yet rather than attributed to a
  // run; index is the newest value's and q is 0.
  bool located = true;
};

// Change points of `series`, sorted by index. Deterministic for a given seed.
std::vector<changepoint> e_divisive(std::span<const double> series,
                                    const changepoint_options& options = {});

}  // namespace tools
