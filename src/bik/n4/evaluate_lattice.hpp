// Evaluation of the lattice's field on a grid, index-normalised as ITK's
// BSplineControlPointImageFilter (spec n4.md §2.5.1): the lattice spans the grid from its first
// to its last voxel, whatever the grid's size, so the same lattice evaluates on the shrunk grid
// and at full resolution. Separable: the Z and Y sums collapse into a small (Z, Y, CX) table
// (prepare), and each voxel then sums four X terms (value), so a full-resolution pass costs
// little more than a copy.
#ifndef BIK_N4_EVALUATE_LATTICE_HPP
#define BIK_N4_EVALUATE_LATTICE_HPP

#include "bik/core/workspace.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/non_deduced.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

template <class MemorySpace>
struct LatticeOnGrid {
  std::int64_t Y = 0, X = 0, CX = 0;
  AxisBasis<MemorySpace> bx;
  Kokkos::View<double*, MemorySpace> rows;  // (Z, Y, CX): the lattice summed over Z and Y

  // The field at voxel (z, y, x). The X axis is never degenerate (images have >= 2 columns),
  // so the four control points span(x) .. span(x) + 3 all exist.
  KOKKOS_INLINE_FUNCTION double value(std::int64_t z, std::int64_t y, std::int64_t x) const {
    std::int64_t const at = (z * Y + y) * CX + bx.span(x);
    return bx.w(x, 0) * rows(at) + bx.w(x, 1) * rows(at + 1) + bx.w(x, 2) * rows(at + 2) +
           bx.w(x, 3) * rows(at + 3);
  }
};

// Collapses `coeff` (basis.lattice.size() values) over Z and Y for basis.grid.
template <class ExecSpace, class MemorySpace>
LatticeOnGrid<MemorySpace> prepare_lattice_on_grid(
    ExecSpace const& space, GridBasis<MemorySpace> const& basis,
    NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff, Workspace<MemorySpace>* ws) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  std::int64_t const Z = basis.grid.z, Y = basis.grid.y;
  std::int64_t const CY = basis.lattice.y, CX = basis.lattice.x;
  auto bz = basis.z;
  auto by = basis.y;
  auto planes = Workspace<MemorySpace>::template get<double>(ws, "bik::n4::eval_z", Z * CY * CX);
  auto rows = Workspace<MemorySpace>::template get<double>(ws, "bik::n4::eval_y", Z * Y * CX);
  int const CZ = basis.lattice.z;
  Kokkos::parallel_for(
      "bik::n4::eval_z", Policy(space, 0, Z * CY * CX), KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const plane = i % (CY * CX);
        std::int64_t const z = i / (CY * CX);
        int const j = bz.span(z);
        double sum = 0.0;
        for (int k = 0; k < 4 && j + k < CZ; ++k)
          sum += bz.w(z, k) * coeff((j + k) * CY * CX + plane);
        planes(i) = sum;
      });
  Kokkos::parallel_for(
      "bik::n4::eval_y", Policy(space, 0, Z * Y * CX), KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const cx = i % CX;
        std::int64_t const y = (i / CX) % Y;
        std::int64_t const z = i / (CX * Y);
        int const j = by.span(y);
        double sum = 0.0;
        for (int k = 0; k < 4 && j + k < CY; ++k)
          sum += by.w(y, k) * planes((z * CY + j + k) * CX + cx);
        rows(i) = sum;
      });
  return {Y, basis.grid.x, CX, basis.x, rows};
}

// Writes the field of `coeff` at every voxel of basis.grid into `out` (C order).
template <class ExecSpace, class MemorySpace>
void evaluate_lattice(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                      NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff,
                      NonDeduced<Kokkos::View<double*, MemorySpace>> out,
                      Workspace<MemorySpace>* ws) {
  auto const field = prepare_lattice_on_grid(space, basis, coeff, ws);
  std::int64_t const Y = basis.grid.y, X = basis.grid.x;
  Kokkos::parallel_for(
      "bik::n4::evaluate_lattice",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, basis.grid.size()),
      KOKKOS_LAMBDA(std::int64_t i) { out(i) = field.value(i / (X * Y), (i / X) % Y, i % X); });
}

}  // namespace bik::n4

#endif
