// Evaluation of the lattice's field on a grid, index-normalised as ITK's
// BSplineControlPointImageFilter (spec n4.md §2.5.1): the lattice spans the grid from its first
// to its last voxel, whatever the grid's size, so the same lattice evaluates on the shrunk grid
// and at full resolution. Separable: the Z and Y sums collapse into a small (Z, Y, CX) table
// (prepare), and each voxel then sums four X terms (value), so a full-resolution pass costs
// little more than a copy. Kokkos Kernels' dense products were measured 1.3x slower for the
// evaluation on the working grid (benchmarks/kernels/n4_kokkos_kernels.cpp).
#ifndef BIK_N4_EVALUATE_LATTICE_HPP
#define BIK_N4_EVALUATE_LATTICE_HPP

#include "bik/core/error.hpp"
#include "bik/core/workspace.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/non_deduced.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace bik::n4 {

template <class MemorySpace>
struct LatticeOnGrid {
  std::int64_t Y = 0, X = 0, CX = 0;
  AxisBasis<MemorySpace> bx;
  Kokkos::View<double*, MemorySpace> rows;  // (Z, Y, CX): the lattice summed over Z and Y

  // The field at column x of row `row` = z * Y + y. The X axis is never degenerate (images
  // have >= 2 columns), so the four control points span(x) .. span(x) + 3 all exist.
  KOKKOS_INLINE_FUNCTION double value_in_row(std::int64_t row, std::int64_t x) const {
    std::int64_t const at = row * CX + bx.span(x);
    return bx.w(x, 0) * rows(at) + bx.w(x, 1) * rows(at + 1) + bx.w(x, 2) * rows(at + 2) +
           bx.w(x, 3) * rows(at + 3);
  }
  // The field at voxel (z, y, x).
  KOKKOS_INLINE_FUNCTION double value(std::int64_t z, std::int64_t y, std::int64_t x) const {
    return value_in_row(z * Y + y, x);
  }
};

// The Z collapse at plane z, lattice row cy, column cx: the sum over plane z's control points
// along Z, in their order (a lattice of CZ x CY x CX values).
template <class MemorySpace, class Coeff>
KOKKOS_INLINE_FUNCTION double collapse_z(AxisBasis<MemorySpace> const& bz, Coeff const& coeff,
                                         int CZ, std::int64_t CY, std::int64_t CX, std::int64_t z,
                                         std::int64_t cy, std::int64_t cx) {
  int const j = bz.span(z);
  double sum = 0.0;
  for (int k = 0; k < 4 && j + k < CZ; ++k)
    sum += bz.w(z, k) * coeff(((j + k) * CY + cy) * CX + cx);
  return sum;
}

// The Y collapse of row y from the CY x CX values of its plane (collapse_z's): its CX values,
// each 0.0 + w_0 p_0 + w_1 p_1 + ..., summed in this order term by term over the row, so that
// the loops over CX vectorise on CPUs.
template <class MemorySpace>
KOKKOS_INLINE_FUNCTION void collapse_y(AxisBasis<MemorySpace> const& by, std::int64_t CY,
                                       std::int64_t CX, std::int64_t y,
                                       double const* KOKKOS_RESTRICT plane,
                                       double* KOKKOS_RESTRICT out) {
  int const j = by.span(y);
  double const* KOKKOS_RESTRICT in = plane + j * CX;
  double const w = by.w(y, 0);
  if (j + 3 < CY) {  // four planes (every row but a degenerate axis's): one pass
    double const w1 = by.w(y, 1), w2 = by.w(y, 2), w3 = by.w(y, 3);
    double const* KOKKOS_RESTRICT in1 = in + CX;
    double const* KOKKOS_RESTRICT in2 = in1 + CX;
    double const* KOKKOS_RESTRICT in3 = in2 + CX;
    for (std::int64_t cx = 0; cx < CX; ++cx)
      out[cx] = 0.0 + w * in[cx] + w1 * in1[cx] + w2 * in2[cx] + w3 * in3[cx];
    return;
  }
  for (std::int64_t cx = 0; cx < CX; ++cx) out[cx] = 0.0 + w * in[cx];
  for (int k = 1; k < 4 && j + k < CY; ++k) {
    double const wk = by.w(y, k);
    double const* KOKKOS_RESTRICT ink = plane + (j + k) * CX;
    for (std::int64_t cx = 0; cx < CX; ++cx) out[cx] += wk * ink[cx];
  }
}

