// Separable contraction of a grid field onto the control lattice (spec n4.md §4.3, §12):
// out[cz,cy,cx] = sum over voxels of wz^p wy^p wx^p f[z,y,x], with w the B-spline weights of
// each axis and p = 2 or 3 (the MBA denominator and numerator). Done one axis at a time,
// X then Y then Z, each step a gather (one output per work item over the contiguous samples
// that touch its control point), so no atomics and a fixed summation order on every space.
// Kokkos Kernels' dense products (KokkosBlas::gemm, KokkosBatched::SerialGemm) compute the same
// with C/4 times more multiplications: measured 3.6x slower at N4's sizes (Serial, 64x128x128
// onto 11^3; benchmarks/kernels/n4_kokkos_kernels.cpp), so this gather stays.
#ifndef BIK_N4_CONTRACT_TO_LATTICE_HPP
#define BIK_N4_CONTRACT_TO_LATTICE_HPP

#include "bik/core/workspace.hpp"
#include "bik/n4/grid_basis.hpp"
#include "bik/n4/non_deduced.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>

namespace bik::n4 {

KOKKOS_INLINE_FUNCTION double power_of(double w, int p) { return p == 2 ? w * w : w * w * w; }

// `field` holds grid.size() values (C order), `out` lattice.size(); temporaries come from ws.
template <class ExecSpace, class MemorySpace>
void contract_to_lattice(ExecSpace const& space, GridBasis<MemorySpace> const& basis,
                         NonDeduced<Kokkos::View<double const*, MemorySpace>> field, int power,
                         NonDeduced<Kokkos::View<double*, MemorySpace>> out,
                         Workspace<MemorySpace>* ws) {
  using Policy = Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<std::int64_t>>;
  std::int64_t const Z = basis.grid.z, Y = basis.grid.y, X = basis.grid.x;
  std::int64_t const CZ = basis.lattice.z, CY = basis.lattice.y, CX = basis.lattice.x;
  auto bz = basis.z;
  auto by = basis.y;
  auto bx = basis.x;
  auto t1 = Workspace<MemorySpace>::template get<double>(ws, "bik::n4::contract_x", Z * Y * CX);
  auto t2 = Workspace<MemorySpace>::template get<double>(ws, "bik::n4::contract_y", Z * CY * CX);
  Kokkos::parallel_for(
      "bik::n4::contract_x", Policy(space, 0, Z * Y * CX), KOKKOS_LAMBDA(std::int64_t i) {
        int const c = static_cast<int>(i % CX);
        std::int64_t const row = i / CX;
        double sum = 0.0;
        for (std::int64_t x = bx.first(c); x < bx.last(c); ++x)
          sum += power_of(basis_weight(bx, x, c), power) * field(row * X + x);
        t1(i) = sum;
      });
  Kokkos::parallel_for(
      "bik::n4::contract_y", Policy(space, 0, Z * CY * CX), KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const cx = i % CX;
        int const c = static_cast<int>((i / CX) % CY);
        std::int64_t const z = i / (CX * CY);
        double sum = 0.0;
        for (std::int64_t y = by.first(c); y < by.last(c); ++y)
          sum += power_of(basis_weight(by, y, c), power) * t1((z * Y + y) * CX + cx);
        t2(i) = sum;
      });
  Kokkos::parallel_for(
      "bik::n4::contract_z", Policy(space, 0, CZ * CY * CX), KOKKOS_LAMBDA(std::int64_t i) {
        std::int64_t const plane = i % (CY * CX);
        int const c = static_cast<int>(i / (CY * CX));
        double sum = 0.0;
        for (std::int64_t z = bz.first(c); z < bz.last(c); ++z)
          sum += power_of(basis_weight(bz, z, c), power) * t2(z * CY * CX + plane);
        out(i) = sum;
      });
}

}  // namespace bik::n4

#endif
