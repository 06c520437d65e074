// File: stats.h
// The small statistics the gates use.
#pragma once

#include <span>

namespace tools {

// Median; the mean of the two middle values for an even count. Precondition: not empty.
double median(std::span<const double> values);

}  // namespace tools