// Collapses `coeff` (basis.lattice.size() values) over Z and Y for basis.grid; its tables come
// from `ws` under names starting with `name`.
template <class ExecSpace, class MemorySpace>
LatticeOnGrid<MemorySpace> prepare_lattice_on_grid(
    ExecSpace const& space, GridBasis<MemorySpace> const& basis,
    NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff, Workspace<MemorySpace>* ws,
    std::string const& name = "bik::n4::eval") {
  // Planes over (z, cy, cx) with cx fastest: no index divisions, contiguous along CX.
  using Policy =
      Kokkos::MDRangePolicy<ExecSpace,
                            Kokkos::Rank<3, Kokkos::Iterate::Right, Kokkos::Iterate::Right>,
                            Kokkos::IndexType<std::int64_t>>;
  std::int64_t const Z = basis.grid.z, Y = basis.grid.y;
  std::int64_t const CY = basis.lattice.y, CX = basis.lattice.x;
  auto bz = basis.z;
  auto by = basis.y;
  auto planes = Workspace<MemorySpace>::template get<double>(ws, name + "_z", Z * CY * CX);
  auto rows = Workspace<MemorySpace>::template get<double>(ws, name + "_y", Z * Y * CX);
  int const CZ = basis.lattice.z;
  Kokkos::parallel_for(
      "bik::n4::eval_z", Policy(space, {0, 0, 0}, {Z, CY, CX}),
      KOKKOS_LAMBDA(std::int64_t z, std::int64_t cy, std::int64_t cx) {
        planes((z * CY + cy) * CX + cx) = collapse_z(bz, coeff, CZ, CY, CX, z, cy, cx);
      });
  // A thread per (z, y) row: one index division per row (on GPUs, a warp's rows read the same
  // plane values; the table is small).
  Kokkos::parallel_for(
      "bik::n4::eval_y",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(space, 0, Z * Y),
      KOKKOS_LAMBDA(std::int64_t row) {
        std::int64_t const z = row / Y, y = row % Y;
        collapse_y(by, CY, CX, y, &planes(z * CY * CX), &rows(row * CX));
      });
  return {Y, basis.grid.x, CX, basis.x, rows};
}

// a.rows += b.rows: the field a + b, for two fields on the same grid whose X bases are the same
// (same columns, same lattice width, same semantics). Returns a.
template <class ExecSpace, class MemorySpace>
LatticeOnGrid<MemorySpace> add_fields(ExecSpace const& space, LatticeOnGrid<MemorySpace> const& a,
                                      LatticeOnGrid<MemorySpace> const& b) {
  require(a.X == b.X && a.Y == b.Y && a.CX == b.CX && a.rows.extent(0) == b.rows.extent(0),
          "bik::n4::add_fields",
          "the two fields must be on the same grid with lattices of the same width along X, got " +
              std::to_string(a.CX) + " and " + std::to_string(b.CX) + " control points");
  auto ar = a.rows;
  auto br = b.rows;
  Kokkos::parallel_for(
      "bik::n4::add_fields",
      Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>(
          space, 0, static_cast<std::int64_t>(ar.extent(0))),
      KOKKOS_LAMBDA(std::int64_t i) { ar(i) += br(i); });
  return a;
}

// Writes the field of `coeff` at every voxel of basis.grid into `out` (C order).
template <class ExecSpace, class MemorySpace>
void evaluate_lattice(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                      NonDeduced<Kokkos::View<double const*, MemorySpace>> coeff,
                      NonDeduced<Kokkos::View<double*, MemorySpace>> out,
                      Workspace<MemorySpace>* ws) {
  auto const field = prepare_lattice_on_grid(space, basis, coeff, ws);
  std::int64_t const X = basis.grid.x;
  // Over (row, x), x fastest: no index division per voxel.
  using Policy =
      Kokkos::MDRangePolicy<ExecSpace,
                            Kokkos::Rank<2, Kokkos::Iterate::Right, Kokkos::Iterate::Right>,
                            Kokkos::IndexType<std::int64_t>>;
  Kokkos::parallel_for(
      "bik::n4::evaluate_lattice", Policy(space, {0, 0}, {basis.grid.z * basis.grid.y, X}),
      KOKKOS_LAMBDA(std::int64_t row, std::int64_t x) {
        out(row * X + x) = field.value_in_row(row, x);
      });
}

}  // namespace bik::n4

#endif
