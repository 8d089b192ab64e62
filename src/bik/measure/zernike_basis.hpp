// Zernike basis values at one point, bit for bit as centrosome's
// construct_zernike_polynomials computes them (spec §8.4): Horner over r^2 with the radial
// table (zernike_indices.hpp) starting from 0, the strict cutoff r^2 > 1 -> 0 (r^2 == 1 is kept),
// and the azimuthal factor z^m with z = y + i x (the real part is the row offset).
//
// z^m follows NumPy's complex power for the NumPy integer exponents centrosome passes (its
// index array's elements), below 100: z itself for m = 1, z z for m = 2, z (z z) for m = 3,
// repeated squaring above (the product starts from 1 and multiplies in z^(2^b) for each set bit
// b, low bits first). (A Python int 2 would take NumPy's square loop instead, which contracts to
// an FMA on some CPUs.) cp_measure's numpy code builds z^m by repeated multiplication: a few ulps
// apart for m >= 3, well inside the tolerance of the summed features.
#ifndef BIK_MEASURE_ZERNIKE_BASIS_HPP
#define BIK_MEASURE_ZERNIKE_BASIS_HPP

#include "bik/core/compat.hpp"
#include "bik/core/workspace.hpp"
#include "bik/measure/zernike_indices.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <vector>

namespace bik {

// A complex double (an aggregate: arrays of it are left uninitialised in kernels).
struct Complex {
  double re, im;
};

// NumPy's complex product: (ar br - ai bi) + i (ar bi + ai br), each product rounded.
KOKKOS_INLINE_FUNCTION Complex complex_mul(Complex a, Complex b) {
  return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
}

// z^m as NumPy's z ** m evaluates it, for 1 <= m <= 99 (see the file comment).
KOKKOS_INLINE_FUNCTION Complex zernike_power(Complex z, int m) {
  if (m == 1) return z;
  if (m == 2) return complex_mul(z, z);
  if (m == 3) return complex_mul(z, complex_mul(z, z));
  Complex acc{1.0, 0.0};
  Complex square = z;  // z^(2^b)
  for (int b = 0;; ++b) {
    if ((m >> b) & 1) acc = complex_mul(acc, square);
    if ((m >> (b + 1)) == 0) return acc;
    square = complex_mul(square, square);
  }
}

// The radial part R_nm(r) / r^m: Horner over r2 with `terms` coefficients of `lut`, zero
// beyond the unit circle (NaN r2, a one-pixel object's, is not > 1 and stays NaN).
KOKKOS_INLINE_FUNCTION double zernike_radial(double const* lut, int terms, double r2) {
  double s = 0.0;
  for (int k = 0; k < terms; ++k) s = s * r2 + lut[k];
  return r2 > 1.0 ? 0.0 : s;
}

// The index set and radial table of a degree, in a memory space: pair q is (n(q), m(q)) and
// its Horner coefficients are lut[q * width ...].
template <class MemorySpace>
struct ZernikeTables {
  Kokkos::View<std::int32_t*, MemorySpace> nm;  // [2 * pairs]: n, m of each pair
  Kokkos::View<double*, MemorySpace> lut;       // [pairs * width]
  int degree = 0, pairs = 0, width = 0;
  KOKKOS_INLINE_FUNCTION int n(int q) const { return nm(2 * q); }
  KOKKOS_INLINE_FUNCTION int m(int q) const { return nm(2 * q + 1); }
  KOKKOS_INLINE_FUNCTION int terms(int q) const { return (n(q) - m(q)) / 2 + 1; }
  KOKKOS_INLINE_FUNCTION double const* coefficients(int q) const { return lut.data() + q * width; }
};

// The tables of `degree` (bik::Error outside [0, kMaxZernikeDegree]) in the space's memory: a
// few hundred bytes built on the host and copied (a blocking copy of that size per call).
template <class ExecSpace, class MemorySpace = typename ExecSpace::memory_space>
ZernikeTables<MemorySpace> make_zernike_tables(ExecSpace const& space, int degree,
                                               Workspace<MemorySpace>* workspace = nullptr) {
  check_zernike_degree(degree, "bik::make_zernike_tables");
  std::vector<ZernikeIndex> const pairs = zernike_indices(degree);
  std::vector<double> const lut = zernike_radial_lut(pairs);
  std::vector<std::int32_t> nm;
  for (auto const& p : pairs) {
    nm.push_back(p.n);
    nm.push_back(p.m);
  }
  using Buffers = Workspace<MemorySpace>;
  using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
  ZernikeTables<MemorySpace> t;
  t.degree = degree;
  t.pairs = static_cast<int>(pairs.size());
  t.width = zernike_lut_width(pairs);
  t.nm = Buffers::template get<std::int32_t>(workspace, "bik::zernike::nm", nm.size());
  t.lut = Buffers::template get<double>(workspace, "bik::zernike::lut", lut.size());
  space.fence();  // earlier kernels may still read the previous tables of this workspace
  Kokkos::deep_copy(
      t.nm, Kokkos::View<std::int32_t const*, Kokkos::HostSpace, Unmanaged>(nm.data(), nm.size()));
  Kokkos::deep_copy(
      t.lut, Kokkos::View<double const*, Kokkos::HostSpace, Unmanaged>(lut.data(), lut.size()));
  return t;
}

// Basis value V_nm at a point (x = column offset, y = row offset, both already divided by the
// radius) for pair q, given r2 = x x + y y; m = 0 is real.
template <class MemorySpace>
KOKKOS_INLINE_FUNCTION Complex zernike_basis_value(ZernikeTables<MemorySpace> const& t, int q,
                                                   double r2, double x, double y) {
  double const s = zernike_radial(t.coefficients(q), t.terms(q), r2);
  int const m = t.m(q);
  if (m == 0) return {s, 0.0};
  Complex const zm = zernike_power(Complex{y, x}, m);
  return {s * zm.re, s * zm.im};
}

}  // namespace bik

#endif
