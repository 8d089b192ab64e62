// Device-callable floor, exp, expm1 and log for N4 on every Kokkos version: they live in
// Kokkos::Experimental up to 3.6 and in Kokkos from 3.7.
#ifndef BIK_N4_MATH_HPP
#define BIK_N4_MATH_HPP

#include <Kokkos_Core.hpp>

namespace bik::n4::math {

#if KOKKOS_VERSION >= 30700
#define BIK_N4_KOKKOS_MATH Kokkos
#else
#define BIK_N4_KOKKOS_MATH Kokkos::Experimental
#endif

KOKKOS_INLINE_FUNCTION double floor(double x) { return BIK_N4_KOKKOS_MATH::floor(x); }
KOKKOS_INLINE_FUNCTION double exp(double x) { return BIK_N4_KOKKOS_MATH::exp(x); }
KOKKOS_INLINE_FUNCTION double expm1(double x) { return BIK_N4_KOKKOS_MATH::expm1(x); }
KOKKOS_INLINE_FUNCTION double log(double x) { return BIK_N4_KOKKOS_MATH::log(x); }

#undef BIK_N4_KOKKOS_MATH

}  // namespace bik::n4::math

#endif
