// The uniform cubic B-spline of ITK's N4 (spec n4.md §2.5): the four weights a sample at
// fraction t of its span gives to control points j..j+3, and the index-normalised parametric
// position of sample i of an n-sample grid on a lattice of `spans` spans (§2.5, §2.5.1);
// and linumpy's placement of the same basis (§4.1).
#ifndef BIK_N4_CUBIC_BSPLINE_HPP
#define BIK_N4_CUBIC_BSPLINE_HPP

#include <Kokkos_Core.hpp>

#include <cmath>
#include <cstdint>

namespace bik::n4 {

// Weights of control points j, j+1, j+2, j+3 for a sample at j + t, t in [0, 1): the centred
// cubic B-spline at t+1, t, t-1, t-2. They sum to 1 and reproduce cubics exactly.
KOKKOS_INLINE_FUNCTION void cubic_bspline_weights(double t, double w[4]) {
  double const s = 1.0 - t;
  double const t2 = t * t;
  double const t3 = t2 * t;
  w[0] = s * s * s / 6.0;
  w[1] = (3.0 * t3 - 6.0 * t2 + 4.0) / 6.0;
  w[2] = (-3.0 * t3 + 3.0 * t2 + 3.0 * t + 1.0) / 6.0;
  w[3] = t3 / 6.0;
}

// Parametric position of sample i of n (n >= 2) on `spans` spans: spans * i / (n - 1), with
// ITK's clamp that keeps the last sample inside the half-open domain [0, spans): within
// eps = spans / (n - 1) * 1e-3 of the end it becomes spans - eps.
inline double parametric_position(std::int64_t i, std::int64_t n, int spans) {
  double const scale = static_cast<double>(spans) / static_cast<double>(n - 1);
  double const u = scale * static_cast<double>(i);
  double const eps = scale * 1e-3;
  if (std::abs(u - spans) <= eps) return spans - eps;
  return u;
}

// linumpy's placement of sample i of n (n >= 2) on `spans` spans (spec n4.md §4.1): at
// u = spans * i / (n - 1), with no end clamp, the weights of floor(u) + t go to control points
// floor(u) - 1 .. floor(u) + 2, clipped to the lattice, so in the first span the weight of
// column -1 merges into column 0 (and the last column only ever gets t^3/6 at t = 0). Writes
// the first control point `j` and the four weights of columns j .. j + 3.
inline void linumpy_span_weights(std::int64_t i, std::int64_t n, int spans, std::int32_t& j,
                                 double w[4]) {
  double const u = static_cast<double>(spans) * static_cast<double>(i) / static_cast<double>(n - 1);
  auto const iu = static_cast<std::int32_t>(std::floor(u));
  cubic_bspline_weights(u - iu, w);
  if (iu >= 1) {
    j = iu - 1;
    return;
  }
  j = 0;
  w[0] += w[1];
  w[1] = w[2];
  w[2] = w[3];
  w[3] = 0.0;
}

}  // namespace bik::n4

#endif
