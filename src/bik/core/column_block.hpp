// Neighbouring columns (X) per thread of the row-wise image kernels (cross morphology,
// geodesic sweeps) on a space: a CPU thread steps along a long run of contiguous memory
// (vectorised), a GPU thread takes one column so that the reads of a warp coalesce.
// Specialise to tune a space.
#ifndef BIK_CORE_COLUMN_BLOCK_HPP
#define BIK_CORE_COLUMN_BLOCK_HPP

#include <Kokkos_Core.hpp>

namespace bik {

template <class ExecSpace>
struct ColumnBlock {
  static constexpr bool host = Kokkos::SpaceAccessibility<ExecSpace, Kokkos::HostSpace>::accessible;
  static constexpr int columns = host ? 512 : 1;
};

}  // namespace bik

#endif
