// 2^x for the full-resolution pass of N4 (one per voxel), written with plain arithmetic so that
// compilers vectorise it on CPUs (the C library's exp2 is a scalar call) and it runs unchanged
// on GPUs: k = round(x) and s = x - k, both exact, 2^s by a polynomial P on |s| <= 1/2, 2^k
// added to the exponent bits. P is a degree-5 minimax fit of 2^s (relative error) in float,
// with float coefficients, and the degree-13 Taylor polynomial, (ln 2)^n / n!, in double.
// Relative error of exp2_poly against the exact 2^x, measured: 1.6 2^-23 in float (the fit's
// 0.46 2^-23 plus Horner's roundings), 1 2^-52 in double.
// exp2_reduced(s, scale) is P(s) scale, evaluated with the coefficients times `scale`: for a
// power of two scale = 2^K (|K| <= 32), it equals exp2_poly(s) 2^K bit for bit when |s| < 1/2
// (k = 0 there, and scaling by a power of two commutes with rounding), so a loop whose
// arguments are known to lie there can skip the range reduction.
// exp2_near(s, scale) is the same for |s| <= exp2_near_reach = 1/16 with fewer terms: a
// degree-3 minimax fit of 2^s on [-0.0626, 0.0626] in float (0.31 2^-24 from 2^s, 1.61 2^-24
// with Horner's roundings, measured), the degree-8 Taylor polynomial in double (its remainder
// is below 2^-59 there; 1.04 2^-53 with the roundings, measured); for a loop whose arguments
// have been centred on their middle.
// exp2_poly's domain is |x| <= exp2_poly_limit (125 in float, 1021 in double: the result is a
// normal number); it has no branch, so that loops over it vectorise (a clamp inside would stop
// GCC's vectoriser: comparisons may trap).
#ifndef BIK_N4_EXP2_POLY_HPP
#define BIK_N4_EXP2_POLY_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <cstring>

namespace bik::n4::math {

KOKKOS_INLINE_FUNCTION float exp2_poly_limit(float) { return 125.0f; }
KOKKOS_INLINE_FUNCTION double exp2_poly_limit(double) { return 1021.0; }

KOKKOS_INLINE_FUNCTION float exp2_reduced(float s, float scale) {
  float p = 0x1.5ae73cp-10f * scale;
  p = p * s + 0x1.3d094cp-7f * scale;
  p = p * s + 0x1.c6b9cap-5f * scale;
  p = p * s + 0x1.ebf956p-3f * scale;
  p = p * s + 0x1.62e426p-1f * scale;
  return p * s + scale;
}

KOKKOS_INLINE_FUNCTION double exp2_reduced(double s, double scale) {
  double p = 0x1.816193166d0f9p-40 * scale;
  p = p * s + 0x1.c3bd650fc2986p-36 * scale;
  p = p * s + 0x1.e8cac7351bb25p-32 * scale;
  p = p * s + 0x1.e4cf5158b8ecap-28 * scale;
  p = p * s + 0x1.b5253d395e7c4p-24 * scale;
  p = p * s + 0x1.62c0223a5c824p-20 * scale;
  p = p * s + 0x1.ffcbfc588b0c7p-17 * scale;
  p = p * s + 0x1.430912f86c787p-13 * scale;
  p = p * s + 0x1.5d87fe78a6731p-10 * scale;
  p = p * s + 0x1.3b2ab6fba4e77p-7 * scale;
  p = p * s + 0x1.c6b08d704a0c0p-5 * scale;
  p = p * s + 0x1.ebfbdff82c58fp-3 * scale;
  p = p * s + 0x1.62e42fefa39efp-1 * scale;
  return p * s + scale;
}

KOKKOS_INLINE_FUNCTION constexpr double exp2_near_reach() { return 0.0625; }

// exp2_near(s, scale) with its coefficients scaled once (for a loop over many s with the same
// scale): the same operations in the same order, so the same results.
template <class T>
struct Exp2Near;

template <>
struct Exp2Near<float> {
  float c3, c2, c1, c0;
  KOKKOS_INLINE_FUNCTION explicit Exp2Near(float scale)
      : c3(0x1.c6a598p-5f * scale),
        c2(0x1.ec0fa2p-3f * scale),
        c1(0x1.62e43p-1f * scale),
        c0(scale) {}
  KOKKOS_INLINE_FUNCTION float operator()(float s) const {
    return ((c3 * s + c2) * s + c1) * s + c0;
  }
};

template <>
struct Exp2Near<double> {
  double c8, c7, c6, c5, c4, c3, c2, c1, c0;
  KOKKOS_INLINE_FUNCTION explicit Exp2Near(double scale)
      : c8(0x1.62c0223a5c824p-20 * scale),
        c7(0x1.ffcbfc588b0c7p-17 * scale),
        c6(0x1.430912f86c787p-13 * scale),
        c5(0x1.5d87fe78a6731p-10 * scale),
        c4(0x1.3b2ab6fba4e77p-7 * scale),
        c3(0x1.c6b08d704a0c0p-5 * scale),
        c2(0x1.ebfbdff82c58fp-3 * scale),
        c1(0x1.62e42fefa39efp-1 * scale),
        c0(scale) {}
  KOKKOS_INLINE_FUNCTION double operator()(double s) const {
    double p = c8 * s + c7;
    p = p * s + c6;
    p = p * s + c5;
    p = p * s + c4;
    p = p * s + c3;
    p = p * s + c2;
    p = p * s + c1;
    return p * s + c0;
  }
};

KOKKOS_INLINE_FUNCTION float exp2_near(float s, float scale) { return Exp2Near<float>(scale)(s); }
KOKKOS_INLINE_FUNCTION double exp2_near(double s, double scale) {
  return Exp2Near<double>(scale)(s);
}

KOKKOS_INLINE_FUNCTION float exp2_poly(float x) {
  float const shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  float const t = x + shifter;
  float p = exp2_reduced(x - (t - shifter), 1.0f);
  std::uint32_t kb, bits;
  std::memcpy(&kb, &t, sizeof kb);  // k sits in the low mantissa bits of t
  std::memcpy(&bits, &p, sizeof bits);
  bits += kb << 23;
  std::memcpy(&p, &bits, sizeof p);
  return p;
}

KOKKOS_INLINE_FUNCTION double exp2_poly(double x) {
  double const shifter = 6755399441055744.0;  // 1.5 * 2^52
  double const t = x + shifter;
  double p = exp2_reduced(x - (t - shifter), 1.0);
  std::uint64_t kb, bits;
  std::memcpy(&kb, &t, sizeof kb);
  std::memcpy(&bits, &p, sizeof bits);
  bits += kb << 52;
  std::memcpy(&p, &bits, sizeof p);
  return p;
}

// 2^k for an integer k with |k| < 127: exact.
template <class T>
KOKKOS_INLINE_FUNCTION T exp2_integer(int k) {
  return exp2_poly(static_cast<T>(k));
}

}  // namespace bik::n4::math

#endif
