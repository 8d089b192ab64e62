// The device side of N4's sharpening (spec n4.md §2.4): the linearly split histogram of the
// included log intensities over nb bins spanning their [min, max] (bin k centred at
// min + k * slope, slope = (max - min) / (nb - 1)), and the lookup of the sharpened value of an
// intensity in the map of bin centres, by linear interpolation.
#ifndef BIK_N4_LOG_HISTOGRAM_HPP
#define BIK_N4_LOG_HISTOGRAM_HPP

#include "bik/n4/math.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

// Histogram bins hold weights in fixed point, units of 2^-30, so that the parallel adds are
// integer atomics: exact and independent of their order, hence the same result on every run,
// thread count and space (floating-point atomics would round in whatever order threads
// arrive). A weight is rounded to the nearest 2^-30, far below a float32 intensity's precision;
// the sums cannot overflow below kHistogramMaxVoxels voxels.
using HistogramCount = std::int64_t;
constexpr double kHistogramUnit = 1073741824.0;  // 2^30
constexpr std::int64_t kHistogramMaxVoxels = std::int64_t(1) << 32;

KOKKOS_INLINE_FUNCTION double histogram_weight(HistogramCount count) {
  return static_cast<double>(count) / kHistogramUnit;
}

// Adds one value at fractional bin position c = (u - min) / slope to `hist` (nb bins of
// HistogramCount): all of it to bin c when c is whole, else split linearly between floor(c) and
// floor(c) + 1 (the two parts sum to exactly one); values past the last bin's left edge are
// dropped, as in ITK.
template <class View>
KOKKOS_INLINE_FUNCTION void add_to_histogram(View const& hist, double c, int nb) {
  constexpr HistogramCount one = HistogramCount(1) << 30;
  double const f = math::floor(c);
  int const i = static_cast<int>(f);
  double const o = c - f;
  if (o == 0.0) {
    Kokkos::atomic_add(&hist(i), one);
  } else if (i < nb - 1) {
    auto const upper = static_cast<HistogramCount>(math::floor(o * kHistogramUnit + 0.5));
    Kokkos::atomic_add(&hist(i), one - upper);
    Kokkos::atomic_add(&hist(i + 1), upper);
  }
}

// The sharpened value at fractional bin position c of the map `lut` (nb entries).
template <class View>
KOKKOS_INLINE_FUNCTION double sharpened_value(View const& lut, double c, int nb) {
  int const i = static_cast<int>(math::floor(c));
  if (i < nb - 1) return lut(i) + (lut(i + 1) - lut(i)) * (c - i);
  return lut(nb - 1);
}

}  // namespace bik::n4

#endif
