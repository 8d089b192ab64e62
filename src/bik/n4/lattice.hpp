// The control lattice of the log bias field: (cz, cy, cx) coefficients in C order, and the
// sizes of the lattices of N4's levels. ITK counts control points including the spline order,
// so n control points are n - 3 spans; each level doubles the spans (spec n4.md §2.6).
#ifndef BIK_N4_LATTICE_HPP
#define BIK_N4_LATTICE_HPP

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

struct LatticeShape {
  int z = 1, y = 1, x = 1;  // control points per axis (1 on the degenerate Z axis of 2D)
  std::int64_t size() const { return std::int64_t(z) * y * x; }
};

template <class MemorySpace>
struct Lattice {
  LatticeShape shape;
  Kokkos::View<double*, MemorySpace> coeff;  // shape.size() values, C order
};

// Spans of an axis with `control_points` (>= 4) at level L: (control_points - 3) * 2^L.
inline int spans_at_level(int control_points, int level) { return (control_points - 3) << level; }

}  // namespace bik::n4

#endif
