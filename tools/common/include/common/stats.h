// File: stats.h
// The small statistics the gates use.
#pragma once

#include <span>

namespace tools {

// Median; the mean of the two middle values for an even count. Precondition: not empty.
double median(std::span<const double> values);

// Arithmetic mean. Precondition: not empty.
double mean(std::span<const double> values);
// Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values.
double sample_stdev(std::span<const double> values);
// Coefficient of variation in percent: 100 * sample_stdev / |mean|; 0 when the mean is 0.
double cv_percent(std::span<const double> values);

}  // namespace tools
