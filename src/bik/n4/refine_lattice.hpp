// Exact refinement of a cubic B-spline lattice between N4 levels (spec n4.md §2.6): the spans
// of every non-degenerate axis double, m + 3 -> 2m + 3 control points, and the field the lattice
// represents is unchanged. Per axis the new coefficient 2i is (c[i] + c[i+1]) / 2 and 2i + 1 is
// (c[i] + 6 c[i+1] + c[i+2]) / 8 (cubic subdivision); the 3D rule is their tensor product.
#ifndef BIK_N4_REFINE_LATTICE_HPP
#define BIK_N4_REFINE_LATTICE_HPP

#include "bik/n4/lattice.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

// The refined size of one axis (a degenerate axis of 1 control point stays 1).
inline int refined_controls(int controls) { return controls == 1 ? 1 : 2 * (controls - 3) + 3; }

inline LatticeShape refined_shape(LatticeShape s) {
  return {refined_controls(s.z), refined_controls(s.y), refined_controls(s.x)};
}

// Subdivision weights of new index n along an axis: old indices first..first+count-1.
KOKKOS_INLINE_FUNCTION int subdivision(int n, bool degenerate, double w[3]) {
  if (degenerate) {
    w[0] = 1.0;
    return 1;
  }
  if (n % 2 == 0) {
    w[0] = 0.5;
    w[1] = 0.5;
    return 2;
  }
  w[0] = 0.125;
  w[1] = 0.75;
  w[2] = 0.125;
  return 3;
}

// Writes the refinement of `from` into `to` (to.shape must be refined_shape(from.shape)).
template <class ExecSpace, class MemorySpace>
void refine_lattice(ExecSpace const& space, Lattice<MemorySpace> const& from,
                    Lattice<MemorySpace> const& to) {
  LatticeShape const a = from.shape, b = to.shape;
  auto src = from.coeff;
  auto dst = to.coeff;
  Kokkos::parallel_for(
      "bik::n4::refine_lattice",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, b.size()),
      KOKKOS_LAMBDA(std::int64_t i) {
        int const nx = static_cast<int>(i % b.x);
        int const ny = static_cast<int>((i / b.x) % b.y);
        int const nz = static_cast<int>(i / (std::int64_t(b.x) * b.y));
        double wz[3], wy[3], wx[3];
        int const kz = subdivision(nz, a.z == 1, wz);
        int const ky = subdivision(ny, a.y == 1, wy);
        int const kx = subdivision(nx, a.x == 1, wx);
        int const oz = a.z == 1 ? 0 : nz / 2, oy = a.y == 1 ? 0 : ny / 2,
                  ox = a.x == 1 ? 0 : nx / 2;
        double sum = 0.0;
        for (int p = 0; p < kz; ++p)
          for (int q = 0; q < ky; ++q)
            for (int r = 0; r < kx; ++r)
              sum += wz[p] * wy[q] * wx[r] *
                     src((std::int64_t(oz + p) * a.y + (oy + q)) * a.x + (ox + r));
        dst(i) = sum;
      });
}

}  // namespace bik::n4

#endif
