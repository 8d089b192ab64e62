// exp for the full-resolution pass of N4 (one per voxel), written with plain arithmetic so that
// compilers vectorise it on CPUs (the C library's exp is a scalar call) and it runs unchanged on
// GPUs: exp(x) = 2^k exp(r), k = round(x / ln 2), r = x - k ln 2 (|r| <= ln 2 / 2, ln 2 split in
// two so that k ln 2 is exact), exp(r) by its Taylor polynomial (degree 13 in double, 7 in
// float: truncation below the type's rounding), 2^k added to the exponent bits. Relative error
// measured against the C library: 2.3e-16 in double (1 ulp), 1e-7 in float (1-2 ulp).
// exp_poly's domain is |x| <= exp_poly_limit (708 in double, 87 in float: the result is a normal
// number); it has no branch, so that loops over it vectorise (a clamp inside would stop GCC's
// vectoriser: comparisons may trap). exp_clamped clamps its argument to the domain first.
#ifndef BIK_N4_EXP_POLY_HPP
#define BIK_N4_EXP_POLY_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <cstring>

namespace bik::n4::math {

KOKKOS_INLINE_FUNCTION double exp_poly_limit(double) { return 708.0; }
KOKKOS_INLINE_FUNCTION float exp_poly_limit(float) { return 87.0f; }

KOKKOS_INLINE_FUNCTION double exp_poly(double x) {
  double const shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer
  double const t = x * 1.4426950408889634 + shifter;
  double const k = t - shifter;
  double const r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  std::uint64_t kb, bits;
  std::memcpy(&kb, &t, sizeof kb);  // k sits in the low mantissa bits of t
  std::memcpy(&bits, &p, sizeof bits);
  bits += kb << 52;
  std::memcpy(&p, &bits, sizeof p);
  return p;
}

KOKKOS_INLINE_FUNCTION float exp_poly(float x) {
  float const shifter = 12582912.0f;  // 1.5 * 2^23
  float const t = x * 1.44269504f + shifter;
  float const k = t - shifter;
  float const r = (x - k * 0.693145752f) - k * 1.42860677e-06f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  std::uint32_t kb, bits;
  std::memcpy(&kb, &t, sizeof kb);
  std::memcpy(&bits, &p, sizeof bits);
  bits += kb << 23;
  std::memcpy(&p, &bits, sizeof p);
  return p;
}

template <class T>
KOKKOS_INLINE_FUNCTION T exp_clamped(T x) {
  T const limit = exp_poly_limit(x);
  return exp_poly(x < -limit ? -limit : (x > limit ? limit : x));
}

}  // namespace bik::n4::math

#endif
